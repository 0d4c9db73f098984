"""Input and output schemas of the Innovationsfonds, shared by the API and the pages (``load_form``), one module
per resource group (``calls``, ``sketches``, ``reviewing``, ``decisions``; fields in ``common``): money as
"1234.56" strings (forms: "1.234,56"), scores as "83.33" strings (forms: "83,33"), days ISO (forms: also
TT.MM.JJJJ). Lengths are names in ``app.platform.limits``."""

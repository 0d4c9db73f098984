"""Allocation actions in the permission table (see docs/allocation.md for the reasoning).

Kommune users see only their own ceiling and its explanation (published versions only); the
ceilings of other Kommunen are not shown to them, although the ministry publishes them later:
the service keeps to the stricter default until the programme decides otherwise.
"""

from ..auth.models import Role
from ..auth.permissions import declare

ADMIN = {Role.PROGRAMME_ADMIN}
READERS = {Role.PROGRAMME_ADMIN, Role.FINANCE, Role.AUDITOR}

ALLOCATION_READ = declare("allocation.read", READERS, "Zuteilungsversionen und alle Höchstgrenzen lesen")
KEYDATA_READ = declare("allocation.keydata.read", READERS, "Schlüsseldaten lesen")
KEYDATA_IMPORT = declare("allocation.keydata.import", ADMIN, "Schlüsseldaten importieren")
ALLOCATION_MANAGE = declare("allocation.manage", ADMIN,
                            "Zuteilungsversionen anlegen, veröffentlichen und umverteilen")
OWN_CEILING = declare("allocation.ceiling", READERS | {Role.KOMMUNE},
                      "Höchstgrenze einer Kommune und ihre Herleitung lesen (Kommunen: nur die eigene)")
GIVE_BACK_DECLARE = declare("allocation.give_back", ADMIN | {Role.KOMMUNE},
                            "Rückgabe von Mitteln erklären (Kommunen: nur für die eigene)")
GIVE_BACK_READ = declare("allocation.give_back.read", READERS | {Role.KOMMUNE},
                         "Rückgabe-Erklärungen lesen (Kommunen: nur die eigenen)")
POSITIONS_READ = declare("allocation.positions", READERS, "Stellenverteilung Teilhabemanagement (F6)")

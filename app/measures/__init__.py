"""Measures (issue #17): the Kommune's catalogue of measures and the forwarding of funds to course providers
(Weiterleitung, VV Nr. 12 zu § 44 LHO). See docs/measures.md."""

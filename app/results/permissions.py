"""Who may read the results report, report people reached, import target-group counts, submit and review
interim proofs and keep the alliance ("Gemeinsam klappt's") of a Kommune."""

from ..auth.models import Role
from ..auth.permissions import declare

RESULTS_READ = declare("results.read", {Role.KOMMUNE, Role.PROGRAMME_ADMIN, Role.FINANCE, Role.AUDITOR},
                       "Ergebnisbericht lesen: erreichte Personen, Erreichungsquote (Kommunen: nur eigene)")
RESULTS_REPORT = declare("results.reached.report", {Role.KOMMUNE},
                         "Neu erreichte Personen je Quartal melden (über alle Bausteine)")
RESULTS_TARGETS = declare("results.targets.import", {Role.PROGRAMME_ADMIN}, "Zielgruppenzahlen importieren (CSV)")
INTERIM_READ = declare("results.interim.read", {Role.KOMMUNE, Role.PROGRAMME_ADMIN, Role.FINANCE, Role.AUDITOR},
                       "Zwischennachweise lesen und exportieren (Kommunen: nur eigene)")
INTERIM_SUBMIT = declare("results.interim.submit", {Role.KOMMUNE}, "Zwischennachweis je Haushaltsjahr einreichen")
INTERIM_REVIEW = declare("results.interim.review", {Role.PROGRAMME_ADMIN},
                         "Zwischennachweise prüfen: anerkennen oder Änderungen anfordern")
PARTNERSHIP_READ = declare("results.partnership.read",
                           {Role.KOMMUNE, Role.PROGRAMME_ADMIN, Role.FINANCE, Role.AUDITOR},
                           "„Gemeinsam klappt's“: Geschäftsführende Stellen und Bündniskerngruppen lesen und "
                           "exportieren (Kommunen: nur eigene)")
PARTNERSHIP_EDIT = declare("results.partnership.edit", {Role.KOMMUNE, Role.PROGRAMME_ADMIN},
                           "„Gemeinsam klappt's“ bearbeiten (Kommunen: nur das eigene Bündnis)")

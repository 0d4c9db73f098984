"""Who may read the results report, report people reached and import target-group counts."""

from ..auth.models import Role
from ..auth.permissions import declare

RESULTS_READ = declare("results.read", {Role.KOMMUNE, Role.PROGRAMME_ADMIN, Role.FINANCE, Role.AUDITOR},
                       "Ergebnisbericht lesen: erreichte Personen, Erreichungsquote (Kommunen: nur eigene)")
RESULTS_REPORT = declare("results.reached.report", {Role.KOMMUNE},
                         "Neu erreichte Personen je Quartal melden (über alle Bausteine)")
RESULTS_TARGETS = declare("results.targets.import", {Role.PROGRAMME_ADMIN}, "Zielgruppenzahlen importieren (CSV)")

"""Who may do what in the Innovationsfonds (see workflow.SKETCH for the sketch states)."""

from ..auth.models import Role
from ..auth.permissions import declare

STAFF_READERS = {Role.PROGRAMME_ADMIN, Role.FINANCE, Role.AUDITOR}

IF_READ = declare("innovationsfonds.read", STAFF_READERS | {Role.ORGANISATION, Role.REVIEWER},
                  "Aufrufe lesen; eigene Skizzen (Träger), zugewiesene Skizzen (Gutachtende)")
IF_APPLY = declare("innovationsfonds.apply", {Role.ORGANISATION},
                   "Eigene Projektskizzen anlegen, bearbeiten, einreichen, zurückziehen, Vollantrag stellen")
IF_REVIEW = declare("innovationsfonds.review", {Role.REVIEWER},
                    "Interessenkonflikte erklären, zugewiesene Skizzen bewerten")
IF_CONFLICTS = declare("innovationsfonds.conflicts", {Role.REVIEWER, Role.ORGANISATION},
                        "Interessenkonflikte erklären: Gutachtende mit antragstellenden Trägern, Träger mit "
                        "Gutachtenden")
IF_STAFF = declare("innovationsfonds.staff", STAFF_READERS,
                   "Alle Skizzen, Zuordnungen, Rangfolge, Auswahlvorschläge, Postausgang und Statistik lesen")
IF_MANAGE = declare("innovationsfonds.manage", {Role.PROGRAMME_ADMIN},
                    "Aufrufe einrichten, Förderfähigkeit prüfen, Gutachtende zuordnen, entscheiden, freigeben, "
                    "Vollanträge bewilligen")
IF_INVITE = declare("innovationsfonds.invite", {Role.PROGRAMME_ADMIN, Role.ORGANISATION},
                    "Personen zu einem Träger einladen (Träger: nur Kolleginnen und Kollegen der eigenen Organisation)")

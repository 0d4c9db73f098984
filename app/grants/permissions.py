"""Who may do what with applications, decisions and participant counts (see workflow.APPLICATION)."""

from ..auth.models import Role
from ..auth.permissions import declare

READERS = {Role.KOMMUNE, Role.PROGRAMME_ADMIN, Role.FINANCE, Role.AUDITOR}
STAFF_READERS = {Role.PROGRAMME_ADMIN, Role.FINANCE, Role.AUDITOR}

GRANTS_READ = declare("grants.read", READERS, "Anträge, Revisionen und Bescheide lesen (Kommunen: nur eigene)")
GRANTS_APPLY = declare("grants.apply", {Role.KOMMUNE},
                       "Eigenen Antrag/Änderungsantrag anlegen, bearbeiten, einreichen, zurückziehen")
GRANTS_DECIDE = declare("grants.decide", {Role.PROGRAMME_ADMIN},
                        "Anträge prüfen: Änderungen anfordern, bewilligen, ablehnen")
GRANTS_EXPORT = declare("grants.export", STAFF_READERS, "Alle Anträge und Bescheide exportieren")
GRANTS_RATES = declare("grants.rates.manage", {Role.PROGRAMME_ADMIN}, "Abweichende Förderquote je Kommune festlegen")
PARTICIPANTS_READ = declare("grants.participants.read", READERS,
                            "Teilnehmendenzahlen lesen (Kommunen: nur eigene)")
PARTICIPANTS_REPORT = declare("grants.participants.report", {Role.KOMMUNE}, "Teilnehmendenzahlen melden")
PARTICIPANTS_OVERVIEW = declare("grants.participants.overview", STAFF_READERS,
                                "Programmweiter Bericht zu Teilnehmenden")
# F6 Teilhabemanagement (docs/f6.md): the applications use grants.read/apply/decide; these two are new.
F6_STAFFING = declare("grants.f6.staffing", {Role.KOMMUNE}, "Personalmeldungen Teilhabemanagement (F6) abgeben")
F6_OVERVIEW = declare("grants.f6.overview", STAFF_READERS,
                      "Landesweite Übersicht Teilhabemanagement (F6): Stellen und Besetzung")

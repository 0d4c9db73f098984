"""Actions of the cross-domain pages: the map, the reports (charts) and the Kommune pages.

Kommune users may open the map, but only with the published ceilings (public figures, printed in
the allocation decision anyway), and only their own Kommune page; every other measure of other
Kommunen (spend, risk, participants) is for staff. See docs/ui.md.
"""

from ..auth.models import Role
from ..auth.permissions import ALL_ROLES, STAFF, declare

MAP_READ = declare("main.map", STAFF | {Role.KOMMUNE}, "Karte NRW (Kommunen: nur veröffentlichte Höchstgrenzen)")
REPORTS_READ = declare("main.reports", STAFF, "Auswertungen: Ausgabenverlauf landesweit, Zuteilung je Kommune")
KOMMUNE_PAGE = declare("main.kommune", STAFF | {Role.KOMMUNE}, "Kommunenseite (Kommunen: nur die eigene)")
EXPORTS_OWN = declare("main.exports.own", ALL_ROLES, "Eigene Hintergrund-Exporte anstoßen und herunterladen")

from ..auth.models import Role
from ..auth.permissions import declare

JOBS_READ = declare("scheduler.jobs.read", {Role.PROGRAMME_ADMIN, Role.AUDITOR},
                    "Automatische Jobs, Läufe und E-Mail-Zustellung einsehen")
JOBS_RUN = declare("scheduler.jobs.run", {Role.PROGRAMME_ADMIN}, "Automatischen Job sofort ausführen")

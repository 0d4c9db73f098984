from ..auth.models import Role
from ..auth.permissions import STAFF, declare

DOCUMENTS_READ = declare("documents.read", STAFF | {Role.KOMMUNE, Role.ORGANISATION},
                         "Bescheide und Mitteilungen lesen (Kommunen und Träger: nur die eigenen)")
DOCUMENTS_CORRECT = declare("documents.correct", {Role.PROGRAMME_ADMIN},
                            "Dokumente berichtigen (§ 42 VwVfG: neue Fassung, die die alte ersetzt)")

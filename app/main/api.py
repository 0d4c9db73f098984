"""Read-only API of the audit trail (programme administrators and auditors)."""


from ..auth.permissions import AUDIT_READ, requires
from ..platform.web.api import ApiBlueprint
from ..platform.web.pagination import SelectPage
from .audit_query import audit_select
from .schemas import AuditEntryOut, AuditFilter

blp = ApiBlueprint("audit_api", __name__, url_prefix="/api/v1", description="Audit-Trail (nur lesen)")


@blp.route("/audit")
@requires(AUDIT_READ)
@blp.arguments(AuditFilter, location="query")
@blp.response(200, AuditEntryOut(many=True))
@blp.paginate(SelectPage)
def list_audit(filters):
    return audit_select(filters)

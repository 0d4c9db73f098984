"""Start-page panels: a Kommune's budget per module; finance's queues and the last ledger check."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import func, select

from ..auth.models import Role
from ..platform.audit import AuditEntry
from ..platform.database import sum_cents
from ..platform.extensions import db
from ..platform.web.dashboard import Panel, panel
from . import services, status
from .models import Drawdown, DrawdownStatus, ProofOfUse, ProofStatus, Reclaim, ReclaimStatus


@panel(order=20)
def budget_panel(user):
    if user.role not in (Role.KOMMUNE, Role.ORGANISATION):
        return None
    grants = services.grants_visible_to(user)
    if not grants:
        return None
    return Panel(title=gettext("Mein Budget"), template="budgets/_panel_kommune.html", wide=True,
                 data={"statuses": status.status_for(grants, with_forecast=False), "fixed": _fixed_by_module(grants)})


def _fixed_by_module(grants) -> dict[int, dict[str, int]]:
    """Per settled grant, the amount its final decision fixed per module (shown instead of "Rest": after the
    Schlussbescheid nothing more can be earned)."""
    proofs = db.session.scalars(select(ProofOfUse).where(ProofOfUse.grant_id.in_([g.id for g in grants]),
                                                         ProofOfUse.status == ProofStatus.DECIDED))
    return {p.grant_id: {line["module"]: line["final_cents"] for line in p.decision_lines or []} for p in proofs}


@panel(order=21)
def finance_panel(user):
    if user.role not in (Role.FINANCE, Role.PROGRAMME_ADMIN):
        return None

    def count(statement):
        return db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0

    last_check = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "ledger.verify")
                                   .order_by(AuditEntry.id.desc()).limit(1))
    sums = dict(db.session.execute(select(Drawdown.status, sum_cents(func.coalesce(
        Drawdown.amount_approved_cents, Drawdown.amount_requested_cents))).where(
        Drawdown.status.in_([DrawdownStatus.REQUESTED, DrawdownStatus.APPROVED])).group_by(Drawdown.status)).all())
    return Panel(title=gettext("Budgets und Zahlungen"), template="budgets/_panel_finance.html", data={
        "waiting": count(select(Drawdown.id).where(Drawdown.status == DrawdownStatus.REQUESTED)),
        "to_pay": count(select(Drawdown.id).where(Drawdown.status == DrawdownStatus.APPROVED)),
        "waiting_cents": sums.get(DrawdownStatus.REQUESTED, 0), "to_pay_cents": sums.get(DrawdownStatus.APPROVED, 0),
        "reclaims": count(select(Reclaim.id).where(Reclaim.status == ReclaimStatus.OPEN)),
        "last_check": last_check,
    })

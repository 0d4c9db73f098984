"""Start-page panel: a Kommune's catalogue in numbers and its contracts waiting for a step; for the
programme administration the forwarding requests waiting for consent; for a provider its contracts."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import func, select

from ..auth.models import Role
from ..platform.extensions import db
from ..platform.web.dashboard import Panel, panel
from . import forwarding
from .models import ContractStatus, ForwardingContract, Measure, ProofStatus


@panel(order=350)
def measures_panel(user) -> Panel | None:
    if user.role not in (Role.KOMMUNE, Role.PROGRAMME_ADMIN, Role.ORGANISATION):
        return None
    contracts = forwarding.contracts_select(user)
    waiting = {Role.PROGRAMME_ADMIN: contracts.where(ForwardingContract.status == ContractStatus.REQUESTED),
               Role.KOMMUNE: contracts.where(ForwardingContract.proof_status == ProofStatus.SUBMITTED),
               Role.ORGANISATION: contracts.where(ForwardingContract.status == ContractStatus.CONSENTED,
                                                  ForwardingContract.proof_status.is_(None))}[user.role]
    data = {"role": user.role.value, "waiting": list(db.session.scalars(waiting.limit(10)))}
    if user.role is Role.KOMMUNE:
        data["counts"] = dict(db.session.execute(select(Measure.status, func.count()).where(
            Measure.kommune_id == user.kommune_id).group_by(Measure.status)).all())
    return Panel(title=gettext("Maßnahmen und Weiterleitung"), template="measures/_panel.html", data=data)

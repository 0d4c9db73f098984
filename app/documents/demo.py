"""Demo: the documents of the demo story, issued after the other domains seeded (``app/demo.py`` seeds
them with ``ISSUE_DOCUMENTS`` off), each under the clock of its decision.

All grant decisions (F6 approvals too), hearings, final decisions, reclaims, rejected drawdowns and
Innovationsfonds letters; of
the payment notices those of the latest few payment runs per grant of the Kommunen with demo logins (all 680
took minutes to render and say nothing new); a run's notices come together, so the four orders of a final
payment all have theirs.
"""

from __future__ import annotations

from sqlalchemy import select

from ..budgets.models import Drawdown, DrawdownStatus, Grant, Hearing, ProofOfUse, ProofStatus, Reclaim
from ..grants.models import ApplicationStatus, Decision, F6Application
from ..innovationsfonds.models import ProjectDecision, StagedMessage
from ..platform import clock
from ..platform.extensions import db
from .letters import decision_kind
from .services import issue_document

PAYMENT_RUNS_PER_GRANT = 3  # every notice of a grant's latest three payment runs (a run pays one order per module)


def seed(context) -> None:
    """Nothing in the first pass: the documents are issued in ``settle``, after every decision exists."""


def settle(context) -> None:
    if not context.issue_documents:
        return
    demo_kommunen = {user.kommune_id for user in context.users.values() if user.kommune_id}
    items = [(d.decided_at, decision_kind(d), d) for d in db.session.scalars(select(Decision))]
    items += [(d.decided_at, "ablehnung_mittelabruf", d) for d in db.session.scalars(
        select(Drawdown).where(Drawdown.status == DrawdownStatus.REJECTED))]
    for grant_id in db.session.scalars(select(Grant.id).where(Grant.kommune_id.in_(demo_kommunen))):
        paid_of_grant = select(Drawdown).where(Drawdown.grant_id == grant_id, Drawdown.status == DrawdownStatus.PAID)
        latest_runs = (select(Drawdown.paid_at).where(Drawdown.grant_id == grant_id,
                                                      Drawdown.status == DrawdownStatus.PAID)
                       .distinct().order_by(Drawdown.paid_at.desc()).limit(PAYMENT_RUNS_PER_GRANT))
        paid = db.session.scalars(paid_of_grant.where(Drawdown.paid_at.in_(latest_runs)))
        items += [(d.paid_at, "auszahlungsmitteilung", d) for d in paid]
    items += [(a.decided_at, "f6_zuwendungsbescheid", a) for a in db.session.scalars(
        select(F6Application).where(F6Application.status == ApplicationStatus.APPROVED))]
    items += [(h.opened_at, "anhoerung", h) for h in db.session.scalars(select(Hearing))]
    items += [(p.decided_at, "schlussbescheid", p) for p in db.session.scalars(
        select(ProofOfUse).where(ProofOfUse.status == ProofStatus.DECIDED))]
    items += [(r.created_at, "rueckforderungsbescheid", r) for r in db.session.scalars(select(Reclaim))]
    items += [(d.decided_at, "if_zuwendungsbescheid", d) for d in db.session.scalars(select(ProjectDecision))]
    items += [(m.released_at, "if_auswahlentscheidung", m) for m in db.session.scalars(
        select(StagedMessage).where(StagedMessage.released_at.is_not(None)))]
    for moment, kind, obj in sorted(items, key=lambda item: (item[0], item[1], item[2].id)):
        with clock.freeze(moment):
            issue_document(kind, obj)
    db.session.flush()

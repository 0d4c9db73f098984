"""Caps on a module's eligible costs, set by the domain that knows them (F6: staffing reports, docs/f6.md).

Kept apart from the booking on purpose: expenses are booked and earn their grant share as for every module
(the ledger and ``verify-ledger`` do not change); the cap takes effect where the final grant is computed
(``outcome.settlement_modules`` → ``core.final_grant.settle``), so the proof-of-use preview, the hearing and
the final decision show and fix it, and any money paid beyond it is reclaimed like every overpayment.
"""

from __future__ import annotations

from sqlalchemy import select

from ...platform import audit, clock, limits
from ...platform.errors import Conflict, ValidationFailed
from ...platform.extensions import db
from ..core.posting import earned_grant
from ..models import EligibleCap, Grant, ProofStatus
from .grants import proof_of


def set_eligible_cap(grant: Grant, module: str, cap_cents: int, *, basis: str, actor=None) -> EligibleCap:
    """Set (or change) the cap on ``module``'s eligible costs (100 %, cents). Refused once the final decision
    is taken: the decision fixed the figures."""
    if cap_cents < 0:
        raise ValidationFailed.field("cap", "Die Obergrenze darf nicht negativ sein.")
    proof = proof_of(grant)
    if proof is not None and proof.status == ProofStatus.DECIDED:
        raise Conflict("Der Schlussbescheid ist ergangen; die förderfähigen Ausgaben stehen fest.")
    cap = db.session.scalar(select(EligibleCap).where(EligibleCap.grant_id == grant.id,
                                                      EligibleCap.module_code == module))
    before = {"cap_cents": cap.cap_cents} if cap else None
    if cap is None:
        cap = EligibleCap(grant_id=grant.id, module_code=module)
        db.session.add(cap)
    cap.cap_cents, cap.basis, cap.set_at = cap_cents, basis[:limits.NAME], clock.now()
    db.session.flush()
    if before != {"cap_cents": cap_cents}:
        audit.record("grant.eligible_cap", "grant", grant.id, before=before,
                     after={"module": module, "cap_cents": cap_cents, "basis": cap.basis}, actor=actor,
                     kommune_id=grant.kommune_id)
    return cap


def eligible_caps(grant: Grant) -> dict[str, int]:
    """module -> the grant share of its cap (rate x cap, the earned-grant rounding): what ``settle`` takes."""
    return {cap.module_code: earned_grant(cap.cap_cents, grant.funding_rate_bp)
            for cap in db.session.scalars(select(EligibleCap).where(EligibleCap.grant_id == grant.id))}

"""Budget use cases. Each flushes and writes an audit entry; the request edge commits.

Other domains create and change grants only through ``set_commitment`` (a grant decision or an
approved amendment): the approved amounts here are the one source of truth that drawdowns,
payments and expenses book against.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select

from .. import audit, clock
from ..database import lock_for_update
from ..errors import ValidationFailed
from ..extensions import db
from .models import Grant, GrantLine, RecipientKind


def set_commitment(
    *,
    programme_id: int,
    source: str,
    reference: str,
    recipient_kind: RecipientKind | str,
    kommune_id: int | None = None,
    organisation_id: int | None = None,
    funding_rate_bp: int,
    start_date: date,
    last_expense_date: date,
    lines: Mapping[tuple[str, int], int],
    actor=None,
) -> Grant:
    """Create the grant for ``source`` or change its approved amounts to ``lines`` ((module, year) -> cents).

    Lines missing from ``lines`` drop to zero. The grant row is locked for the change.
    """
    if any(cents < 0 for cents in lines.values()):
        raise ValidationFailed.field("lines", "Bewilligte Beträge dürfen nicht negativ sein.")
    grant = db.session.scalar(lock_for_update(select(Grant).where(Grant.source == source)))
    before = _snapshot(grant) if grant else None
    if grant is None:
        grant = Grant(programme_id=programme_id, source=source, reference=reference,
                      recipient_kind=RecipientKind(recipient_kind), kommune_id=kommune_id,
                      organisation_id=organisation_id, funding_rate_bp=funding_rate_bp, start_date=start_date,
                      last_expense_date=last_expense_date, created_at=clock.now())
        db.session.add(grant)
    else:
        grant.reference, grant.funding_rate_bp = reference, funding_rate_bp
        grant.start_date, grant.last_expense_date = start_date, last_expense_date
    existing = {(line.module_code, line.budget_year): line for line in grant.lines}
    for key in set(existing) | set(lines):
        cents = lines.get(key, 0)
        if key in existing:
            existing[key].approved_cents = cents
        elif cents:
            grant.lines.append(GrantLine(module_code=key[0], budget_year=key[1], approved_cents=cents))
    db.session.flush()
    audit.record("grant.commitment", "grant", grant.id, before=before, after=_snapshot(grant), actor=actor,
                 kommune_id=kommune_id)
    return grant


def _snapshot(grant: Grant) -> dict:
    return {"reference": grant.reference, "funding_rate_bp": grant.funding_rate_bp,
            "lines": {f"{line.module_code}/{line.budget_year}": line.approved_cents for line in grant.lines}}


def grant_for_source(source: str) -> Grant | None:
    return db.session.scalar(select(Grant).where(Grant.source == source))

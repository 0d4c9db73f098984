"""The phase of a grant after its expense period: expense entry closed, proof of use due.

Until its last expense date a grant is in the expense period (drawdowns, expenses). The day after,
the job ``budgets.close_expense_entry`` calls ``close_expense_entry`` once per grant: it stores
``Grant.expense_entry_closed_at`` (with an audit entry), which ``services.ensure_open_for_expenses``
reads — no expense can be recorded or imported afterwards, and the proof of use
(``services.submit_proof``, open after the last expense date) is due by the programme's
``proof_of_use_deadline``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..platform import audit, clock
from ..platform.database import lock_for_update
from ..platform.extensions import db
from .models import Grant


def grants_to_close(day: date) -> list[Grant]:
    """Grants whose last expense date lies before ``day`` and whose expense entry is still open."""
    return list(db.session.scalars(select(Grant).where(Grant.last_expense_date < day,
                                                       Grant.expense_entry_closed_at.is_(None))
                                   .order_by(Grant.id)))


def close_expense_entry(grant: Grant, *, actor_label: str) -> bool:
    """Close expense entry for ``grant`` (row locked); False if it was closed already or still running."""
    locked = db.session.scalar(lock_for_update(select(Grant).where(Grant.id == grant.id))
                               .execution_options(populate_existing=True))
    if locked.expense_entry_closed_at is not None or clock.today() <= locked.last_expense_date:
        return False
    locked.expense_entry_closed_at = clock.now()
    db.session.flush()
    audit.record("grant.expense_entry_close", "grant", locked.id, before={"expense_entry": "open"},
                 after={"expense_entry": "closed", "last_expense_date": locked.last_expense_date,
                        "proof_of_use_deadline": locked.programme.proof_of_use_deadline},
                 kommune_id=locked.kommune_id, actor_label=actor_label)
    return True

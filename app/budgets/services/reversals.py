"""Storno by the recipient before the proof of use: one expense or a whole import, kept and struck out."""

from __future__ import annotations

from sqlalchemy import select, update

from ...platform import audit, clock
from ...platform.database import lock_for_update
from ...platform.errors import Conflict, Forbidden
from ...platform.extensions import db
from ..models import (
    Expense,
    ExpenseImport,
    Grant,
)
from ..schemas import STORNO_REASON
from ..workflow import RECIPIENTS
from .booking import booking_of, reverse_bookings
from .common import berlin_day, locked_row, stated_reason
from .expenses import ensure_open_for_expenses
from .grants import ensure_grant_access


def _ensure_reversible(grant: Grant, actor) -> None:
    """Storno: the grant's own recipient (others: 404; staff: 403) while expense entry is open (else 409)."""
    ensure_grant_access(actor, grant)
    if actor.role not in RECIPIENTS:
        raise Forbidden("Nur der Zuwendungsempfänger kann eigene Ausgaben stornieren.")
    ensure_open_for_expenses(grant, verb="storniert")




def reverse_expense(expense: Expense, *, reason: str, actor) -> Expense:
    """Storno of one expense by its recipient before the proof of use: a reversal journal, the expense kept
    (struck out, with who, when and why) and no longer eligible."""
    grant = db.session.get(Grant, expense.grant_id)
    _ensure_reversible(grant, actor)
    expense = locked_row(Expense, expense.id)
    if expense.reversed_at is not None:
        raise Conflict(f"Die Ausgabe ist bereits storniert (am {berlin_day(expense.reversed_at)}).")
    if not expense.eligible:
        raise Conflict("Die Ausgabe ist als nicht förderfähig markiert und kann nicht storniert werden.")
    reason = stated_reason(reason, STORNO_REASON)
    journals = reverse_bookings(grant, [booking_of(expense)], kind="expense.reverse", source_type="expense",
                                 source_id=expense.id,
                                 description=f"Storno Ausgabe {expense.voucher_ref or expense.id}")
    expense.eligible, expense.reversed_at, expense.reversed_by_id = False, clock.now(), actor.id
    expense.reversal_reason, expense.reversal_journal_id = reason, journals[expense.journal_id]
    db.session.flush()
    audit.record("expense.reverse", "expense", expense.id, before={"eligible": True},
                 after={"eligible": False, "reversed": True, "reason": reason,
                        "journal_id": expense.reversal_journal_id}, actor=actor, kommune_id=grant.kommune_id)
    return expense


def reverse_import(record: ExpenseImport, *, reason: str, actor) -> ExpenseImport:
    """Storno of a whole import: every line still booked (not reversed singly before) is reversed, one reversal
    journal per original journal; one audit entry for the import. The same file may then be imported again."""
    grant = db.session.get(Grant, record.grant_id)
    _ensure_reversible(grant, actor)
    record = locked_row(ExpenseImport, record.id)
    if record.reversed_at is not None:
        raise Conflict(f"Der Import ist bereits storniert (am {berlin_day(record.reversed_at)}).")
    reason = stated_reason(reason, STORNO_REASON)
    active = (Expense.import_id == record.id, Expense.reversed_at.is_(None), Expense.eligible.is_(True))
    bookings = [dict(row._mapping) for row in db.session.execute(lock_for_update(
        select(Expense.journal_id, Expense.module_code, Expense.budget_year, Expense.expense_date,
               Expense.amount_cents).where(*active)))]
    journals = reverse_bookings(grant, bookings, kind="expense.reverse", source_type="expense_import",
                                 source_id=record.id, description=f"Storno Import Nr. {record.id}")
    now = clock.now()
    for journal_id, reversal_id in journals.items():
        db.session.execute(update(Expense).where(*active, Expense.journal_id == journal_id).values(
            eligible=False, reversed_at=now, reversed_by_id=actor.id, reversal_reason=reason,
            reversal_journal_id=reversal_id))
    record.reversed_at, record.reversed_by_id, record.reversal_reason = now, actor.id, reason
    db.session.flush()
    total = sum(b["amount_cents"] for b in bookings)
    audit.record("expense_import.reverse", "expense_import", record.id, before={"reversed": False},
                 after={"reversed": True, "reason": reason, "lines": len(bookings), "total_cents": total,
                        "journals": sorted(journals.values())}, actor=actor, kommune_id=grant.kommune_id)
    return record

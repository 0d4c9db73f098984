"""Expenses, CSV imports and the per-day expense totals."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ...platform import limits
from ...platform.database import UTCDateTime
from ...platform.extensions import db


class ExpenseImport(db.Model):
    """One CSV import. ``file_sha256`` (of the uploaded bytes) refuses the same file twice for a grant while
    the earlier import is not reversed (Storno by the recipient: ``services.reverse_import``)."""

    __tablename__ = "expense_imports"
    __table_args__ = (
        CheckConstraint("(reversed_at IS NULL) = (reversal_reason = '')", name="reversal_reason"),
        # the database's guard behind the duplicate check: one active import per file and grant
        Index("ux_expense_imports_active_file", "grant_id", "file_sha256", unique=True,
              sqlite_where=text("reversed_at IS NULL AND file_sha256 IS NOT NULL"),
              postgresql_where=text("reversed_at IS NULL AND file_sha256 IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(limits.NAME), default="")
    file_sha256: Mapped[str | None] = mapped_column(String(64))  # None: rows not from an uploaded file (demo)
    line_count: Mapped[int] = mapped_column(Integer)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reversal_reason: Mapped[str] = mapped_column(String(limits.STATEMENT), default="", server_default="")


class Expense(db.Model):
    """An eligible expense as reported; marked ineligible in the proof-of-use check, or reversed (Storno) by
    its recipient before the proof of use. Both book a reversal journal and set ``eligible`` false, so every
    sum over eligible expenses (ledger check, proof of use, interest) leaves them out alike."""

    __tablename__ = "expenses"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("eligible OR ineligible_reason <> '' OR reversed_at IS NOT NULL", name="ineligible_reason"),
        CheckConstraint("(reversed_at IS NULL) = (reversal_reason = '')", name="reversal_reason"),
        CheckConstraint("reversed_at IS NULL OR NOT eligible", name="reversed_not_eligible"),
        Index("ix_expenses_grant_date", "grant_id", "expense_date"),
        # a voucher number is booked at most once per grant on an active (not reversed) expense
        Index("ux_expenses_active_voucher", "grant_id", "voucher_ref", unique=True,
              sqlite_where=text("voucher_ref <> '' AND reversed_at IS NULL"),
              postgresql_where=text("voucher_ref <> '' AND reversed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"))
    module_code: Mapped[str] = mapped_column(String(limits.MODULE_CODE))
    budget_year: Mapped[int] = mapped_column(Integer)
    expense_date: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    units_centi: Mapped[int | None] = mapped_column(BigInteger)  # units x 100 when priced by a flat rate
    rate_code: Mapped[str | None] = mapped_column(String(limits.RATE_CODE))
    voucher_ref: Mapped[str] = mapped_column(String(limits.PAYMENT_REFERENCE), default="")
    description: Mapped[str] = mapped_column(String(limits.EXPENSE_DESCRIPTION), default="")
    import_id: Mapped[int | None] = mapped_column(ForeignKey("expense_imports.id", ondelete="CASCADE"), index=True)
    import_line: Mapped[int | None] = mapped_column(Integer)  # the physical line of the import file
    # optional: the Kommune's own measure (app.measures) this expense belongs to; a number checked through the
    # event "budgets.expense_measure" (budgets imports no higher layer, so no foreign key to its table)
    measure_id: Mapped[int | None] = mapped_column(Integer, index=True)
    journal_id: Mapped[int] = mapped_column(ForeignKey("ledger_journals.id"))
    eligible: Mapped[bool] = mapped_column(default=True)
    ineligible_reason: Mapped[str] = mapped_column(String(limits.STATEMENT), default="")
    ineligible_journal_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_journals.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reversal_reason: Mapped[str] = mapped_column(String(limits.STATEMENT), default="", server_default="")
    reversal_journal_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_journals.id"))


class ExpenseDaily(db.Model):
    """Eligible expenses per grant, module and expense day: the source of the charts and the forecast."""

    __tablename__ = "expense_daily"
    # the status forecast sums a day range per grant; the primary key has module_code between the two
    __table_args__ = (Index("ix_expense_daily_grant_day", "grant_id", "day", "amount_cents"),)

    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), primary_key=True)
    module_code: Mapped[str] = mapped_column(String(limits.MODULE_CODE), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)


def period_start(day: date) -> date:
    """The first day of ``day``'s period: its calendar week, split at a month's end (Monday or the 1st)."""
    return max(day - timedelta(days=day.weekday()), day.replace(day=1))


def period_end(start: date) -> date:
    """The last day of the period that starts on ``start``: its Sunday, or the month's last day before it."""
    sunday = start + timedelta(days=6 - start.weekday())
    month_end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return min(sunday, month_end)


class ExpensePeriod(db.Model):
    """Eligible expenses per grant and period (a calendar week split at month ends): the state-wide chart.

    The state-wide chart summed every grant's ``expense_daily`` (one row per module and day: 145,000 rows at a
    million journal lines, 30–60 ms on PostgreSQL per view, issue #19); a period per grant is a fifteenth of
    that and still exact at every week's end (the line) and every month's end (the table). Booked in the same
    statement batch as ``expense_daily`` (``booking._add_daily_sums``), so the two always agree; the
    whole-programme simulation checks that they do.
    """

    __tablename__ = "expense_periods"

    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), primary_key=True)
    start: Mapped[date] = mapped_column(Date, primary_key=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)


"""The ledger tables: accounts per grant, module and year, balances, journals and their entries."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ...platform import limits
from ...platform.database import UTCDateTime, db_enum
from ...platform.extensions import db


class AccountKind(enum.StrEnum):
    """Ledger accounts per grant, module and budget year (reclaim accounts: module "*", year 0).

    Balances are debit-positive. Credit-side accounts (budget, earned, own share, reclaimed,
    interest income) therefore carry negative balances; the pages show them with the sign flipped.
    """

    BUDGET = "budget"  # credit: the approved commitment (Bewilligung), counter-account of available
    AVAILABLE = "available"  # debit: approved and not yet requested, approved or paid (the drawdown limit)
    REQUESTED = "requested"  # debit: drawdowns requested, not yet decided
    APPROVED = "approved"  # debit: drawdowns approved, not yet paid
    PAID = "paid"  # debit: payments made
    EXPENSES = "expenses"  # debit: eligible expenses reported
    EARNED = "earned"  # credit: grant earned = rate x expenses
    OWN_SHARE = "own_share"  # credit: the recipient's own share of the expenses
    RECLAIM_RECEIVABLE = "reclaim_receivable"  # debit: reclaimed principal still owed
    RECLAIMED = "reclaimed"  # credit: principal reclaimed by final decision
    INTEREST_RECEIVABLE = "interest_receivable"  # debit: interest owed
    INTEREST_INCOME = "interest_income"  # credit: interest charged
    REPAID = "repaid"  # debit: repayments received (principal and interest)

    @property
    def label(self) -> str:
        return ACCOUNT_LABELS[self]


ACCOUNT_LABELS = {
    AccountKind.BUDGET: "Bewilligung",
    AccountKind.AVAILABLE: "Verfügbar für Mittelabruf",
    AccountKind.REQUESTED: "Mittelabruf beantragt",
    AccountKind.APPROVED: "Mittelabruf genehmigt",
    AccountKind.PAID: "Ausgezahlt",
    AccountKind.EXPENSES: "Förderfähige Ausgaben",
    AccountKind.EARNED: "Zuwendung verdient",
    AccountKind.OWN_SHARE: "Eigenanteil",
    AccountKind.RECLAIM_RECEIVABLE: "Rückforderung offen",
    AccountKind.RECLAIMED: "Rückforderung festgesetzt",
    AccountKind.INTEREST_RECEIVABLE: "Zinsen offen",
    AccountKind.INTEREST_INCOME: "Zinsen festgesetzt",
    AccountKind.REPAID: "Rückzahlungen",
}
LINE_KINDS = (AccountKind.BUDGET, AccountKind.AVAILABLE, AccountKind.REQUESTED, AccountKind.APPROVED,
              AccountKind.PAID, AccountKind.EXPENSES, AccountKind.EARNED, AccountKind.OWN_SHARE)
RECLAIM_KINDS = (AccountKind.RECLAIM_RECEIVABLE, AccountKind.RECLAIMED, AccountKind.INTEREST_RECEIVABLE,
                 AccountKind.INTEREST_INCOME, AccountKind.REPAID)
GRANT_LEVEL = ("*", 0)  # module and year of the grant-level (reclaim) accounts


class LedgerAccount(db.Model):
    __tablename__ = "ledger_accounts"
    __table_args__ = (UniqueConstraint("grant_id", "kind", "module_code", "budget_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AccountKind] = mapped_column(db_enum(AccountKind, length=30))
    module_code: Mapped[str] = mapped_column(String(limits.MODULE_CODE))
    budget_year: Mapped[int] = mapped_column(Integer)


class LedgerBalance(db.Model):
    """The current balance of each account, changed in the same transaction as every posting."""

    __tablename__ = "ledger_balances"

    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id", ondelete="CASCADE"), primary_key=True)
    balance_cents: Mapped[int] = mapped_column(BigInteger, default=0)


class Journal(db.Model):
    """One business event in the ledger; its entries move money between accounts."""

    __tablename__ = "ledger_journals"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    source_type: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str | None] = mapped_column(String(60))
    value_date: Mapped[date] = mapped_column(Date)
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    description: Mapped[str] = mapped_column(String(300), default="")
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_journals.id"))


class LedgerEntry(db.Model):
    """A transfer of ``amount_cents`` from ``credit_account`` to ``debit_account``.

    Each row balances by construction (one debit, one credit, the same positive amount; both
    enforced by CHECK constraints on every database), so every journal sums to zero.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("debit_account_id <> credit_account_id", name="two_accounts"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    journal_id: Mapped[int] = mapped_column(ForeignKey("ledger_journals.id", ondelete="CASCADE"), index=True)
    debit_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), index=True)
    credit_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)


# --------------------------------------------------------------------------- stored reconciliation (issue #19)


class LedgerCheck(db.Model):
    """One run of the ledger check, kept so that ``/budgets/abgleich`` reads it instead of recomputing.

    ``full``: recomputed from the first journal; otherwise only the journals after the previous check's
    ``last_journal_id`` were summed (``app/budgets/reconciliation.py``). ``problems`` keeps the first
    ``PROBLEMS_KEPT`` findings, ``problem_count`` all of them.
    """

    __tablename__ = "ledger_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    full: Mapped[bool] = mapped_column()
    from_journal_id: Mapped[int] = mapped_column(BigInteger)  # first journal summed in this run
    last_journal_id: Mapped[int] = mapped_column(BigInteger)  # the journal sums below are complete up to here
    problem_count: Mapped[int] = mapped_column()
    problems: Mapped[list] = mapped_column(JSON)
    actor_label: Mapped[str] = mapped_column(String(200), default="")


class LedgerCheckSum(db.Model):
    """Each account's sum of entries up to the last check's ``last_journal_id``: the base of the next
    incremental check (the journal's own figure, not the stored balance it is compared with)."""

    __tablename__ = "ledger_check_sums"

    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id", ondelete="CASCADE"), primary_key=True)
    sum_cents: Mapped[int] = mapped_column(BigInteger)

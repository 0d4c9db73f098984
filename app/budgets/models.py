"""The financial side of an approved grant (Zuwendung): who receives it, at what rate, and the
approved amounts per module and budget year that drawdowns, payments and expenses book against.

Grants come from the grants domain (a Kommune's ceiling application) or from the Innovationsfonds
(a funded project); ``source`` names the record that decided it, e.g. "application:12".
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..platform.database import UTCDateTime, db_enum
from ..platform.extensions import db
from ..reference.models import Kommune, Organisation, Programme


class RecipientKind(enum.StrEnum):
    KOMMUNE = "kommune"
    ORGANISATION = "organisation"


class Grant(db.Model):
    __tablename__ = "grants"
    __table_args__ = (
        CheckConstraint("(recipient_kind = 'kommune') = (kommune_id IS NOT NULL)", name="kommune_recipient"),
        CheckConstraint("(recipient_kind = 'organisation') = (organisation_id IS NOT NULL)",
                        name="organisation_recipient"),
        CheckConstraint("funding_rate_bp BETWEEN 1 AND 10000", name="rate_range"),
        CheckConstraint("start_date <= last_expense_date", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    source: Mapped[str] = mapped_column(String(80), unique=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)  # the decision number shown to people
    recipient_kind: Mapped[RecipientKind] = mapped_column(
        db_enum(RecipientKind))
    kommune_id: Mapped[int | None] = mapped_column(ForeignKey("kommunen.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    funding_rate_bp: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    last_expense_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set once, by the job after the last expense date (``phases.close_expense_entry``): from then on
    # no expense can be recorded and the proof of use is due. None: the expense period is running.
    expense_entry_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    programme: Mapped[Programme] = relationship()
    kommune: Mapped[Kommune | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    lines: Mapped[list[GrantLine]] = relationship(back_populates="grant", cascade="all, delete-orphan",
                                                  order_by="(GrantLine.module_code, GrantLine.budget_year)")

    @property
    def approved_cents(self) -> int:
        return sum(line.approved_cents for line in self.lines)


class GrantLine(db.Model):
    __tablename__ = "grant_lines"
    __table_args__ = (
        UniqueConstraint("grant_id", "module_code", "budget_year"),
        CheckConstraint("approved_cents >= 0", name="approved_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), index=True)
    module_code: Mapped[str] = mapped_column(String(10))
    budget_year: Mapped[int] = mapped_column(Integer)
    approved_cents: Mapped[int] = mapped_column(BigInteger)

    grant: Mapped[Grant] = relationship(back_populates="lines")


# --------------------------------------------------------------------------- ledger


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
    module_code: Mapped[str] = mapped_column(String(10))
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


# --------------------------------------------------------------------------- drawdowns


class DrawdownStatus(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(DRAWDOWN_STATUS_LABELS[self])


DRAWDOWN_STATUS_LABELS = {
    DrawdownStatus.REQUESTED: lazy_gettext("beantragt"),
    DrawdownStatus.APPROVED: lazy_gettext("genehmigt"),
    DrawdownStatus.REJECTED: lazy_gettext("abgelehnt"),
    DrawdownStatus.PAID: lazy_gettext("ausgezahlt"),
    DrawdownStatus.WITHDRAWN: lazy_gettext("zurückgezogen"),
}


class DrawdownKind(enum.StrEnum):
    """A recipient's request (Mittelabruf), or the final payment (Schlusszahlung) a final decision orders."""

    REQUEST = "request"
    FINAL_PAYMENT = "final_payment"

    @property
    def label(self) -> str:
        return str(DRAWDOWN_KIND_LABELS[self])


DRAWDOWN_KIND_LABELS = {DrawdownKind.REQUEST: lazy_gettext("Mittelabruf"),
                        DrawdownKind.FINAL_PAYMENT: lazy_gettext("Schlusszahlung")}


class Drawdown(db.Model):
    """A drawdown request (Mittelabruf) for one module and budget year, or a final payment order."""

    __tablename__ = "drawdowns"
    __table_args__ = (
        CheckConstraint("amount_requested_cents > 0", name="requested_positive"),
        CheckConstraint("amount_approved_cents IS NULL OR amount_approved_cents BETWEEN 1 AND amount_requested_cents",
                        name="approved_range"),
        CheckConstraint("(status IN ('approved', 'paid')) = (amount_approved_cents IS NOT NULL)",
                        name="approved_amount_state"),
        CheckConstraint("(status = 'paid') = (value_date IS NOT NULL)", name="paid_state"),
        # the status page walks each grant's payments in value-date order ("drawn, not spent since")
        Index("ix_drawdowns_grant_status_date", "grant_id", "status", "value_date", "amount_approved_cents"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), index=True)
    module_code: Mapped[str] = mapped_column(String(10))
    budget_year: Mapped[int] = mapped_column(Integer)
    status: Mapped[DrawdownStatus] = mapped_column(db_enum(DrawdownStatus, length=30), index=True)
    kind: Mapped[DrawdownKind] = mapped_column(db_enum(DrawdownKind, length=20), default=DrawdownKind.REQUEST,
                                               server_default=DrawdownKind.REQUEST.value)
    amount_requested_cents: Mapped[int] = mapped_column(BigInteger)
    amount_approved_cents: Mapped[int | None] = mapped_column(BigInteger)
    purpose: Mapped[str] = mapped_column(String(1000))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_reason: Mapped[str] = mapped_column(String(1000), default="")
    value_date: Mapped[date | None] = mapped_column(Date)
    payment_reference: Mapped[str] = mapped_column(String(80), default="")
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    grant: Mapped[Grant] = relationship()

    @property
    def booked_cents(self) -> int:
        """What the drawdown holds against the limit in its current status."""
        if self.status == DrawdownStatus.REQUESTED:
            return self.amount_requested_cents
        if self.status in (DrawdownStatus.APPROVED, DrawdownStatus.PAID):
            return self.amount_approved_cents or 0
        return 0


class IdempotencyKey(db.Model):
    """A money-creating API call's ``Idempotency-Key``: the first answer is replayed for retries."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --------------------------------------------------------------------------- expenses


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
    filename: Mapped[str] = mapped_column(String(200), default="")
    file_sha256: Mapped[str | None] = mapped_column(String(64))  # None: rows not from an uploaded file (demo)
    line_count: Mapped[int] = mapped_column(Integer)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reversal_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")


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
    module_code: Mapped[str] = mapped_column(String(10))
    budget_year: Mapped[int] = mapped_column(Integer)
    expense_date: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    units_centi: Mapped[int | None] = mapped_column(BigInteger)  # units x 100 when priced by a flat rate
    rate_code: Mapped[str | None] = mapped_column(String(20))
    voucher_ref: Mapped[str] = mapped_column(String(80), default="")
    description: Mapped[str] = mapped_column(String(300), default="")
    import_id: Mapped[int | None] = mapped_column(ForeignKey("expense_imports.id", ondelete="CASCADE"), index=True)
    import_line: Mapped[int | None] = mapped_column(Integer)  # the physical line of the import file
    journal_id: Mapped[int] = mapped_column(ForeignKey("ledger_journals.id"))
    eligible: Mapped[bool] = mapped_column(default=True)
    ineligible_reason: Mapped[str] = mapped_column(String(500), default="")
    ineligible_journal_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_journals.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reversal_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    reversal_journal_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_journals.id"))


class ExpenseDaily(db.Model):
    """Eligible expenses per grant, module and expense day: the source of the charts and the forecast."""

    __tablename__ = "expense_daily"
    # the status forecast sums a day range per grant; the primary key has module_code between the two
    __table_args__ = (Index("ix_expense_daily_grant_day", "grant_id", "day", "amount_cents"),)

    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), primary_key=True)
    module_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)


# --------------------------------------------------------------------------- proof of use and reclaim


class ProofStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    DECIDED = "decided"

    @property
    def label(self) -> str:
        return str(PROOF_STATUS_LABELS[self])


PROOF_STATUS_LABELS = {ProofStatus.SUBMITTED: lazy_gettext("eingereicht, in Prüfung"),
                       ProofStatus.DECIDED: lazy_gettext("Schlussbescheid erlassen")}


class ProofOfUse(db.Model):
    """Verwendungsnachweis and, once decided, the final decision (Schlussbescheid)."""

    __tablename__ = "proofs_of_use"
    __table_args__ = (CheckConstraint("(status = 'decided') = (decided_at IS NOT NULL)", name="decided_state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), unique=True)
    status: Mapped[ProofStatus] = mapped_column(db_enum(ProofStatus, length=30))
    narrative: Mapped[str] = mapped_column(Text)
    expense_count: Mapped[int] = mapped_column(Integer)
    expense_total_cents: Mapped[int] = mapped_column(BigInteger)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    final_grant_cents: Mapped[int | None] = mapped_column(BigInteger)
    paid_cents: Mapped[int | None] = mapped_column(BigInteger)
    overpaid_cents: Mapped[int | None] = mapped_column(BigInteger)
    decision_lines: Mapped[list | None] = mapped_column(JSON)

    grant: Mapped[Grant] = relationship()


class ReclaimStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return str(RECLAIM_STATUS_LABELS[self])


RECLAIM_STATUS_LABELS = {ReclaimStatus.OPEN: lazy_gettext("offen"), ReclaimStatus.CLOSED: lazy_gettext("erledigt")}


class Reclaim(db.Model):
    """Rückforderung: overpaid principal with interest (§ 49a Abs. 3 VwVfG) from each payment's value date,
    and interest on drawn money used only after its drawdown period (§ 49a Abs. 4; principal may then be 0)."""

    __tablename__ = "reclaims"
    __table_args__ = (
        CheckConstraint("principal_cents >= 0", name="principal_nonneg"),
        CheckConstraint("unused_interest_cents >= 0", name="unused_interest_nonneg"),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), unique=True)
    proof_id: Mapped[int] = mapped_column(ForeignKey("proofs_of_use.id", ondelete="CASCADE"))
    status: Mapped[ReclaimStatus] = mapped_column(db_enum(ReclaimStatus, length=30))
    principal_cents: Mapped[int] = mapped_column(BigInteger)
    # [[ISO value date, cents], ...]: the payments the overpaid money is taken from (latest first)
    principal_sources: Mapped[list] = mapped_column(JSON)
    points: Mapped[str] = mapped_column(String(10), default="5")
    day_count: Mapped[str] = mapped_column(String(10), default="act/365")
    interest_booked_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # § 49a (3), accrued to repayments
    # § 49a Abs. 4: interest on drawn money used late, fixed and booked by the final decision (None: not charged)
    unused_interest_points: Mapped[str | None] = mapped_column(String(10))
    unused_interest_until: Mapped[date | None] = mapped_column(Date)
    unused_interest_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    principal_repaid_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    interest_repaid_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    grant: Mapped[Grant] = relationship()
    repayments: Mapped[list[Repayment]] = relationship(back_populates="reclaim", order_by="Repayment.value_date")


class Repayment(db.Model):
    __tablename__ = "repayments"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reclaim_id: Mapped[int] = mapped_column(ForeignKey("reclaims.id", ondelete="CASCADE"), index=True)
    value_date: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    principal_cents: Mapped[int] = mapped_column(BigInteger)
    interest_cents: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(80), default="")
    journal_id: Mapped[int] = mapped_column(ForeignKey("ledger_journals.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    reclaim: Mapped[Reclaim] = relationship(back_populates="repayments")


# --------------------------------------------------------------------------- nightly risk check


class GrantRiskFlag(db.Model):
    """The nightly forecast of one grant (``budgets.nightly_check``): at risk or not, as of ``checked_on``.

    Status pages compute the forecast on the fly; this stored result is what the next night compares
    against, so that "newly at risk" and "recovered" can be told and reported once.
    """

    __tablename__ = "grant_risk_flags"

    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), primary_key=True)
    at_risk: Mapped[bool] = mapped_column(default=False)
    at_risk_since: Mapped[date | None] = mapped_column(Date)
    projected_earned_cents: Mapped[int] = mapped_column(BigInteger)
    approved_cents: Mapped[int] = mapped_column(BigInteger)
    checked_on: Mapped[date] = mapped_column(Date)


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

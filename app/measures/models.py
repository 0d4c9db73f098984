"""The catalogue of measures per Kommune, course providers and forwarding contracts with their payments.

A *measure* (Maßnahme) is something a Kommune offers the target group in module F1–F4, funded by this
programme or by another Förderlinie (the catalogue lists both). A *provider* is a reference
``Organisation`` with a provider profile (kind, recognition). A *forwarding contract* passes part of the
Kommune's grant on to a provider for one measure; its payments are booked as expenses of the Kommune's
grant (``app.budgets.services.record_expense``), so the forwarded money is counted once.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..budgets.models import Expense
from ..platform import limits
from ..platform.database import UTCDateTime, db_enum, sum_cents
from ..platform.errors import N_
from ..platform.extensions import db
from ..reference.models import Kommune, Organisation
from . import costs

MODULES = ("F1", "F2", "F3", "F4")


class LabelledEnum(enum.StrEnum):
    """A stored code with a German label (``_LABELS`` below; ``label`` translated into the request's language)."""

    @property
    def german(self) -> str:
        return _LABELS[self]

    @property
    def label(self) -> str:
        return gettext(_LABELS[self])


class MeasureStatus(LabelledEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class MeasureKind(LabelledEnum):
    COURSE = "course"
    COACHING = "coaching"
    INTEGRATION_COURSE = "integration_course"
    COUNSELLING = "counselling"
    OTHER = "other"


class FundingSource(LabelledEnum):
    PROGRAMME = "programme"  # this programme (Durchstarten)
    OTHER = "other"  # another Förderlinie, listed for the overview only


class ProviderKind(LabelledEnum):
    VHS = "vhs"
    WBG14 = "wbg14"  # a body recognised under § 14 WbG
    SCHOOL = "school"  # a school provider under APO-WbK
    OTHER = "other"


class ContractStatus(LabelledEnum):
    REQUESTED = "requested"
    CONSENTED = "consented"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class ProofStatus(LabelledEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


_LABELS = {
    MeasureStatus.DRAFT: N_("Entwurf"),
    MeasureStatus.ACTIVE: N_("laufend"),
    MeasureStatus.FINISHED: N_("abgeschlossen"),
    MeasureStatus.CANCELLED: N_("abgesagt"),
    MeasureKind.COURSE: N_("Kurs"),
    MeasureKind.COACHING: N_("Coaching"),
    MeasureKind.INTEGRATION_COURSE: N_("Jugendintegrationskurs"),
    MeasureKind.COUNSELLING: N_("Beratung"),
    MeasureKind.OTHER: N_("Sonstiges"),
    FundingSource.PROGRAMME: N_("Durchstarten"),
    FundingSource.OTHER: N_("andere Förderlinie"),
    ProviderKind.VHS: N_("Volkshochschule"),
    ProviderKind.WBG14: N_("Einrichtung nach § 14 WbG"),
    ProviderKind.SCHOOL: N_("Schulträger (APO-WbK)"),
    ProviderKind.OTHER: N_("sonstiger Kursträger"),
    ContractStatus.REQUESTED: N_("Zustimmung beantragt"),
    ContractStatus.CONSENTED: N_("Zustimmung erteilt"),
    ContractStatus.REFUSED: N_("Zustimmung versagt"),
    ContractStatus.WITHDRAWN: N_("zurückgezogen"),
    ProofStatus.SUBMITTED: N_("Nachweis eingereicht"),
    ProofStatus.ACCEPTED: N_("Nachweis geprüft"),
    ProofStatus.RETURNED: N_("Nachweis zurückgegeben"),
}


class Measure(db.Model):
    __tablename__ = "measures"
    __table_args__ = (
        CheckConstraint("module_code IN ('F1', 'F2', 'F3', 'F4')", name="module"),
        CheckConstraint("places >= 0 AND weekly_hours >= 0 AND cost_plan_cents >= 0 AND participants >= 0",
                        name="nonneg"),
        CheckConstraint("start_date <= end_date", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kommune_id: Mapped[int] = mapped_column(ForeignKey("kommunen.id"), index=True)
    module_code: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(limits.NAME))
    kind: Mapped[MeasureKind] = mapped_column(db_enum(MeasureKind))
    provider_name: Mapped[str] = mapped_column(String(limits.NAME), default="")  # free text
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    places: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    weekly_hours: Mapped[int] = mapped_column(Integer)  # whole teaching hours per week (docs/measures.md)
    participants: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # people who took part
    cost_plan_cents: Mapped[int] = mapped_column(BigInteger)
    funding_source: Mapped[FundingSource] = mapped_column(db_enum(FundingSource))
    other_programme: Mapped[str] = mapped_column(String(limits.NAME), default="")  # the other Förderlinie
    status: Mapped[MeasureStatus] = mapped_column(db_enum(MeasureStatus), default=MeasureStatus.DRAFT)
    synthetic: Mapped[bool] = mapped_column(default=False)  # demo data
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    kommune: Mapped[Kommune] = relationship()
    provider: Mapped[Organisation | None] = relationship()

    @property
    def provider_label(self) -> str:
        return self.provider.name if self.provider is not None else self.provider_name

    @property
    def figures(self) -> costs.Figures:
        """Cost so far, teaching hours and the costs per place, per teaching hour and per participant."""
        return costs.figures(self.spent_cents, places=self.places, participants=self.participants,
                             weekly_hours=self.weekly_hours, start=self.start_date, end=self.end_date)


# The cost of a measure so far: the eligible expenses tied to it (reversed and ineligible ones left out), the
# payments to its providers included (they are such expenses). Computed, never stored (docs/measures.md).
Measure.spent_cents = column_property(
    select(sum_cents(Expense.amount_cents)).where(Expense.measure_id == Measure.id, Expense.eligible)
    .correlate_except(Expense).scalar_subquery(), deferred=False)


class ProviderProfile(db.Model):
    """What makes a reference organisation a course provider (kept here, the reference table stays as it is)."""

    __tablename__ = "provider_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    kind: Mapped[ProviderKind] = mapped_column(db_enum(ProviderKind))
    recognition: Mapped[str] = mapped_column(String(limits.NAME), default="")  # e.g. "anerkannt nach § 14 WbG"

    organisation: Mapped[Organisation] = relationship()
    contacts: Mapped[list[ProviderContact]] = relationship(
        primaryjoin="ProviderProfile.organisation_id == foreign(ProviderContact.organisation_id)",
        order_by="ProviderContact.id", viewonly=True)


class ProviderContact(db.Model):
    """A member of the provider's staff to contact (name, function, e-mail, phone): staff only, never a
    participant (docs/measures.md)."""

    __tablename__ = "provider_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(limits.NAME))
    function: Mapped[str] = mapped_column(String(limits.NAME), default="")
    email: Mapped[str] = mapped_column(String(limits.NAME))
    phone: Mapped[str] = mapped_column(String(limits.PHONE), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ForwardingContract(db.Model):
    __tablename__ = "forwarding_contracts"
    __table_args__ = (
        UniqueConstraint("measure_id", "organisation_id"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("start_date <= end_date", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kommune_id: Mapped[int] = mapped_column(ForeignKey("kommunen.id"), index=True)  # the measure's, for scoping
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    side_conditions: Mapped[str] = mapped_column(String(20))  # the ANBest imposed by contract
    status: Mapped[ContractStatus] = mapped_column(db_enum(ContractStatus), default=ContractStatus.REQUESTED)
    decision_reason: Mapped[str] = mapped_column(String(limits.REASON), default="")
    proof_status: Mapped[ProofStatus | None] = mapped_column(db_enum(ProofStatus))
    proof_expenses_cents: Mapped[int | None] = mapped_column(BigInteger)  # the provider's own expenses
    proof_text: Mapped[str] = mapped_column(String(limits.REASON), default="")
    proof_note: Mapped[str] = mapped_column(String(limits.REASON), default="")  # the Kommune's check
    synthetic: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    measure: Mapped[Measure] = relationship()
    organisation: Mapped[Organisation] = relationship()
    payments: Mapped[list[ProviderPayment]] = relationship(back_populates="contract",
                                                           order_by="ProviderPayment.id")
    proof_lines: Mapped[list[ProofLine]] = relationship(order_by="ProofLine.position", cascade="all, delete-orphan")


class ProviderPayment(db.Model):
    """One payment to the provider, booked as the Kommune's expense ``expense_id`` (nothing else is booked)."""

    __tablename__ = "provider_payments"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("forwarding_contracts.id"), index=True)
    expense_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                            ForeignKey("expenses.id"), unique=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    payment_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    contract: Mapped[ForwardingContract] = relationship(back_populates="payments")


class ProofLine(db.Model):
    """One line of the provider's account within its proof (optional itemisation of ``proof_expenses_cents``:
    when lines are given they add up to it). A new submission replaces the lines."""

    __tablename__ = "provider_proof_lines"
    __table_args__ = (UniqueConstraint("contract_id", "position"),
                      CheckConstraint("amount_cents > 0", name="amount_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("forwarding_contracts.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, … in the order submitted
    expense_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(limits.NAME))
    voucher_ref: Mapped[str] = mapped_column(String(limits.CODE), default="")
    amount_cents: Mapped[int] = mapped_column(BigInteger)


# What was paid to the provider: its payments whose expense was not reversed (Storno in budgets). Computed,
# never stored, so a reversal in the budget frees the contract's amount again without a second counter.
ForwardingContract.paid_cents = column_property(
    select(sum_cents(ProviderPayment.amount_cents)).join(Expense, Expense.id == ProviderPayment.expense_id)
    .where(ProviderPayment.contract_id == ForwardingContract.id, Expense.reversed_at.is_(None))
    .correlate_except(ProviderPayment, Expense).scalar_subquery())


class TargetGroupCount(db.Model):
    """Needs analysis: how many people of the target group live in a Kommune, by age band and residence
    status (counts only, never persons). An import replaces the Kommune's counts as a whole."""

    __tablename__ = "target_group_counts"
    __table_args__ = (
        UniqueConstraint("kommune_id", "age_band", "residence_status"),
        CheckConstraint("count >= 0", name="count_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kommune_id: Mapped[int] = mapped_column(ForeignKey("kommunen.id"), index=True)
    age_band: Mapped[str] = mapped_column(String(limits.CODE))  # e.g. "18-20"
    residence_status: Mapped[str] = mapped_column(String(limits.CODE))  # e.g. "Duldung"
    count: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())

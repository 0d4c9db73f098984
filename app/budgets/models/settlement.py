"""Proof of use (Verwendungsnachweis) with its final decision, hearings (Anhörung), reclaims and repayments."""

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
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...auth.models import User
from ...platform import clock, limits
from ...platform.database import UTCDateTime, db_enum
from ...platform.extensions import db
from .grants import Grant


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
    reference: Mapped[str] = mapped_column(String(limits.PAYMENT_REFERENCE), default="")
    journal_id: Mapped[int] = mapped_column(ForeignKey("ledger_journals.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    reclaim: Mapped[Reclaim] = relationship(back_populates="repayments")


class HearingStatus(enum.StrEnum):
    OPEN = "open"  # waiting for a comment until the deadline (after it: expired, see ``Hearing.expired``)
    COMMENTED = "commented"
    SUPERSEDED = "superseded"  # the figures changed; a new hearing replaced it
    CONCLUDED = "concluded"  # the final decision was taken on its figures

    @property
    def label(self) -> str:
        return str(HEARING_STATUS_LABELS[self])


HEARING_STATUS_LABELS = {HearingStatus.OPEN: lazy_gettext("Frist zur Stellungnahme läuft"),
                         HearingStatus.COMMENTED: lazy_gettext("Stellungnahme eingegangen"),
                         HearingStatus.SUPERSEDED: lazy_gettext("durch neue Anhörung ersetzt"),
                         HearingStatus.CONCLUDED: lazy_gettext("abgeschlossen (Schlussbescheid erlassen)")}


class Hearing(db.Model):
    """One Anhörung on the intended final decision of a proof of use, with the figures it states."""

    __tablename__ = "hearings"
    __table_args__ = (CheckConstraint("principal_cents >= 0", name="principal_nonneg"),
                      CheckConstraint("(comment IS NULL) = (commented_at IS NULL)", name="comment_state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), index=True)
    proof_id: Mapped[int] = mapped_column(ForeignKey("proofs_of_use.id", ondelete="CASCADE"), index=True)
    status: Mapped[HearingStatus] = mapped_column(db_enum(HearingStatus, length=20))
    lines: Mapped[list] = mapped_column(JSON)  # ModuleSettlement.as_dict() per module, as heard
    final_grant_cents: Mapped[int] = mapped_column(BigInteger)
    paid_cents: Mapped[int] = mapped_column(BigInteger)
    principal_cents: Mapped[int] = mapped_column(BigInteger)
    unused_interest_points: Mapped[str | None] = mapped_column(String(10))
    unused_interest_cents: Mapped[int] = mapped_column(BigInteger)  # § 49a Abs. 4 up to the hearing day
    deadline: Mapped[date] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment: Mapped[str | None] = mapped_column(Text)
    commented_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    commented_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    grant: Mapped[Grant] = relationship()
    proof: Mapped[ProofOfUse] = relationship()
    commented_by: Mapped[User | None] = relationship(foreign_keys=[commented_by_id])

    @property
    def opened_on(self) -> date:
        return self.opened_at.astimezone(clock.BERLIN).date()

    @property
    def expired(self) -> bool:
        """The deadline has passed without a comment (the deadline day itself still counts)."""
        return self.status == HearingStatus.OPEN and clock.today() > self.deadline

    @property
    def comment_possible(self) -> bool:
        return self.status == HearingStatus.OPEN and not self.expired

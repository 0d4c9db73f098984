"""Drawdowns (Mittelabrufe) and the final payment orders of a final decision."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...platform import limits
from ...platform.database import UTCDateTime, db_enum
from ...platform.extensions import db
from .grants import Grant


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
    module_code: Mapped[str] = mapped_column(String(limits.MODULE_CODE))
    budget_year: Mapped[int] = mapped_column(Integer)
    status: Mapped[DrawdownStatus] = mapped_column(db_enum(DrawdownStatus, length=30), index=True)
    kind: Mapped[DrawdownKind] = mapped_column(db_enum(DrawdownKind, length=20), default=DrawdownKind.REQUEST,
                                               server_default=DrawdownKind.REQUEST.value)
    amount_requested_cents: Mapped[int] = mapped_column(BigInteger)
    amount_approved_cents: Mapped[int | None] = mapped_column(BigInteger)
    purpose: Mapped[str] = mapped_column(String(limits.PURPOSE))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_reason: Mapped[str] = mapped_column(String(limits.PURPOSE), default="")
    value_date: Mapped[date | None] = mapped_column(Date)
    payment_reference: Mapped[str] = mapped_column(String(limits.PAYMENT_REFERENCE), default="")
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

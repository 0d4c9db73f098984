"""The staged decision messages (the outbox), full applications and the numbered project decisions."""

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

from ...platform.database import UTCDateTime, db_enum
from ...platform.extensions import db
from .round import Sketch


class StagedMessage(db.Model):
    """The outbox: a decision message rendered and reviewable before the batch release."""

    __tablename__ = "if_staged_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("if_calls.id"), index=True)
    sketch_id: Mapped[int] = mapped_column(ForeignKey("if_sketches.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # selected | waiting | rejected | promoted
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recipients: Mapped[int] = mapped_column(Integer, default=0)

    sketch: Mapped[Sketch] = relationship()


class ProjectDecision(db.Model):
    """The numbered grant decision on a selected sketch's full application ("IF-ZB-2022-0001")."""

    __tablename__ = "if_project_decisions"
    __table_args__ = (
        CheckConstraint("approved_cents > 0", name="approved_positive"),
        CheckConstraint("funding_rate_bp BETWEEN 1 AND 10000", name="rate_range"),
        CheckConstraint("start_date <= last_expense_date", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sketch_id: Mapped[int] = mapped_column(ForeignKey("if_sketches.id"), unique=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    approved_cents: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[dict] = mapped_column(JSON)  # {"2021": cents, ...}
    funding_rate_bp: Mapped[int] = mapped_column(Integer)
    side_conditions: Mapped[str] = mapped_column(String(20))  # ANBest-P for private, ANBest-G for public bodies
    recipient_name: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date] = mapped_column(Date)
    last_expense_date: Mapped[date] = mapped_column(Date)
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("grants.id"))

    sketch: Mapped[Sketch] = relationship()


class FullApplicationStatus(enum.StrEnum):
    """The full application's own workflow (``workflow.FULL_APPLICATION``)."""

    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return str(FULL_APPLICATION_STATUS_LABELS[self])


FULL_APPLICATION_STATUS_LABELS = {
    FullApplicationStatus.SUBMITTED: lazy_gettext("eingereicht, in Prüfung"),
    FullApplicationStatus.CHANGES_REQUESTED: lazy_gettext("Änderungen angefordert"),
    FullApplicationStatus.APPROVED: lazy_gettext("bewilligt"),
    FullApplicationStatus.REJECTED: lazy_gettext("abgelehnt"),
}


class FullApplication(db.Model):
    """The full application (Vollantrag) of a selected sketch: amounts per budget year and period.

    ``changes_reason`` keeps the administrator's last change request (shown to the organisation
    until it resubmits; the history is in the audit trail)."""

    __tablename__ = "if_full_applications"
    __table_args__ = (
        CheckConstraint("start_date <= end_date", name="period_order"),
        CheckConstraint("status <> 'changes_requested' OR changes_reason IS NOT NULL", name="changes_have_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sketch_id: Mapped[int] = mapped_column(ForeignKey("if_sketches.id"), unique=True)
    lines: Mapped[dict] = mapped_column(JSON)  # {"2021": cents, ...}
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[FullApplicationStatus] = mapped_column(db_enum(FullApplicationStatus),
                                                          default=FullApplicationStatus.SUBMITTED)
    changes_reason: Mapped[str | None] = mapped_column(Text)
    changes_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    sketch: Mapped[Sketch] = relationship()

    @property
    def total_cents(self) -> int:
        return sum(self.lines.values())

"""The outbox: one row per message and recipient; delivery state for e-mail is tracked per row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..platform.database import UTCDateTime
from ..platform.extensions import db


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("dedup_key", name="uq_messages_dedup_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    recipient_email: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(60), index=True)  # e.g. "reminder.expense_deadline"
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    dedup_key: Mapped[str | None] = mapped_column(String(200))  # same key twice = queued once (idempotent jobs)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # none | pending | sending | sent | failed; "sending" carries the claim of the delivering run
    email_status: Mapped[str] = mapped_column(String(20), default="none", index=True)
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)
    email_next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_error: Mapped[str | None] = mapped_column(Text)
    email_claim: Mapped[str | None] = mapped_column(String(32))  # token of the run that is sending it
    email_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recipient: Mapped[User | None] = relationship()


PREFERENCE_MODES = ("email", "inbox", "off")


class NotificationPreference(db.Model):
    """A user's choice for one kind of message: e-mail and inbox, inbox only, or off.

    No row = the kind's default. Mandatory kinds (legally relevant notices) ignore the row.
    """

    __tablename__ = "notification_preferences"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", name="uq_notification_preferences_user_id_kind"),
        CheckConstraint("mode IN ('email', 'inbox', 'off')", name="mode_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    mode: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

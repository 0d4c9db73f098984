"""Queue messages for users. Bodies are rendered from German Jinja2 templates under templates/emails/.

``queue_message`` is what every domain calls; it is idempotent per ``dedup_key`` so that a job
that runs twice on the same day queues each reminder once.
"""

from __future__ import annotations

from flask import current_app, render_template
from sqlalchemy import select

from .. import audit, clock
from ..errors import NotFound
from ..extensions import db
from .models import Message


def queue_message(recipient, kind: str, template: str, *, subject: str, link: str | None = None,
                  dedup_key: str | None = None, **context) -> Message | None:
    """Queue one message for ``recipient`` (a User); returns None if ``dedup_key`` was queued before."""
    if dedup_key is not None:
        existing = db.session.scalar(select(Message.id).where(Message.dedup_key == dedup_key))
        if existing is not None:
            return None
    body = render_template(template, recipient=recipient, link=link, base_url=current_app.config["BASE_URL"],
                           **context)
    message = Message(recipient_id=recipient.id, recipient_email=recipient.email, kind=kind, subject=subject,
                      body=body, link=link, dedup_key=dedup_key, created_at=clock.now(),
                      email_status="pending" if current_app.config.get("SMTP_HOST") else "none")
    db.session.add(message)
    db.session.flush()
    audit.record("message.queue", "message", message.id, after={"kind": kind, "to": recipient.email,
                                                                "subject": subject})
    return message


def inbox(user, *, unread_only: bool = False) -> list[Message]:
    statement = select(Message).where(Message.recipient_id == user.id).order_by(Message.id.desc())
    if unread_only:
        statement = statement.where(Message.read_at.is_(None))
    return list(db.session.scalars(statement))


def mark_read(user, message_id: int) -> Message:
    message = db.session.get(Message, message_id)
    if message is None or message.recipient_id != user.id:
        raise NotFound("Nachricht nicht gefunden.")
    if message.read_at is None:
        message.read_at = clock.now()
    return message

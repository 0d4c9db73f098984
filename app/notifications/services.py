"""Queue messages for users. Bodies are rendered from German Jinja2 templates under templates/emails/.

* ``queue_message`` puts one message into a user's inbox (always) and marks it for e-mail when SMTP
  is configured and the user's preference for that kind allows it. Idempotent per ``dedup_key``.
* ``remind`` is what jobs call: it honours the preferences (a kind switched off is not queued) and
  derives one dedup key per recipient. ``notify_role`` does the same for everyone with a role.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from flask import current_app, has_request_context, render_template, request
from flask_babel import force_locale
from sqlalchemy import select

from ..auth.models import Role, User
from ..platform import audit, clock
from ..platform.errors import NotFound, ValidationFailed
from ..platform.extensions import db
from .kinds import KINDS, Kind, kinds_for_role
from .models import PREFERENCE_MODES, Message, NotificationPreference

LOCAL_BASE_URL = "http://127.0.0.1:5000"  # ./scripts/demo; only when neither BASE_URL nor a request says better


def public_base_url() -> str:
    """The service's external address for links in messages and documents.

    ``BASE_URL`` from the configuration (environment) when set; otherwise the address the current
    request came in on (behind the trusted proxy its X-Forwarded-Host/-Proto, see TRUSTED_PROXIES);
    a job or command without a request falls back to the local demo address.
    """
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return LOCAL_BASE_URL


def absolute_url(link: str | None) -> str | None:
    """``/antraege/12`` → ``https://…/antraege/12`` (e-mails need absolute links; ``public_base_url``)."""
    if not link or "://" in link:
        return link
    return public_base_url() + "/" + link.lstrip("/")


DEDUP_KEY_LENGTH = Message.__table__.c.dedup_key.type.length


def bounded_key(key: str) -> str:
    """``key`` as stored: a key longer than the column keeps its start and ends in a SHA-256 of the whole.

    Keys that name a set (a reviewer's 70 new sketches at 10 × the real round) outgrow the column; PostgreSQL
    refused the message (and with it the assignment), SQLite stored it whole.
    """
    if len(key) <= DEDUP_KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return key[:DEDUP_KEY_LENGTH - len(digest) - 1] + "#" + digest


def queue_message(recipient, kind: str, template: str, *, subject: str, link: str | None = None,
                  dedup_key: str | None = None, email: bool | None = None, **context) -> Message | None:
    """Queue one message for ``recipient`` (a User); returns None if ``dedup_key`` was queued before.

    ``email=None`` follows the recipient's preference for ``kind`` (mandatory kinds: always e-mail).
    """
    if dedup_key is not None:
        dedup_key = bounded_key(dedup_key)
        existing = db.session.scalar(select(Message.id).where(Message.dedup_key == dedup_key))
        if existing is not None:
            return None
    if email is None:
        email = preference_mode(recipient, kind) == "email"
    base_url = public_base_url()
    with force_locale("de"):  # messages and e-mails are German texts whatever the sender's page language
        body = render_template(template, recipient=recipient, link=link, link_url=absolute_url(link),
                               base_url=base_url, subject=subject, **context)
    message = Message(recipient_id=recipient.id, recipient_email=recipient.email, kind=kind, subject=subject,
                      body=body, link=link, dedup_key=dedup_key, created_at=clock.now(), email_attempts=0,
                      email_status="pending" if email and current_app.config.get("SMTP_HOST") else "none",
                      email_next_attempt_at=clock.now())
    db.session.add(message)
    db.session.flush()
    audit.record("message.queue", "message", message.id, after={"kind": kind, "to": recipient.email,
                                                                "subject": subject})
    return message


def remind(users: Iterable[User], kind: str, template: str, *, subject: str, link: str | None = None,
           dedup_key: str, email: bool | None = None, **context) -> list[Message]:
    """Queue a reminder to each user who has not switched ``kind`` off; once per user and ``dedup_key``.

    ``kind`` must be declared (``app.notifications.kinds.declare_kind``). Returns the new messages
    (empty on a second run with the same ``dedup_key``). ``email=False`` keeps it in the inbox.
    """
    declared = _declared(kind)
    recipients = {u.id: u for u in users if u is not None and u.active}
    if not recipients:
        return []
    modes = _modes(list(recipients), kind)
    queued = []
    for user_id, user in sorted(recipients.items()):
        mode = "email" if declared.mandatory else modes.get(user_id, declared.default)
        if mode == "off":
            continue
        message = queue_message(user, kind, template, subject=subject, link=link,
                                dedup_key=f"{dedup_key}:u{user_id}", email=mode == "email" and email is not False,
                                **context)
        if message is not None:
            queued.append(message)
    return queued


def users_with_role(*roles: str | Role, kommune_id: int | None = None,
                    organisation_id: int | None = None) -> list[User]:
    """Active users with one of ``roles`` (optionally of one Kommune/organisation): reminder recipients."""
    statement = select(User).where(User.active.is_(True), User.role.in_([Role(r) for r in roles]))
    if kommune_id is not None:
        statement = statement.where(User.kommune_id == kommune_id)
    if organisation_id is not None:
        statement = statement.where(User.organisation_id == organisation_id)
    return list(db.session.scalars(statement.order_by(User.id)))


def notify_role(roles: Iterable[str], kind: str, template: str, *, subject: str, link: str | None = None,
                dedup_key: str, kommune_id: int | None = None, email: bool | None = None,
                **context) -> list[Message]:
    """``remind`` everyone with one of ``roles`` (e.g. finance staff and administrators)."""
    return remind(users_with_role(*roles, kommune_id=kommune_id), kind, template, subject=subject, link=link,
                  dedup_key=dedup_key, email=email, **context)


def _declared(kind: str) -> Kind:
    declared = KINDS.get(kind)
    if declared is None:
        raise KeyError(f"message kind {kind!r} is not declared (app.notifications.kinds.declare_kind)")
    return declared


def _modes(user_ids: list[int], kind: str) -> dict[int, str]:
    rows = db.session.execute(select(NotificationPreference.user_id, NotificationPreference.mode)
                              .where(NotificationPreference.kind == kind,
                                     NotificationPreference.user_id.in_(user_ids)))
    return {user_id: mode for user_id, mode in rows}


def preference_mode(user, kind: str) -> str:
    """email | inbox | off for this user and kind (undeclared kinds: email)."""
    declared = KINDS.get(kind)
    if declared is not None and declared.mandatory:
        return "email"
    chosen = _modes([user.id], kind).get(user.id)
    return chosen or (declared.default if declared else "email")


def preferences(user) -> list[tuple[Kind, str]]:
    """The kinds this user's role receives, each with the user's current mode."""
    kinds = kinds_for_role(user.role.value)
    modes = dict(db.session.execute(select(NotificationPreference.kind, NotificationPreference.mode)
                                    .where(NotificationPreference.user_id == user.id)).all())
    return [(k, "email" if k.mandatory else modes.get(k.kind, k.default)) for k in kinds]


def set_preferences(user, choices: dict[str, str]) -> dict[str, str]:
    """Store the user's modes per kind; mandatory kinds cannot be changed. Returns what changed."""
    allowed = {k.kind: k for k in kinds_for_role(user.role.value)}
    errors: dict[str, list[str]] = {}
    for kind, mode in choices.items():
        if kind not in allowed:
            errors[kind] = ["Diese Benachrichtigungsart gibt es für Ihre Rolle nicht."]
        elif mode not in PREFERENCE_MODES:
            errors[kind] = ["Bitte wählen Sie „E-Mail und Posteingang“, „nur Posteingang“ oder „aus“."]
        elif allowed[kind].mandatory and mode != "email":
            errors[kind] = ["Rechtlich relevante Mitteilungen können nicht abgeschaltet werden."]
    if errors:
        raise ValidationFailed("Die Einstellungen sind ungültig.", errors=errors)
    existing = {p.kind: p for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    changed: dict[str, str] = {}
    for kind, mode in choices.items():
        if allowed[kind].mandatory:
            continue
        row = existing.get(kind)
        current = row.mode if row else allowed[kind].default
        if current == mode:
            continue
        if row is None:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, mode=mode, updated_at=clock.now()))
        else:
            row.mode, row.updated_at = mode, clock.now()
        changed[kind] = mode
    if changed:
        db.session.flush()
        audit.record("notifications.preferences", "user", user.id, actor=user, after=changed)
    return changed


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

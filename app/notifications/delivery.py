"""E-mail delivery of queued messages: claimed, sent over SMTP, retried with backoff, never sent twice.

Exactly-once over SMTP is impossible (the server may accept a message and the connection break
before we hear the 250), so delivery is **at most once**, with every step in its own commit:

1. **claim** (commit): ``UPDATE messages SET email_status='sending', email_claim=:token, ...
   WHERE id IN (...) AND email_status='pending'``. The status re-check makes the claim atomic:
   a second deliverer (a manual run, a second process) changes 0 rows for the same message.
2. **send** with a ``Message-ID`` derived from the message id (``<message-42@host>``): if a copy
   ever arrives twice (e.g. an operator re-queues it), mail systems and people recognise it.
3. **record** (commit per message, ``WHERE email_claim = :token``): ``sent``; or back to ``pending``
   with ``email_next_attempt_at = now + 60 s × 2^(attempts-1)`` (at most 6 h); after
   ``EMAIL_MAX_ATTEMPTS`` (8) or a permanent 5xx answer: ``failed``.
4. A claim older than ``EMAIL_CLAIM_TIMEOUT_SECONDS`` (10 min) means the deliverer died between 1
   and 3: we cannot know whether the server took it, so it is marked ``failed`` ("Zustellstatus
   unklar") and **not** sent again; the administrators are told, the message stays in the inbox.
"""

from __future__ import annotations

import smtplib
import uuid
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlparse

from flask import current_app
from sqlalchemy import func, select, update

from ..platform import clock
from ..platform.extensions import db
from .kinds import EMAIL_FAILED
from .models import Message
from .services import notify_role

RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 6 * 3600
MAX_ATTEMPTS = 8
CLAIM_TIMEOUT_SECONDS = 600
BATCH = 200
UNCLEAR = ("Zustellstatus unklar: Der Versand wurde unterbrochen, bevor der Mailserver ihn bestätigt hat. "
           "Die Nachricht wird nicht erneut gesendet, um Doppelversand zu vermeiden.")


def _config(name: str, default):
    return current_app.config.get(name, default)


def backoff_seconds(attempts: int) -> int:
    """Wait after the ``attempts``-th failed try: 60 s, 120 s, 240 s, ... at most 6 h."""
    base = int(_config("EMAIL_RETRY_BASE_SECONDS", RETRY_BASE_SECONDS))
    return min(base * 2 ** max(attempts - 1, 0), int(_config("EMAIL_RETRY_MAX_SECONDS", RETRY_MAX_SECONDS)))


def message_id_header(message_id: int) -> str:
    host = urlparse(current_app.config.get("BASE_URL") or "").hostname or "durchstarten.invalid"
    return f"<message-{message_id}@{host}>"


def deliver_pending(limit: int = BATCH) -> dict:
    """Send due pending messages; commits per step (see module doc). Returns counts for the job summary."""
    result = {"sent": 0, "retry": 0, "failed": 0, "unclear": 0}
    db.session.rollback()  # start clean: no snapshot or lock held while talking to the mail server
    result["unclear"] = _expire_stale_claims()
    if not current_app.config.get("SMTP_HOST"):
        result["smtp"] = "nicht konfiguriert"
        return result
    token = uuid.uuid4().hex
    claimed = _claim(token, limit)
    if not claimed:
        return result
    errors: list[str] = []
    try:
        connection = _connect()
    except (OSError, smtplib.SMTPException) as exc:
        text = f"SMTP-Server {current_app.config['SMTP_HOST']}:{current_app.config.get('SMTP_PORT', 25)} " \
               f"nicht erreichbar: {exc}"
        for message in claimed:
            result[_record_failure(message, token, text, permanent=False)] += 1
        result["errors"] = [text]
        return result
    try:
        for message in claimed:
            try:
                connection.send_message(_email(message))
            except smtplib.SMTPServerDisconnected as exc:
                result[_record_failure(message, token, f"Verbindung getrennt: {exc}", permanent=False)] += 1
                errors.append(str(exc))
                break_rest = [m for m in claimed if m.email_status == "sending" and m is not message]
                for rest in break_rest:
                    result[_record_failure(rest, token, f"Verbindung getrennt: {exc}", permanent=False)] += 1
                break
            except (smtplib.SMTPException, OSError) as exc:
                code = getattr(exc, "smtp_code", None)
                if isinstance(exc, smtplib.SMTPRecipientsRefused):
                    code = min((c for c, _m in exc.recipients.values()), default=None)
                permanent = code is not None and code >= 500
                result[_record_failure(message, token, f"{type(exc).__name__}: {exc}", permanent=permanent)] += 1
                errors.append(str(exc))
            else:
                _record_sent(message, token)
                result["sent"] += 1
    finally:
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            pass
    if errors:
        result["errors"] = errors[:5]
    return result


def _claim(token: str, limit: int) -> list[Message]:
    now = clock.now()
    due = (select(Message.id)
           .where(Message.email_status == "pending",
                  Message.email_next_attempt_at.is_(None) | (Message.email_next_attempt_at <= now))
           .order_by(Message.id).limit(limit))
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(due))
    if ids:
        db.session.execute(update(Message).where(Message.id.in_(ids), Message.email_status == "pending")
                           .values(email_status="sending", email_claim=token, email_claimed_at=now,
                                   email_attempts=Message.email_attempts + 1)
                           .execution_options(synchronize_session=False))
    db.session.commit()
    return list(db.session.scalars(select(Message).where(Message.email_claim == token).order_by(Message.id)))


def _connect() -> smtplib.SMTP:
    config = current_app.config
    connection = smtplib.SMTP(config["SMTP_HOST"], int(config.get("SMTP_PORT") or 25),
                              timeout=float(config.get("SMTP_TIMEOUT", 10)))
    if config.get("SMTP_STARTTLS"):
        connection.starttls()
    if config.get("SMTP_USER"):
        connection.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
    return connection


def _email(message: Message) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.recipient_email
    email["Subject"] = message.subject
    email["Message-ID"] = message_id_header(message.id)
    email["Date"] = format_datetime(message.created_at)
    email["X-Durchstarten-Message"] = str(message.id)
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body)
    return email


def _record_sent(message: Message, token: str) -> None:
    db.session.execute(update(Message).where(Message.id == message.id, Message.email_claim == token)
                       .values(email_status="sent", email_sent_at=clock.now(), email_claim=None, email_error=None,
                               email_next_attempt_at=None)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    message.email_status = "sent"


def _record_failure(message: Message, token: str, error: str, *, permanent: bool) -> str:
    attempts = message.email_attempts or 1
    max_attempts = int(_config("EMAIL_MAX_ATTEMPTS", MAX_ATTEMPTS))
    final = permanent or attempts >= max_attempts
    now = clock.now()
    values = {"email_claim": None, "email_error": error[:2000]}
    if final:
        values.update(email_status="failed", email_next_attempt_at=None)
    else:
        values.update(email_status="pending", email_next_attempt_at=now + timedelta(seconds=backoff_seconds(attempts)))
    db.session.execute(update(Message).where(Message.id == message.id, Message.email_claim == token).values(**values)
                       .execution_options(synchronize_session=False))
    if final:
        _tell_admins(1)
    db.session.commit()
    message.email_status = values["email_status"]
    return "failed" if final else "retry"


def _expire_stale_claims() -> int:
    cutoff = clock.now() - timedelta(seconds=int(_config("EMAIL_CLAIM_TIMEOUT_SECONDS", CLAIM_TIMEOUT_SECONDS)))
    changed = db.session.execute(
        update(Message).where(Message.email_status == "sending", Message.email_claimed_at < cutoff)
        .values(email_status="failed", email_claim=None, email_error=UNCLEAR)
        .execution_options(synchronize_session=False)).rowcount
    if changed:
        _tell_admins(changed)
    db.session.commit()
    return changed


def _tell_admins(count: int) -> None:
    """One inbox notice per day (never by e-mail: a broken mail server must not feed itself)."""
    notify_role(["programme_admin"], EMAIL_FAILED, "emails/email_failed.txt",
                subject="E-Mail-Zustellung fehlgeschlagen", link="/verwaltung/jobs",
                dedup_key=f"email-failed:{clock.today().isoformat()}", email=False, count=count)


def queue_status() -> dict:
    """Counts per e-mail status and the latest problems, for the jobs page and API."""
    counts = dict(db.session.execute(select(Message.email_status, func.count()).group_by(Message.email_status)).all())
    problems = list(db.session.scalars(
        select(Message).where(Message.email_error.is_not(None), Message.email_status.in_(("pending", "failed")))
        .order_by(Message.id.desc()).limit(20)))
    return {"counts": {s: counts.get(s, 0) for s in ("pending", "sending", "sent", "failed")}, "problems": problems}

"""Password reset by e-mail link ("Passwort vergessen?").

* ``request_reset(email, client=...)``: for an active account a single-use link valid for
  ``PASSWORD_RESET_MINUTES`` (setting, 30) is queued as an e-mail through the notifications outbox
  (kind ``auth.password_reset``, always by e-mail): auth sits below notifications, so it emits the event
  ``auth.password_reset`` and ``app.notifications.hooks`` queues the mail in the same transaction.
  The answer never says whether the address exists:
  the caller shows the same page, and both cases do the same work (a random secret, its hash, the
  mail body rendered, one audit entry, the throttle counters written); only the two inserts for a
  real account differ, well below the noise of one request.
* Throttled like the login (``app/auth/throttling.py``) with its own counters (the client key is
  prefixed ``reset:``): every request counts, since success cannot be told from failure.
* ``reset_password(secret, new=..., repeat=...)``: the link's secret is looked up by its SHA-256 (only
  the hash is stored, like API tokens); expired (settable clock), used or unknown links are refused
  alike. Setting the password uses every open link of the account and ends all its sessions
  (``session_version``), audited as ``user.password_reset``.

Decision: the e-mail body in the outbox necessarily carries the link until it is sent; it is the
recipient's own message (inbox) and useless after the 30 minutes or after one use.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, render_template, request
from flask_babel import force_locale
from sqlalchemy import func, select, update

from ..platform import audit, clock
from ..platform.errors import ValidationFailed
from ..platform.events import emit
from ..platform.extensions import db
from . import throttling
from .models import PasswordResetToken, User
from .passwords import hash_password
from .services import UNKNOWN_ACCOUNT, LoginRefused, end_sessions, new_password_errors, normalise_email

TEMPLATE = "emails/password_reset.txt"
SUBJECT = "Ihr Link zum Zurücksetzen des Passworts"
INVALID_LINK = ("Dieser Link zum Zurücksetzen des Passworts ist ungültig, abgelaufen oder wurde bereits benutzt. "
                "Bitte fordern Sie einen neuen an.")


class InvalidResetLink(Exception):
    """The secret names no open link (unknown, expired or used)."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _throttle_key(client: str) -> str:
    return "reset:" + client


def request_reset(email: str, *, client: str) -> None:
    """Queue a reset link for ``email`` if it names an active account; the same work otherwise."""
    typed = normalise_email(email)
    now = clock.now()
    wait = throttling.wait_seconds(typed, _throttle_key(client), now)
    if wait:
        raise LoginRefused(f"Zu viele Anfragen. Bitte warten Sie {wait} Sekunden und versuchen Sie es dann erneut.",
                           wait_seconds=wait)
    throttling.record_failure(typed, _throttle_key(client), now)
    user = db.session.scalar(select(User).where(func.lower(User.email) == typed)) if typed else None
    if user is not None and not user.active:
        user = None
    secret = secrets.token_urlsafe(32)
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    context = {"reset_url": f"{request.host_url.rstrip('/')}/passwort-zuruecksetzen/{secret}", "minutes": minutes}
    if user is None:
        with force_locale("de"):  # the same rendering as for a real account's mail
            render_template(TEMPLATE, recipient=User(name=""), subject=SUBJECT, base_url=request.host_url,
                            link=None, link_url=None, **context)
        audit.record("auth.password_reset_request", "user", None, actor_label=UNKNOWN_ACCOUNT)
        return
    db.session.add(PasswordResetToken(user_id=user.id, token_hash=_digest(secret), created_at=now,
                                      expires_at=now + timedelta(minutes=minutes)))
    emit("auth.password_reset", user=user, secret=secret, minutes=minutes)
    audit.record("auth.password_reset_request", "user", user.id, actor_label=user.email)


def open_link(secret: str) -> PasswordResetToken:
    """The open link for ``secret`` (not used, not expired on the settable clock) or InvalidResetLink."""
    token = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == _digest(secret or "")))
    if token is None or token.used_at is not None or token.expires_at <= clock.now() or not token.user.active:
        raise InvalidResetLink(INVALID_LINK)
    return token


def reset_password(secret: str, *, new: str, repeat: str) -> User:
    """Set a new password through a reset link; the link and every other open link of the account are
    used up, every session of the account ends."""
    token = open_link(secret)
    errors = new_password_errors(new, repeat)
    if errors:
        raise ValidationFailed("Das Passwort wurde nicht geändert.", errors=errors)
    user, now = token.user, clock.now()
    used = db.session.execute(update(PasswordResetToken).where(
        PasswordResetToken.id == token.id, PasswordResetToken.used_at.is_(None)).values(used_at=now))
    if used.rowcount != 1:  # a second request with the same link won the race
        raise InvalidResetLink(INVALID_LINK)
    db.session.execute(update(PasswordResetToken).where(PasswordResetToken.user_id == user.id,
                                                        PasswordResetToken.used_at.is_(None)).values(used_at=now))
    user.password_hash = hash_password(new)
    end_sessions(user)
    audit.record("user.password_reset", "user", user.id, actor=user, after={"link_id": token.id})
    return user

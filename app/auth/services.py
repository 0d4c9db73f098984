"""Use cases for accounts and tokens. Each flushes and writes an audit entry; the edge commits."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import bindparam, func, select

from ..platform import audit, clock, limits
from ..platform.errors import Conflict, NotFound, ValidationFailed
from ..platform.extensions import db
from ..platform.fields import EMAIL
from ..reference.models import Kommune, Organisation
from . import throttling
from .models import ApiToken, Role, User
from .passwords import check_password_rules, hash_password, verify_password

TOKEN_PREFIX = "ds_"  # noqa: S105 - a public prefix, not a secret


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    role: Role | str,
    kommune_ags: str | None = None,
    organisation_id: int | None = None,
    actor: User | None = None,
    actor_label: str | None = None,
) -> User:
    email = normalise_email(email)
    errors: dict[str, list[str]] = {}
    if not EMAIL.match(email):
        errors["email"] = ["Bitte eine gültige E-Mail-Adresse angeben."]
    if not (name or "").strip():
        errors["name"] = ["Bitte einen Namen angeben."]
    try:
        role = Role(role)
    except ValueError:
        errors["role"] = [f"Unbekannte Rolle. Erlaubt: {', '.join(r.value for r in Role)}."]
    kommune = None
    if role == Role.KOMMUNE:
        kommune = db.session.scalar(select(Kommune).where(Kommune.ags == (kommune_ags or "")))
        if kommune is None:
            errors["kommune"] = ["Kommune-Benutzer brauchen eine gültige Kommune (AGS)."]
    if role == Role.ORGANISATION and (organisation_id is None or db.session.get(Organisation, organisation_id) is None):
        errors["organisation"] = ["Träger-Benutzer brauchen eine gültige Organisation."]
    if errors:
        raise ValidationFailed("Die Angaben zum Benutzerkonto sind unvollständig.", errors=errors)
    check_password_rules(password)
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise Conflict("Ein Benutzerkonto mit dieser E-Mail-Adresse existiert bereits.",
                       errors={"email": ["Bereits vergeben."]})
    user = User(
        email=email, name=name.strip(), password_hash=hash_password(password), role=role,
        kommune_id=kommune.id if kommune else None,
        organisation_id=organisation_id if role == Role.ORGANISATION else None,
        created_at=clock.now(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", "user", user.id, actor=actor, actor_label=actor_label,
                 after={"email": email, "role": role, "kommune_id": user.kommune_id,
                        "organisation_id": user.organisation_id})
    return user


class LoginRefused(Exception):
    """Login failed; ``message`` is the same whether the account exists or not."""

    def __init__(self, message: str, *, wait_seconds: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.wait_seconds = wait_seconds


LOGIN_REFUSED = "E-Mail-Adresse oder Passwort ist falsch."
UNKNOWN_ACCOUNT = "(unbekanntes Konto)"  # the audit's actor for a failed login to no known account


def authenticate(email: str, password: str, *, client: str) -> User:
    """Check a login from the client address ``client`` (throttled, app/auth/throttling.py).

    Known and unknown e-mail addresses get the same answer after the same work (one password hash,
    the same throttle and audit writes). A failure is audited (the caller commits even though the
    login failed) under the account's stored address, or ``UNKNOWN_ACCOUNT``: never the typed text.
    """
    typed = normalise_email(email)
    now = clock.now()
    wait = throttling.wait_seconds(typed, client, now)
    if wait:
        raise LoginRefused(f"Zu viele Fehlversuche. Bitte warten Sie {wait} Sekunden und versuchen Sie es dann "
                           "erneut.", wait_seconds=wait)
    user = db.session.scalar(select(User).where(func.lower(User.email) == typed)) if typed else None
    password_ok = verify_password(user.password_hash if user is not None else None, password)
    if user is None or not user.active or not password_ok:
        throttling.record_failure(typed, client, now)
        audit.record("auth.login_failed", "user", user.id if user else None,
                     actor_label=user.email if user else UNKNOWN_ACCOUNT)
        raise LoginRefused(LOGIN_REFUSED)
    throttling.record_success(typed, client)
    user.last_login_at = now
    audit.record("auth.login", "user", user.id, actor=user)
    return user


def end_sessions(user: User) -> None:
    """Every session of ``user`` ends: their cookies carry the old version (``User.get_id``)."""
    user.session_version += 1


def sign_out(user: User) -> None:
    """Logout ends the user's sessions everywhere, so a copied cookie stops working too."""
    end_sessions(user)
    audit.record("auth.logout", "user", user.id, actor=user)


def new_password_errors(new: str, repeat: str) -> dict[str, list[str]]:
    """The field errors of a new password and its repetition (password change and reset)."""
    errors: dict[str, list[str]] = {}
    try:
        check_password_rules(new, "new_password")
    except ValidationFailed as failed:
        errors.update(failed.errors)
    if new != repeat:
        errors["new_password_repeat"] = ["Die beiden neuen Passwörter stimmen nicht überein."]
    return errors


def change_password(user: User, *, current: str, new: str, repeat: str) -> None:
    """Set a new password (the current one must be given); every other session of the user ends."""
    errors: dict[str, list[str]] = {}
    if not verify_password(user.password_hash, current):
        errors["current_password"] = ["Das bisherige Passwort ist nicht richtig."]
    errors.update(new_password_errors(new, repeat))
    if errors:
        raise ValidationFailed("Das Passwort wurde nicht geändert.", errors=errors)
    user.password_hash = hash_password(new)
    end_sessions(user)
    audit.record("user.password_change", "user", user.id, actor=user)


def deactivate_user(user: User, *, actor: User | None = None, actor_label: str | None = None) -> None:
    """The account can no longer log in; its sessions end at once (API tokens of inactive users are refused)."""
    if user.active:
        user.active = False
        end_sessions(user)
        audit.record("user.deactivate", "user", user.id, actor=actor, actor_label=actor_label,
                     before={"active": True}, after={"active": False})


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    user: User, name: str, *, days_valid: int | None = 365, actor: User | None = None
) -> tuple[ApiToken, str]:
    """Create a token; returns it with its secret (the secret is shown once and never stored)."""
    name = (name or "").strip()
    if not name or len(name) > limits.TOKEN_NAME:
        raise ValidationFailed.field(
            "name", f"Bitte einen Namen (höchstens {limits.TOKEN_NAME} Zeichen) für das Token angeben.")
    if days_valid is not None and not (1 <= days_valid <= limits.TOKEN_DAYS):
        raise ValidationFailed.field("days_valid", f"Gültigkeit zwischen 1 und {limits.TOKEN_DAYS} Tagen.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:10], token_hash=_hash_token(secret),
                     created_at=now, expires_at=now + timedelta(days=days_valid) if days_valid else None)
    db.session.add(token)
    db.session.flush()
    audit.record("token.create", "api_token", token.id, actor=actor or user,
                 after={"user_id": user.id, "name": name, "prefix": token.prefix, "expires_at": token.expires_at})
    return token, secret


def revoke_token(token_id: int, *, actor: User) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.id and actor.role != Role.PROGRAMME_ADMIN):
        raise NotFound("Token nicht gefunden.")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        audit.record("token.revoke", "api_token", token.id, actor=actor, after={"revoked_at": token.revoked_at})
    return token


class TokenRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Runs on every API request: one statement, built once (no per-request construction), returning the
# user and the token's two validity columns (no ApiToken object to build). Looked up by the SHA-256
# of the secret through the unique index: a token has 256 random bits, so no slow hash is needed.
_TOKEN_LOOKUP = (select(User, ApiToken.revoked_at, ApiToken.expires_at)
                 .join(ApiToken, ApiToken.user_id == User.id)
                 .where(ApiToken.token_hash == bindparam("digest")))


def user_for_token(secret: str) -> User:
    """Resolve a Bearer token; raises TokenRefused for unknown, revoked or expired tokens."""
    row = db.session.execute(_TOKEN_LOOKUP, {"digest": _hash_token(secret)}).first()
    if row is None:
        raise TokenRefused("Unbekanntes API-Token.")
    user, revoked_at, expires_at = row
    if revoked_at is not None:
        raise TokenRefused("Das API-Token wurde widerrufen.")
    if expires_at is not None and expires_at <= clock.now():
        raise TokenRefused("Das API-Token ist abgelaufen.")
    if not user.active:
        raise TokenRefused("Das Benutzerkonto ist deaktiviert.")
    return user


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))

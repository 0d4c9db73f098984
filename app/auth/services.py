"""Use cases for accounts and tokens. Each flushes and writes an audit entry; the edge commits."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, func, select

from .. import audit, clock
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..reference.models import Kommune, Organisation
from .models import ApiToken, Role, User
from .passwords import check_password_rules, hash_password, verify_password

TOKEN_PREFIX = "ds_"  # noqa: S105 - a public prefix, not a secret
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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
    if not _EMAIL.match(email):
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
    """Login failed; ``message`` is safe to show (it does not reveal whether the account exists)."""

    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.locked = locked


def authenticate(email: str, password: str) -> User:
    """Check a login. After LOGIN_MAX_FAILURES failures the account is locked for LOGIN_LOCK_MINUTES.

    Failures and lockouts are audited (committed by the caller even though the login failed).
    """
    email = normalise_email(email)
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    now = clock.now()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        audit.record("auth.login_locked", "user", user.id, actor_label=email)
        raise LoginRefused("Zu viele Fehlversuche. Das Konto ist vorübergehend gesperrt, bitte später erneut "
                           "versuchen.", locked=True)
    if user is None or not user.active or not verify_password(user.password_hash, password):
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
                user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
                user.failed_logins = 0
        audit.record("auth.login_failed", "user", user.id if user else None, actor_label=email or "(leer)",
                     after={"locked": bool(user and user.locked_until and user.locked_until > now)})
        raise LoginRefused("E-Mail-Adresse oder Passwort ist falsch.")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record("auth.login", "user", user.id, actor=user)
    return user



def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    user: User, name: str, *, days_valid: int | None = 365, actor: User | None = None
) -> tuple[ApiToken, str]:
    """Create a token; returns it with its secret (the secret is shown once and never stored)."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed.field("name", "Bitte einen Namen (höchstens 100 Zeichen) für das Token angeben.")
    if days_valid is not None and not (1 <= days_valid <= 3650):
        raise ValidationFailed.field("days_valid", "Gültigkeit zwischen 1 und 3650 Tagen.")
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

"""Users bound to a role (and, for Kommune and organisation users, to their Kommune/organisation)."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..platform import limits
from ..platform.database import UTCDateTime, db_enum
from ..platform.extensions import db
from ..reference.models import Kommune, Organisation


class Role(enum.StrEnum):
    KOMMUNE = "kommune"
    ORGANISATION = "organisation"
    REVIEWER = "reviewer"
    PROGRAMME_ADMIN = "programme_admin"
    FINANCE = "finance"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.KOMMUNE: lazy_gettext("Kommune"),
    Role.ORGANISATION: lazy_gettext("Träger (Innovationsfonds)"),
    Role.REVIEWER: lazy_gettext("Gutachter/in"),
    Role.PROGRAMME_ADMIN: lazy_gettext("Programmverwaltung"),
    Role.FINANCE: lazy_gettext("Finanzen"),
    Role.AUDITOR: lazy_gettext("Prüfung (nur lesen)"),
}


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("(role = 'kommune') = (kommune_id IS NOT NULL)", name="kommune_binding"),
        CheckConstraint("(role = 'organisation') = (organisation_id IS NOT NULL)", name="organisation_binding"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(limits.NAME), unique=True)
    name: Mapped[str] = mapped_column(String(limits.NAME))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(db_enum(Role))
    kommune_id: Mapped[int | None] = mapped_column(ForeignKey("kommunen.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the session's user id (get_id): raising it ends every session of the user (logout,
    # password change, deactivation); the old cookie no longer loads the user.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    kommune: Mapped[Kommune | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login: what the session cookie carries
        return f"{self.id}.{self.session_version}"

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


class LoginThrottle(db.Model):
    """Failed logins per key: a client address, or a typed e-mail address together with the client
    address (both stored as SHA-256 only). See app/auth/throttling.py."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime())
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApiToken(db.Model):
    """A personal API token. Only its SHA-256 is stored; the secret is shown once at creation."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(limits.TOKEN_NAME))
    prefix: Mapped[str] = mapped_column(String(12))  # shown in lists to recognise a token
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class PasswordResetToken(db.Model):
    """A password reset link (app/auth/reset.py). Only the SHA-256 of its secret is stored; it is valid
    until ``expires_at`` and only once (``used_at``)."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

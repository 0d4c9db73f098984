"""The permission table: which role may do which action, and object ownership.

Each domain declares its actions in its own ``permissions.py`` with ``declare(...)``; routes name
the action they need with ``@requires("action")`` (pages and API alike), so the table here is the
one source the checks use and the authorization-matrix test reads.

Ownership: a Kommune user may only touch objects of its Kommune, an organisation user only its
organisation's. Asking for someone else's object answers 404 (not 403), so that the existence of
other Kommunen's records is not revealed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import g

from ..platform.errors import Forbidden, NotFound
from .models import Role, User

ALL_ROLES = frozenset(Role)
STAFF = frozenset({Role.PROGRAMME_ADMIN, Role.FINANCE, Role.AUDITOR})


@dataclass(frozen=True)
class Permission:
    action: str
    roles: frozenset[Role]
    description: str


PERMISSIONS: dict[str, Permission] = {}
PUBLIC = "public"  # routes anyone may call (login page, health checks)


def declare(action: str, roles: Iterable[Role], description: str) -> str:
    """Add an action to the table; returns the action name so modules can keep it as a constant."""
    if action in PERMISSIONS:
        raise ValueError(f"permission {action!r} declared twice")
    PERMISSIONS[action] = Permission(action, frozenset(roles), description)
    return action


def can(user: User | None, action: str) -> bool:
    if user is None:
        return False
    rule = PERMISSIONS.get(action)
    if rule is None:
        raise KeyError(f"undeclared permission {action!r}")
    return user.role in rule.roles


def require(user: User | None, action: str) -> None:
    if not can(user, action):
        raise Forbidden("Sie haben keine Berechtigung für diese Aktion.")


def requires(action: str) -> Callable:
    """Route decorator: the current actor (session or API token) needs ``action``.

    Authentication itself (401 or redirect to login) happens earlier, in ``app.auth.session``.
    """
    if action != PUBLIC and action not in PERMISSIONS:
        raise KeyError(f"undeclared permission {action!r}")

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if action != PUBLIC:
                require(getattr(g, "actor", None), action)
            return view(*args, **kwargs)

        wrapped.required_permission = action  # read by the authorization-matrix test
        return wrapped

    return decorator


def ensure_kommune_access(user: User, kommune_id: int | None, what: str = "Objekt") -> None:
    """Kommune users see only their own Kommune's objects; others pass (their role was checked)."""
    if user.role == Role.KOMMUNE and user.kommune_id != kommune_id:
        raise NotFound(f"{what} nicht gefunden.")


def scope_kommune_id(user: User) -> int | None:
    """The Kommune a list must be restricted to for this user (None = all)."""
    return user.kommune_id if user.role == Role.KOMMUNE else None


# Foundation actions
AUDIT_READ = declare("audit.read", {Role.PROGRAMME_ADMIN, Role.AUDITOR}, "Audit-Trail lesen")
OWN_TOKENS = declare("auth.tokens.own", ALL_ROLES, "Eigene API-Tokens verwalten")
OWN_PASSWORD = declare("auth.password.own", ALL_ROLES, "Eigenes Passwort ändern")
PROFILE_READ = declare("auth.me", ALL_ROLES, "Eigenes Profil lesen")
USERS_MANAGE = declare("auth.users.manage", {Role.PROGRAMME_ADMIN}, "Benutzerkonten verwalten")
USERS_READ = declare("auth.users.read", {Role.PROGRAMME_ADMIN, Role.AUDITOR}, "Benutzerkonten lesen")
START_PAGE = declare("main.start", ALL_ROLES, "Startseite")

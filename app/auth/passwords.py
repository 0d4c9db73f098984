"""Password hashing (argon2id) and the password rules."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from ..platform.errors import ValidationFailed

DEMO_PASSWORD = "Demo-Passwort-2020"  # noqa: S105 - demo accounts only, printed by seed-demo
_default = PasswordHasher()
_fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # tests only (ARGON2_FAST)


def _hasher() -> PasswordHasher:
    return _fast if current_app.config.get("ARGON2_FAST") else _default


def hash_password(password: str) -> str:
    return _hasher().hash(password)


_dummy_hashes: dict[int, str] = {}


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check ``password``; ``None`` (no such account) still runs one full verification, against a
    throw-away hash of a random secret at the configured cost, so that known and unknown accounts take the same time."""
    if password_hash is None:
        hasher = _hasher()
        password_hash = _dummy_hashes.setdefault(id(hasher), hasher.hash(secrets.token_urlsafe(16)))
    try:
        return _default.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password_rules(password: str, field: str = "password") -> None:
    """At least PASSWORD_MIN_LENGTH characters, with a letter and a digit."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    problems = []
    if len(password) < minimum:
        problems.append(f"Das Passwort muss mindestens {minimum} Zeichen lang sein.")
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        problems.append("Das Passwort muss Buchstaben und Ziffern enthalten.")
    if problems:
        raise ValidationFailed(" ".join(problems), errors={field: problems})

"""``Idempotency-Key`` for money-creating API calls.

The key (per user and endpoint scope) is stored with a hash of the request and, in the same
transaction as the booking, the answer. A retry with the same key and body replays the first
answer and books nothing; the same key with another body is a 422 naming ``Idempotency-Key``.
Concurrent duplicates: SQLite serialises writers (BEGIN IMMEDIATE); on PostgreSQL the second
insert waits on the unique index and fails when the first commits, and is then replayed.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from .models import IdempotencyKey

HEADER = "Idempotency-Key"


def request_hash(path: str, body) -> str:
    return hashlib.sha256((path + "\n" + json.dumps(body, sort_keys=True, default=str)).encode()).hexdigest()


def _check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > 200 or not key.isprintable():
        raise ValidationFailed.field(HEADER, "Der Idempotency-Key muss 1 bis 200 druckbare Zeichen haben.")
    return key


def _replay(existing: IdempotencyKey, digest: str):
    if existing.request_hash != digest:
        raise ValidationFailed.field(HEADER, "Dieser Idempotency-Key wurde bereits für eine andere Anfrage verwendet.")
    if existing.response_status is None:
        raise Conflict("Eine Anfrage mit diesem Idempotency-Key wird noch bearbeitet.")
    return existing.response_status, existing.response_body


def reserve(user, scope: str, key: str, digest: str):
    """Returns ``(None, reservation)`` for a new key, or ``((status, body), None)`` for a replay."""
    key = _check_key(key)
    statement = select(IdempotencyKey).where(IdempotencyKey.user_id == user.id, IdempotencyKey.scope == scope,
                                             IdempotencyKey.key == key)
    existing = db.session.scalar(statement)
    if existing is not None:
        return _replay(existing, digest), None
    reservation = IdempotencyKey(user_id=user.id, scope=scope, key=key, request_hash=digest, created_at=clock.now())
    try:
        with db.session.begin_nested():
            db.session.add(reservation)
    except IntegrityError:
        db.session.rollback()
        existing = db.session.scalar(statement)
        if existing is None:  # pragma: no cover - the other transaction rolled back
            raise Conflict("Bitte die Anfrage wiederholen.") from None
        return _replay(existing, digest), None
    return None, reservation


def complete(reservation: IdempotencyKey | None, status: int, body) -> None:
    if reservation is not None:
        reservation.response_status, reservation.response_body = status, body
        db.session.flush()

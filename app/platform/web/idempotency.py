"""``Idempotency-Key`` for money-creating API calls: the one mechanism of every domain.

The key (per user and endpoint scope) is stored with a hash of the request and, in the same
transaction as the booking, the answer; the request edge commits both at once (this module
commits nothing). A retry with the same key and body replays the first
answer and books nothing; the same key with another body is a 422 naming ``Idempotency-Key``.
The reservation is one ``INSERT ... ON CONFLICT DO NOTHING RETURNING id`` (no read before, no
savepoint); only when it inserts nothing is the existing key read and replayed. Concurrent
duplicates: SQLite serialises writers (BEGIN IMMEDIATE); on PostgreSQL the second insert waits on
the unique index until the first transaction ends, then inserts nothing and replays the answer
(or, if the first rolled back, inserts its own reservation).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from flask import g, jsonify, request
from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
from ..database import UTCDateTime
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..limits import IDEMPOTENCY_KEY

HEADER = "Idempotency-Key"
# the OpenAPI parameter of every route that accepts the header: ``@blp.doc(**IDEMPOTENCY_DOC)``
IDEMPOTENCY_DOC = {"parameters": [{"in": "header", "name": HEADER, "required": False,
                                   "schema": {"type": "string", "maxLength": IDEMPOTENCY_KEY},
                                   "description": "A retry with the same key replays the first answer."}]}


class IdempotencyKey(db.Model):
    """A money-creating API call's ``Idempotency-Key``: the first answer is replayed for retries."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(IDEMPOTENCY_KEY))
    request_hash: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


def request_hash(path: str, body) -> str:
    return hashlib.sha256((path + "\n" + json.dumps(body, sort_keys=True, default=str)).encode()).hexdigest()


def _check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > IDEMPOTENCY_KEY or not key.isprintable():
        raise ValidationFailed.field(HEADER, f"Der Idempotency-Key muss 1 bis {IDEMPOTENCY_KEY} druckbare Zeichen "
                                             "haben.")
    return key


def _replay(existing: IdempotencyKey, digest: str):
    if existing.request_hash != digest:
        raise ValidationFailed.field(HEADER, "Dieser Idempotency-Key wurde bereits für eine andere Anfrage verwendet.")
    if existing.response_status is None:
        raise Conflict("Eine Anfrage mit diesem Idempotency-Key wird noch bearbeitet.")
    return existing.response_status, existing.response_body


_KEYS = IdempotencyKey.__table__
# Built once per dialect: the reservation and the stored answer run on the session's connection (no ORM flush).
_RESERVE = {name: maker(_KEYS).on_conflict_do_nothing(index_elements=[_KEYS.c.user_id, _KEYS.c.scope, _KEYS.c.key])
            .returning(_KEYS.c.id) for name, maker in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}
_COMPLETE = (update(_KEYS).where(_KEYS.c.id == bindparam("reservation"))
             .values(response_status=bindparam("status"), response_body=bindparam("body")))


def reserve(user, scope: str, key: str, digest: str):
    """Returns ``(None, reservation id)`` for a new key, or ``((status, body), None)`` for a replay."""
    key = _check_key(key)
    connection = db.session.connection()
    inserted = connection.execute(_RESERVE[connection.dialect.name], {
        "user_id": user.id, "scope": scope, "key": key, "request_hash": digest, "created_at": clock.now()}).scalar()
    if inserted is not None:
        return None, inserted
    existing = db.session.scalar(select(IdempotencyKey).where(
        IdempotencyKey.user_id == user.id, IdempotencyKey.scope == scope, IdempotencyKey.key == key))
    if existing is None:  # pragma: no cover - the other transaction's key vanished (deleted) meanwhile
        raise Conflict("Bitte die Anfrage wiederholen.")
    return _replay(existing, digest), None


def complete(reservation: int | None, status: int, body) -> None:
    """Store the answer with the reservation (same transaction as the booking)."""
    if reservation is not None:
        db.session.connection().execute(_COMPLETE, {"reservation": reservation, "status": status, "body": body})


def respond_once(scope: str, create):
    """An API answer computed once per ``Idempotency-Key``: ``create() -> (status, payload)`` books, and the
    answer is stored in the same transaction (the edge commits both); a retry with the same key and body
    replays it (header ``Idempotent-Replayed: true``) and books nothing. Without the header ``create`` just
    runs."""
    key = request.headers.get(HEADER)
    reservation = None
    if key is not None:
        replay, reservation = reserve(g.actor, scope, key, request_hash(request.path, request.get_json(silent=True)))
        if replay is not None:
            response = jsonify(replay[1])
            response.status_code = replay[0]
            response.headers["Idempotent-Replayed"] = "true"
            return response
    code, payload = create()
    complete(reservation, code, payload)
    response = jsonify(payload)
    response.status_code = code
    return response

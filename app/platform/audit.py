"""Append-only audit trail.

Every state-changing service calls ``record(...)`` in the same transaction as its change. Entries
are never updated or deleted: the ORM refuses it (``before_update``/``before_delete`` raise) and
no endpoint offers it. The actor and request id come from the request context when there is one;
jobs and commands pass ``actor_label`` ("system: scheduler", "cli").
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import g, has_request_context
from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, event, insert
from sqlalchemy.orm import Mapped, mapped_column

from . import clock, limits
from .database import UTCDateTime
from .extensions import db

log = logging.getLogger("durchstarten.audit")


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_object", "object_type", "object_id"),
        Index("ix_audit_entries_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(limits.AUDIT_ACTION), index=True)
    object_type: Mapped[str] = mapped_column(String(limits.AUDIT_OBJECT))
    object_id: Mapped[str | None] = mapped_column(String(limits.AUDIT_OBJECT))
    kommune_id: Mapped[int | None] = mapped_column(Integer, index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(64))


@event.listens_for(AuditEntry, "before_update")
def _refuse_update(*_args) -> None:
    raise RuntimeError("audit entries are append-only")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(*_args) -> None:
    raise RuntimeError("audit entries are append-only")


def to_jsonable(value: Any) -> Any:
    """Make before/after snapshots JSON-safe without losing exactness (Decimal -> str)."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def current_request_id() -> str | None:
    return getattr(g, "request_id", None) if has_request_context() else None


def record(
    action: str,
    object_type: str,
    object_id: Any = None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    actor=None,
    actor_label: str | None = None,
    kommune_id: int | None = None,
) -> None:
    """Append one audit entry to the current transaction (committed by the edge with the change) and
    log the state change (logger ``durchstarten.audit``; every state change goes through here).

    A prebuilt Core insert on the session's connection: every change writes one, and nothing reads the
    entry back in the same request, so no ORM object (and no flush) is needed.
    """
    if actor is None and has_request_context():
        actor = getattr(g, "actor", None)
    label = actor_label or (actor.email if actor is not None else "system")
    log.info("%s %s %s by %s", action, object_type, object_id, label,
             extra={"audit_action": action, "object_type": object_type, "object_id": object_id})
    db.session.connection().execute(_INSERT, {
        "occurred_at": clock.now(),
        "actor_id": actor.id if actor is not None else None,
        "actor_label": label,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "kommune_id": kommune_id,
        "before": to_jsonable(before) if before is not None else None,
        "after": to_jsonable(after) if after is not None else None,
        "request_id": current_request_id() or (None if has_request_context() else f"job-{uuid.uuid4().hex[:12]}"),
    })


_INSERT = insert(AuditEntry.__table__)

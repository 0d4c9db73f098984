"""Helpers shared by the budget use cases: rows locked for a change, stated reasons, days as people read them."""

from __future__ import annotations

from sqlalchemy import select

from ...platform import clock, limits
from ...platform.database import lock_for_update
from ...platform.errors import ValidationFailed
from ...platform.extensions import db


def locked_row(model, object_id: int):
    """The row, locked for the change and read afresh (PostgreSQL; SQLite holds the write lock)."""
    return db.session.scalar(lock_for_update(select(model).where(model.id == object_id))
                             .execution_options(populate_existing=True))


def stated_reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > limits.STATEMENT:
        raise ValidationFailed.field("reason", message)
    return reason


def berlin_day(moment) -> str:
    return f"{moment.astimezone(clock.BERLIN):%d.%m.%Y}"

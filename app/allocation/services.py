"""Allocation use cases. Each flushes and writes an audit entry; the request edge commits.

Other domains read ceilings only through ``published_ceiling``.
"""

from __future__ import annotations

from sqlalchemy import select

from ..database import lock_for_update
from ..extensions import db
from .models import AllocationStatus, AllocationVersion, Ceiling


def published_ceiling(programme_id: int, kommune_id: int, *, lock: bool = False) -> Ceiling | None:
    """The Kommune's ceiling in the programme's currently published allocation version (None if none).

    ``lock=True`` locks the ceiling row (PostgreSQL ``FOR UPDATE``) for a check-then-book sequence.
    """
    statement = (
        select(Ceiling)
        .join(AllocationVersion)
        .where(AllocationVersion.programme_id == programme_id,
               AllocationVersion.status == AllocationStatus.PUBLISHED,
               Ceiling.kommune_id == kommune_id)
    )
    if lock:
        statement = lock_for_update(statement)
    return db.session.scalar(statement)

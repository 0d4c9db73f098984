"""Leader election with a lease row: only one scheduler process acts at a time.

``acquire(holder)`` is one atomic statement on both engines::

    UPDATE scheduler_leases SET holder = :me, expires_at = :now + LEASE, ...
     WHERE name = 'scheduler' AND (expires_at < :now OR holder = :me)

It takes an expired lease or renews one's own; one row changed = leader. The leader renews every
``SCHEDULER_RENEW_SECONDS`` (10 s) a lease of ``SCHEDULER_LEASE_SECONDS`` (30 s); a standby process
tries every ``SCHEDULER_STANDBY_POLL_SECONDS`` (5 s), so it takes over at most lease + poll
(35 s) after the leader's last renewal. Times come from ``app.platform.clock.now()``. Each call runs in its
own short transaction on its own connection, independent of any job's session.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from ..platform import clock
from ..platform.extensions import db
from .models import SchedulerLease

LEASE_NAME = "scheduler"
LEASE_SECONDS = 30
RENEW_SECONDS = 10
STANDBY_POLL_SECONDS = 5
_NEVER = datetime(2000, 1, 1, tzinfo=UTC)


def lease_seconds() -> float:
    return float(current_app.config.get("SCHEDULER_LEASE_SECONDS", LEASE_SECONDS))



def acquire(holder: str, name: str = LEASE_NAME, seconds: float | None = None) -> bool:
    """Take the lease if it is free or expired, or renew it if ``holder`` has it. True = leader."""
    now = clock.now()
    expires = now + timedelta(seconds=seconds if seconds is not None else lease_seconds())
    table = SchedulerLease.__table__
    for _attempt in range(2):
        with db.engine.begin() as conn:
            changed = conn.execute(
                update(table)
                .where(table.c.name == name, (table.c.expires_at < now) | (table.c.holder == holder))
                .values(holder=holder, expires_at=expires,
                        acquired_at=db.case((table.c.holder == holder, table.c.acquired_at), else_=now))
            ).rowcount
            if changed == 1:
                return True
            exists = conn.execute(select(table.c.name).where(table.c.name == name)).first()
            if exists is not None:
                return False
        try:  # first use: create the row (already expired), then try again
            with db.engine.begin() as conn:
                conn.execute(insert(table).values(name=name, holder="", acquired_at=_NEVER, expires_at=_NEVER))
        except IntegrityError:
            pass  # another process created it at the same moment
    return False


def release(holder: str, name: str = LEASE_NAME) -> bool:
    """Give the lease up (clean shutdown) so that a standby takes over at its next poll."""
    table = SchedulerLease.__table__
    with db.engine.begin() as conn:
        return conn.execute(update(table).where(table.c.name == name, table.c.holder == holder)
                            .values(expires_at=_NEVER)).rowcount == 1


def holds(holder: str, name: str = LEASE_NAME) -> bool:
    """Whether ``holder`` has an unexpired lease now (checked before each scheduled job)."""
    table = SchedulerLease.__table__
    with db.engine.connect() as conn:
        row = conn.execute(select(table.c.holder, table.c.expires_at).where(table.c.name == name)).first()
    return row is not None and row.holder == holder and row.expires_at > clock.now()


def current(name: str = LEASE_NAME) -> dict | None:
    """The lease as the jobs page shows it (holder, since, expires, active)."""
    table = SchedulerLease.__table__
    with db.engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.name == name)).first()
    if row is None or not row.holder:
        return None
    expires = row.expires_at
    return {"holder": row.holder, "acquired_at": row.acquired_at, "expires_at": expires,
            "active": expires > clock.now()}

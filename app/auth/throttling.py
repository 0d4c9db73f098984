"""Login throttling that a stranger cannot turn into a lockout of the real user.

Two counters of failed logins, each forgotten after ``LOGIN_WINDOW_MINUTES`` without a failure:

* per client address, over all accounts (password spraying): ``LOGIN_ADDRESS_FREE_FAILURES`` free;
* per typed e-mail address *together with* the client address (guessing one password):
  ``LOGIN_FREE_FAILURES`` free.

Past the free failures every further failure doubles the wait before the next attempt from that
client (``LOGIN_DELAY_SECONDS`` × 2^(n−1), at most ``LOGIN_MAX_DELAY_SECONDS``). There is no
account lock: failures from an attacker's address never delay the real user at another address.
The key is the typed text (hashed), never whether an account exists, so known and unknown e-mail
addresses are throttled alike and the answers do not reveal which exist. Keys are stored only as
SHA-256 (no client address or typed name in the table).
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..platform.database import lock_for_update
from ..platform.extensions import db
from .models import LoginThrottle

_TABLE = LoginThrottle.__table__
_CREATE = {name: maker(_TABLE).on_conflict_do_nothing(index_elements=[_TABLE.c.key])
           for name, maker in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}


def delay_seconds(failures: int, free: int, base: int, cap: int) -> int:
    """Wait after ``failures`` failures of which ``free`` cost nothing: doubling from ``base``, at most ``cap``."""
    over = failures - free
    if over <= 0:
        return 0
    return min(cap, base * 2 ** min(over - 1, 40))


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


FREE_FAILURES = ("LOGIN_ADDRESS_FREE_FAILURES", "LOGIN_FREE_FAILURES")  # config names, in the order of _keys


def _keys(email: str, client: str) -> tuple[str, str]:
    """The two counters of a login attempt: the client address's, the typed e-mail's from this client."""
    return _digest("address", client), _digest("account", email, client)


def wait_seconds(email: str, client: str, now: datetime) -> int:
    """Seconds this client must still wait before trying ``email`` again (0: it may try now)."""
    until = db.session.scalars(select(LoginThrottle.blocked_until)
                               .where(LoginThrottle.key.in_(_keys(email, client)))).all()
    latest = max((u for u in until if u is not None), default=None)
    return max(0, math.ceil((latest - now).total_seconds())) if latest is not None else 0


def record_failure(email: str, client: str, now: datetime) -> None:
    config = current_app.config
    window = timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])
    connection = db.session.connection()
    for key, free_setting in zip(_keys(email, client), FREE_FAILURES, strict=True):
        connection.execute(_CREATE[connection.dialect.name], {"key": key, "failures": 0, "last_failure_at": now})
        row = db.session.scalars(lock_for_update(select(LoginThrottle).where(LoginThrottle.key == key))
                                 .execution_options(populate_existing=True)).one()
        if row.failures and row.last_failure_at < now - window:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        wait = delay_seconds(row.failures, config[free_setting], config["LOGIN_DELAY_SECONDS"],
                             config["LOGIN_MAX_DELAY_SECONDS"])
        row.blocked_until = now + timedelta(seconds=wait) if wait else None


def record_success(email: str, client: str) -> None:
    """The account's counter for this client starts afresh; the address counter only decays (a login to
    one's own account must not reset a spraying budget)."""
    db.session.execute(_TABLE.delete().where(_TABLE.c.key == _keys(email, client)[1]))

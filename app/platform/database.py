"""Database behaviour that both engines need to be safe under concurrent writers.

SQLite: WAL, foreign keys, a busy timeout, and ``BEGIN IMMEDIATE`` for every transaction that
may write, so that a read-check-write sequence (a limit check followed by a booking) holds the
write lock from its first read. Read-only requests (GET/HEAD) begin deferred so that readers do
not queue behind each other. PostgreSQL: services lock the row they check a limit against with
``lock_for_update`` (``SELECT ... FOR UPDATE``; SQLite ignores it, and needs it not).
"""

from __future__ import annotations

import contextvars
import sqlite3
from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Engine, Enum, TypeDecorator, cast, event, func
from sqlalchemy.sql import Select

_read_only = contextvars.ContextVar("sqlite_read_only", default=False)


def mark_read_only(flag: bool) -> contextvars.Token:
    """Declare that the transactions of the current request/job only read (SQLite: BEGIN DEFERRED)."""
    return _read_only.set(flag)


def reset_read_only(token: contextvars.Token) -> None:
    _read_only.reset(token)


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_conn, _record) -> None:
    if isinstance(dbapi_conn, sqlite3.Connection):
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself
        for pragma in ("journal_mode=WAL", "busy_timeout=15000", "foreign_keys=ON", "synchronous=NORMAL"):
            dbapi_conn.execute("PRAGMA " + pragma)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN" if _read_only.get() else "BEGIN IMMEDIATE")


def lock_for_update(statement: Select) -> Select:
    """Row lock for a limit check on PostgreSQL; SQLite already holds the write lock (BEGIN IMMEDIATE)."""
    return statement.with_for_update()


def sum_cents(column):
    """SUM over a cents column that stays an integer on PostgreSQL (which returns numeric) and is 0 when empty."""
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


def db_enum(enum_class, length: int = 20) -> Enum:
    """A status/kind column storing the enum's *values* as plain strings (no native PostgreSQL enum type,
    so adding a member needs no type migration; the same schema on both engines)."""
    return Enum(enum_class, native_enum=False, length=length, values_callable=lambda cls: [m.value for m in cls])


class UTCDateTime(TypeDecorator):
    """A timezone-aware timestamp on both engines.

    PostgreSQL keeps the offset (``timestamptz``); SQLite stores text without one and hands back
    naive datetimes. This type stores UTC and always returns aware UTC datetimes, so comparisons
    with ``clock.now()`` and the ISO strings in the API (RFC 3339, with offset) are right everywhere.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use app.platform.clock.now() or an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

"""The one clock every deadline asks: ``today()`` and ``now()``.

Never call ``date.today()`` or ``datetime.now()`` elsewhere. The clock can be set
* by the config value ``FAKE_TODAY`` ("2022-06-15"): the demo shows the programme as it was that
  day (the time of day stays real), and
* in tests with ``freeze(datetime)`` (a context manager) for second-exact deadline checks.
Timestamps are timezone-aware UTC; dates are the calendar day in Europe/Berlin.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

BERLIN = ZoneInfo("Europe/Berlin")
_frozen: datetime | None = None


def _fake_today() -> date | None:
    if not has_app_context():
        return None
    value = current_app.config.get("FAKE_TODAY")
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def now() -> datetime:
    """The current moment, timezone-aware UTC."""
    if _frozen is not None:
        return _frozen
    real = datetime.now(UTC)
    fake_day = _fake_today()
    if fake_day is None:
        return real
    local_time = real.astimezone(BERLIN).time()
    return datetime.combine(fake_day, local_time, tzinfo=BERLIN).astimezone(UTC)


def today() -> date:
    """Today's date in Europe/Berlin."""
    return now().astimezone(BERLIN).date()


def end_of_day(day: date) -> datetime:
    """The last moment of a calendar day in Berlin (deadlines run to 23:59:59 local time)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=BERLIN).astimezone(UTC)


def set_frozen(moment: datetime | None) -> None:
    """Freeze the clock at ``moment`` (aware) or unfreeze with None. For tests and benchmarks."""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        raise ValueError("freeze needs a timezone-aware datetime")
    _frozen = moment.astimezone(UTC) if moment else None


@contextlib.contextmanager
def freeze(moment: datetime | date) -> Iterator[None]:
    """``with freeze(date(2023, 7, 1)):`` - a date freezes at noon Berlin time."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(12, 0), tzinfo=BERLIN)
    previous = _frozen
    set_frozen(moment)
    try:
        yield
    finally:
        set_frozen(previous)

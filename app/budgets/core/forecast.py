"""Spend forecast for a grant: will the recipient use the approved money by the deadline?

Background: money not spent by the end of the funding period (for this programme the last day an
expense may fall on was 30.06.2023) is lost to the recipient and, if already drawn, must be paid back
with interest (§ 49a VwVfG, see ``app.budgets.core.interest``). The forecast lets the administrator see a
shortfall early. It is a management aid, not a legal figure.

Conventions
-----------
* Input is a cumulative spend series ``[(day, cumulative cents), ...]`` with strictly ascending days,
  non-negative values and no day after ``today``. It is read as a step function: the value of a day
  holds until the next data point.
* **Pace** (:func:`forecast_spend`): the average daily increase over the last ``window_days`` *of data*,
  i.e. the window ends at the last data point ``L`` and starts at ``L - window_days``:
  ``pace = (value(L) - value(L - window_days)) / window_days``. If the series starts inside the window,
  the window starts at the first data point (the series is not assumed to start at 0: prepend
  ``(grant start, 0)`` for that). Exact (``Fraction``), never negative (a net decrease, e.g. a
  correction, gives pace 0). For daily data on a straight line the projection is exact.
  To treat days without data as days without spending, append ``(today, current)`` to the series.
* **Projection**: ``value(L) + pace × (deadline - L)`` rounded half up to whole cents; if the deadline
  is not after ``L``, the projection is the recorded value on the deadline. No data: projection 0.
* :func:`at_risk`: the projection is below ``threshold_percent`` of the approved amount (exact
  comparison; an approved amount of 0 is never at risk).
* :func:`straight_line`: the ideal cumulative spend when the money is spent evenly per calendar day,
  the value at the end of each day, reaching the total exactly on the deadline.

Pure and deterministic; integer cents out; never float.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from .checks import check_cents, check_date, round_half_up


@dataclass(frozen=True)
class Forecast:
    """The projected cumulative spend at the deadline and how it was derived."""

    today: date
    deadline: date
    as_of: date | None  # the last data point (None without data)
    current_cents: int  # cumulative spend at ``as_of`` (0 without data)
    window_start: date | None  # first day of the pace window (None without data)
    window_days: int  # length of the window actually used (0: no pace could be measured)
    pace_cents_per_day: Fraction
    projected_cents: int








def _validated_series(series: Sequence[tuple[date, int]], today: date) -> tuple[list[date], list[int]]:
    days: list[date] = []
    values: list[int] = []
    for index, point in enumerate(series, start=1):
        if not isinstance(point, tuple | list) or len(point) != 2:
            raise TypeError(f"Datenpunkt {index}: erwartet wird ein Paar (Datum, Cent).")
        day = check_date(point[0], f"Datenpunkt {index}: Datum")
        value = check_cents(point[1], f"Datenpunkt {index}: Betrag")
        if value < 0:
            raise ValueError(f"Datenpunkt {index} ({day:%d.%m.%Y}): die kumulierten Ausgaben sind negativ.")
        if day > today:
            raise ValueError(f"Datenpunkt {index} ({day:%d.%m.%Y}) liegt nach dem Stichtag {today:%d.%m.%Y}.")
        if days and day <= days[-1]:
            raise ValueError(
                f"Datenpunkt {index} ({day:%d.%m.%Y}): die Daten müssen nach Datum aufsteigend sortiert "
                "sein, ohne doppelte Tage."
            )
        days.append(day)
        values.append(value)
    return days, values


def _value_on(days: list[date], values: list[int], day: date) -> int:
    """The step-function value on ``day`` (0 before the first data point)."""
    index = bisect.bisect_right(days, day)
    return values[index - 1] if index else 0


def forecast_spend(
    daily_cumulative: Sequence[tuple[date, int]],
    *,
    today: date,
    deadline: date,
    window_days: int = 90,
) -> Forecast:
    """Project the cumulative spend at ``deadline`` from the recent pace (see the module conventions)."""
    check_date(today, "Stichtag")
    check_date(deadline, "Frist")
    if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 1:
        raise ValueError("window_days muss eine ganze Zahl ab 1 sein.")
    days, values = _validated_series(daily_cumulative, today)
    if not days:
        return Forecast(today, deadline, None, 0, None, 0, Fraction(0), 0)
    last_day, current = days[-1], values[-1]
    window_start = max(last_day - timedelta(days=window_days), days[0])
    span = (last_day - window_start).days
    pace = Fraction(0)
    if span > 0:
        pace = max(Fraction(current - _value_on(days, values, window_start), span), Fraction(0))
    if deadline <= last_day:
        projected = _value_on(days, values, deadline)
    else:
        projected = round_half_up(current + pace * (deadline - last_day).days)
    return Forecast(today, deadline, last_day, current, window_start, span, pace, projected)


def at_risk(forecast: Forecast, approved_cents: int, threshold_percent: Decimal = Decimal("90")) -> bool:
    """True when the projected spend is below ``threshold_percent`` % of the approved amount."""
    check_cents(approved_cents, "Bewilligter Betrag")
    if isinstance(threshold_percent, bool) or not isinstance(threshold_percent, Decimal | int):
        raise TypeError("threshold_percent muss ein Decimal sein (kein float).")
    if approved_cents < 0:
        raise ValueError("Der bewilligte Betrag darf nicht negativ sein.")
    if not Decimal(threshold_percent).is_finite() or threshold_percent < 0:
        raise ValueError("threshold_percent muss eine Zahl ab 0 sein.")
    if approved_cents == 0:
        return False
    return Fraction(forecast.projected_cents) < Fraction(approved_cents) * Fraction(threshold_percent) / 100


def straight_line(
    start: date,
    deadline: date,
    total_cents: int,
    days: Iterable[date] | None = None,
) -> list[tuple[date, int]]:
    """The ideal cumulative series for charts: ``total_cents`` spent evenly from ``start`` to ``deadline``.

    The value on day ``d`` is the ideal spend by the end of ``d``:
    ``total × (d - start + 1) / (deadline - start + 1)`` rounded half up; 0 before ``start`` and exactly
    ``total_cents`` from ``deadline`` on. ``days`` are the days to evaluate (default: every day from
    ``start`` to ``deadline``). The series is non-decreasing.
    """
    check_date(start, "Beginn")
    check_date(deadline, "Frist")
    check_cents(total_cents, "Gesamtbetrag")
    if deadline < start:
        raise ValueError(f"Die Frist ({deadline:%d.%m.%Y}) liegt vor dem Beginn ({start:%d.%m.%Y}).")
    if total_cents < 0:
        raise ValueError("Der Gesamtbetrag darf nicht negativ sein.")
    length = (deadline - start).days + 1
    if days is None:
        days = (start + timedelta(days=offset) for offset in range(length))
    series = []
    for day in days:
        check_date(day, "Tag")
        if day < start:
            value = 0
        elif day >= deadline:
            value = total_cents
        else:
            value = round_half_up(Fraction(total_cents * ((day - start).days + 1), length))
        series.append((day, value))
    return series

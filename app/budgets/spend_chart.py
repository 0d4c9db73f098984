"""Cumulative spend charts: actual eligible expenses vs the straight line to the deadline and the forecast.

Used by the Kommune start page, the Kommune page, the budget page of a grant and the reports. Each
chart comes with the same figures per month end for a table (text alternative).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext

from ..platform import clock
from ..platform.formatting import format_exact
from ..platform.web.charts import Series, line_chart
from . import status as budget_status
from .core.forecast import straight_line
from .core.posting import expenses_for_grant
from .models import Grant


@dataclass
class SpendChart:
    """A cumulative spend chart (expenses in cents) with the same figures as a table."""

    svg: object
    rows: list[dict] = field(default_factory=list)  # month end, actual, straight line, forecast
    target_cents: int = 0
    projected_cents: int | None = None
    deadline: date | None = None


def _month_ends(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        end = following - timedelta(days=1)
        days.append(min(end, last))
        day = following
    return days


def _value_on(points: list[tuple[date, int]], day: date) -> int:
    """The cumulative value on ``day``: that of the last point not after it (``points`` sorted by day)."""
    index = bisect_right(points, day, key=lambda p: p[0])
    return points[index - 1][1] if index else 0


def weekly(points: list[tuple[date, int]]) -> list[tuple[date, int]]:
    """The first point and the last point of each calendar week of cumulative ``points`` (sorted by day).

    The line is drawn from these: one point per day with expenses made the chart grow with the journal
    (up to ~1,460 points over a four-year grant at 1M lines, issue #19); at most one per week is at most
    ~3 px apart on the 610 px plot of four years, and the cumulative value at each week's end is exact.
    The table beside the chart still reads the daily points.
    """
    kept: list[tuple[date, int]] = []
    for point in points:
        if len(kept) > 1 and _week(kept[-1][0]) == _week(point[0]):
            kept[-1] = point
        else:
            kept.append(point)
    return kept


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def spend_chart(points: list[tuple[date, int]], *, start: date, deadline: date, target_cents: int,
                forecast, title: str) -> SpendChart:
    """Actual cumulative expenses vs the straight line from ``start`` to ``deadline`` and the forecast."""
    today = clock.today()
    actual = [(start, 0)] + [p for p in points if p[0] <= today]
    if actual[-1][0] < min(today, deadline):
        actual.append((min(today, deadline), actual[-1][1]))
    ideal = straight_line(start, deadline, max(target_cents, 0), days=[start, deadline])
    series = [Series(gettext("Ausgaben (kumuliert)"), weekly(actual)),
              Series(gettext("Gerade Linie zum Ziel"), ideal, dashed=True)]
    projected = None
    if forecast is not None and forecast.as_of is not None and today < deadline:
        projected = forecast.projected_cents
        series.append(Series(gettext("Prognose"), [(forecast.as_of, forecast.current_cents), (deadline, projected)],
                             dashed=True))
    markers = [(deadline, gettext("Frist %(day)s", day=f"{deadline:%d.%m.%Y}"))]
    if start < today < deadline:
        markers.append((today, gettext("heute")))
    svg = line_chart(series, title=title, value_label=short_eur, markers=markers)
    rows = []
    line_days = _month_ends(start, deadline)
    ideal_values = dict(straight_line(start, deadline, max(target_cents, 0), days=line_days))
    for day in line_days:
        past = day <= today
        rows.append({"day": day, "actual": _value_on(actual, day) if past else None, "ideal": ideal_values[day],
                     "forecast": projected if day == deadline and projected is not None else None})
    return SpendChart(svg, rows, target_cents, projected, deadline)


def short_eur(cents: int) -> str:
    euros = cents // 100
    if abs(euros) >= 1_000_000:  # 2,5 Mio. € / 1,25 Mio. € / 3 Mio. €: the axis ticks exactly, no rounding
        millions = (Decimal(euros) / 1_000_000).quantize(Decimal("0.01")).normalize()
        return f"{format_exact(millions)} Mio. €"
    if abs(euros) >= 1_000:
        return f"{euros // 1000} Tsd. €"
    return f"{euros} €"


def expenses_target(status: budget_status.GrantStatus) -> int:
    """The expenses needed to earn the whole approved grant (approved / funding rate), as ``at_risk`` uses."""
    return expenses_for_grant(status.total.approved, status.rate_bp)


def grant_spend_chart(grant: Grant, status: budget_status.GrantStatus) -> SpendChart:
    points = [(p["day"], p["spent_cents"]) for p in budget_status.daily_series(grant)]
    return spend_chart(points, start=grant.start_date, deadline=grant.last_expense_date,
                       target_cents=expenses_target(status), forecast=status.forecast,
                       title=gettext("Kumulierte förderfähige Ausgaben %(recipient)s", recipient=status.recipient))



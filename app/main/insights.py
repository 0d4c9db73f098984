"""Figures for the charts, the map and the Kommune pages, read through the domains' query functions.

Pure presentation: nothing here changes data. Each function issues few queries (the state-wide budget
status is two aggregate queries plus one for the forecasts; see ``app.budgets.status``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from .. import clock
from ..allocation.models import AllocationStatus, AllocationVersion, Ceiling
from ..budgets import status as budget_status
from ..budgets.forecast import straight_line
from ..budgets.models import ExpenseDaily, Grant, RecipientKind
from ..charts.svg import Series, bar_chart, line_chart
from ..database import sum_cents
from ..extensions import db
from ..grants.models import ParticipantCount
from ..money import format_eur, percent
from ..reference.models import Kommune
from ..reference.services import get_programme


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit: str  # "money", "percent", "flag", "count"
    staff_only: bool = True


MEASURES = {
    "hoechstgrenze": Measure("hoechstgrenze", "Zuwendungshöchstgrenze F1–F4", "money", staff_only=False),
    "ausschoepfung": Measure("ausschoepfung", "Ausschöpfung (verdiente Zuwendung je Bewilligung)", "percent"),
    "gefaehrdet": Measure("gefaehrdet", "Gefährdet (Prognose unter 90 % der Bewilligung)", "flag"),
    "teilnehmende": Measure("teilnehmende", "Erreichte Teilnehmende (Eintritte)", "count"),
}

# Categorical measures: {value: (colour, legend label)}; colours meet 3:1 against white and each other.
CATEGORIES = {"gefaehrdet": {0: ("#a9c6e4", "nicht gefährdet"), 1: ("#c2410c", "gefährdet")}}


def measures_for(is_staff: bool) -> list[Measure]:
    """Kommune users see only the published ceilings (public figures), never another Kommune's details."""
    return [m for m in MEASURES.values() if is_staff or not m.staff_only]


def format_measure(measure: Measure, value: int | None) -> str:
    if value is None:
        return "keine Daten"
    if measure.unit == "money":
        return format_eur(value)
    if measure.unit == "percent":
        return f"{Decimal(value) / 10:.1f}".replace(".", ",") + "\u00a0%"
    if measure.unit == "flag":
        return "gefährdet" if value else "nicht gefährdet"
    return f"{value:,}".replace(",", ".")


def published_ceilings() -> dict[str, tuple[str, int]]:
    """{ags: (name, ceiling cents)} of the programme's published allocation version (one query)."""
    programme = get_programme()
    rows = db.session.execute(
        select(Kommune.ags, Kommune.name, Ceiling.ceiling_cents)
        .join(Ceiling, Ceiling.kommune_id == Kommune.id)
        .join(AllocationVersion, AllocationVersion.id == Ceiling.version_id)
        .where(AllocationVersion.programme_id == programme.id, AllocationVersion.status == AllocationStatus.PUBLISHED)
        .order_by(Kommune.ags))
    return {ags: (name.split(",")[0], cents) for ags, name, cents in rows}


def kommune_names() -> dict[str, str]:
    return {ags: name.split(",")[0] for ags, name in db.session.execute(select(Kommune.ags, Kommune.name))}


def kommune_statuses(*, with_forecast: bool = True) -> dict[str, budget_status.GrantStatus]:
    """Budget status of every Kommune grant by AGS."""
    ags_by_id = dict(db.session.execute(select(Kommune.id, Kommune.ags)).all())
    return {ags_by_id[s.kommune_id]: s for s in budget_status.status_for(with_forecast=with_forecast)
            if s.kommune_id in ags_by_id}


def measure_values(key: str) -> dict[str, int | None]:
    """{ags: integer value} for the map (percent in tenths, flags 0/1, money in cents)."""
    if key == "hoechstgrenze":
        return {ags: cents for ags, (_name, cents) in published_ceilings().items()}
    if key in ("ausschoepfung", "gefaehrdet"):
        statuses = kommune_statuses(with_forecast=key == "gefaehrdet")
        if key == "gefaehrdet":
            return {ags: int(s.at_risk) for ags, s in statuses.items()}
        return {ags: int(s.total.share_used * 10) if s.total.share_used is not None else None
                for ags, s in statuses.items()}
    if key == "teilnehmende":
        rows = db.session.execute(select(Kommune.ags, func.sum(ParticipantCount.entered))
                                  .join(Kommune, Kommune.id == ParticipantCount.kommune_id)
                                  .group_by(Kommune.ags))
        return {ags: int(total or 0) for ags, total in rows}
    raise KeyError(key)


# --------------------------------------------------------------------------- cumulative spend charts


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
    value = 0
    for when, cumulative in points:
        if when > day:
            break
        value = cumulative
    return value


def spend_chart(points: list[tuple[date, int]], *, start: date, deadline: date, target_cents: int,
                forecast, title: str) -> SpendChart:
    """Actual cumulative expenses vs the straight line from ``start`` to ``deadline`` and the forecast."""
    today = clock.today()
    actual = [(start, 0)] + [p for p in points if p[0] <= today]
    if actual[-1][0] < min(today, deadline):
        actual.append((min(today, deadline), actual[-1][1]))
    ideal = straight_line(start, deadline, max(target_cents, 0), days=[start, deadline])
    series = [Series("Ausgaben (kumuliert)", actual), Series("Gerade Linie zum Ziel", ideal, dashed=True)]
    projected = None
    if forecast is not None and forecast.as_of is not None and today < deadline:
        projected = forecast.projected_cents
        series.append(Series("Prognose", [(forecast.as_of, forecast.current_cents), (deadline, projected)],
                             dashed=True))
    markers = [(deadline, f"Frist {deadline:%d.%m.%Y}")]
    if start < today < deadline:
        markers.append((today, "heute"))
    svg = line_chart(series, title=title, value_label=_short_eur, markers=markers)
    rows = []
    line_days = _month_ends(start, deadline)
    ideal_values = dict(straight_line(start, deadline, max(target_cents, 0), days=line_days))
    for day in line_days:
        past = day <= today
        rows.append({"day": day, "actual": _value_on(actual, day) if past else None, "ideal": ideal_values[day],
                     "forecast": projected if day == deadline and projected is not None else None})
    return SpendChart(svg, rows, target_cents, projected, deadline)


def _short_eur(cents: int) -> str:
    euros = cents // 100
    if abs(euros) >= 1_000_000:
        return f"{Decimal(euros) / 1_000_000:.1f}".replace(".", ",") + " Mio. €"
    if abs(euros) >= 1_000:
        return f"{euros // 1000} Tsd. €"
    return f"{euros} €"


def _expenses_target(status: budget_status.GrantStatus) -> int:
    """The expenses needed to earn the whole approved grant (approved / funding rate), as ``at_risk`` uses."""
    return -(-status.total.approved * 10000 // status.rate_bp) if status.rate_bp else status.total.approved


def grant_spend_chart(grant: Grant, status: budget_status.GrantStatus) -> SpendChart:
    points = [(p["day"], p["spent_cents"]) for p in budget_status.daily_series(grant)]
    return spend_chart(points, start=grant.start_date, deadline=grant.last_expense_date,
                       target_cents=_expenses_target(status), forecast=status.forecast,
                       title=f"Kumulierte förderfähige Ausgaben {status.recipient}")


def statewide_spend_chart(statuses: list[budget_status.GrantStatus]) -> SpendChart | None:
    """All Kommune grants together: summed daily expenses, summed straight line target and forecast."""
    if not statuses:
        return None
    grants = db.session.execute(select(Grant.start_date, Grant.last_expense_date)
                                .where(Grant.recipient_kind == RecipientKind.KOMMUNE)).all()
    start = min(g[0] for g in grants) if grants else date(2020, 7, 1)
    deadline = max(g[1] for g in grants) if grants else get_programme().last_expense_date
    by_day: dict[date, int] = defaultdict(int)
    for day, cents in db.session.execute(select(ExpenseDaily.day, sum_cents(ExpenseDaily.amount_cents))
                                         .join(Grant, Grant.id == ExpenseDaily.grant_id)
                                         .where(Grant.recipient_kind == RecipientKind.KOMMUNE)
                                         .group_by(ExpenseDaily.day)):
        by_day[day] += cents
    running, points = 0, []
    for day in sorted(by_day):
        running += by_day[day]
        points.append((day, running))
    forecast = _sum_forecasts([s.forecast for s in statuses if s.forecast is not None])
    return spend_chart(points, start=start, deadline=deadline, target_cents=sum(_expenses_target(s) for s in statuses),
                       forecast=forecast, title="Kumulierte förderfähige Ausgaben landesweit (Kommunen)")


@dataclass(frozen=True)
class _Forecast:
    as_of: date | None
    current_cents: int
    projected_cents: int


def _sum_forecasts(forecasts) -> _Forecast | None:
    dated = [f for f in forecasts if f.as_of is not None]
    if not dated:
        return None
    return _Forecast(max(f.as_of for f in dated), sum(f.current_cents for f in dated),
                     sum(f.projected_cents for f in dated))


def allocation_chart(limit: int | None = None, highlight_ags: str | None = None):
    """Bar chart of the published ceilings (largest first) and its rows."""
    ceilings = published_ceilings()
    rows = sorted(((name, cents, ags) for ags, (name, cents) in ceilings.items()), key=lambda r: (-r[1], r[0]))
    total = sum(r[1] for r in rows)
    shown = rows[:limit] if limit else rows
    highlight = {name for name, _c, ags in shown if ags == highlight_ags}
    svg = bar_chart([(name, cents) for name, cents, _ags in shown], title="Zuwendungshöchstgrenzen je Kommune",
                    value_label=_short_eur, highlight=highlight)
    return svg, [{"ags": ags, "name": name, "cents": cents, "share": percent(cents, total)}
                 for name, cents, ags in rows], total

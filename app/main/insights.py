"""Figures for the charts, the map and the Kommune pages, read through the domains' query functions.

Pure presentation: nothing here changes data. Each function issues few queries (the state-wide budget
status is two aggregate queries plus one for the forecasts; see ``app.budgets.status``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext, lazy_gettext
from sqlalchemy import func, select

from ..allocation.models import AllocationStatus, AllocationVersion, Ceiling
from ..budgets import status as budget_status
from ..budgets.models import ExpensePeriod, Grant, RecipientKind, period_end
from ..budgets.spend_chart import SpendChart, expenses_target, grant_spend_chart, short_eur, spend_chart
from ..grants.models import ParticipantCount
from ..platform import clock
from ..platform.database import sum_cents
from ..platform.extensions import db
from ..platform.formatting import format_decimal, format_percent
from ..platform.money import format_eur, percent
from ..platform.web.charts import bar_chart
from ..reference.models import Kommune, kommune_display_name
from ..reference.services import get_programme


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit: str  # "money", "percent", "flag", "count"
    staff_only: bool = True


MEASURES = {
    "hoechstgrenze": Measure("hoechstgrenze", lazy_gettext("Zuwendungshöchstgrenze F1–F4"), "money", staff_only=False),
    "ausschoepfung": Measure("ausschoepfung", lazy_gettext("Ausschöpfung (verdiente Zuwendung je Bewilligung)"),
                             "percent"),
    "gefaehrdet": Measure("gefaehrdet", lazy_gettext("Gefährdet (Prognose unter %(share)s der Bewilligung)",
                                                     share="90 %"), "flag"),
    "teilnehmende": Measure("teilnehmende", lazy_gettext("Erreichte Teilnehmende (Eintritte)"), "count"),
}

# Categorical measures: {value: (colour, legend label)}; colours meet 3:1 against white and each other.
CATEGORIES = {"gefaehrdet": {0: ("#a9c6e4", lazy_gettext("nicht gefährdet")),
                             1: ("#c2410c", lazy_gettext("gefährdet"))}}


def measures_for(is_staff: bool) -> list[Measure]:
    """Kommune users see only the published ceilings (public figures), never another Kommune's details."""
    return [m for m in MEASURES.values() if is_staff or not m.staff_only]


def format_measure(measure: Measure, value: int | None) -> str:
    if value is None:
        return gettext("keine Daten")
    if measure.unit == "money":
        return format_eur(value)
    if measure.unit == "percent":
        return format_percent(Decimal(value) / 10, 1)
    if measure.unit == "flag":
        return gettext("gefährdet") if value else gettext("nicht gefährdet")
    return format_decimal(value, 0)


def published_ceilings() -> dict[str, tuple[str, int]]:
    """{ags: (name, ceiling cents)} of the programme's published allocation version (one query)."""
    programme = get_programme()
    rows = db.session.execute(
        select(Kommune.ags, Kommune.name, Kommune.kind, Ceiling.ceiling_cents)
        .join(Ceiling, Ceiling.kommune_id == Kommune.id)
        .join(AllocationVersion, AllocationVersion.id == Ceiling.version_id)
        .where(AllocationVersion.programme_id == programme.id, AllocationVersion.status == AllocationStatus.PUBLISHED)
        .order_by(Kommune.ags))
    return {ags: (kommune_display_name(name, kind), cents) for ags, name, kind, cents in rows}


def kommune_names() -> dict[str, str]:
    return {ags: kommune_display_name(name, kind)
            for ags, name, kind in db.session.execute(select(Kommune.ags, Kommune.name, Kommune.kind))}


def kommune_grant_statuses(*, with_forecast: bool = True) -> list[tuple[str, budget_status.GrantStatus]]:
    """(AGS, budget status) of every Kommune grant.

    A Kommune may hold more than one grant (F1–F4 and F6 are separate decisions), so this is a list and
    never a mapping by AGS: keyed by AGS, one of a Kommune's grants silently replaced the other, and the
    state-wide sums left out every F1–F4 grant of a Kommune that also held an F6 grant.
    """
    ags_by_id = dict(db.session.execute(select(Kommune.id, Kommune.ags)).all())
    return [(ags_by_id[s.kommune_id], s) for s in budget_status.status_for(with_forecast=with_forecast)
            if s.kommune_id in ags_by_id]


def per_kommune(statuses: list[tuple[str, budget_status.GrantStatus]]) -> dict[str, tuple[budget_status.Figures, bool]]:
    """{AGS: (the figures of all its grants added up, whether any of them is at risk)}."""
    combined: dict[str, tuple[budget_status.Figures, bool]] = {}
    for ags, status in statuses:
        figures, at_risk = combined.get(ags, (budget_status.Figures(), False))
        figures.add(status.total)
        combined[ags] = (figures, at_risk or status.at_risk)
    return combined


def measure_values(key: str) -> dict[str, int | None]:
    """{ags: integer value} for the map (percent in tenths, flags 0/1, money in cents)."""
    if key == "hoechstgrenze":
        return {ags: cents for ags, (_name, cents) in published_ceilings().items()}
    if key in ("ausschoepfung", "gefaehrdet"):
        combined = per_kommune(kommune_grant_statuses(with_forecast=key == "gefaehrdet"))
        if key == "gefaehrdet":
            return {ags: int(at_risk) for ags, (_figures, at_risk) in combined.items()}
        return {ags: int(figures.share_used * 10) if figures.share_used is not None else None
                for ags, (figures, _at_risk) in combined.items()}
    if key == "teilnehmende":
        rows = db.session.execute(select(Kommune.ags, func.sum(ParticipantCount.entered))
                                  .join(Kommune, Kommune.id == ParticipantCount.kommune_id)
                                  .group_by(Kommune.ags))
        return {ags: int(total or 0) for ags, total in rows}
    raise KeyError(key)


def statewide_spend_chart(statuses: list[budget_status.GrantStatus]) -> SpendChart | None:
    """All Kommune grants together: summed daily expenses, summed straight line target and forecast."""
    if not statuses:
        return None
    grants = db.session.execute(select(Grant.start_date, Grant.last_expense_date)
                                .where(Grant.recipient_kind == RecipientKind.KOMMUNE)).all()
    start = min(g[0] for g in grants) if grants else date(2020, 7, 1)
    deadline = max(g[1] for g in grants) if grants else get_programme().last_expense_date
    # Per period (a week split at month ends, ``expense_periods``), each point on the period's last day or
    # today: exact at every week's and month's end, which is all the line and the table read.
    today = clock.today()
    running, points = 0, []
    for period, cents in db.session.execute(select(ExpensePeriod.start, sum_cents(ExpensePeriod.amount_cents))
                                            .join(Grant, Grant.id == ExpensePeriod.grant_id)
                                            .where(Grant.recipient_kind == RecipientKind.KOMMUNE)
                                            .group_by(ExpensePeriod.start).order_by(ExpensePeriod.start)):
        running += cents
        points.append((min(period_end(period), max(today, period)), running))
    forecast = _sum_forecasts([s.forecast for s in statuses if s.forecast is not None])
    return spend_chart(points, start=start, deadline=deadline, target_cents=sum(expenses_target(s) for s in statuses),
                       forecast=forecast, title=gettext("Kumulierte förderfähige Ausgaben landesweit (Kommunen)"))


__all__ = ["SpendChart", "grant_spend_chart"]


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
    svg = bar_chart([(name, cents) for name, cents, _ags in shown], title=gettext("Zuwendungshöchstgrenzen je Kommune"),
                    value_label=short_eur, highlight=highlight)
    return svg, [{"ags": ags, "name": name, "cents": cents, "share": percent(cents, total)}
                 for name, cents, ags in rows], total

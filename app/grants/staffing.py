"""F6 Teilhabemanagement: the money rules of an F6 application and its staffing reports, pure (no DB, no Flask).

Units: positions in halves (the published positions), staffing in hundredths of a full-time equivalent
(``centi``: 1.5 FTE = 150), money in cents, rates in basis points. The rules (docs/f6.md):

* **Planned eligible costs** = cost per FTE-month x FTE applied for x months of the F6 period;
* **eligible cap** (what staffing allows) = cost per FTE-month x Σ over the months of the period of the FTE
  filled, each month at most the FTE approved; a month without a report counts as unfilled (0). So every
  unfilled or partly filled month reduces the cap by exactly its unfilled part, and a fully staffed period
  gives the planned costs;
* both are one exact sum rounded once, half up, to whole cents, then split over the budget years by the
  FTE-months in each year (largest remainder, ties by the earlier year), so the years add up to the total.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from ..budgets.core.posting import earned_grant
from ..platform.money import split_largest_remainder

CENTI_PER_HALF = 50  # half a position = 0.50 FTE


def months_of(start: date, end: date) -> list[date]:
    """The first days of the calendar months from ``start``'s month to ``end``'s month (inclusive)."""
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def _round_half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def eligible_by_year(months: list[date], approved_halves: int, monthly_cost_cents: int,
                     filled_centi: Mapping[date, int]) -> dict[int, int]:
    """Eligible costs (cents) per budget year that staffing allows: the cap (see the module docstring).

    ``filled_centi`` maps a month (its first day) to the FTE filled in hundredths; months of the period not in
    it count as unfilled; months outside the period are ignored; a month above the approved FTE counts at the
    approved FTE (a vacancy elsewhere is not made up by overstaffing).
    """
    if approved_halves < 0 or monthly_cost_cents < 0 or any(v < 0 for v in filled_centi.values()):
        raise ValueError("negative input")
    approved_centi = approved_halves * CENTI_PER_HALF
    centi_months: dict[int, int] = {}
    for month in months:
        counted = min(filled_centi.get(month, 0), approved_centi)
        centi_months[month.year] = centi_months.get(month.year, 0) + counted
    years = sorted(centi_months)
    total = _round_half_up(monthly_cost_cents * sum(centi_months.values()), 100)
    weights = [centi_months[y] for y in years]
    if not any(weights):
        return dict.fromkeys(years, 0)
    return dict(zip(years, split_largest_remainder(total, weights, tie_break=years), strict=True))


def planned_by_year(months: list[date], approved_halves: int, monthly_cost_cents: int) -> dict[int, int]:
    """Planned eligible costs per budget year: the cap of a fully staffed period."""
    full = approved_halves * CENTI_PER_HALF
    return eligible_by_year(months, approved_halves, monthly_cost_cents, dict.fromkeys(months, full))


def grant_by_year(planned: Mapping[int, int], rate_bp: int) -> dict[int, int]:
    """The grant per budget year: rate x the planned total (the ledger's rounding, once), split over the years
    by their planned costs (largest remainder, ties by the earlier year)."""
    years = sorted(planned)
    total = earned_grant(sum(planned.values()), rate_bp)
    if not any(planned.values()):
        return dict.fromkeys(years, 0)
    return dict(zip(years, split_largest_remainder(total, [planned[y] for y in years], tie_break=years), strict=True))

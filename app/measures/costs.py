"""Costs per place, per teaching hour and per participant of a measure (pure: no database, no Flask).

Decisions (docs/measures.md):
- **Teaching hours** = weekly hours × the weeks the measure runs, counted as weeks begun:
  ``ceil(days / 7)`` over its period, both days included (a course of five days is one week; a year from
  01.02. to 31.01. is 53 weeks begun). One rule, never zero weeks for a period of at least one day.
- **Cost per unit** = cost so far ÷ units as ``Decimal``, rounded half up to whole cents; ``None`` (shown
  "–") when there are no units (no places, no hours, no participants reported): never a division by zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal


def weeks(start: date, end: date) -> int:
    """The weeks begun between ``start`` and ``end`` (both included); 0 for an empty period."""
    days = (end - start).days + 1
    return -(-days // 7) if days > 0 else 0


def teaching_hours(weekly_hours: int, start: date, end: date) -> int:
    return weekly_hours * weeks(start, end)


def per_unit(cents: int, units: int) -> int | None:
    """``cents / units`` in whole cents, rounded half up (Decimal); None when ``units`` is 0."""
    if units <= 0:
        return None
    return int((Decimal(cents) / Decimal(units)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Figures:
    spent_cents: int
    places: int
    participants: int
    teaching_hours: int
    per_place_cents: int | None
    per_hour_cents: int | None
    per_participant_cents: int | None


def figures(spent_cents: int | None, *, places: int, participants: int, weekly_hours: int, start: date,
            end: date) -> Figures:
    spent = spent_cents or 0
    hours = teaching_hours(weekly_hours, start, end)
    return Figures(spent, places, participants, hours, per_unit(spent, places), per_unit(spent, hours),
                   per_unit(spent, participants))

"""The rules of the interim proof (Zwischennachweis) as a pure core: no database, no Flask.

* An interim proof is due for every budget year of a Kommune grant with an approved line, except the
  year of the last expense date (that year is covered by the proof of use, Verwendungsnachweis).
* It is due on a day of the *following* year set in the programme file (``[settings] interim_proof_due =
  "06-30"``, month and day); it can be submitted from 1 January of that following year.
* The figures of a year are the sums of that year's ledger lines over all modules (exact cents).
* Reminders go out exactly 30 and 7 days before the due day; a proof not submitted by the due day is late
  from the day after (and stays marked late when it comes in afterwards).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

DEFAULT_DUE = "06-30"  # the programme file's interim_proof_due when it names none
REMINDER_DAYS = (30, 7)


def due_date(year: int, setting: str | None = None) -> date:
    """The due day of the interim proof for budget ``year``: ``setting`` ("MM-DD") of the following year."""
    month, day = (int(part) for part in (setting or DEFAULT_DUE).split("-"))
    return date(year + 1, month, day)


def required_years(line_years: Iterable[int], last_expense_date: date) -> list[int]:
    """The budget years that need an interim proof: those with an approved line before the final year."""
    return sorted({year for year in line_years if year < last_expense_date.year})


def open_for_submission(year: int, today: date) -> bool:
    """A year's interim proof can be submitted once the year is over."""
    return today.year > year


def reminder_days(due: date, today: date) -> int | None:
    """Days left when a reminder is due today (30 or 7), else None."""
    left = (due - today).days
    return left if left in REMINDER_DAYS else None


def is_late(due: date, today: date, first_submitted_on: date | None) -> bool:
    """Late: not submitted by the due day (from the day after), or first submitted after it."""
    if first_submitted_on is not None:
        return first_submitted_on > due
    return today > due


@dataclass(frozen=True)
class YearFigures:
    """One budget year's figures of a grant (cents): approved, paid, eligible expenses, grant earned."""

    year: int
    approved_cents: int = 0
    paid_cents: int = 0
    expenses_cents: int = 0
    earned_cents: int = 0


def year_figures(lines: Iterable, year: int) -> YearFigures:
    """The sums of the lines (``LineFigures`` of app.budgets: module, year and the four amounts) of ``year``."""
    approved = paid = expenses = earned = 0
    for line in lines:
        if line.year == year:
            approved += line.approved_cents
            paid += line.paid_cents
            expenses += line.expenses_cents
            earned += line.earned_cents
    return YearFigures(year, approved, paid, expenses, earned)

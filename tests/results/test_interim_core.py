"""The pure rules of the interim proof: due day, years, reminders, lateness, the year's sums (property tests)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.budgets.core.final_grant import LineFigures
from app.results import interim

cents = st.integers(min_value=0, max_value=10**12)
lines = st.lists(st.builds(LineFigures, st.sampled_from(["F1", "F2", "F3", "F4"]), st.integers(2020, 2023), cents,
                           cents, cents, cents), max_size=20)


def test_due_date_is_the_setting_in_the_following_year():
    assert interim.due_date(2021) == date(2022, 6, 30)
    assert interim.due_date(2021, "03-31") == date(2022, 3, 31)


def test_the_final_year_needs_no_interim_proof():
    assert interim.required_years([2023, 2020, 2021, 2021, 2022], date(2023, 6, 30)) == [2020, 2021, 2022]


@given(lines)
def test_the_years_add_up_to_the_grant_exactly(lines):
    years = [interim.year_figures(lines, year) for year in range(2020, 2024)]
    assert sum(y.approved_cents for y in years) == sum(line.approved_cents for line in lines)
    assert sum(y.paid_cents for y in years) == sum(line.paid_cents for line in lines)
    assert sum(y.expenses_cents for y in years) == sum(line.expenses_cents for line in lines)
    assert sum(y.earned_cents for y in years) == sum(line.earned_cents for line in lines)


@given(st.dates(date(2021, 1, 1), date(2024, 12, 31)), st.integers(-60, 60))
def test_reminders_only_on_the_thresholds(due, offset):
    today = due - timedelta(days=offset)
    assert interim.reminder_days(due, today) == (offset if offset in (30, 7) else None)


@given(st.dates(date(2021, 1, 1), date(2024, 12, 31)), st.integers(-30, 30), st.none() | st.integers(-30, 30))
def test_late_means_after_the_due_day(due, today_offset, submitted_offset):
    today = due + timedelta(days=today_offset)
    submitted = None if submitted_offset is None else due + timedelta(days=submitted_offset)
    late = interim.is_late(due, today, submitted)
    assert late == (submitted > due if submitted is not None else today > due)


def test_submission_opens_after_the_year():
    assert not interim.open_for_submission(2021, date(2021, 12, 31))
    assert interim.open_for_submission(2021, date(2022, 1, 1))

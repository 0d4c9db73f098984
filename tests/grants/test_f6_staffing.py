"""The F6 staffing rule (app/grants/staffing.py) as properties: unfilled months reduce the eligible costs."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from app.grants import staffing
from app.platform.money import split_largest_remainder

MONTHS = staffing.months_of(date(2021, 1, 1), date(2023, 6, 30))
halves = st.integers(min_value=1, max_value=20)
cost = st.integers(min_value=1, max_value=2_000_000)


@st.composite
def reports(draw, approved_halves):
    chosen = draw(st.lists(st.sampled_from(MONTHS), unique=True))
    return {m: draw(st.integers(min_value=0, max_value=approved_halves * 60)) for m in chosen}


def test_the_period_has_its_calendar_months():
    assert len(MONTHS) == 30 and MONTHS[0] == date(2021, 1, 1) and MONTHS[-1] == date(2023, 6, 1)
    assert staffing.months_of(date(2022, 12, 31), date(2023, 1, 1)) == [date(2022, 12, 1), date(2023, 1, 1)]


@given(halves, cost, st.data())
def test_the_cap_never_exceeds_the_plan_and_a_full_period_is_the_plan(approved, monthly, data):
    filled = data.draw(reports(approved))
    planned = staffing.planned_by_year(MONTHS, approved, monthly)
    cap = staffing.eligible_by_year(MONTHS, approved, monthly, filled)
    assert set(cap) == set(planned) == {2021, 2022, 2023}
    assert sum(cap.values()) <= sum(planned.values())
    full = dict.fromkeys(MONTHS, approved * staffing.CENTI_PER_HALF)
    assert staffing.eligible_by_year(MONTHS, approved, monthly, full) == planned


@given(halves, cost, st.data())
def test_an_unfilled_month_reduces_the_cap_by_its_unfilled_part(approved, monthly, data):
    """Total cap = cost per FTE-month × Σ min(filled, approved) over the months, rounded once (half up)."""
    filled = data.draw(reports(approved))
    counted = sum(min(filled.get(m, 0), approved * staffing.CENTI_PER_HALF) for m in MONTHS)
    total = sum(staffing.eligible_by_year(MONTHS, approved, monthly, filled).values())
    assert abs(total * 100 - monthly * counted) <= 50  # exact to the half cent


@given(halves, cost, st.data(), st.sampled_from(MONTHS), st.integers(min_value=0, max_value=40))
def test_filling_more_never_lowers_the_cap(approved, monthly, data, month, more):
    filled = data.draw(reports(approved))
    more_filled = {**filled, month: filled.get(month, 0) + more}
    assert sum(staffing.eligible_by_year(MONTHS, approved, monthly, more_filled).values()) >= \
        sum(staffing.eligible_by_year(MONTHS, approved, monthly, filled).values())


@given(halves, cost, st.data())
def test_overstaffing_one_month_never_makes_up_for_another(approved, monthly, data):
    filled = data.draw(reports(approved))
    capped = {m: min(v, approved * staffing.CENTI_PER_HALF) for m, v in filled.items()}
    assert staffing.eligible_by_year(MONTHS, approved, monthly, filled) == \
        staffing.eligible_by_year(MONTHS, approved, monthly, capped)


@given(st.dictionaries(st.sampled_from([2021, 2022, 2023]), st.integers(min_value=0, max_value=10**9), min_size=1),
       st.integers(min_value=1, max_value=10_000))
def test_the_grant_per_year_adds_up_to_rate_times_the_plan(planned, rate):
    lines = staffing.grant_by_year(planned, rate)
    total = sum(planned.values())
    assert sum(lines.values()) == (2 * total * rate + 10_000) // 20_000
    if total:
        years = sorted(planned)
        assert [lines[y] for y in years] == split_largest_remainder(sum(lines.values()),
                                                                    [planned[y] for y in years], tie_break=years)

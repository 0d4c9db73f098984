"""Spend forecast: projection from the recent pace, the at-risk flag, the ideal straight line."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.budgets.core.forecast import Forecast, at_risk, forecast_spend, straight_line

D0 = date(2021, 1, 1)


def day(offset: int) -> date:
    return D0 + timedelta(days=offset)


@given(
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=2, max_value=400),
    st.integers(min_value=1, max_value=200),
    st.integers(min_value=0, max_value=800),
)
def test_linear_data_projects_exactly(level: int, slope: int, length: int, window: int, ahead: int) -> None:
    series = [(day(i), level + slope * i) for i in range(length)]
    today = day(length - 1)
    deadline = today + timedelta(days=ahead)
    forecast = forecast_spend(series, today=today, deadline=deadline, window_days=window)
    assert forecast.pace_cents_per_day == slope
    assert forecast.projected_cents == level + slope * (length - 1 + ahead)


def test_hand_example_uses_the_last_window_of_data() -> None:
    # Spend 1,000 EUR a day for 200 days, then 500 EUR a day for the last 90 days (days 200..290).
    series = [(day(i), 100_000 * i) for i in range(201)]
    series += [(day(200 + i), 20_000_000 + 50_000 * i) for i in range(1, 91)]
    # window: day 290 back to day 200 -> (24,500,000 - 20,000,000) / 90 = 50,000 cents a day
    forecast = forecast_spend(series, today=day(300), deadline=day(310), window_days=90)
    assert forecast.as_of == day(290)
    assert forecast.window_start == day(200) and forecast.window_days == 90
    assert forecast.pace_cents_per_day == 50_000
    assert forecast.current_cents == 24_500_000
    assert forecast.projected_cents == 24_500_000 + 20 * 50_000  # projected from the last data point


def test_sparse_data_reads_the_series_as_steps() -> None:
    # points on day 0 (0), day 50 (3,000.00 EUR), day 100 (6,000.00 EUR); window 60 days from day 100
    # starts on day 40, where the step value is still 0: pace = 600,000 / 60 = 10,000 cents a day.
    series = [(day(0), 0), (day(50), 300_000), (day(100), 600_000)]
    forecast = forecast_spend(series, today=day(100), deadline=day(130), window_days=60)
    assert forecast.pace_cents_per_day == 10_000
    assert forecast.projected_cents == 900_000


def test_series_starting_inside_the_window_is_measured_from_its_first_point() -> None:
    series = [(day(0), 100_000), (day(10), 130_000)]
    forecast = forecast_spend(series, today=day(10), deadline=day(13))
    assert forecast.window_start == day(0) and forecast.window_days == 10
    assert forecast.pace_cents_per_day == 3_000
    assert forecast.projected_cents == 139_000


def test_no_data_projects_current() -> None:
    forecast = forecast_spend([], today=day(0), deadline=day(100))
    assert forecast == Forecast(day(0), day(100), None, 0, None, 0, Fraction(0), 0)
    assert forecast.projected_cents == forecast.current_cents


def test_single_point_projects_current() -> None:
    forecast = forecast_spend([(day(5), 12_345)], today=day(5), deadline=day(100))
    assert forecast.pace_cents_per_day == 0
    assert forecast.projected_cents == 12_345


def test_decrease_gives_pace_zero() -> None:
    forecast = forecast_spend([(day(0), 50_000), (day(10), 40_000)], today=day(10), deadline=day(40))
    assert forecast.pace_cents_per_day == 0
    assert forecast.projected_cents == 40_000


def test_deadline_before_last_data_point_gives_the_recorded_value() -> None:
    series = [(day(0), 0), (day(10), 1_000), (day(20), 2_000)]
    assert forecast_spend(series, today=day(20), deadline=day(15)).projected_cents == 1_000
    assert forecast_spend(series, today=day(20), deadline=day(-1)).projected_cents == 0


def test_fractional_pace_rounds_half_up() -> None:
    # pace 1/2 cent a day; 3 days ahead: 10 + 1.5 -> 12
    forecast = forecast_spend([(day(0), 9), (day(2), 10)], today=day(2), deadline=day(5))
    assert forecast.pace_cents_per_day == Fraction(1, 2)
    assert forecast.projected_cents == 12


@given(
    st.lists(st.integers(min_value=0, max_value=10**9), max_size=40),
    st.integers(min_value=1, max_value=120),
    st.integers(min_value=-50, max_value=500),
)
def test_never_negative_and_never_below_current(values: list[int], window: int, ahead: int) -> None:
    series = [(day(3 * i), value) for i, value in enumerate(values)]
    today = day(3 * len(values))
    forecast = forecast_spend(series, today=today, deadline=today + timedelta(days=ahead), window_days=window)
    assert forecast.projected_cents >= 0
    assert forecast.pace_cents_per_day >= 0
    if ahead >= 3:  # the deadline lies after the last data point
        assert forecast.projected_cents >= forecast.current_cents


@pytest.mark.parametrize(
    ("series", "kwargs", "error"),
    [
        ([(day(1), 10), (day(0), 5)], {}, ValueError),
        ([(day(1), 10), (day(1), 12)], {}, ValueError),
        ([(day(0), -1)], {}, ValueError),
        ([(day(20), 1)], {}, ValueError),  # after today
        ([(day(0), 1.0)], {}, TypeError),
        ([(day(0), 1)], {"window_days": 0}, ValueError),
    ],
)
def test_validation(series: list, kwargs: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        forecast_spend(series, today=day(10), deadline=day(30), **kwargs)


def test_at_risk() -> None:
    forecast = forecast_spend([(day(0), 0), (day(10), 90_000)], today=day(10), deadline=day(10))
    assert forecast.projected_cents == 90_000
    assert not at_risk(forecast, 100_000)  # exactly 90 %: not below
    assert at_risk(forecast, 100_001)
    assert at_risk(forecast, 100_000, Decimal("95"))
    assert not at_risk(forecast, 0)
    with pytest.raises(TypeError):
        at_risk(forecast, 100_000, 90.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        at_risk(forecast, -1)


def test_straight_line_hand_example() -> None:
    # 10.00 EUR over 3 days: 333.33 cents a day -> 333, 667, 1000 (rounded half up, exact end)
    assert straight_line(day(0), day(2), 1_000) == [(day(0), 333), (day(1), 667), (day(2), 1_000)]
    assert straight_line(day(0), day(2), 1_000, [day(-1), day(1), day(5)]) == [
        (day(-1), 0),
        (day(1), 667),
        (day(5), 1_000),
    ]
    with pytest.raises(ValueError):
        straight_line(day(2), day(0), 1_000)
    with pytest.raises(ValueError):
        straight_line(day(0), day(2), -1)


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=1_500))
def test_straight_line_is_even_monotonic_and_exact_at_the_end(total: int, length: int) -> None:
    series = straight_line(day(0), day(length), total)
    assert [d for d, _ in series] == [day(i) for i in range(length + 1)]
    assert series[-1][1] == total
    increments = [b - a for (_, a), (_, b) in zip([(day(-1), 0), *series], series, strict=False)]
    per_day = Fraction(total, length + 1)
    assert all(int(per_day) - 1 <= step <= int(per_day) + 1 for step in increments)
    assert all(step >= 0 for step in increments)
    assert sum(increments) == total

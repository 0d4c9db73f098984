"""Property tests of the earned-grant rule (``app.budgets.core.posting``): rate x expenses, rounded half up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.budgets.core.posting import RATE_BASE, earned_grant, earned_increment, expenses_for_grant

CENTS = st.integers(min_value=-(10**13), max_value=10**13)
RATES = st.integers(min_value=1, max_value=RATE_BASE)


@given(CENTS, RATES)
def test_earned_is_the_rate_share_rounded_half_up(expenses, rate):
    exact = Decimal(expenses) * rate / RATE_BASE
    assert earned_grant(expenses, rate) == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@given(CENTS, RATES)
def test_earned_is_symmetric_and_never_beyond_the_expenses(expenses, rate):
    assert earned_grant(-expenses, rate) == -earned_grant(expenses, rate)
    assert abs(earned_grant(expenses, rate)) <= abs(expenses)
    assert earned_grant(expenses, RATE_BASE) == expenses


@given(st.lists(st.integers(min_value=-(10**9), max_value=10**9), max_size=30), RATES)
def test_increments_add_up_to_the_rule_on_the_sum(bookings, rate):
    """Many small bookings (and reversals) never drift from the rate applied to their sum."""
    total = booked = 0
    for cents in bookings:
        booked += earned_increment(total, cents, rate)
        total += cents
    assert booked == earned_grant(total, rate)


@given(st.integers(min_value=0, max_value=10**13), RATES)
def test_expenses_for_grant_is_the_least_that_earns_it(grant, rate):
    needed = expenses_for_grant(grant, rate)
    assert needed * rate >= grant * RATE_BASE
    assert needed == 0 or (needed - 1) * rate < grant * RATE_BASE

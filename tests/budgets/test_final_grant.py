"""Property tests of the final grant rule (``app.budgets.core.final_grant.settle``, docs/budgets.md)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.budgets.core.final_grant import LineFigures, final_grant, settle

MODULES = ["F1", "F2", "F3", "F4"]
cents = st.integers(min_value=0, max_value=10**9)
line = st.builds(LineFigures, module=st.sampled_from(MODULES), year=st.integers(2020, 2023),
                 approved_cents=cents, expenses_cents=cents, earned_cents=cents, paid_cents=cents)
lines = st.lists(line, max_size=16)
percents = st.integers(min_value=0, max_value=100)


@given(lines, percents)
def test_the_final_grant_is_the_smaller_of_approved_total_and_recognised_sum(items, percent):
    modules = settle(items, percent)
    approved = sum(item.approved_cents for item in items)
    recognised = sum(min(m.earned_cents, m.approved_cents + m.approved_cents * percent // 100) for m in modules)
    assert final_grant(modules) == min(approved, recognised)
    assert final_grant(modules) <= sum(item.earned_cents for item in items)


@given(lines, percents)
def test_each_module_stays_within_its_allowance_and_keeps_what_it_earned_within_its_approval(items, percent):
    for module in settle(items, percent):
        assert 0 <= module.final_cents <= module.recognised_cents <= module.allowed_cents
        assert module.final_cents >= min(module.earned_cents, module.approved_cents)


@given(lines, percents)
def test_budget_years_are_no_cap_only_the_module_sums_count(items, percent):
    one_year = [LineFigures(i.module, 2020, i.approved_cents, i.expenses_cents, i.earned_cents, i.paid_cents)
                for i in items]
    assert [m.final_cents for m in settle(items, percent)] == [m.final_cents for m in settle(one_year, percent)]


@given(lines)
def test_without_allowance_each_module_is_capped_at_its_approval(items):
    for module in settle(items, 0):
        assert module.final_cents == min(module.earned_cents, module.approved_cents)


def test_the_excess_is_taken_from_the_overrunning_modules_in_proportion():
    items = [LineFigures("F1", 2021, 100, 0, 120, 0), LineFigures("F2", 2021, 100, 0, 110, 0),
             LineFigures("F3", 2021, 100, 0, 85, 0)]
    by_module = {m.module: m.final_cents for m in settle(items, 20)}
    assert by_module == {"F1": 110, "F2": 105, "F3": 85}  # excess 15 split 2 : 1 over the overruns 20 and 10

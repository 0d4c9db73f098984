"""A cap on a module's eligible costs in the final grant (``settle(..., caps)``; F6 staffing, docs/f6.md)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.budgets.core.final_grant import LineFigures, final_grant, settle

MODULES = ["F1", "F4", "F6"]
cents = st.integers(min_value=0, max_value=10**9)
line = st.builds(LineFigures, module=st.sampled_from(MODULES), year=st.integers(2020, 2023),
                 approved_cents=cents, expenses_cents=cents, earned_cents=cents, paid_cents=cents)
lines = st.lists(line, max_size=12)
percents = st.integers(min_value=0, max_value=100)
caps = st.dictionaries(st.sampled_from(MODULES), cents, max_size=3)


@given(lines, percents, caps)
def test_a_capped_module_is_recognised_at_most_at_its_cap_and_the_rule_holds(items, percent, capped):
    modules = settle(items, percent, capped)
    approved = sum(item.approved_cents for item in items)
    recognised = sum(min(m.earned_cents, m.allowed_cents, capped.get(m.module, m.earned_cents)) for m in modules)
    assert final_grant(modules) == min(approved, recognised)
    for module in modules:
        assert module.cap_cents == capped.get(module.module)
        assert 0 <= module.final_cents <= module.recognised_cents <= capped.get(module.module, module.allowed_cents)


@given(lines, percents, caps)
def test_a_cap_never_raises_the_final_grant_and_no_cap_changes_nothing(items, percent, capped):
    assert final_grant(settle(items, percent, capped)) <= final_grant(settle(items, percent))
    assert settle(items, percent, {}) == settle(items, percent)


def test_unfilled_months_take_their_share_off_the_final_grant():
    items = [LineFigures("F6", 2021, 96_000, 120_000, 96_000, 96_000)]
    (module,) = settle(items, 20, {"F6": 86_400})
    assert (module.recognised_cents, module.final_cents) == (86_400, 86_400)

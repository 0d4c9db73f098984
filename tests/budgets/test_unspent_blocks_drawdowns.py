"""Issue #14: a new drawdown for a module is refused while earlier payments of that module stay unspent
past their need period (ANBest-G Nr. 1.4; rule in docs/budgets.md); service, page and API alike."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.budgets import monitoring, services
from app.budgets.models import Drawdown
from app.budgets.monitoring import unspent_by_payment
from app.platform import clock
from app.platform.errors import ValidationFailed
from app.platform.extensions import db
from tests.budgets.conftest import payer_for


def _paid(grant, kommune, finance, day: date, cents: int) -> Drawdown:
    with clock.freeze(day):
        drawdown = services.request_drawdown(grant, module="F1", amount_cents=cents, purpose="Bedarf", actor=kommune)
        services.decide_drawdown(drawdown, "approve", actor=finance)
        services.pay_drawdown(drawdown, actor=payer_for(finance), value_date=day, reference=f"KZ-{day}")
        db.session.commit()
    return drawdown


@pytest.mark.parametrize(("day", "spent_cents", "refused"), [
    (date(2021, 3, 31), 0, False),  # the need period (01.02.–31.03.) still runs
    (date(2021, 4, 1), 0, True),  # ended, nothing spent
    (date(2021, 4, 1), 3_749_875, True),  # 29,999.90 € earned: 0.10 € still unspent
    (date(2021, 4, 1), 3_750_000, False),  # 30,000 € earned at 80 %: all spent
])
def test_the_rule_in_the_service(app, make_user, make_grant, day, spent_cents, refused):
    grant = make_grant()  # F1 2021: 100,000 €, rate 80 %
    kommune, finance = make_user("kommune"), make_user("finance")
    _paid(grant, kommune, finance, date(2021, 2, 1), 3_000_000)
    with clock.freeze(day):
        if spent_cents:
            services.record_expense(grant, actor=kommune, module="F1", expense_date=date(2021, 2, 10),
                                    amount_cents=spent_cents)
        before = db.session.scalar(select(func.count()).select_from(Drawdown))
        if refused:
            with pytest.raises(ValidationFailed) as caught:
                services.request_drawdown(grant, module="F1", amount_cents=100_000, purpose="x", actor=kommune)
            message = caught.value.errors["module"][0]
            assert "01.02.2021–31.03.2021" in message and "ANBest-G" in message
            db.session.rollback()
            assert db.session.scalar(select(func.count()).select_from(Drawdown)) == before
        else:
            services.request_drawdown(grant, module="F1", amount_cents=100_000, purpose="x", actor=kommune)
        # another module is not blocked by F1's unspent money
        services.request_drawdown(grant, module="F2", amount_cents=100_000, purpose="y", actor=kommune)


def test_page_and_api_name_the_unspent_amount(app, client, make_user, make_grant, api):
    grant = make_grant()
    kommune, finance = make_user("kommune"), make_user("finance")
    _paid(grant, kommune, finance, date(2021, 2, 1), 3_000_000)
    with clock.freeze(date(2021, 5, 3)):
        answer = api(kommune).post(f"/api/v1/budgets/grants/{grant.id}/drawdowns",
                                   json={"module": "F1", "amount": "1000.00", "purpose": "Mai"})
        assert answer.status_code == 422 and "30.000,00\xa0€" in answer.json["errors"]["module"][0]
        client.login(kommune)
        page = client.post(f"/budgets/zuwendungen/{grant.id}", data={"module": "F1", "amount": "1.000,00",
                                                                    "purpose": "Mai"})
        html = page.get_data(as_text=True)
        assert page.status_code == 422 and "30.000,00" in html
        assert "noch nicht verausgabt" in html
    assert db.session.scalar(select(func.count()).select_from(Drawdown)) == 1


# Issue #19: the booking checks the rule with two sums (monitoring.has_overdue_unspent) and reads the figures
# only to word a refusal. The two must agree: the reasoning as a property, the SQL on both engines.

@given(st.lists(st.tuples(st.integers(1, 10**7), st.booleans()), max_size=12), st.integers(-10**7, 10**8))
def test_the_last_overdue_payment_decides(payments, earned):
    """Some overdue payment is unspent exactly when the payments up to the last overdue one exceed the earned."""
    amounts = [cents for cents, _ in payments]
    unspent = unspent_by_payment(amounts, earned)
    expected = sum(u for u, (_, overdue) in zip(unspent, payments, strict=True) if overdue) > 0
    overdue_at = [i for i, (_, overdue) in enumerate(payments) if overdue]
    up_to_last = sum(amounts[:overdue_at[-1] + 1]) if overdue_at else 0
    assert expected == (up_to_last > max(earned, 0))


@pytest.mark.parametrize("spent_cents", [0, 3_000_000, 3_750_000, 4_000_000, 6_250_000])
def test_the_two_sums_agree_with_the_figures(app, make_user, make_grant, spent_cents):
    grant = make_grant()
    kommune, finance = make_user("kommune"), make_user("finance")
    _paid(grant, kommune, finance, date(2021, 2, 1), 3_000_000)  # need period to 31.03.
    _paid(grant, kommune, finance, date(2021, 3, 15), 2_000_000)  # need period to 14.05.
    if spent_cents:
        with clock.freeze(date(2021, 3, 20)):
            services.record_expense(grant, actor=kommune, module="F1", expense_date=date(2021, 3, 20),
                                    amount_cents=spent_cents)
        db.session.commit()
    for day in (date(2021, 3, 31), date(2021, 4, 1), date(2021, 5, 14), date(2021, 5, 15)):
        with clock.freeze(day):
            cents, _oldest = monitoring.overdue_unspent(grant, "F1")
            assert monitoring.has_overdue_unspent(grant.id, "F1") == (cents > 0), (day, spent_cents, cents)
            assert not monitoring.has_overdue_unspent(grant.id, "F2")

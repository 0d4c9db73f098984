"""``expense_periods`` (a grant's eligible expenses per calendar week, split at month ends): the source of the
state-wide chart, booked beside ``expense_daily`` by every expense, storno and import (findings: the
whole-programme simulation, which checks the same after every month)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.budgets.models import Expense, period_end, period_start
from app.main import insights
from app.platform import clock
from app.platform.extensions import db
from tests.budgets.test_api_path import csv_lines
from tests.budgets.test_reversal import _import
from tests.simulation.programme import _expense_series_problems

DAY = date(2021, 6, 1)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_a_period_holds_its_day_and_crosses_neither_a_week_nor_a_month(day):
    start = period_start(day)
    end = period_end(start)
    assert start <= day <= end
    assert start.weekday() == 0 or start.day == 1
    assert (start.year, start.month) == (end.year, end.month)
    assert start - timedelta(days=start.weekday()) == end - timedelta(days=end.weekday())  # one calendar week
    following = end + timedelta(days=1)
    assert period_start(following) == following  # the next period starts the day after
    assert following.weekday() == 0 or following.day == 1


def test_expenses_stornos_and_imports_keep_the_periods_equal_to_the_days(app, make_user, make_grant, api):
    grant = make_grant()
    k = api(make_user("kommune"))
    url = f"/api/v1/budgets/grants/{grant.id}/expenses"
    with clock.freeze(DAY):
        expenses = (("F1", "2021-03-31", "100.01", "A"), ("F2", "2021-04-01", "5.00", "B"),
                    ("F1", "2021-04-04", "7.50", "C"), ("F1", "2021-04-05", "1.99", "D"))
        booked = [k.post(url, json={"module": module, "expense_date": day, "amount": amount, "voucher_ref": ref})
                  for module, day, amount, ref in expenses]
        assert [r.status_code for r in booked] == [201] * 4
        _import(k, grant, csv_lines(40, date(2021, 3, 20)))
        assert k.post(f"/api/v1/budgets/expenses/{booked[1].json['id']}/reverse",
                      json={"reason": "doppelt"}).status_code == 200
        imported = db.session.scalar(db.select(Expense.id).where(Expense.voucher_ref == "B-7"))
        assert k.post(f"/api/v1/budgets/expenses/{imported}/reverse", json={"reason": "falsch"}).status_code == 200
        assert _expense_series_problems() == []
        statuses = [status for _ags, status in insights.kommune_grant_statuses()]
        rows = insights.statewide_spend_chart(statuses).rows
    # the table runs from the grants' start (the straight line's too) to the deadline
    assert rows[0]["day"] == date(grant.start_date.year, grant.start_date.month + 1, 1) - timedelta(days=1)
    assert rows[-1]["day"] == grant.last_expense_date
    # the chart's month ends read the periods; they equal the eligible expenses booked up to that day
    for row in rows:
        if row["actual"] is not None:
            assert row["actual"] == sum(e.amount_cents for e in db.session.scalars(db.select(Expense))
                                        if e.eligible and e.reversed_at is None and e.expense_date <= row["day"])
    assert any(row["actual"] for row in rows)

"""The finance drawdown page shows what a decision needs: the recipient's figures for the module and its
earlier payments with the part of each still unspent (issue #21, item 4)."""

from __future__ import annotations

import re
from datetime import date

from app.budgets import services
from app.platform import clock
from app.platform.extensions import db
from app.platform.money import format_eur
from tests.budgets.conftest import payer_for


def _paid(grant, kommune, finance, day: date, cents: int):
    with clock.freeze(day):
        drawdown = services.request_drawdown(grant, module="F1", amount_cents=cents, purpose=f"Abruf {day}",
                                             actor=kommune)
        services.decide_drawdown(drawdown, "approve", actor=finance)
        services.pay_drawdown(drawdown, actor=payer_for(finance), value_date=day, reference=f"KZ-{day}")
        db.session.commit()
    return drawdown


def _table(html: str, table_id: str) -> list[list[str]]:
    """The rows of a table (header row first) as texts of their cells."""
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


def _facts(html: str) -> dict[str, str]:
    heads, values = _table(html, "context-figures")
    return dict(zip(heads, values, strict=True))


def _rows(html: str) -> list[list[str]]:
    return _table(html, "context-payments")[1:]


def test_finance_sees_balance_and_unspent_earlier_payments(app, client, make_user, make_grant):
    grant = make_grant()  # F1: 100,000 € in 2021, 100,000 € in 2022, 10,000 € in 2023; rate 80 %
    kommune, finance = make_user("kommune"), make_user("finance")
    first = _paid(grant, kommune, finance, date(2021, 2, 1), 3_000_000)
    second = _paid(grant, kommune, finance, date(2021, 3, 15), 2_000_000)  # within the first's need period
    with clock.freeze(date(2021, 5, 10)):
        # earns 32,000 €: covers the first payment and 2,000 € of the second
        services.record_expense(grant, actor=kommune, module="F1", expense_date=date(2021, 3, 10),
                                amount_cents=4_000_000)
        current = services.request_drawdown(grant, module="F1", amount_cents=500_000, purpose="Juni",
                                            actor=kommune)
        db.session.commit()
        assert first.period_end < clock.today() <= second.period_end

        client.login(finance)
        html = client.get(f"/budgets/mittelabrufe/{current.id}").get_data(as_text=True)
        facts = _facts(html)
        assert facts["Bewilligt (alle Jahre)"] == format_eur(21_000_000)
        assert facts["Bewilligt 2021"] == format_eur(10_000_000)
        assert facts["Abrufbar"] == format_eur(10_000_000 - 3_000_000 - 2_000_000 - 500_000)
        assert facts["Ausgezahlt"] == format_eur(5_000_000)
        assert facts["Zuwendung verdient"] == format_eur(3_200_000)
        assert facts["Abgerufen, nicht verausgabt"] == format_eur(1_800_000)
        rows = _rows(html)
        assert [row[0] for row in rows] == [str(first.id), str(second.id)]  # oldest payment first
        assert [row[2:4] for row in rows] == [[format_eur(3_000_000), format_eur(0)],
                                             [format_eur(2_000_000), format_eur(1_800_000)]]
        assert "abgelaufen" in rows[0][4] and "abgelaufen" not in rows[1][4]

        # on a paid drawdown the others are listed, not the drawdown itself
        own = client.get(f"/budgets/mittelabrufe/{second.id}").get_data(as_text=True)
        assert [row[0] for row in _rows(own)] == [str(first.id)]


def test_recipient_and_auditor_do_not_see_the_decision_context(app, client, make_user, make_grant):
    grant = make_grant()
    kommune = make_user("kommune")
    with clock.freeze(date(2021, 2, 1)):
        drawdown = services.request_drawdown(grant, module="F1", amount_cents=100_000, purpose="Feb", actor=kommune)
        db.session.commit()
        for user in (kommune, make_user("auditor"), make_user("programme_admin")):
            viewer = type(client)(app.test_client())
            viewer.login(user)
            page = viewer.get(f"/budgets/mittelabrufe/{drawdown.id}")
            assert page.status_code == 200
            assert ('id="context-figures"' in page.get_data(as_text=True)) == (user.role == "programme_admin")

"""The amendment form shows what each committed line already used: the floor below which it cannot be cut."""

from __future__ import annotations

from datetime import date

from app.budgets import services as budgets
from app.budgets.services import grant_for_source
from app.grants.services import commitment_source, get_application
from app.platform import clock
from app.platform.extensions import db
from tests.budgets.conftest import payer_for


def test_the_amendment_form_shows_paid_spent_and_the_floor_per_line(app, flow, client):
    app_id = flow.in_state("approved")
    kommune, finance = flow.users["kommune"], flow.users["finance"]
    grant = grant_for_source(commitment_source(get_application(app_id, kommune)))
    with clock.freeze(date(2020, 9, 1)):
        drawdown = budgets.request_drawdown(grant, module="F1", amount_cents=3_000_000, purpose="Coaching",
                                            actor=kommune)
        budgets.decide_drawdown(drawdown, "approve", actor=finance)
        budgets.pay_drawdown(drawdown, actor=payer_for(finance), value_date=date(2020, 9, 2), reference="KZ")
        budgets.record_expense(grant, actor=kommune, module="F1", expense_date=date(2020, 8, 3),
                               amount_cents=5_000_000)
    db.session.commit()
    amendment_id = flow.api["kommune"].post(f"/api/v1/applications/{app_id}/amendments").json["id"]
    client.login(kommune)
    page = client.get(f"/antraege/{amendment_id}/bearbeiten").get_data(as_text=True)
    assert "Bereits verwendet je Baustein und Haushaltsjahr" in page
    row = page[page.index("F1/2020"):page.index("</tr>", page.index("F1/2020"))]
    # paid 30,000 €, expenses 50,000 € gross of which 40,000 € grant share: the floor is 40,000 €
    assert "30.000,00" in row and "50.000,00" in row and row.count("40.000,00") == 2

"""In a real Chromium: a Kommune requests a drawdown, finance cuts it with a reason, a second finance user pays it."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from app.budgets.verify import verify_ledger
from app.platform import clock
from app.platform.extensions import db
from tests.browser.conftest import browser_type_launch_args, chromium_path, live_server, screenshot  # noqa: F401

pytestmark = pytest.mark.browser
PASSWORD = "Test-Passwort-123"


def _login(page, base: str, email: str) -> None:
    page.goto(base + "/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def test_kommune_requests_finance_approves_and_pays(make_user, make_grant, live_server, page, screenshot):  # noqa: F811
    grant = make_grant()
    kommune, finance, payer = make_user("kommune"), make_user("finance"), make_user("finance")
    grant_id, kommune_email, finance_email, payer_email = grant.id, kommune.email, finance.email, payer.email
    db.session.commit()
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm asks before approving and paying
    with clock.freeze(date(2021, 5, 3)):
        _login(page, live_server, kommune_email)
        page.get_by_role("link", name="Budget", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Budget DS-05315")
        page.get_by_label("Baustein").select_option("F1")
        page.get_by_label("Betrag in Euro").fill("12.500,00")
        page.get_by_label("Verwendungszweck").fill("Coaching Mai und Juni")
        page.get_by_role("button", name="Mittel abrufen").click()
        expect(page.get_by_role("status")).to_contain_text("über 12.500,00")
        screenshot("budgets-drawdown-requested")
        page.get_by_role("button", name="Abmelden").click()

        _login(page, live_server, finance_email)
        page.goto(live_server + "/budgets/mittelabrufe")
        page.locator("tr", has_text="Coaching Mai und Juni").get_by_role("link").first.click()
        # approve and reject both ask for a reason: a refused reject names its own field, once
        page.locator("#f-reject-reason").evaluate("field => field.removeAttribute('required')")
        page.get_by_role("button", name="Ablehnen").click()
        expect(page.get_by_label("Begründung *", exact=True)).to_have_attribute("aria-invalid", "true")
        expect(page.locator(".error")).to_have_count(1)
        expect(page.locator("#f-reason")).not_to_have_attribute("aria-invalid", "true")
        page.get_by_label("Genehmigter Betrag in Euro (leer = wie beantragt)").fill("10.000,00")
        page.get_by_label("Begründung (Pflicht bei Kürzung", exact=False).fill("Bedarf für Juni nicht belegt.")
        page.get_by_role("button", name="Genehmigen").click()
        expect(page.get_by_role("status")).to_contain_text("genehmigt")
        expect(page.get_by_role("button", name="Auszahlung buchen")).to_have_count(0)  # four eyes
        drawdown_url = page.url
        page.get_by_role("button", name="Abmelden").click()

        _login(page, live_server, payer_email)
        page.goto(drawdown_url)
        expect(page.locator("dl.facts")).to_contain_text("Bedarf für Juni nicht belegt.")
        page.get_by_label("Kassenzeichen / Zahlungsreferenz").fill("KZ-2021-0815")
        page.get_by_role("button", name="Auszahlung buchen").click()
        expect(page.get_by_role("status")).to_contain_text("als ausgezahlt gebucht")
        expect(page.locator("dl.facts")).to_contain_text("KZ-2021-0815")
        screenshot("budgets-drawdown-paid")
        page.goto(f"{live_server}/budgets/zuwendungen/{grant_id}")
        expect(page.locator("table").first).to_contain_text("10.000,00")
    db.session.rollback()
    assert verify_ledger() == []

"""Issue #17, page walk in Chromium: a Kommune records a new measure, starts it, asks consent to forward part
of it to a course provider, the administration consents, the Kommune books a payment to the provider, and the
proof of use lists the forwarded amount per provider (booked once: verify-ledger clean)."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from app.budgets.verify import verify_ledger
from app.platform import clock
from tests.browser.conftest import browser_type_launch_args, chromium_path, live_server  # noqa: F401
from tests.budgets.test_browser_money_cycle import _login

pytestmark = pytest.mark.browser


def test_a_kommune_walks_from_a_new_measure_to_a_forwarded_payment_in_the_proof_of_use(
        make_user, make_grant, make_provider, live_server, browser, browser_context_args):  # noqa: F811
    kommune_user, admin_user = make_user("kommune"), make_user("programme_admin")
    grant = make_grant()
    make_provider("VHS Musterstadt")
    with clock.freeze(date(2021, 6, 15)):
        kommune = _login(browser, browser_context_args, live_server, kommune_user)
        kommune.get_by_role("link", name="Maßnahmen", exact=True).click()
        kommune.get_by_role("link", name="Neue Maßnahme").click()
        kommune.get_by_label("Baustein").select_option("F1")
        kommune.get_by_label("Titel").fill("Deutsch für den Beruf")
        kommune.get_by_label("Art").select_option("course")
        kommune.get_by_label("Eingetragener Kursträger").select_option(label="VHS Musterstadt")
        kommune.get_by_label("Plätze").fill("16")
        kommune.get_by_label("Beginn (TT.MM.JJJJ)").fill("01.05.2021")
        kommune.get_by_label("Ende (TT.MM.JJJJ)").fill("31.12.2021")
        kommune.get_by_label("Unterrichtsstunden je Woche").fill("20")
        kommune.get_by_label("Kostenplan (€)").fill("48.000,00")
        kommune.get_by_label("Finanzierung").select_option("programme")
        kommune.get_by_role("button", name="Speichern").click()
        expect(kommune.get_by_role("status")).to_contain_text("angelegt")
        kommune.get_by_role("button", name="starten").click()
        expect(kommune.locator("dl.facts")).to_contain_text("laufend")

        kommune.get_by_role("link", name="Weiterleitungen", exact=True).click()
        kommune.get_by_label("Maßnahme").select_option(label="Deutsch für den Beruf")
        kommune.get_by_label("Kursträger").select_option(label="VHS Musterstadt")
        kommune.get_by_label("Betrag (€)").fill("30.000,00")
        kommune.get_by_label("Beginn (TT.MM.JJJJ)").fill("01.05.2021")
        kommune.get_by_label("Ende (TT.MM.JJJJ)").fill("31.12.2021")
        kommune.get_by_role("button", name="Beantragen").click()
        expect(kommune.locator("dl.facts")).to_contain_text("Zustimmung beantragt")
        contract_url = kommune.url

        admin = _login(browser, browser_context_args, live_server, admin_user)
        expect(admin.get_by_text("Weiterleitungen warten auf Ihre Zustimmung")).to_be_visible()
        admin.goto(contract_url)
        admin.get_by_role("button", name="zustimmen").click()
        expect(admin.locator("dl.facts")).to_contain_text("Zustimmung erteilt")

        kommune.goto(contract_url)
        kommune.get_by_label("Betrag (€)").fill("12.500,00")
        kommune.get_by_label("Zahlungsdatum (TT.MM.JJJJ)").fill("10.06.2021")
        kommune.get_by_role("button", name="Zahlung buchen").click()
        expect(kommune.get_by_role("status")).to_contain_text("als Ausgabe gebucht")
        expect(kommune.locator("dl.facts")).to_contain_text("gezahlt: 12.500,00")

        kommune.goto(f"{live_server}/budgets/zuwendungen/{grant.id}/verwendungsnachweis")
        forwarded = kommune.locator("table", has_text="Kursträger")
        expect(forwarded).to_contain_text("VHS Musterstadt")
        expect(forwarded).to_contain_text("12.500,00")
    assert verify_ledger() == []

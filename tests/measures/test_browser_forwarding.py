"""Issue #17, page walk in Chromium: a Kommune records a new measure, starts it, asks consent to forward part
of it to a course provider, the administration consents, the Kommune books a payment to the provider, records an
expense of its own tied to the measure, sees the cost so far and the cost per place and per teaching hour on the
measure's page and in the catalogue, and the proof of use lists the forwarded amount per provider (booked once:
verify-ledger clean)."""

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
        expect(kommune.locator("dl.facts").first).to_contain_text("laufend")

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

        kommune.goto(f"{live_server}/budgets/zuwendungen/{grant.id}/ausgaben")
        kommune.get_by_label("Baustein").select_option("F1")
        kommune.get_by_label("Datum").fill("2021-06-12")
        kommune.get_by_label("Betrag in Euro").fill("500,00")
        kommune.get_by_label("Belegnummer").fill("RAUM-06")
        kommune.get_by_label("Beschreibung").fill("Raummiete Juni")
        option = kommune.locator("#f-measure_id option", has_text="Deutsch für den Beruf").get_attribute("value")
        kommune.get_by_label("Maßnahme (optional)").select_option(option)
        kommune.get_by_role("button", name="Ausgabe erfassen").click()
        expect(kommune.get_by_role("status").first).to_contain_text("Die Ausgabe wurde erfasst.")

        kommune.get_by_role("link", name="Maßnahmen", exact=True).click()
        row = kommune.locator("tbody tr", has_text="Deutsch für den Beruf")
        expect(row).to_contain_text("13.000,00")  # 12.500 € forwarded + 500 € own expense
        expect(row).to_contain_text("812,50")  # per place: 13.000 € / 16
        row.get_by_role("link", name="Deutsch für den Beruf").click()
        costs = kommune.locator("dl.facts", has_text="Kosten bisher")
        expect(costs).to_contain_text("13.000,00")
        expect(costs).to_contain_text("700")  # 20 hours × 35 weeks begun (01.05.–31.12.2021)
        expect(costs).to_contain_text("812,50")
        expect(costs).to_contain_text("18,57")  # per teaching hour: 13.000 € / 700, half up
        expect(kommune.locator("table", has_text="Raummiete Juni")).to_contain_text("500,00")

        kommune.goto(f"{live_server}/budgets/zuwendungen/{grant.id}/verwendungsnachweis")
        forwarded = kommune.locator("table", has_text="Kursträger")
        expect(forwarded).to_contain_text("VHS Musterstadt")
        expect(forwarded).to_contain_text("12.500,00")
    assert verify_ledger() == []

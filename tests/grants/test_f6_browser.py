"""F6 in Chromium: a Kommune applies for its Teilhabemanagement positions, gets a decision, reports staffing
and sees the eligible amount capped by the months filled (docs/f6.md)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (  # noqa: F401 - the browser fixtures live there
    browser_type_launch_args,
    chromium_path,
    live_server,
)
from tests.grants.test_grants_browser import _login

pytestmark = pytest.mark.browser


def test_f6_application_decision_and_staffing_in_chromium(live_server, browser, f6_world):  # noqa: F811
    kommune = _login(browser.new_context(), live_server, f6_world["kommune"])
    admin = _login(browser.new_context(), live_server, f6_world["admin"])

    kommune.get_by_role("link", name="Teilhabemanagement").click()
    expect(kommune.get_by_text("Ihrer Kommune zugeteilt")).to_be_visible()
    kommune.get_by_label("Stellen (VZÄ, in halben Stellen)").fill("1,5")
    kommune.get_by_label("Art der Personalkosten").select_option("rate")
    kommune.get_by_label("Kosten je VZÄ und Monat (€)").fill("4.500,00")
    kommune.get_by_role("button", name="Speichern und einreichen").click()
    expect(kommune.get_by_text("Der F6-Antrag wurde eingereicht.")).to_be_visible()

    admin.goto(live_server + "/f6/")
    admin.get_by_role("link", name="Köln").click()
    admin.get_by_role("button", name="Bewilligen").click()
    expect(admin.get_by_text("Die Entscheidung wurde gespeichert.")).to_be_visible()
    expect(admin.get_by_text("ZB-F6-")).to_be_visible()

    kommune.reload()
    expect(kommune.locator("#f6-cap")).to_have_text("0,00\u00a0€")  # nothing reported: every month unfilled
    kommune.get_by_label("Monat").select_option("2021-01-01")
    kommune.get_by_label("Besetzte VZÄ").fill("3")
    kommune.get_by_role("button", name="Meldung speichern").click()
    expect(kommune.locator("#f-filled-error")).to_contain_text("1,50 VZÄ")
    kommune.get_by_label("Monat").select_option("2021-01-01")
    kommune.get_by_label("Besetzte VZÄ").fill("1,5")
    kommune.get_by_role("button", name="Meldung speichern").click()
    expect(kommune.get_by_text("Die Personalmeldung wurde gespeichert.")).to_be_visible()
    kommune.get_by_label("Monat").select_option("2021-02-01")
    kommune.get_by_label("Besetzte VZÄ").fill("0,5")
    kommune.get_by_label("Bemerkung (z. B. Grund einer Vakanz)").fill("Eine Stelle unbesetzt")
    kommune.get_by_role("button", name="Meldung speichern").click()
    # (1.5 + 0.5) FTE-months × 4,500 € = 9,000 €
    expect(kommune.locator("#f6-cap")).to_have_text("9.000,00\u00a0€")
    expect(kommune.get_by_text("Eine Stelle unbesetzt")).to_be_visible()

"""In a real Chromium: the Anhörung before a reclaiming final decision (issue 16, § 28 VwVfG).

The administrator's final decision is refused until the Kommune was heard; the administrator opens the
hearing; the Kommune reads the letter and comments; the administrator sees the comment and decides; the
Kommune downloads its Schlussbescheid. Köln: 4.000 € paid, 2.500 € spent (80 % = 2.000 €): 2.000 € reclaimed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.platform import clock
from tests.browser.conftest import browser_type_launch_args, chromium_path, live_server  # noqa: F401
from tests.budgets.conftest import make_grant, overpaid_grant  # noqa: F401
from tests.budgets.test_browser_money_cycle import _login

from .conftest import pdf_text

pytestmark = pytest.mark.browser
COMMENT = "Der Beleg B-17 über 500,00 € lag der Prüfung nicht vor; wir reichen ihn nach."


def _download(page, link_name: str, tmp_path) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    target = Path(tmp_path) / info.value.suggested_filename
    info.value.save_as(target)
    return target.read_bytes()


def test_kommune_is_heard_before_the_reclaiming_final_decision(actors, make_grant, live_server, browser,  # noqa: F811
                                                               browser_context_args, tmp_path):
    kommune, admin, finance = actors["kommune"], actors["programme_admin"], actors["finance"]
    grant = overpaid_grant(make_grant, kommune, finance)
    proof_url = f"{live_server}/budgets/zuwendungen/{grant.id}/verwendungsnachweis"
    with clock.freeze(date(2023, 7, 11)):
        page = _login(browser, browser_context_args, live_server, admin)
        page.goto(proof_url)
        page.get_by_role("button", name="Schlussbescheid erlassen").click()
        expect(page.get_by_text("anzuhören", exact=False)).to_be_visible()  # 409: the hearing comes first
        page.goto(proof_url)
        page.get_by_role("button", name="Anhörung einleiten").click()
        expect(page.get_by_text("Frist zur Stellungnahme bis 25.07.2023")).to_be_visible()
    with clock.freeze(date(2023, 7, 20)):
        page = _login(browser, browser_context_args, live_server, kommune)
        page.goto(proof_url)
        page.get_by_role("link", name="Anhörung vom 11.07.2023").click()
        expect(page.locator("dl.facts")).to_contain_text("2.000,00")
        letter = pdf_text(_download(page, "Anhörungsschreiben (PDF)", tmp_path))
        assert "25.07.2023" in letter and "2.000,00 €" in letter and "§ 28" in letter
        page.get_by_label("Ihre Stellungnahme").fill(COMMENT)
        page.get_by_role("button", name="Stellungnahme übermitteln").click()
        expect(page.get_by_text("Ihre Stellungnahme wurde übermittelt.")).to_be_visible()
    with clock.freeze(date(2023, 7, 21)):
        page = _login(browser, browser_context_args, live_server, admin)
        page.goto(proof_url)
        expect(page.locator("#anhoerung")).to_contain_text(COMMENT)
        page.get_by_role("button", name="Schlussbescheid erlassen").click()
        expect(page.get_by_text("Der Schlussbescheid wurde erlassen.")).to_be_visible()
        page = _login(browser, browser_context_args, live_server, kommune)
        page.get_by_role("link", name="Dokumente", exact=True).click()
        page.get_by_label("Art").select_option("schlussbescheid")
        page.get_by_role("button", name="Anzeigen").click()
        decision = pdf_text(_download(page, f"Schlussbescheid {grant.reference}/SB", tmp_path))
        assert "2.000,00 €" in decision and "Überzahlung" in decision

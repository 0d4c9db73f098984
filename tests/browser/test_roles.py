"""Role journeys in Chromium not covered elsewhere (grants: apply and approve; budgets: draw and pay):
every role's start page (screenshots saved as artefacts), the Kommune imports expenses from a CSV
file, the auditor reads and filters the audit trail; no CSP violation on any page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.platform import clock
from tests.browser.conftest import browser_type_launch_args, chromium_path, live_server, screenshot  # noqa: F401
from tests.browser.roles import DAY, build_story, login, logout

pytestmark = pytest.mark.browser

START_PAGES = {
    "kommune": "Mein Überblick",
    "programme_admin": "Programm auf einen Blick",
    "finance": "Budgets und Zahlungen",
    "auditor": "Prüfpfad und Berichte",
    "reviewer": "Innovationsfonds",
    "organisation": "Innovationsfonds",
}


def _watch_console(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_every_role_sees_its_start_page(make_user, live_server, page, screenshot):  # noqa: F811
    story = build_story(make_user)
    problems = _watch_console(page)
    with clock.freeze(DAY):
        for role, heading in START_PAGES.items():
            login(page, live_server, story.emails[role])
            expect(page.get_by_role("heading", name=heading, level=2)).to_be_visible()
            screenshot(f"start-{role}")
            logout(page)
    assert problems == []


def test_kommune_imports_expenses_from_csv_and_finds_them(make_user, live_server, page, screenshot,  # noqa: F811
                                                          tmp_path):
    story = build_story(make_user)
    problems = _watch_console(page)
    upload = tmp_path / "ausgaben.csv"
    upload.write_text("datum;baustein;betrag;beleg;beschreibung\n"
                      "03.05.2021;F1;1.250,00;IMP-1;Sprachkurs Mai (synthetisch)\n"
                      "04.05.2021;F1;750,50;IMP-2;Coaching Mai (synthetisch)\n", encoding="utf-8")
    with clock.freeze(DAY):
        login(page, live_server, story.emails["kommune"])
        page.get_by_role("link", name="Ausgaben erfassen oder importieren").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Ausgaben DS-05315")
        page.get_by_label("CSV-Datei").set_input_files(str(upload))
        page.get_by_role("button", name="Importieren").click()
        expect(page.get_by_text("Import abgeschlossen: 2 Ausgaben über 2.000,50")).to_be_visible()
        page.get_by_role("searchbox", name="Suche").fill("IMP-")
        page.get_by_role("button", name="Suchen").click()
        expect(page.get_by_text("1–2 von 2 Ausgaben")).to_be_visible()
        expect(page).to_have_url(re.compile(r"q=IMP-"))
        page.get_by_role("link", name="Betrag").click()  # sort by amount, ascending
        expect(page.locator("tbody tr").first).to_contain_text("750,50")
        screenshot("kommune-expenses-imported")
        with page.expect_download() as download:
            page.get_by_role("link", name="CSV").first.click()
        content = open(download.value.path(), encoding="utf-8-sig").read().splitlines()
        assert len(content) == 3 and "750,50" in content[1] and "1.250,00" in content[2]
    assert problems == []


def test_auditor_reads_and_filters_the_audit_trail(make_user, live_server, page, screenshot):  # noqa: F811
    story = build_story(make_user)
    problems = _watch_console(page)
    with clock.freeze(DAY):
        login(page, live_server, story.emails["auditor"])
        page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Audit-Trail").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Audit-Trail")
        page.get_by_label("Aktion (Anfang)").fill("allocation")
        page.get_by_role("button", name="Filtern").click()
        expect(page).to_have_url(re.compile(r"action=allocation"))
        rows = page.locator("table.audit tbody tr")
        expect(rows.first).to_contain_text("allocation.")
        assert all("allocation." in text for text in rows.all_inner_texts())
        page.get_by_role("link", name="Zeit").click()  # oldest first
        expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "ascending")
        screenshot("auditor-audit-trail")
        # read-only: no form that changes data on the start page
        page.goto(live_server + "/")
        assert page.locator("main form[method=post]").count() == 0
    assert problems == []

"""Issue #21 in Chromium at 1,280 × 800: the clerk's pages fit the screen (no sideways scroll, measured with
``document.documentElement.scrollWidth``), the drawdown form comes before the drawdown history, list pages
offer working CSV and XLSX downloads, and the audit trail shows German labels with links."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.platform import clock
from tests.browser.conftest import browser_type_launch_args, chromium_path, live_server, screenshot  # noqa: F401
from tests.browser.roles import DAY, build_story, login, logout

pytestmark = pytest.mark.browser
WIDTH = 1280


def _fits(page, path: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= WIDTH, f"{path} scrolls sideways: {overflow} px in a {WIDTH} px window"


def _downloads(page, name: str) -> None:
    for fmt in ("CSV", "XLSX"):
        with page.expect_download() as info:
            page.get_by_role("link", name=fmt, exact=True).first.click()
        assert info.value.suggested_filename.startswith(name) and info.value.suggested_filename.endswith(fmt.lower())


def test_clerk_pages_fit_1280_and_lists_download(make_user, live_server, page, screenshot):  # noqa: F811
    story = build_story(make_user)
    page.set_viewport_size({"width": WIDTH, "height": 800})
    with clock.freeze(DAY):
        login(page, live_server, story.emails["kommune"])
        grant = f"/budgets/zuwendungen/{story.grants['05315']}"
        page.goto(live_server + grant)
        _fits(page, grant)
        form = page.get_by_role("heading", name="Mittel abrufen").bounding_box()
        history = page.get_by_role("heading", name="Mittelabrufe", exact=True).bounding_box()
        assert form["y"] < history["y"], "the drawdown form comes before the history"
        page.goto(live_server + "/nachrichten/")
        _fits(page, "/nachrichten/")
        logout(page)

        login(page, live_server, story.emails["finance"])
        for path in ("/budgets/uebersicht", grant, "/budgets/mittelabrufe", "/budgets/rueckforderungen", "/"):
            page.goto(live_server + path)
            _fits(page, path)
        page.goto(live_server + "/budgets/uebersicht")
        for header in page.get_by_role("columnheader", name="Ausschöpfung").all():  # both tables, fully visible
            box = header.bounding_box()
            assert box["x"] + box["width"] <= WIDTH
        screenshot("clerk-budgetstand-1280")
        page.goto(live_server + "/budgets/mittelabrufe")
        _downloads(page, "mittelabrufe")
        logout(page)

        login(page, live_server, story.emails["programme_admin"])
        for path, name in (("/zuteilung/schluesseldaten", "schluesseldaten"), ("/verwaltung/jobs/", None)):
            page.goto(live_server + path)
            _fits(page, path)
            if name:
                _downloads(page, name)
        logout(page)

        login(page, live_server, story.emails["auditor"])
        page.goto(live_server + "/audit?action=drawdown.request")
        _fits(page, "/audit")
        expect(page.get_by_role("cell", name="Mittelabruf gestellt").first).to_be_visible()
        link = page.get_by_role("link", name="Mittelabruf", exact=False).first
        link.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Mittelabruf")
        page.go_back()
        _downloads(page, "audit-trail")
        screenshot("clerk-audit-1280")

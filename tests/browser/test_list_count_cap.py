"""Issue #19 in Chromium: a list above the count cap (a grant's expenses) says "mehr als N", pages forward, and
counts exactly when asked ("Gesamtzahl ermitteln"); the page still fits 1,280 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.budgets.views import expenses as expense_views
from app.platform import clock
from tests.browser.conftest import browser_type_launch_args, chromium_path, live_server  # noqa: F401
from tests.browser.roles import DAY, build_story, login

pytestmark = pytest.mark.browser
WIDTH = 1280


def test_expense_list_above_the_cap(app, make_user, live_server, page, monkeypatch):  # noqa: F811
    story = build_story(make_user)  # 20 expenses on Köln's grant
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 10)
    monkeypatch.setattr(expense_views, "PAGE_SIZE", 5)
    page.set_viewport_size({"width": WIDTH, "height": 800})
    summary, pager = page.locator(".list-summary").first, page.locator("nav.pager")
    with clock.freeze(DAY):
        login(page, live_server, story.emails["kommune"])
        page.goto(f"{live_server}/budgets/zuwendungen/{story.grants['05315']}/ausgaben")
        expect(summary).to_contain_text("1–5 von mehr als 10 Ausgaben")
        expect(pager).to_contain_text("Seite 1 von mindestens 3")
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        pager.get_by_role("link", name="Weiter").click()
        expect(summary).to_contain_text("6–10 von mehr als 10 Ausgaben")
        summary.get_by_role("link", name="Gesamtzahl ermitteln").click()
        expect(summary).to_contain_text("6–10 von 20 Ausgaben")
        expect(pager).to_contain_text("Seite 2 von 4")
        pager.get_by_role("link", name="Weiter").click()
        expect(summary).to_contain_text("11–15 von 20 Ausgaben")  # the exact count stays while paging

"""Issue #19 in Chromium: a CSV above IMPORT_BACKGROUND_LINES is imported in the background; the browser lands on
the job's page, which shows that the file waits and, after the job ran, refreshes itself to the result."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.platform import clock
from app.platform.database import mark_read_only, reset_read_only
from app.platform.extensions import db
from app.scheduler.runner import execute
from tests.browser.conftest import browser_type_launch_args, chromium_path, live_server, screenshot  # noqa: F401
from tests.browser.roles import DAY, build_story, login

pytestmark = pytest.mark.browser


@pytest.fixture()
def low_threshold(app):
    app.config["IMPORT_BACKGROUND_LINES"] = 5
    yield
    app.config["IMPORT_BACKGROUND_LINES"] = 20_000


def test_large_file_is_imported_in_the_background(app, make_user, live_server, page, screenshot,  # noqa: F811
                                                  tmp_path, low_threshold):
    story = build_story(make_user)
    upload = tmp_path / "gross.csv"
    upload.write_text("datum;baustein;betrag;beleg;beschreibung\n" + "".join(
        f"{day:02d}.05.2021;F1;100,00;BG-{day};Kurs {day} (synthetisch)\n" for day in range(1, 13)), encoding="utf-8")
    with clock.freeze(DAY):
        login(page, live_server, story.emails["kommune"])
        page.get_by_role("link", name="Ausgaben erfassen oder importieren").click()
        page.get_by_label("CSV-Datei").set_input_files(str(upload))
        page.get_by_role("button", name="Importieren").click()
        expect(page).to_have_url(re.compile(r"/budgets/importauftraege/\d+$"))
        expect(page.get_by_role("status")).to_contain_text("wartet auf den Import im Hintergrund")
        expect(page.locator("progress")).to_be_visible()
        screenshot("import-background-waiting")
        token = mark_read_only(False)  # the scheduler's part, in the test thread: it writes
        try:
            assert execute("background.run", trigger="manual").summary == {"done": 1, "failed": 0}
            db.session.commit()
        finally:
            reset_read_only(token)
        expect(page.get_by_text("Import abgeschlossen: 12 Ausgaben über 1.200,00")).to_be_visible(timeout=15_000)
        screenshot("import-background-done")
        page.get_by_role("link", name="Meine Hintergrundaufträge").click()
        expect(page.get_by_role("cell", name="gross.csv")).to_be_visible()
        expect(page.get_by_role("cell", name="fertig")).to_be_visible()

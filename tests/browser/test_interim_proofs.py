"""Issue #18 in Chromium: a Kommune submits its interim proof after the due day, the programme administration
requests changes, the Kommune resubmits, the administration accepts; the list shows the late flag."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from playwright.sync_api import expect

from app.budgets.services import set_commitment
from app.platform import clock
from app.platform.extensions import db
from app.reference.services import get_programme, kommune_by_ags
from tests.browser.conftest import browser_type_launch_args, chromium_path, live_server, screenshot  # noqa: F401
from tests.browser.roles import login, logout

pytestmark = pytest.mark.browser
LATE_DAY = datetime(2022, 7, 5, 10, tzinfo=clock.BERLIN)  # the 2021 interim proof was due on 30.06.2022


def test_interim_proof_round_trip_with_late_flag(make_user, live_server, page, screenshot):  # noqa: F811
    with clock.freeze(date(2020, 6, 15)):
        grant = set_commitment(programme_id=get_programme().id, source="application:05315", reference="DS-05315",
                               recipient_kind="kommune", kommune_id=kommune_by_ags("05315").id, funding_rate_bp=8000,
                               start_date=date(2020, 7, 1), last_expense_date=date(2023, 6, 30), actor=None,
                               lines={("F1", 2021): 1_000_000, ("F1", 2023): 100_000})
    db.session.commit()
    kommune, admin = make_user("kommune", kommune_ags="05315"), make_user("programme_admin")
    detail = f"{live_server}/zwischennachweise/{grant.id}/2021"
    with clock.freeze(LATE_DAY):
        login(page, live_server, kommune.email)
        page.get_by_role("link", name="Zwischennachweise").first.click()
        page.get_by_role("link", name="2021").click()
        page.get_by_label("Sachbericht (höchstens 5.000 Zeichen)").fill("Die Coachings liefen wie geplant.")
        page.get_by_role("button", name="einreichen").click()
        expect(page.get_by_text("Der Zwischennachweis wurde eingereicht.")).to_be_visible()
        logout(page)

        login(page, live_server, admin.email)
        page.goto(detail)
        page.get_by_label("Anmerkung (bei „Änderungen anfordern“ erforderlich)").fill("Bitte die Teilnehmenden nennen.")
        page.get_by_role("button", name="Änderungen anfordern").click()
        expect(page.get_by_text("Die Prüfung des Zwischennachweises wurde gespeichert.")).to_be_visible()
        logout(page)

        login(page, live_server, kommune.email)
        page.goto(detail)
        expect(page.get_by_text("Bitte die Teilnehmenden nennen.")).to_be_visible()
        page.get_by_label("Sachbericht (höchstens 5.000 Zeichen)").fill("Coachings wie geplant; 40 Personen.")
        page.get_by_role("button", name="einreichen").click()
        expect(page.get_by_text("Der Zwischennachweis wurde eingereicht.")).to_be_visible()
        logout(page)

        login(page, live_server, admin.email)
        page.goto(detail)
        page.get_by_role("button", name="anerkennen").click()
        expect(page.get_by_text("Die Prüfung des Zwischennachweises wurde gespeichert.")).to_be_visible()
        page.goto(f"{live_server}/zwischennachweise?late=1")
        row = page.get_by_role("row").filter(has_text="DS-05315")
        expect(row).to_contain_text("anerkannt")
        expect(row).to_contain_text("verspätet")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        screenshot("interim-proofs-late")

"""Allocation in a real Chromium: the admin computes and publishes a version; Köln reads its explanation."""

from datetime import date

import pytest
from playwright.sync_api import expect

from app.allocation import keydata
from app.platform.extensions import db
from app.reference.services import DATA_DIR

pytestmark = pytest.mark.browser


def _login(page, live_server, user):
    page.goto(live_server + "/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort").fill("Test-Passwort-123")
    page.get_by_role("button", name="Anmelden").click()


def test_admin_publishes_and_kommune_reads_its_ceiling(live_server, page, make_user, screenshot):
    admin = make_user("programme_admin")
    koeln = make_user("kommune", kommune_ags="05315")
    keydata.import_dataset(kind="gemeinden", name="Destatis GV-ISys 31.12.2019", reference_date=date(2019, 12, 31),
                           source="Destatis", text=(DATA_DIR / "nrw_gemeinden.csv").read_text(encoding="utf-8"),
                           actor=admin)
    db.session.commit()

    _login(page, live_server, admin)
    page.get_by_role("link", name="Zuteilung", exact=True).click()
    page.get_by_role("link", name="Neue Version berechnen").click()
    page.get_by_label("Titel").fill("Zuteilung 2020")
    page.get_by_role("button", name="Entwurf berechnen").click()
    expect(page.locator("tfoot")).to_contain_text("45.000.000,00")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Entwurf")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Veröffentlichen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("veröffentlicht")
    screenshot("allocation-published")
    page.get_by_role("button", name="Abmelden").click()

    _login(page, live_server, koeln)
    expect(page.get_by_text("Ihre Zuwendungshöchstgrenze F1–F4")).to_be_visible()
    page.get_by_role("link", name="Herleitung anzeigen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Köln")
    expect(page.get_by_role("table")).to_contain_text("§ 3 Abs. 1 FlüAG NRW")
    screenshot("allocation-explanation-koeln")

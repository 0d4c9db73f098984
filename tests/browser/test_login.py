"""Log in, see the start page, log out – in a real Chromium."""

import pytest
from playwright.sync_api import expect

from app.platform.extensions import db

pytestmark = pytest.mark.browser


def test_login_start_page_logout(live_server, page, make_user, screenshot):
    user = make_user("kommune", kommune_ags="05315")
    db.session.commit()
    page.goto(live_server + "/")
    expect(page).to_have_url(live_server + "/anmelden?next=/")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort").fill("Test-Passwort-123")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Guten Tag, {user.name}")
    expect(page.locator(".who")).to_contain_text("Köln")
    screenshot("start-kommune")
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("heading", name="Anmelden")).to_be_visible()
    page.goto(live_server + "/")
    expect(page).to_have_url(live_server + "/anmelden?next=/")


def test_wrong_password_shows_german_message(live_server, page, make_user):
    user = make_user("finance")
    page.goto(live_server + "/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort").fill("falsches-Passwort-1")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("alert")).to_contain_text("E-Mail-Adresse oder Passwort ist falsch")

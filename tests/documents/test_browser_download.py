"""In a real Chromium: the Kommune finds its Schlussbescheid under "Dokumente" and downloads it as issued."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.platform.extensions import db
from tests.browser.conftest import browser_type_launch_args, chromium_path, live_server, screenshot  # noqa: F401

from .conftest import pdf_text

pytestmark = pytest.mark.browser
PASSWORD = "Test-Passwort-123"


def test_kommune_downloads_its_schlussbescheid(cycle, live_server, page, screenshot, tmp_path):  # noqa: F811
    document = cycle.document("schlussbescheid")
    sha256, title, final = document.sha256, document.title, cycle.proof.final_grant_cents
    email = cycle.people["kommune"].email
    db.session.commit()  # end the test's transaction: the server must be able to write (login)
    page.goto(live_server + "/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("link", name="Dokumente", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dokumente")
    page.get_by_label("Art").select_option("schlussbescheid")
    page.get_by_role("button", name="Anzeigen").click()
    link = page.get_by_role("link", name=title)
    expect(link).to_be_visible()
    screenshot("documents-kommune-list")
    with page.expect_download() as info:
        link.click()
    target = Path(tmp_path) / info.value.suggested_filename
    info.value.save_as(target)
    content = target.read_bytes()
    assert hashlib.sha256(content).hexdigest() == sha256
    assert target.name.startswith("Schlussbescheid-") and target.suffix == ".pdf"
    assert f"{final // 100:,}".replace(",", ".") in pdf_text(content)

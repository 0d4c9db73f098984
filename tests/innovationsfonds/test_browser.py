"""The main Innovationsfonds pages in Chromium on a complete competition (93 sketches, 40 organisations,
12 reviewers, all reviews in): ranking with flags, both proposals with the budget bars, the decision,
the outbox and its release, the organisation's decision, its full application round trip (changes
requested, resubmitted, approved after confirmations) and a reviewer's progress."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from playwright.sync_api import expect

from app.auth.services import create_user
from app.innovationsfonds import demo
from app.innovationsfonds.models import SketchStatus
from app.platform import clock
from app.platform.extensions import db
from app.reference.models import Organisation
from app.reference.services import get_programme
from tests.browser.conftest import (  # noqa: F401 - the browser fixtures live there
    ARTIFACTS,
    browser_type_launch_args,
    chromium_path,
    live_server,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _login(context, base, user):
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(base + "/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Guten Tag")
    return page


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture()
def competition(app):
    admin = create_user(email="admin@if.test", name="Admin", password=PASSWORD, role="programme_admin",
                        actor_label="t")
    orgs = []
    for n in range(40):
        organisation = Organisation(name=f"Browser-Träger {n:02d}", kind=demo.KINDS[n % 7])
        db.session.add(organisation)
        db.session.flush()
        orgs.append(create_user(email=f"org{n}@if.test", name=f"Org {n}", password=PASSWORD, role="organisation",
                                organisation_id=organisation.id, actor_label="t"))
    reviewers = [create_user(email=f"rev{n}@if.test", name=f"Gutachter {n}", password=PASSWORD, role="reviewer",
                             actor_label="t") for n in range(12)]
    call = demo.build_competition(get_programme(), admin, organisation_users=orgs, reviewers=reviewers,
                                  opens=date(2022, 3, 1), closes=date(2022, 5, 31), review_deadline=date(2022, 6, 30),
                                  review_until=date(2022, 6, 30))
    db.session.commit()
    return {"admin": admin, "orgs": orgs, "reviewers": reviewers, "call": call}


def test_competition_pages_in_chromium(live_server, browser, competition):  # noqa: F811
    call = competition["call"]
    base = live_server
    with clock.freeze(datetime(2022, 7, 5, 10, tzinfo=clock.BERLIN)):
        admin = _login(browser.new_context(), base, competition["admin"])
        admin.goto(f"{base}/innovationsfonds/aufrufe/{call.id}/rangfolge")
        expect(admin.get_by_role("heading", level=1)).to_have_text("Rangfolge")
        expect(admin.locator("tbody tr")).to_have_count(91)
        _shot(admin, "innovationsfonds-ranking")
        admin.get_by_role("link", name="Auswahl").click()
        expect(admin.locator("#proposal-line svg.budget-bar")).to_be_visible()
        expect(admin.locator("#proposal-best svg.budget-bar")).to_be_visible()
        expect(admin.locator("#comparison")).to_contain_text("A –")
        _shot(admin, "innovationsfonds-selection")
        # running total while ticking; switching the basis clears the ticks and ticks that proposal (issue #20, 8)
        total = admin.locator("#selection-total")
        expect(total).to_contain_text("Angekreuzt:")
        line_text = total.inner_text()
        admin.locator("input[name='selected']:checked").first.uncheck()
        expect(total).not_to_have_text(line_text)
        basis = admin.locator("#f-basis")
        line_basis = basis.input_value()
        admin.locator("input[name='rejected']").first.check()
        basis.select_option("max_score")
        expect(admin.locator("input[name='rejected']:checked")).to_have_count(0)
        best_count = admin.locator("#proposal-best ol").first.locator("li").count()
        expect(admin.locator("input[name='selected']:checked")).to_have_count(best_count)
        basis.select_option(line_basis)
        expect(total).to_have_text(line_text)
        admin.get_by_role("button", name="Entscheidung vormerken").click()
        expect(admin.get_by_role("heading", level=1)).to_have_text("Postausgang")
        expect(admin.get_by_text("Nachrichten warten auf die Freigabe")).to_be_visible()
        _shot(admin, "innovationsfonds-outbox")
        admin.get_by_role("button", name="Entscheidung freigeben und alle Nachrichten versenden").click()
        expect(admin.get_by_text("Entscheidung freigegeben;")).to_be_visible()
        admin.get_by_role("link", name="Statistik").click()
        expect(admin.locator("svg.chart")).to_be_visible()
        _shot(admin, "innovationsfonds-statistics")

        db.session.rollback()  # end the read snapshot: see what the server committed
        selected = next(s for s in call.sketches if s.status is SketchStatus.SELECTED)
        owner = next(u for u in competition["orgs"] if u.organisation_id == selected.organisation_id)
        org_page = _login(browser.new_context(), base, owner)
        org_page.goto(f"{base}/innovationsfonds/")
        org_page.get_by_role("link", name=selected.title).click()
        expect(org_page.locator("#decision")).to_contain_text("ausgewählt")
        expect(org_page.locator("#decision")).to_contain_text("Vollantrag")
        _shot(org_page, "innovationsfonds-organisation")

        # the full application round trip: submit, changes requested, resubmit, approval
        questions = []
        org_page.on("dialog", lambda dialog: questions.append(dialog.message))
        org_page.get_by_role("link", name="Vollantrag stellen").click()
        org_page.get_by_label("Haushaltsjahr 2022").fill("900.000,00")
        org_page.get_by_role("button", name="Vollantrag einreichen").click()
        expect(org_page.locator("#f-lines-error")).to_contain_text("übersteigt den in der Skizze beantragten")
        org_page.get_by_label("Haushaltsjahr 2022").fill("10.000,00")
        org_page.get_by_label("Haushaltsjahr 2023").fill("20.000,00")
        org_page.get_by_role("button", name="Vollantrag einreichen").click()
        expect(org_page.locator("#full-application")).to_contain_text("eingereicht, in Prüfung")
        assert any("Vollantrag jetzt verbindlich einreichen" in q for q in questions)
        admin.goto(f"{base}/innovationsfonds/skizzen/{selected.id}")
        admin.get_by_label("Was soll geändert werden?").fill("Bitte Meilensteine ergänzen.")
        admin.get_by_role("button", name="Änderungen anfordern").click()
        expect(admin.locator("#full-application")).to_contain_text("Änderungen angefordert")
        org_page.goto(f"{base}/innovationsfonds/skizzen/{selected.id}/vollantrag")
        expect(org_page.locator("#changes-requested")).to_contain_text("Bitte Meilensteine ergänzen.")
        org_page.get_by_label("Beschreibung des Vorhabens").fill("M1: Start; M2: Zwischenbilanz.")
        org_page.get_by_role("button", name="Vollantrag erneut einreichen").click()
        expect(org_page.locator("#full-application")).to_contain_text("eingereicht, in Prüfung")
        admin.reload()
        admin.get_by_role("button", name="Vollantrag bewilligen").click()
        expect(admin.locator("#decision")).to_contain_text("Zuwendungsbescheid IF-ZB-2022-0001 über 30.000,00")
        _shot(admin, "innovationsfonds-full-application-approved")

        reviewer = _login(browser.new_context(), base, competition["reviewers"][0])
        reviewer.goto(f"{base}/innovationsfonds/")
        expect(reviewer.locator("#progress")).to_contain_text("0 offen")

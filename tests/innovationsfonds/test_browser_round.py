"""A whole round through the pages in Chromium (issue #20): sketches from several Träger (one over the
maximum, refused beside the field), a conflict chosen from the applicant list, closing and assignment
(with confirmations), all reviews, the Steuerkreis view, staging with one rejection and one waiting place,
the release, a withdrawal and the promotion: the rejected sketch is not promoted, the administrator is
told, and no reviewer page tells which organisation wrote which sketch."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.services import create_user
from app.innovationsfonds import demo
from app.innovationsfonds.models import Sketch, SketchStatus
from app.innovationsfonds.services import calls
from app.notifications.models import Message
from app.platform import clock
from app.platform.extensions import db
from app.reference.models import Organisation
from app.reference.services import get_programme
from tests.browser.conftest import (  # noqa: F401 - the browser fixtures live there
    browser_type_launch_args,
    chromium_path,
    live_server,
)
from tests.conftest import PASSWORD
from tests.innovationsfonds.test_browser import _login, _shot

pytestmark = pytest.mark.browser
S = SketchStatus
DURING = datetime(2022, 4, 1, 10, tzinfo=clock.BERLIN)
AFTER = datetime(2022, 6, 1, 10, tzinfo=clock.BERLIN)
LATER = datetime(2022, 7, 20, 10, tzinfo=clock.BERLIN)
# Träger: (marks for relevanz/innovation/umsetzbarkeit, frauen) -> A 100, B 91,25, C 70,63, D 58,75 points
TRAEGER = {"A": ("Jugendhilfe Nord e. V.", 10, 5), "B": ("Bildungswerk Süd gGmbH", 9, 5),
           "C": ("Werkstatt West e. V.", 7, 4), "D": ("Lernhaus Ost e. V.", 6, 3), "E": ("Großprojekt AG", 5, 3)}
REASON = "Doppelförderung mit ESF-Projekt"


@pytest.fixture()
def round_setup(app):
    admin = create_user(email="admin@round.test", name="Admin", password=PASSWORD, role="programme_admin",
                        actor_label="t")
    users = {}
    for key, (name, _mark, _women) in TRAEGER.items():
        organisation = Organisation(name=name, kind="club" if "e. V." in name else "firm")
        db.session.add(organisation)
        db.session.flush()
        users[key] = create_user(email=f"{key.lower()}@round.test", name=f"Kontakt {key}", password=PASSWORD,
                                 role="organisation", organisation_id=organisation.id, actor_label="t")
    reviewers = [create_user(email=f"rev{n}@round.test", name=f"Gutachterin {n}", password=PASSWORD,
                             role="reviewer", actor_label="t") for n in range(3)]
    data = demo.call_data(get_programme(), opens=date(2022, 3, 1), closes=date(2022, 5, 31),
                          review_deadline=date(2022, 6, 30), title="Runde im Browser")
    data.update(budget_cents=40_000_000, max_per_project_cents=20_000_000, reviewers_per_sketch=2)
    with clock.freeze(datetime(2022, 2, 1, 10, tzinfo=clock.BERLIN)):
        call = calls.create_call(admin, get_programme(), data)
    db.session.commit()
    return {"admin": admin, "orgs": users, "reviewers": reviewers, "call": call.id}


def _submit_sketch(page, base, call_id: int, title: str, amount: str):
    page.goto(f"{base}/innovationsfonds/skizzen/neu?call={call_id}")
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Kurzbeschreibung").fill("Begleitung junger Geflüchteter in Ausbildung.")
    page.get_by_label("Geplante Teilnehmende").fill("30")
    page.get_by_label("davon Frauen").fill("18")
    page.get_by_label("Standort (Kommune)").select_option(index=1)
    page.get_by_label("Projektbeginn").fill("2022-09-01")
    page.get_by_label("Projektende").fill("2023-06-30")
    page.get_by_label("Beantragte Zuwendung (€)").fill(amount)
    page.get_by_label("Gesamtkosten (€)").fill("300.000,00")
    page.get_by_role("button", name="Entwurf speichern").click()
    expect(page.get_by_text("Der Entwurf wurde gespeichert.")).to_be_visible()
    page.get_by_role("button", name="Einreichen", exact=True).click()


def test_a_round_through_the_pages(live_server, browser, round_setup):  # noqa: F811
    base, call_id, orgs = live_server, round_setup["call"], round_setup["orgs"]
    with clock.freeze(DURING):
        for key in TRAEGER:
            page = _login(browser.new_context(), base, orgs[key])
            amount = "250.000,00" if key == "E" else "200.000,00"
            _submit_sketch(page, base, call_id, f"Vorhaben {key}", amount)
            if key == "E":  # over the maximum: refused, the message beside the amount, still a draft
                expect(page.locator("#f-requested-error")).to_contain_text("Höchstbetrag je Projekt")
                _shot(page, "innovationsfonds-round-refused")
            else:
                expect(page.get_by_text("Die Skizze wurde eingereicht.")).to_be_visible()
            page.context.close()
    db.session.rollback()
    sketch = {key: db.session.scalar(select(Sketch).where(Sketch.title == f"Vorhaben {key}")) for key in TRAEGER}
    assert sketch["E"].status is S.DRAFT

    with clock.freeze(AFTER):
        admin = _login(browser.new_context(), base, round_setup["admin"])
        admin.goto(f"{base}/innovationsfonds/aufrufe/{call_id}")
        admin.get_by_role("button", name="Einreichung schließen und Förderfähigkeit prüfen").click()
        expect(admin.get_by_text("4 förderfähig, 0 nicht förderfähig")).to_be_visible()

        first = _login(browser.new_context(), base, round_setup["reviewers"][0])
        first.goto(f"{base}/innovationsfonds/gutachten")
        first.get_by_label("Antragstellender Träger").select_option(label=TRAEGER["A"][0])
        first.get_by_label("Grund", exact=True).fill("Vorstandsmitglied")
        first.get_by_role("button", name="Interessenkonflikt erklären").click()
        expect(first.get_by_text("Der Interessenkonflikt wurde erklärt.")).to_be_visible()

        admin.goto(f"{base}/innovationsfonds/aufrufe/{call_id}")
        admin.get_by_role("button", name="Gutachtende automatisch zuordnen").click()
        expect(admin.get_by_text("8 Zuordnungen angelegt")).to_be_visible()

        for reviewer in round_setup["reviewers"]:
            page = first if reviewer is round_setup["reviewers"][0] else _login(browser.new_context(), base, reviewer)
            page.goto(f"{base}/innovationsfonds/gutachten")
            table = page.locator("table").first.inner_text()
            links = [page.locator("tbody a").nth(i).get_attribute("href")
                     for i in range(page.locator("tbody a").count())]
            for href in links:
                page.goto(base + href)
                text = page.locator("main").inner_text()
                assert not any(name in text for name, _m, _w in TRAEGER.values())
                key = next(k for k in TRAEGER if f"Vorhaben {k}" in text)
                _name, mark, women = TRAEGER[key]
                for label in ("Relevanz für die Zielgruppe", "Innovationsgehalt", "Umsetzbarkeit und Kosten"):
                    page.get_by_label(label).select_option(str(mark))
                page.get_by_label("Erreichung junger Frauen").select_option(str(women))
                page.get_by_role("button", name="Gutachten abgeben").click()
                expect(page.get_by_text("Ihr Gutachten wurde abgegeben.")).to_be_visible()
            assert not any(name in table for name, _m, _w in TRAEGER.values())
        assert "Vorhaben A" not in first.locator("table").first.inner_text()  # the conflict kept it away

        admin.goto(f"{base}/innovationsfonds/aufrufe/{call_id}/gutachten")
        for key in "ABCD":
            expect(admin.locator(f"#sheet-{sketch[key].id}")).to_contain_text("Gutachterin")
        _shot(admin, "innovationsfonds-round-steering")

        admin.goto(f"{base}/innovationsfonds/aufrufe/{call_id}/auswahl")
        expect(admin.locator(f"#sel-{sketch['A'].id}")).to_be_checked()
        expect(admin.locator(f"#sel-{sketch['B'].id}")).to_be_checked()
        admin.locator(f"#rej-{sketch['C'].id}").check()
        admin.locator(f"#f-reason_{sketch['C'].id}").fill(REASON)
        admin.get_by_role("button", name="Entscheidung vormerken").click()
        expect(admin.get_by_role("heading", level=1)).to_have_text("Postausgang")
        admin.get_by_role("button", name="Entscheidung freigeben und alle Nachrichten versenden").click()
        expect(admin.get_by_text("Entscheidung freigegeben;")).to_be_visible()

    with clock.freeze(LATER):
        leaving = _login(browser.new_context(), base, orgs["A"])
        leaving.goto(f"{base}/innovationsfonds/skizzen/{sketch['A'].id}")
        leaving.get_by_role("button", name="Zurückziehen").click()
        expect(leaving.get_by_text("Die Skizze wurde zurückgezogen.")).to_be_visible()

    db.session.rollback()
    status = {key: db.session.get(Sketch, sketch[key].id).status for key in "ABCD"}
    assert status == {"A": S.WITHDRAWN, "B": S.SELECTED, "C": S.REJECTED, "D": S.SELECTED}
    assert db.session.get(Sketch, sketch["C"].id).decision_reason == REASON
    notices = list(db.session.scalars(select(Message).where(Message.recipient_id == round_setup["admin"].id,
                                                            Message.kind == "innovationsfonds.admin_notice")))
    assert any(sketch["D"].reference in m.body for m in notices)

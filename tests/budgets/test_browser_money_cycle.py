"""Issue #13, page walk: Köln's whole money cycle in a real Chromium, one phase per frozen day.

Approved application (API) → amendment moving 10.000 € from F1/2022 to F3/2023 (pages, Kommune and
administrator) → two drawdowns, one approved in full, one cut with its reason by finance user 1 and both
paid by finance user 2 (four eyes) → expenses by form and CSV import → proof of use → final decision with
the per-module calculation → final payment orders paid by finance → the Kommune's notices and "Abrufbar" 0.

Numbers (rate 80 %): approved F1 90.000 (50.000 in 2021, 40.000 in 2022), F2 40.000, F3 30.000 = 160.000 €.
Expenses F1 120.000 (earned 96.000: 6.000 over, within the 20 % allowance), F2 45.000 (36.000), F3 20.000
(16.000): final grant 148.000 €, paid 32.000 €, final payment 116.000 €. All expenses are dated before the
payments, so no § 49a Abs. 4 interest arises.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from app.budgets.models import Drawdown, DrawdownKind, DrawdownStatus
from app.budgets.verify import verify_ledger
from app.platform import clock
from app.platform.extensions import db
from tests.browser.conftest import ARTIFACTS, browser_type_launch_args, chromium_path, live_server  # noqa: F401
from tests.conftest import PASSWORD
from tests.grants.conftest import KOELN, ceilings, draft_body  # noqa: F401

pytestmark = pytest.mark.browser

PLAN = {("F1", 2021): "50000.00", ("F1", 2022): "50000.00", ("F2", 2022): "40000.00", ("F3", 2023): "20000.00"}
CSV = (b"datum;baustein;betrag;einheiten;pauschale;beleg;beschreibung\n"
       b"15.03.2021;F1;50.000,00;;;B-2021-001;Coaching 2021\n"
       b"10.02.2022;F1;40.000,00;;;B-2022-002;Coaching Januar und Februar\n"
       b"20.03.2022;F2;45.000,00;;;B-2022-003;Sprachkurse\n"
       b"05.05.2023;F3;20.000,00;;;B-2023-004;Praktikumsbegleitung\n")


def _login(browser, context_args: dict, base: str, user):
    page = browser.new_context(**context_args).new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm questions
    page.goto(base + "/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Guten Tag")
    return page


def _approved_application(api, kommune, admin) -> int:
    """Köln's application, submitted and approved as asked (the grants pages are walked in test_grants_browser)."""
    with clock.freeze(date(2020, 6, 15)):
        client = api(kommune)
        app_id = client.post("/api/v1/applications").json["id"]
        assert client.put(f"/api/v1/applications/{app_id}/draft", json=draft_body(PLAN)).status_code == 200
        assert client.post(f"/api/v1/applications/{app_id}/submit").status_code == 200
        response = api(admin).post(f"/api/v1/applications/{app_id}/approve", json={})
        assert response.status_code in (200, 201), response.json
    db.session.commit()
    return app_id


def _open_drawdown(page, base: str, purpose: str) -> None:
    page.goto(base + "/budgets/mittelabrufe")
    page.locator("tr", has_text=purpose).get_by_role("link").first.click()


def _settlement_row(page, module: str):
    return page.locator("table").filter(has_text="Förderquote × Ausgaben").locator("tbody tr", has_text=module)


def test_koeln_walks_the_whole_money_cycle(make_user, api, ceilings, live_server, browser,  # noqa: F811
                                           browser_context_args):
    users = {"kommune": make_user("kommune", kommune_ags=KOELN), "admin": make_user("programme_admin"),
             "finance1": make_user("finance"), "finance2": make_user("finance")}
    app_id = _approved_application(api, users["kommune"], users["admin"])

    # ---- amendment (Kommune asks, administrator approves): 10.000 € from F1/2022 to F3/2023
    with clock.freeze(date(2022, 2, 1)):
        pages = {role: _login(browser, browser_context_args, live_server, user) for role, user in users.items()}
        kommune, admin = pages["kommune"], pages["admin"]
        kommune.goto(f"{live_server}/antraege/{app_id}")
        kommune.get_by_role("button", name="Änderungsantrag stellen").click()
        expect(kommune.get_by_label("F1 2022", exact=True)).to_have_value("50.000,00")
        kommune.get_by_label("F1 2022", exact=True).fill("40.000,00")
        kommune.get_by_label("F3 2023", exact=True).fill("30.000,00")
        kommune.get_by_label("Begründung der Änderung", exact=False).fill("Mehr Praktika im letzten Jahr.")
        kommune.get_by_role("button", name="Speichern und einreichen").click()
        expect(kommune.get_by_text("Der Antrag wurde eingereicht.")).to_be_visible()
        admin.goto(live_server + "/antraege/?status=submitted&kind=amendment")
        admin.get_by_role("link", name="Prüfen").click()
        expect(admin.locator('tr[data-key="lines.F3.2023"]')).to_contain_text("30.000,00")
        admin.get_by_role("button", name="Bewilligen").click()
        expect(admin.get_by_role("heading", level=1)).to_have_text(re.compile(r"Zuwendungsbescheid ZB-\d{4}-\d{4}-Ä1$"))
        _shot(admin, "walk-1-amendment-decision")

    # ---- drawdowns: F1 20.000 approved in full, F2 15.000 cut to 12.000 with a reason; paid by another person
    with clock.freeze(date(2022, 4, 1)):
        kommune.goto(live_server + "/")
        kommune.get_by_role("link", name="Budget", exact=True).click()
        expect(kommune.get_by_role("heading", level=1)).to_contain_text("-Ä1")
        for module, amount, purpose in (("F1", "20.000,00", "Coaching April und Mai"),
                                        ("F2", "15.000,00", "Sprachkurse April und Mai")):
            kommune.get_by_label("Baustein").select_option(module)
            kommune.get_by_label("Betrag in Euro").fill(amount)
            kommune.get_by_label("Verwendungszweck").fill(purpose)
            kommune.get_by_role("button", name="Mittel abrufen").click()
            expect(kommune.get_by_role("status")).to_contain_text(f"über {amount}")
        _shot(kommune, "walk-2-drawdowns-requested")

        finance1, finance2 = pages["finance1"], pages["finance2"]
        _open_drawdown(finance1, live_server, "Coaching April und Mai")
        finance1.get_by_role("button", name="Genehmigen").click()
        expect(finance1.get_by_role("status")).to_contain_text("genehmigt")
        expect(finance1.get_by_role("button", name="Auszahlung buchen")).to_have_count(0)
        expect(finance1.get_by_text("Nach dem Vier-Augen-Prinzip bucht eine zweite Person")).to_be_visible()
        _shot(finance1, "walk-3-four-eyes-no-pay-form")

        _open_drawdown(finance1, live_server, "Sprachkurse April und Mai")
        finance1.get_by_label("Genehmigter Betrag in Euro (leer = wie beantragt)").fill("12.000,00")
        finance1.get_by_role("button", name="Genehmigen").click()
        # a cut needs its reason: said once, beside the approve form's field (not the reject form's)
        expect(finance1.locator("#f-reason-error")).to_contain_text("Kürzung begründen")
        expect(finance1.locator(".error")).to_have_count(1)
        expect(finance1.get_by_label("Genehmigter Betrag in Euro (leer = wie beantragt)")).to_have_value("12.000,00")
        _shot(finance1, "walk-3-cut-without-reason")
        finance1.get_by_label("Begründung (Pflicht bei Kürzung", exact=False).fill(
            "Bedarf für Mai nicht belegt; bitte erneut abrufen.")
        finance1.get_by_role("button", name="Genehmigen").click()
        expect(finance1.get_by_role("status")).to_contain_text("genehmigt")
        expect(finance1.locator("dl.facts")).to_contain_text("Bedarf für Mai nicht belegt")
        expect(finance1.get_by_role("button", name="Auszahlung buchen")).to_have_count(0)

        for number, purpose in enumerate(("Coaching April und Mai", "Sprachkurse April und Mai"), start=1):
            _open_drawdown(finance2, live_server, purpose)
            finance2.get_by_label("Kassenzeichen / Zahlungsreferenz").fill(f"KZ-2022-{number:04d}")
            finance2.get_by_role("button", name="Auszahlung buchen").click()
            expect(finance2.get_by_role("status")).to_contain_text("als ausgezahlt gebucht")
        _shot(finance2, "walk-4-paid-by-second-person")

    # ---- expenses: one by form, four by CSV import
    with clock.freeze(date(2023, 6, 20)):
        kommune.goto(live_server + "/budgets/")
        kommune.get_by_role("link", name="Ausgaben und Import").click()
        kommune.get_by_label("Baustein").select_option("F1")
        kommune.get_by_label("Datum").fill("2022-03-15")
        kommune.get_by_label("Betrag in Euro").fill("30.000,00")
        kommune.get_by_label("Belegnummer").fill("B-2022-001")
        kommune.get_by_label("Beschreibung").fill("Coaching März")
        kommune.get_by_role("button", name="Ausgabe erfassen").click()
        expect(kommune.get_by_role("status").first).to_contain_text("Die Ausgabe wurde erfasst.")
        kommune.get_by_label("CSV-Datei").set_input_files(
            {"name": "ausgaben-koeln.csv", "mimeType": "text/csv", "buffer": CSV})
        kommune.get_by_role("button", name="Importieren").click()
        expect(kommune.get_by_text("Import abgeschlossen: 4 Ausgaben über 155.000,00")).to_be_visible()
        _shot(kommune, "walk-5-expenses")

    # ---- proof of use (Kommune) after the last expense date
    with clock.freeze(date(2023, 7, 10)):
        kommune.goto(live_server + "/budgets/")
        expect(kommune.locator("#drawdown-closed")).to_be_visible()
        kommune.get_by_role("link", name="Verwendungsnachweis").click()
        kommune.get_by_label("Sachbericht").fill("Coaching, Sprachkurse und Praktika wie geplant durchgeführt.")
        kommune.get_by_label("Ich bestätige", exact=False).check()
        kommune.get_by_role("button", name="Einreichen").click()
        expect(kommune.get_by_text("Der Verwendungsnachweis wurde eingereicht.")).to_be_visible()
        _shot(kommune, "walk-6-proof-submitted")

    # ---- final decision (administrator) on the proof page
    with clock.freeze(date(2023, 8, 1)):
        admin.goto(live_server + "/budgets/")
        admin.get_by_role("link", name="Köln").first.click()
        admin.get_by_role("link", name="Verwendungsnachweis").click()
        # preview before the decision: F1 overruns by 6.000 € within its 20 % allowance
        expect(_settlement_row(admin, "F1")).to_contain_text("96.000,00")
        admin.get_by_role("button", name="Schlussbescheid erlassen").click()
        expect(admin.get_by_text("Der Schlussbescheid wurde erlassen.")).to_be_visible()
        expected = {"F1": ["90.000,00", "120.000,00", "96.000,00", "108.000,00", "96.000,00", "20.000,00"],
                    "F2": ["40.000,00", "45.000,00", "36.000,00", "48.000,00", "36.000,00", "12.000,00"],
                    "F3": ["30.000,00", "20.000,00", "16.000,00", "36.000,00", "16.000,00", "0,00"]}
        for module, cells in expected.items():
            expect(_settlement_row(admin, module).locator("td.num")).to_have_text([f"{c}\u00a0€" for c in cells])
        total = admin.locator("table").filter(has_text="Förderquote × Ausgaben").locator("tfoot tr")
        expect(total.locator("td.num")).to_have_text([f"{c}\u00a0€" if c else "" for c in (  # allowances: no sum
            "160.000,00", "185.000,00", "148.000,00", "", "148.000,00", "32.000,00")])
        expect(admin.get_by_text("Zuwendung endgültig festgesetzt auf")).to_contain_text("148.000,00")
        expect(admin.get_by_text("Schlusszahlung: 116.000,00")).to_contain_text(
            "Auszahlung durch die Finanzabteilung offen")
        _shot(admin, "walk-7-final-decision")

    # ---- final payment orders in finance's queue, paid
    with clock.freeze(date(2023, 8, 10)):
        finance1.goto(live_server + "/budgets/mittelabrufe")
        orders = finance1.locator("tbody tr", has_text="Köln")
        expect(orders.first).to_be_visible()
        _shot(finance1, "walk-8-final-payment-queue")
        count = orders.count()
        assert count >= 1
        for number in range(count):
            finance1.goto(live_server + "/budgets/mittelabrufe")
            finance1.locator("tbody tr", has_text="Köln").first.get_by_role("link").first.click()
            expect(finance1.locator("dl.facts")).to_contain_text("Schlusszahlung")
            finance1.get_by_label("Kassenzeichen / Zahlungsreferenz").fill(f"KZ-2023-S{number + 1}")
            finance1.get_by_role("button", name="Auszahlung buchen").click()
            expect(finance1.get_by_role("status")).to_contain_text("als ausgezahlt gebucht")
        _shot(finance1, "walk-8-final-payment-paid")
        finance1.goto(live_server + "/budgets/mittelabrufe")
        expect(finance1.get_by_text("Keine offenen Mittelabrufe")).to_be_visible()

    # ---- the Kommune: notices in its inbox, "Abrufbar" 0, the final payment shown as paid
    with clock.freeze(date(2023, 8, 15)):
        kommune.goto(live_server + "/")
        kommune.get_by_role("link", name="Nachrichten").first.click()
        inbox = kommune.locator("main")
        expect(inbox).to_contain_text("Mittelabruf genehmigt")
        expect(inbox).to_contain_text("Mittelabruf gekürzt genehmigt")
        expect(inbox).to_contain_text("Begründung der Kürzung: Bedarf für Mai nicht belegt")
        expect(inbox).to_contain_text("Schlussbescheid zur Zuwendung")
        expect(inbox).to_contain_text("Schlusszahlung ausgezahlt")
        _shot(kommune, "walk-9-inbox")
        for number, subject in enumerate(("Schlussbescheid zur Zuwendung", "Mittelabruf gekürzt genehmigt",
                                          "Schlusszahlung ausgezahlt"), start=1):
            inbox.locator("article", has_text=subject).first.screenshot(
                path=str(ARTIFACTS / f"walk-9-inbox-{number}.png"))
        kommune.goto(live_server + "/budgets/")
        available = kommune.locator("table").first.locator("tfoot td.num").last
        expect(available).to_have_text("0,00\u00a0€")
        _shot(kommune, "walk-9-budget-after-settlement")
        kommune.get_by_role("link", name="Verwendungsnachweis").click()
        expect(kommune.get_by_text("Schlusszahlung: 116.000,00")).to_contain_text("ausgezahlt")

    db.session.rollback()
    paid = db.session.scalars(db.select(Drawdown).where(Drawdown.status == DrawdownStatus.PAID)).all()
    assert sum(d.amount_approved_cents for d in paid) == 14_800_000
    assert sum(d.amount_approved_cents for d in paid if d.kind == DrawdownKind.FINAL_PAYMENT) == 11_600_000
    assert verify_ledger() == []


def _shot(page, name: str) -> None:
    """A full-page screenshot of one user's page (the ``screenshot`` fixture only sees the default page)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

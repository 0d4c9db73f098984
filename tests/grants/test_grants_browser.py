"""The whole grants path in Chromium: draft → submit → changes requested → resubmit → approve →
decision document → amendment shifting money from F2 to F4 → approved changed decision."""

import re

import pytest
from playwright.sync_api import expect

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
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm questions
    page.goto(base + "/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Guten Tag")
    return page


def _fill_amounts(page, amounts):
    for label, value in amounts.items():
        page.get_by_label(label, exact=True).fill(value)


def test_grants_path_in_chromium(live_server, browser, people):  # noqa: F811 - fixture
    kommune = _login(browser.new_context(), live_server, people["kommune"])
    admin = _login(browser.new_context(), live_server, people["programme_admin"])

    # Kommune: draft and submit
    kommune.get_by_role("link", name="Anträge").click()
    expect(kommune.get_by_text("2.950.000,00")).to_be_visible()
    kommune.get_by_role("button", name="Antrag anlegen").click()
    _fill_amounts(kommune, {"F1 2020": "100.000,00", "F2 2021": "300.000,00", "F4 2022": "200.000,00",
                            "Teilnehmende F1": "120"})
    kommune.get_by_label("Geplante Maßnahmen").fill("Coaching und Sprachkurse in allen Stadtbezirken.")
    kommune.get_by_label("F3 2023").fill("9.000.000,00")
    kommune.get_by_role("button", name="Speichern und einreichen").click()
    expect(kommune.get_by_role("alert")).to_contain_text("Zuwendungshöchstgrenze Ihrer Kommune von 2.950.000,00")
    kommune.get_by_label("F3 2023").fill("")
    kommune.get_by_role("button", name="Speichern und einreichen").click()
    expect(kommune.get_by_text("Der Antrag wurde eingereicht.")).to_be_visible()

    # Admin: request changes
    admin.goto(live_server + "/antraege/?status=submitted")
    admin.get_by_role("link", name="Prüfen").click()
    admin.get_by_label("Änderungen anfordern – was soll die Kommune ändern?").fill("Bitte F3 im Jahr 2021 planen.")
    admin.get_by_role("button", name="Änderungen anfordern").click()
    expect(admin.get_by_text("Die Kommune wurde um Änderungen gebeten.")).to_be_visible()

    # Kommune: rework and resubmit
    kommune.reload()
    expect(kommune.locator(".flash-warning")).to_contain_text("Bitte F3 im Jahr 2021 planen.")
    kommune.get_by_role("link", name="Bearbeiten").click()
    _fill_amounts(kommune, {"F3 2021": "50.000,00"})
    kommune.get_by_role("button", name="Speichern und einreichen").click()
    expect(kommune.get_by_text("Der Antrag wurde eingereicht.")).to_be_visible()

    # Admin: the diff shows the change; approve with a lowering
    admin.goto(live_server + "/antraege/?status=submitted")
    admin.get_by_role("link", name="Prüfen").click()
    expect(admin.locator('tr[data-key="lines.F3.2021"]')).to_contain_text("50.000,00")
    admin.get_by_label("Bewilligt F1 2020").fill("90.000,00")
    admin.get_by_label("Begründung F1 2020").fill("Personalkosten zu hoch angesetzt.")
    admin.get_by_role("button", name="Bewilligen").click()
    heading = admin.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"Zuwendungsbescheid ZB-\d{4}-0001$"))
    expect(admin.get_by_test_id("approved-total")).to_have_text("640.000,00\u00a0€")
    number = heading.inner_text().split()[-1]

    # Kommune: the decision, then an amendment shifting 100.000 € from F2 to F4
    kommune.goto(live_server + "/antraege/")
    kommune.get_by_role("link", name=number, exact=True).first.click()
    expect(kommune.get_by_role("heading", level=1)).to_have_text(f"Zuwendungsbescheid {number}")
    kommune.get_by_role("link", name="Zurück zum Antrag").click()
    kommune.get_by_role("button", name="Änderungsantrag stellen").click()
    expect(kommune.get_by_label("F1 2020", exact=True)).to_have_value("90.000,00")
    _fill_amounts(kommune, {"F2 2021": "200.000,00", "F4 2022": "300.000,00"})
    kommune.get_by_label("Begründung der Änderung", exact=False).fill("Mehr Bedarf an Jugendintegrationskursen.")
    kommune.get_by_role("button", name="Speichern und einreichen").click()
    expect(kommune.get_by_text("Der Antrag wurde eingereicht.")).to_be_visible()

    # Admin: approve the amendment -> changed decision "-Ä1"
    admin.goto(live_server + "/antraege/?status=submitted&kind=amendment")
    admin.get_by_role("link", name="Prüfen").click()
    expect(admin.locator('tr[data-key="lines.F2.2021"]')).to_contain_text("200.000,00")
    expect(admin.locator('tr[data-key="lines.F4.2022"]')).to_contain_text("300.000,00")
    admin.get_by_role("button", name="Bewilligen").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Zuwendungsbescheid {number}-Ä1")
    expect(admin.get_by_text(f"Änderungsbescheid zum Bescheid {number}")).to_be_visible()
    expect(admin.locator('tr[data-line="F4-2022"]')).to_contain_text("300.000,00")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    admin.screenshot(path=str(ARTIFACTS / "grants-changed-decision.png"), full_page=True)
    kommune.goto(live_server + "/")
    # the grants panel links the changed decision (the budgets panel shows the same number for the grant)
    expect(kommune.locator('a[href^="/bescheide/"]', has_text=f"{number}-Ä1")).to_be_visible()


def test_a_withdrawn_kommune_applies_again_in_chromium(live_server, browser, flow):  # noqa: F811 - fixture
    """Issue #21.6: withdrawn is no dead end ("Keine Aktion für Sie in diesem Status"): the Kommune takes its
    application up again, sees the sums of its last plan, changes it and submits it again."""
    app_id = flow.in_state("withdrawn")
    kommune = _login(browser.new_context(), live_server, flow.users["kommune"])
    kommune.goto(f"{live_server}/antraege/{app_id}")
    expect(kommune.get_by_text("Keine Aktion für Sie in diesem Status.")).to_have_count(0)
    kommune.get_by_role("button", name="Erneut beantragen").click()
    expect(kommune.get_by_role("heading", level=1)).to_contain_text("bearbeiten")
    expect(kommune.locator("[data-sum-total]")).to_have_text("650.000,00\u00a0€")
    _fill_amounts(kommune, {"F1 2020": "150.000,00"})
    expect(kommune.locator("[data-sum-total]")).to_have_text("700.000,00\u00a0€")  # live while typing
    expect(kommune.locator("#grid-remaining")).to_contain_text("2.250.000,00")
    kommune.get_by_role("button", name="Speichern und einreichen").click()
    expect(kommune.locator(".flash-success")).to_contain_text("eingereicht")
    history = kommune.locator("table").last
    for word in ("zurückgezogen", "erneut aufgenommen", "eingereicht"):
        expect(history).to_contain_text(word)

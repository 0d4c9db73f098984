"""Start pages per role, charts, the map, lists with export, and the page security rules (CSP, CSRF,
no other Kommune's data)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from app.allocation import demo as allocation_demo
from app.allocation.models import Ceiling
from app.budgets import services as budget_services
from app.platform import clock
from app.platform.extensions import db
from app.platform.money import format_eur
from app.reference.models import Kommune
from app.reference.services import get_programme
from tests.budgets.conftest import make_grant  # noqa: F401 - fixture

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
DAY = date(2022, 6, 15)


@pytest.fixture()
def story(app, make_user, make_grant):  # noqa: F811 - fixture
    """Published ceilings for all 53, two Kommunen with grants, expenses and a drawdown each."""
    admin = make_user("programme_admin")
    allocation_demo.seed(SimpleNamespace(users={"admin@demo.nrw": admin}, programme=get_programme()))
    db.session.commit()
    grants = {ags: make_grant(ags) for ags in ("05315", "05154")}
    with clock.freeze(date(2021, 3, 1)):
        for ags, grant in grants.items():
            actor = SimpleNamespace(id=None, email="test", role="kommune", kommune_id=grant.kommune_id,
                                    organisation_id=None)
            rows = [{"module_code": "F1", "budget_year": 2021, "expense_date": date(2021, 2, d), "amount_cents": 250_00,
                     "units_centi": None, "rate_code": None, "voucher_ref": f"BELEG-{ags}-{d}",
                     "description": f"Kurs {ags}"} for d in range(1, 21)]
            budget_services.import_expenses(grant, rows, actor=actor, filename="t.csv")
            budget_services.request_drawdown(grant, module="F1", amount_cents=1_000_00,
                                             purpose=f"Zweck-{ags}", actor=actor)
    db.session.commit()
    return SimpleNamespace(admin=admin, grants=grants)


def _login(client_factory, user):
    client_factory.login(user)
    return client_factory


def test_start_page_answers_each_roles_first_questions(app, client, make_user, story):
    pages = {}
    with clock.freeze(DAY):
        for role, kwargs in (("kommune", {"kommune_ags": "05315"}), ("programme_admin", {}), ("finance", {}),
                             ("auditor", {}), ("reviewer", {}), ("organisation", {})):
            fresh = type(client)(app.test_client())
            fresh.login(make_user(role, **kwargs))
            response = fresh.get("/")
            assert response.status_code == 200, role
            pages[role] = response.get_data(as_text=True)
    kommune = pages["kommune"]
    for text in ("Mein Überblick", "Höchstgrenze F1–F4", "Bewilligt", "Ausgezahlt", "Rest (noch nicht verdient)",
                 "Tage bis zum letzten Ausgabetag", "380", "Was ist zu tun?", "Ausgaben im Verlauf",
                 "Zahlen als Tabelle", "<svg"):
        assert text in kommune, text
    admin = pages["programme_admin"]
    for text in ("Programm auf einen Blick", "Gefährdete Kommunen", "Offene Entscheidungen", "Anträge nach Status",
                 "Zuteilung F1–F4", "Ausgaben landesweit"):
        assert text in admin, text
    finance = pages["finance"]
    assert "Mittelabrufe zu entscheiden" in finance and "Auszahlungen fällig" in finance
    assert "2 beantragt" in finance and "Ledger-Abgleich" in finance
    assert "Prüfpfad und Berichte" in pages["auditor"] and "/audit" in pages["auditor"]
    assert "Innovationsfonds" in pages["reviewer"] and "Innovationsfonds" in pages["organisation"]


def test_map_has_53_linked_areas_attribution_and_table(client, make_user, story):
    client.login(story.admin)
    for measure in ("hoechstgrenze", "ausschoepfung", "gefaehrdet", "teilnehmende"):
        page = client.get(f"/karte?mass={measure}").get_data(as_text=True)
        assert page.count("<path ") == 53
        assert page.count('<a href="/kommunen/') == 53 * 2  # the area and the table row
        assert "© GeoBasis-DE / BKG" in page and "Datenlizenz Deutschland" in page
        assert page.count("<tr><td>05") == 53
    kleve = client.get("/karte?mass=hoechstgrenze").get_data(as_text=True)
    assert re.search(r"Kleve</a></td><td class=\"num\">[0-9.]+,\d\d", kleve)
    legend = re.findall(r">bis ([^<]+)</text>", kleve)  # issue #21.7: round class bounds, no cents
    assert len(legend) == 5 and all(re.fullmatch(r"[\d,]+ (Tsd\.|Mio\.) €", label) for label in legend[:-1]), legend
    assert client.get("/kommunen/05154").status_code == 200
    assert client.get("/kommunen/99999").status_code == 404


def test_kommune_sees_its_own_ceiling_on_the_map_and_nothing_of_another_kommune(client, make_user, story):
    client.login(make_user("kommune", kommune_ags="05315"))
    page = client.get("/karte?mass=gefaehrdet").get_data(as_text=True)
    # issue #21.7: limited like the API: the own ceiling only, every other area without figures
    own = db.session.scalar(db.select(Ceiling.ceiling_cents).join(Kommune, Kommune.id == Ceiling.kommune_id)
                            .where(Kommune.ags == "05315"))
    assert format_eur(own) in page and page.count("<tr><td>05") == 1
    assert page.count(": keine Daten</title>") == 52
    assert "Gefährdet" not in page.split("<main", 1)[1].split("<details", 1)[0].split("<select", 1)[0]
    assert "Zuwendungshöchstgrenze" in page and 'name="mass"' not in page  # one measure only, no choice
    assert page.count('href="/kommunen/') == 2 and 'href="/kommunen/05315"' in page
    assert client.get("/kommunen/05315").status_code == 200
    assert client.get("/kommunen/05154").status_code == 404
    assert client.get("/auswertungen").status_code == 403
    other, own = story.grants["05154"], story.grants["05315"].id
    for url in ("/", "/kommunen/05315", "/budgets/mittelabrufe", "/budgets/mittelabrufe?export=csv",
                f"/budgets/zuwendungen/{own}", f"/budgets/zuwendungen/{own}/ausgaben",
                "/antraege/", "/karte"):
        body = client.get(url).get_data().decode("utf-8", "replace")
        assert other.reference not in body and "Zweck-05154" not in body and "BELEG-05154" not in body, url
    assert client.get(f"/budgets/zuwendungen/{other.id}").status_code == 404


def test_reports_show_charts_with_tables(client, story):
    client.login(story.admin)
    with clock.freeze(DAY):
        page = client.get("/auswertungen").get_data(as_text=True)
    assert page.count("<svg") == 2 and page.count("<details") == 2
    assert "Gerade Linie zum Ziel" in page and "Prognose" in page
    assert "Zuwendungshöchstgrenzen je Kommune" in page and page.count('/kommunen/05') >= 53
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "element ids must be unique"


def test_lists_sort_search_page_and_export_exactly_the_selection(client, make_user, story):
    client.login(make_user("finance"))
    page = client.get("/budgets/mittelabrufe?q=z%C3%B6&sort=id&dir=asc").get_data(as_text=True)
    assert "Keine Mittelabrufe für diese Auswahl" in page  # search without a hit: a helpful empty state
    page = client.get("/budgets/mittelabrufe?q=zweck-05&sort=recipient&dir=desc").get_data(as_text=True)
    assert "1–2 von 2 Mittelabrufe" in page and 'aria-sort="descending"' in page
    assert page.index("Köln") < page.index("Kleve")
    exported = client.get("/budgets/mittelabrufe?q=zweck-05&sort=recipient&dir=desc&export=csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Nr.", "Zuwendung", "Empfänger"] and len(rows) == 3
    assert "Köln" in rows[1][2] and "Kleve" in rows[2][2] and rows[1][6] == "1.000,00"
    xlsx = client.get("/budgets/mittelabrufe?q=zweck-05&sort=recipient&dir=desc&export=xlsx")
    sheet = load_workbook(BytesIO(xlsx.data)).active
    values = list(sheet.values)
    assert [str(v) for v in values[0]] == rows[0] and len(values) == 3 and float(values[1][6]) == 1000.0

    grant = story.grants["05315"]
    client.login(story.admin)
    expenses = client.get(f"/budgets/zuwendungen/{grant.id}/ausgaben?sort=voucher&dir=desc&q=beleg-05315-1")
    text = expenses.get_data(as_text=True)
    assert "1–11 von 11 Ausgaben" in text  # BELEG-05315-1 and -10 … -19
    exported = client.get(f"/budgets/zuwendungen/{grant.id}/ausgaben?sort=voucher&dir=desc&q=beleg-05315-1&export=csv")
    assert exported.get_data(as_text=True).count("\r\n") == 12
    audit = client.get("/audit?sort=action&dir=asc&export=xlsx")
    assert audit.status_code == 200
    queue = client.get("/antraege/?sort=kommune&export=csv")
    assert queue.status_code == 200 and queue.get_data(as_text=True).startswith("\ufeffKommune;Art;Status")


def test_templates_have_no_inline_script_or_style_and_every_post_form_has_csrf():
    problems = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(TEMPLATES)
        if re.search(r"\sstyle=", text) or "<style" in text:
            problems.append(f"{name}: inline style")
        for script in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in script:
                problems.append(f"{name}: inline script")
        if re.search(r"\son[a-z]+=\"", text):
            problems.append(f"{name}: inline event handler")
        for form in re.findall(r"<form\b[^>]*method=\"post\"[^>]*>.*?</form>", text, flags=re.S | re.I):
            if "csrf()" not in form and "csrf_token()" not in form:
                problems.append(f"{name}: POST form without CSRF token")
    assert problems == []


def test_csp_header_and_post_without_csrf_token_is_refused(app, client, make_user, story):
    client.login(make_user("kommune", kommune_ags="05315"))
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe-inline" not in policy
    grant = story.grants["05315"]
    refused = client.client.post(f"/budgets/zuwendungen/{grant.id}", data={"module": "F1", "amount": "10,00",
                                                                           "purpose": "x"})
    assert refused.status_code == 400
    assert client.client.post("/antraege/neu").status_code == 400


def test_audit_trail_reads_in_german_with_links_and_keeps_the_json(client, make_user, story):
    """Issue #21.2: German action labels, labelled before/after, links to the objects, filter by object."""
    from app.budgets.models import Drawdown

    drawdown = db.session.scalar(db.select(Drawdown).where(Drawdown.grant_id == story.grants["05315"].id))
    client.login(make_user("auditor"))
    page = client.get("/audit?action=drawdown.request").get_data(as_text=True)
    assert "Mittelabruf gestellt" in page and "<code class=\"hint\">drawdown.request</code>" in page
    assert f'href="/budgets/mittelabrufe/{drawdown.id}">Mittelabruf {drawdown.id}</a>' in page
    assert "<dt>Beantragt</dt><dd><ins>1.000,00\xa0€</ins></dd>" in page and "<dt>Baustein</dt>" in page
    assert "<dt>requested_cents</dt>" not in page and '"requested_cents": 100000' in page  # JSON in the details
    history = client.get(f"/audit?object_type=drawdown&object_id={drawdown.id}").get_data(as_text=True)
    assert history.count("Mittelabruf gestellt") == 1 and "Zweck-05154" not in history
    rows = list(csv.reader(io.StringIO(client.get("/audit?action=drawdown.request&export=csv")
                                       .get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:6] == ["Zeit", "Benutzer", "Aktion", "Objekt", "Änderungen", "Aktionscode"]
    assert {r[2] for r in rows[1:]} == {"Mittelabruf gestellt"} and "Beantragt: 1.000,00" in rows[1][4]


def test_every_audited_action_has_a_german_label():
    from app.main.audit_labels import ACTION_LABELS, action_label

    source = "\n".join(p.read_text(encoding="utf-8") for p in (TEMPLATES.parent / "app").rglob("*.py"))
    codes = set(re.findall(r'record\(\s*"([a-z_.]+)"', source))
    assert len(codes) > 40
    assert sorted(codes - set(ACTION_LABELS)) == []
    assert action_label("innovationsfonds.sketch.create") == "Innovationsfonds: Skizze angelegt"
    assert action_label("grants.application.approve") == "Antrag bewilligt"
    assert action_label("unbekannt.neu") == "unbekannt.neu"  # shown, never hidden

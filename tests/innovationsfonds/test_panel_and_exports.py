"""The Innovationsfonds start-page panel per role, the CSV/XLSX exports of the sketch list and the
ranking (the same rows as the pages) and the score chart with the funding line."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from app.auth.models import User
from app.platform import clock
from tests.innovationsfonds.conftest import AFTER, DURING, marks_for

BASE = "/api/v1/innovationsfonds"


@pytest.fixture()
def scored(small):
    """Three submitted sketches (two organisations), closed, assigned and fully reviewed; one draft."""
    ids = [small.submitted(title=f"Skizze {n}", requested=f"{100000 + n * 1000}.00") for n in range(2)]
    ids.append(small.submitted(who="other_org", title="Fremde Skizze"))
    small.draft(title="Noch ein Entwurf")
    small.close()
    small.assign()
    with clock.freeze(AFTER):
        for n, sketch_id in enumerate(ids):
            for reviewer_id in small.assigned_to(sketch_id):
                name = next(k for k, u in small.users.items() if u.id == reviewer_id)
                response = small.api[name].post(f"{BASE}/sketches/{sketch_id}/review/submit",
                                                json={"marks": marks_for(n * 5 + reviewer_id)})
                assert response.status_code == 200, response.json
    return ids


def _csv(response) -> list[list[str]]:
    assert response.headers["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))


def test_exports_carry_exactly_the_rows_of_the_pages(small, scored, client, people):
    client.login(people["finance"])
    with clock.freeze(AFTER):
        page = client.get(f"/innovationsfonds/aufrufe/{small.call}/rangfolge").get_data(as_text=True)
        ranking = _csv(client.get(f"/innovationsfonds/aufrufe/{small.call}/export/rangfolge.csv"))
        sketches = _csv(client.get(f"/innovationsfonds/aufrufe/{small.call}/export/skizzen.csv"))
        workbook = client.get(f"/innovationsfonds/aufrufe/{small.call}/export/rangfolge.xlsx")
    assert ranking[0][:4] == ["Rang", "Skizze", "Titel", "Mittel"]
    assert [row[1] for row in ranking[1:]] == re.findall(r">(IF-\d+-\d+)</a>", page)
    assert [int(row[0]) for row in ranking[1:]] == list(range(1, len(scored) + 1))
    for row in ranking[1:]:
        assert f"{row[3]}" in page  # the mean as the page prints it (decimal comma)
    assert len(sketches) == 1 + len(scored)  # the draft is not in the list
    assert {row[2] for row in sketches[1:]} == {"Träger A e. V.", "Träger B gGmbH"}
    assert sketches[1][4].endswith(",00") and "," in sketches[1][5]
    sheet = load_workbook(io.BytesIO(workbook.get_data())).active
    assert [c.value for c in sheet[1]][:2] == ["Rang", "Skizze"]
    assert sheet.max_row == 1 + len(scored)


def test_exports_are_for_staff_only(small, client, people):
    for who in ("org", "rev1", "kommune"):
        client.login(people[who])
        assert client.get(f"/innovationsfonds/aufrufe/{small.call}/export/skizzen.csv").status_code == 403
        client.client.get("/abmelden")


def test_statistics_chart_draws_the_funding_line(small, scored, client, people):
    client.login(people["admin"])
    with clock.freeze(AFTER):
        page = client.get(f"/innovationsfonds/aufrufe/{small.call}/statistik").get_data(as_text=True)
    assert "<svg" in page and "Punkte je Skizze" in page
    assert page.count("IF-") >= len(scored)


def _start(client, user: User) -> str:
    client.login(user)
    with clock.freeze(AFTER):
        text = client.get("/").get_data(as_text=True)
    client.client.get("/abmelden")
    return text


def test_start_page_panel_per_role(small, scored, client, people):
    organisation = _start(client, people["org"])
    assert "Ihre Projektskizzen" in organisation and "Skizze 0" in organisation
    assert "Fremde Skizze" not in organisation
    reviewer = people["rev1"]
    assigned = sum(reviewer.id in small.assigned_to(s) for s in scored)
    text = _start(client, reviewer)
    assert f"{assigned} von {assigned}</strong> Gutachten abgegeben" in text
    admin = _start(client, people["admin"])
    assert "Aufrufe und Stand der Begutachtung" in admin and "in Begutachtung" in admin
    total = sum(len(small.assigned_to(s)) for s in scored)
    assert f"{total} von {total}" in admin
    assert "Ihre Projektskizzen" not in _start(client, people["finance"])


def test_panel_names_the_next_step_of_an_organisation(small, client, people):
    small.draft()
    client.login(people["org"])
    with clock.freeze(DURING):
        text = client.get("/").get_data(as_text=True)
    assert "31.03.2020 23:59 Uhr einreichen" in text and "Neue Skizze anlegen" in text


def test_assignment_matrix_and_outbox_are_exportable(small, scored, client, people):
    """Issue #21.1: the matrix and the outbox have CSV/XLSX with the page's rows."""
    from tests.export_reading import read_export

    client.login(people["admin"])
    base = f"/innovationsfonds/aufrufe/{small.call}"
    with clock.freeze(AFTER):
        page = client.get(base + "/zuordnung").get_data(as_text=True)
        assert "/export/zuordnung.csv" in page and "/export/zuordnung.xlsx" in page
        matrix = read_export(client.get(base + "/export/zuordnung.csv"))
        assert matrix[0][:2] == ["Skizze", "Titel"] and matrix[0][-1] == "Anzahl"
        sketches = [row for row in matrix[1:-1]]
        assert [row[0] for row in sketches] == re.findall(r'<th scope="row"><a [^>]*>(IF-\d+-\d+)</a>', page)
        for row in sketches:  # every sketch of "scored" has two submitted reviews
            assert row.count("abgegeben") == 2 and row[-1] == "2"
        assert matrix[-1][0] == "Last" and sum(int(v) for v in matrix[-1][2:-1]) == 2 * len(scored)
        proposals = small.api["admin"].get(f"{BASE}/calls/{small.call}/proposals").json
        staged = small.api["admin"].post(f"{BASE}/calls/{small.call}/decision", json={
            "basis": "funding_line_skip", "selected": proposals["funding_line"]["selected"]})
        assert staged.status_code == 200, staged.json
        outbox_page = client.get(base + "/postausgang").get_data(as_text=True)
        assert "/export/postausgang.xlsx" in outbox_page
        outbox = read_export(client.get(base + "/export/postausgang.xlsx"))
    assert outbox[0][:3] == ["Skizze", "Betreff", "Stand"]
    messages = small.api["admin"].get(f"{BASE}/calls/{small.call}/outbox").json
    assert sorted(row[1] for row in outbox[1:]) == sorted(m["subject"] for m in messages)
    assert {row[2] for row in outbox[1:]} == {"wartet"} and all(row[4] is None for row in outbox[1:])

"""The Steuerkreis view (issue #20, item 4): staff and Prüfung read every review in full, side by side per
sketch, with each reviewer's calibration; a justification export per sketch."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.innovationsfonds import steering
from app.innovationsfonds.steering import Calibration
from app.platform import clock
from tests.innovationsfonds.conftest import AFTER

BASE = "/api/v1/innovationsfonds"
MARKS = [{"relevance": 9, "innovation": 8, "feasibility": None, "women": 4},
         {"relevance": 2, "innovation": 3, "feasibility": 4, "women": 1}]


@pytest.fixture()
def reviewed(small, people):
    sketches = [small.submitted(title="Erstes Vorhaben"), small.submitted("other_org", title="Zweites Vorhaben")]
    small.close()
    small.assign()
    comments = {}
    with clock.freeze(AFTER):
        for index, sketch_id in enumerate(sketches):
            for user_id in small.assigned_to(sketch_id):
                name = next(n for n, u in people.items() if u.id == user_id)
                comments[(sketch_id, name)] = f"Kommentar von {name} zu {sketch_id}"
                response = small.api[name].post(f"{BASE}/sketches/{sketch_id}/review/submit", json={
                    "marks": MARKS[index], "comment": comments[(sketch_id, name)]})
                assert response.status_code == 200, response.json
    return sketches, comments


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_staff_and_audit_read_every_review_side_by_side(reviewed, small, people, client, role):
    sketches, comments = reviewed
    client.login(people[role])
    page = client.get(f"/innovationsfonds/aufrufe/{small.call}/gutachten")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for (sketch_id, name), comment in comments.items():
        sheet = text.split(f'id="sheet-{sketch_id}"')[1].split("</section>")[0]
        assert comment in sheet and people[name].name in sheet
    first = text.split(f'id="sheet-{sketches[0]}"')[1].split("</section>")[0]
    assert "Umsetzbarkeit" in first and "n. z." in first and first.count('<td class="num">9</td>') == 2
    assert 'id="calibration"' in text
    detail = client.get(f"/innovationsfonds/skizzen/{sketches[1]}").get_data(as_text=True)
    assert all(comment in detail for (sid, _n), comment in comments.items() if sid == sketches[1])


def test_the_view_pages_and_filters_the_flagged(reviewed, small, people, client, monkeypatch):
    monkeypatch.setattr(steering, "PAGE_SIZE", 1)
    sketches, _comments = reviewed
    client.login(people["admin"])
    first = client.get(f"/innovationsfonds/aufrufe/{small.call}/gutachten").get_data(as_text=True)
    second = client.get(f"/innovationsfonds/aufrufe/{small.call}/gutachten?seite=2").get_data(as_text=True)
    flagged = client.get(f"/innovationsfonds/aufrufe/{small.call}/gutachten?nur=abweichung").get_data(as_text=True)
    assert f'id="sheet-{sketches[0]}"' in first and f'id="sheet-{sketches[1]}"' not in first
    assert "Seite 1 von 2" in first and f'id="sheet-{sketches[1]}"' in second
    assert "0 Skizzen mit starker Abweichung" in flagged and 'review-sheet' not in flagged  # the reviewers agreed


@pytest.mark.parametrize("role", ["rev1", "org"])
def test_reviewers_and_applicants_do_not_get_the_view(small, people, client, role):
    client.login(people[role])
    assert client.get(f"/innovationsfonds/aufrufe/{small.call}/gutachten").status_code == 403


def test_the_justification_export_names_marks_rank_and_decision(reviewed, small, people, client):
    sketches, comments = reviewed
    client.login(people["auditor"])
    response = client.get(f"/innovationsfonds/skizzen/{sketches[1]}/begruendung.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    by_label = {}
    for row in rows[1:]:
        by_label.setdefault(row[0], []).append(row)
    assert by_label["Rang"][0][-1] == "2"  # the weaker sketch
    assert len(by_label["Note"]) == 2 * 4 and len(by_label["Gutachten"]) == 2
    assert {row[-1] for row in by_label["Gutachten"]} == {c for (sid, _n), c in comments.items() if sid == sketches[1]}
    assert client.get(f"/innovationsfonds/skizzen/{sketches[1]}/begruendung.xlsx").status_code == 200
    client.login(people["rev1"])
    assert client.get(f"/innovationsfonds/skizzen/{sketches[1]}/begruendung.csv").status_code == 403


SCORES = st.lists(st.integers(min_value=0, max_value=10000).map(lambda h: Decimal(h).scaleb(-2)), min_size=2,
                  max_size=30)


@given(SCORES, st.integers(min_value=-2000, max_value=2000))
def test_z_scores_are_centred_and_ignore_a_reviewers_offset(scores, offset):
    calibration = Calibration(None, scores)
    z = [calibration.z_score(s) for s in scores]
    if len(set(scores)) == 1:  # no spread (a spread of 0.01 has z-scores, though its stdev shows as 0.00)
        assert z == [None] * len(scores)
        return
    assert abs(sum(z)) <= Decimal("0.01") * len(z)  # centred (each z rounded to two places)
    shift = Decimal(offset).scaleb(-2)
    shifted = Calibration(None, [s + shift for s in scores])
    assert [shifted.z_score(s + shift) for s in scores] == z

"""The selection page explains every sketch a proposal leaves out, with its reason (ranking.SKIP_REASON_TEXT),
in German and in English."""

from __future__ import annotations

from app.innovationsfonds.models import Call
from app.platform import clock
from app.platform.extensions import db
from tests.innovationsfonds.conftest import AFTER

HIGH = {"relevance": 10, "innovation": 10, "feasibility": 10, "women": 5}
MIDDLE = {"relevance": 6, "innovation": 6, "feasibility": 6, "women": 3}
LOW = {"relevance": 0, "innovation": 0, "feasibility": 0, "women": 1}


def test_selection_page_shows_why_sketches_are_left_out(small, client, people):
    titles = {"best": "Bestes Projekt", "middle": "Mittleres Projekt", "low": "Schwaches Projekt"}
    sketches = {key: small.submitted(title=title) for key, title in titles.items()}
    small.close()
    small.assign()
    marks = {"best": HIGH, "middle": MIDDLE, "low": LOW}
    with clock.freeze(AFTER):
        for key, sketch_id in sketches.items():
            for user_id in small.assigned_to(sketch_id):
                name = next(name for name, user in small.users.items() if user.id == user_id)
                response = small.api[name].post(f"/api/v1/innovationsfonds/sketches/{sketch_id}/review/submit",
                                                json={"marks": marks[key]})
                assert response.status_code == 200, response.json
    call = db.session.get(Call, small.call)
    call.budget_cents = 30_000_000  # 300,000 EUR: one sketch of 200,000 EUR fits, the second one no longer
    db.session.commit()
    reference = {key: f"IF-{small.call}-{sketch_id:04d}" for key, sketch_id in sketches.items()}
    client.login(people["admin"])
    with clock.freeze(AFTER):
        german = client.get(f"/innovationsfonds/aufrufe/{small.call}/auswahl").get_data(as_text=True)
        client.post("/sprache/en")
        english = client.get(f"/innovationsfonds/aufrufe/{small.call}/auswahl").get_data(as_text=True)
    line = german.split('id="proposal-line"')[1].split("</section>")[0]
    assert "Nicht ausgewählte Skizzen und der Grund (2)" in line
    assert f"<li>{reference['middle']} Mittleres Projekt: passt nicht mehr in das verbleibende Budget</li>" in line
    assert f"<li>{reference['low']} Schwaches Projekt: unter der Mindestpunktzahl</li>" in line
    assert reference["best"] not in line.split("<details")[1]  # selected, so not explained
    best = german.split('id="proposal-best"')[1].split("</section>")[0]
    assert f"<li>{reference['middle']} Mittleres Projekt: nicht Teil der punktbesten Auswahl</li>" in best
    line_en = english.split('id="proposal-line"')[1].split("</section>")[0]
    assert "Outlines not selected and the reason (2)" in line_en
    assert f"<li>{reference['middle']} Mittleres Projekt: does not fit into the remaining budget</li>" in line_en
    assert "passt nicht mehr" not in english


def test_the_decision_form_carries_what_the_running_total_needs(small, client, people):
    """Issue #20, item 8: the running total and the basis switch run in static/js/if_selection.js (no inline
    script); every selection tick carries its amount and the proposals that contain it."""
    sketch_id = small.submitted()
    small.close()
    small.assign()
    with clock.freeze(AFTER):
        for user_id in small.assigned_to(sketch_id):
            name = next(name for name, user in small.users.items() if user.id == user_id)
            small.api[name].post(f"/api/v1/innovationsfonds/sketches/{sketch_id}/review/submit", json={"marks": HIGH})
    client.login(people["admin"])
    with clock.freeze(AFTER):
        page = client.get(f"/innovationsfonds/aufrufe/{small.call}/auswahl").get_data(as_text=True)
    tick = page.split(f'id="sel-{sketch_id}"')[0].rsplit("<input", 1)[1]
    assert 'data-cents="20000000"' in tick and 'data-proposals="funding_line_skip max_score "' in tick
    assert 'id="selection-total"' in page and 'data-budget="500000000"' in page
    assert "js/if_selection.js" in page and "<script>" not in page

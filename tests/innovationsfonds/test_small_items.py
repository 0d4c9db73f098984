"""Smaller items of issue #20 (item 8): review deadline after the submission deadline, length limits on
titles, summaries and review comments, sketch numbers per call, German numbers on the sketch page,
confirmations on the call's buttons."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

from app.innovationsfonds.core.comparison import compare
from app.innovationsfonds.core.funding import Selection
from app.innovationsfonds.models import Call, Sketch
from app.platform import clock
from app.platform.extensions import db
from tests.innovationsfonds.conftest import AFTER, DURING, call_body

BASE = "/api/v1/innovationsfonds"


def test_the_review_deadline_must_follow_the_submission_deadline(small):
    with clock.freeze(datetime(2020, 1, 10, tzinfo=UTC)):
        early = small.api["admin"].put(f"{BASE}/calls/{small.call}", json=call_body(review_deadline="2020-03-31"))
        late = small.api["admin"].put(f"{BASE}/calls/{small.call}", json=call_body(
            review_deadline="2020-05-15", full_application_deadline="2020-05-01"))
    assert early.status_code == 422 and "31.03.2020" in early.json["errors"]["review_deadline"][0]
    assert late.status_code == 422 and "full_application_deadline" in late.json["errors"]


def test_texts_have_length_limits(small, people, client):
    sketch_id = small.draft()
    client.login(people["org"])
    with clock.freeze(DURING):
        long_title = client.post(f"/innovationsfonds/skizzen/{sketch_id}/bearbeiten", data={"title": "T" * 201})
        long_summary = client.post(f"/innovationsfonds/skizzen/{sketch_id}/bearbeiten",
                                   data={"title": "Kurz", "summary": "x" * 20001})
    assert long_title.status_code == 422 and 'id="f-title-error"' in long_title.get_data(as_text=True)
    assert long_summary.status_code == 422 and "20.000 Zeichen" in long_summary.get_data(as_text=True)
    assert db.session.get(Sketch, sketch_id).title.startswith("Projekt")
    reviewed = small.submitted()
    small.close()
    small.assign()
    reviewer = next(n for n in ("rev1", "rev2", "rev3", "rev4") if people[n].id in small.assigned_to(reviewed))
    client.login(people[reviewer])
    with clock.freeze(AFTER):
        page = client.post(f"/innovationsfonds/skizzen/{reviewed}/bewertung", data={"comment": "k" * 20001})
    assert page.status_code == 422 and 'id="f-comment-error"' in page.get_data(as_text=True)


def test_sketch_numbers_count_per_call(small):
    first = small.draft()
    db.session.get(Call, small.call).budget_cents = 100_000_000
    db.session.commit()
    with clock.freeze(datetime(2020, 1, 10, tzinfo=UTC)):
        second_call = small.api["admin"].post(f"{BASE}/calls", json=call_body(title="Zweiter Stichtag",
                                                                              budget="1000000.00"))
    assert second_call.status_code == 201, second_call.json
    with clock.freeze(DURING):
        body = {"call_id": second_call.json["id"], "title": "Erste Skizze im zweiten Aufruf"}
        created = small.api["org"].post(f"{BASE}/sketches", json=body)
    assert created.status_code == 201
    assert created.json["id"] > first
    assert created.json["reference"] == f"IF-{second_call.json['id']}-0001"


def test_the_sketch_page_speaks_german_numbers(small, people, client):
    sketch_id = small.draft(planned_participants=40, planned_women=20)
    client.login(people["org"])
    page = client.get(f"/innovationsfonds/skizzen/{sketch_id}").get_data(as_text=True)
    assert "(50,0\u00a0%)" in page and "50.0\u00a0%" not in page and "50.0 %" not in page


def test_closing_and_assigning_ask_for_confirmation(small, people, client):
    small.submitted()
    client.login(people["admin"])
    with clock.freeze(AFTER):
        before = client.get(f"/innovationsfonds/aufrufe/{small.call}").get_data(as_text=True)
    small.close()
    with clock.freeze(AFTER):
        after = client.get(f"/innovationsfonds/aufrufe/{small.call}").get_data(as_text=True)
    assert "data-confirm=" in before.split('/schliessen"')[1].split(">")[0]
    assert "data-confirm=" in after.split('/zuordnen"')[1].split(">")[0]


def test_an_attachment_is_deleted_on_the_page_until_the_deadline(small, people, client):
    sketch_id = small.draft()
    with clock.freeze(DURING):
        uploaded = small.api["org"].post(f"{BASE}/sketches/{sketch_id}/attachments",
                                         data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF"), "plan.pdf")},
                                         content_type="multipart/form-data")
    assert uploaded.status_code == 201
    url = f"/innovationsfonds/skizzen/{sketch_id}/anlagen/{uploaded.json['id']}/loeschen"
    client.login(people["other_org"])
    with clock.freeze(DURING):
        assert client.post(url).status_code == 404  # another organisation's sketch
    client.login(people["org"])
    with clock.freeze(DURING):
        page = client.get(f"/innovationsfonds/skizzen/{sketch_id}").get_data(as_text=True)
        done = client.post(url)
    assert "/loeschen" in page and done.status_code == 302
    assert db.session.get(Sketch, sketch_id).attachments == []


def test_the_review_page_shows_the_sketch_and_the_next_one(small, people, client):
    every = [small.submitted(summary=f"Inhalt der Skizze {n}") for n in range(4)]
    small.close()
    small.assign()  # 4 sketches × 2 reviewers over 4 reviewers: two sketches each
    sketches = [s for s in every if people["rev1"].id in small.assigned_to(s)]
    assert len(sketches) == 2
    client.login(people["rev1"])
    with clock.freeze(AFTER):
        first = client.get(f"/innovationsfonds/skizzen/{sketches[0]}/bewertung").get_data(as_text=True)
        second = client.get(f"/innovationsfonds/skizzen/{sketches[1]}/bewertung").get_data(as_text=True)
    assert f"Inhalt der Skizze {every.index(sketches[0])}" in first.split('id="sketch-text"')[1].split("</section>")[0]
    assert f"/skizzen/{sketches[1]}/bewertung" in first.split('id="review-nav"')[1].split("</nav>")[0]
    nav = second.split('id="review-nav"')[1].split("</nav>")[0]
    assert f"/skizzen/{sketches[0]}/bewertung" in nav and "Skizze 2 von 2" in nav


def test_the_comparison_names_sketch_numbers_not_database_ids():
    a = Selection("funding_line_skip", ("51", "7"), 300, Decimal("150"), (), 500, 200)
    b = Selection("max_score", ("73", "7"), 400, Decimal("160"), (), 500, 100)
    text = compare(a, b, {"51": "IF-2-0003", "73": "IF-2-0009", "7": "IF-2-0001"}.get).explanation
    assert "Nur in A: IF-2-0003. Nur in B: IF-2-0009." in text and "51" not in text

"""DB-level guarantees: the deadline to the second, ownership (404), reviewer access (404 when not
assigned or conflicted), blind reviews (403 before the own submission), PDF-only attachments."""

from __future__ import annotations

import io
from datetime import timedelta

from app.innovationsfonds.models import Sketch
from app.platform import clock
from app.platform.extensions import db
from tests.innovationsfonds.conftest import AFTER, CLOSES, DURING, marks_for

BASE = "/api/v1/innovationsfonds"


def test_submission_at_the_deadline_counts_one_second_later_is_refused(small):
    at_deadline, late = small.draft(), small.draft()
    with clock.freeze(CLOSES):
        ok = small.api["org"].post(f"{BASE}/sketches/{at_deadline}/submit")
    with clock.freeze(CLOSES + timedelta(seconds=1)):
        refused = small.api["org"].post(f"{BASE}/sketches/{late}/submit")
    assert ok.status_code == 200, ok.json
    assert refused.status_code == 409
    assert refused.mimetype == "application/problem+json"
    assert "Einreichungsfrist" in refused.json["detail"] and "31.03.2020" in refused.json["detail"]
    assert small.api["org"].get(f"{BASE}/sketches/{late}").json["status"] == "draft"


def test_an_organisation_sees_only_its_own_sketches(small):
    own = small.submitted()
    foreign = small.submitted("other_org")
    assert small.api["org"].get(f"{BASE}/sketches/{foreign}").status_code == 404
    assert small.api["org"].post(f"{BASE}/sketches/{foreign}/withdraw").status_code == 404
    listed = [s["id"] for s in small.api["org"].get(f"{BASE}/sketches").json]
    assert listed == [own]
    body = small.api["org"].get(f"{BASE}/sketches/{own}").json
    assert body["reviewers"] is None and body["staged"] is None  # assignments stay hidden


def test_incomplete_sketch_is_refused_with_fields(small):
    sketch_id = small.draft(requested="0.00", planned_participants=0, planned_women=0)
    with clock.freeze(DURING):
        response = small.api["org"].post(f"{BASE}/sketches/{sketch_id}/submit")
    assert response.status_code == 422
    assert {"requested", "planned_participants"} <= set(response.json["errors"])


def test_reviewer_access_and_blind_reviews(small, people):
    sketch_id = small.submitted()
    small.close()
    small.assign()
    assigned = small.assigned_to(sketch_id)
    assert len(assigned) == 2
    names = {u.id: n for n, u in people.items() if n.startswith("rev")}
    first, second = (names[i] for i in assigned)
    outsider = next(n for i, n in names.items() if i not in assigned)
    client = small.api[first]
    assert small.api[outsider].get(f"{BASE}/sketches/{sketch_id}").status_code == 404
    assert small.api[outsider].get(f"{BASE}/sketches/{sketch_id}/reviews").status_code == 404
    seen = client.get(f"{BASE}/sketches/{sketch_id}")
    assert seen.status_code == 200 and seen.json["organisation"] is None  # the call hides names
    with clock.freeze(AFTER):
        small.api[second].post(f"{BASE}/sketches/{sketch_id}/review/submit", json={"marks": marks_for(3)})
        before = client.get(f"{BASE}/sketches/{sketch_id}/reviews")
        assert before.status_code == 403 and "eigenes" in before.json["detail"]
        two_na = client.post(f"{BASE}/sketches/{sketch_id}/review/submit",
                             json={"marks": {**marks_for(5), "relevance": None, "women": None}})
        assert two_na.status_code == 422
        one_na = client.post(f"{BASE}/sketches/{sketch_id}/review/submit",
                             json={"marks": {**marks_for(5), "women": None}})
        assert one_na.status_code == 200, one_na.json
        after = client.get(f"{BASE}/sketches/{sketch_id}/reviews")
    assert after.status_code == 200 and len(after.json) == 2
    seen_names = {r["reviewer"] for r in after.json}
    assert people[first].name in seen_names and people[second].name not in seen_names  # others stay anonymous


def test_a_conflicted_reviewer_loses_access_and_is_never_assigned(small, people):
    sketch_id = small.submitted()
    other = small.submitted("other_org")
    small.close()
    small.assign()
    reviewer = next(n for n, u in people.items() if n.startswith("rev") and u.id in small.assigned_to(sketch_id))
    kommune_id = small.api["admin"].get(f"{BASE}/sketches/{sketch_id}").json["kommune_id"]
    declared = small.api[reviewer].post(f"{BASE}/conflicts", json={"kommune_id": kommune_id,
                                                                   "reason": "Mitglied im Stadtrat"})
    assert declared.status_code == 201, declared.json
    assert small.api[reviewer].get(f"{BASE}/sketches/{sketch_id}").status_code == 404
    small.assign()  # refills the sketch from the others, never the conflicted reviewer
    assert people[reviewer].id not in small.assigned_to(sketch_id)
    assert len(small.assigned_to(sketch_id)) == 2 and len(small.assigned_to(other)) == 2
    manual = small.api["admin"].post(f"{BASE}/sketches/{sketch_id}/assignments",
                                     json={"reviewer_id": people[reviewer].id})
    assert manual.status_code == 409


def test_attachments_pdf_only_served_to_the_allowed(small, people):
    sketch_id = small.draft()
    with clock.freeze(DURING):
        bad = small.api["org"].post(f"{BASE}/sketches/{sketch_id}/attachments",
                                    data={"file": (io.BytesIO(b"MZ\x90 not a pdf"), "x.pdf")},
                                    content_type="multipart/form-data")
        good = small.api["org"].post(f"{BASE}/sketches/{sketch_id}/attachments",
                                     data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF"), "../../etc/passwd.pdf")},
                                     content_type="multipart/form-data")
    assert bad.status_code == 422 and "PDF" in bad.json["errors"]["file"][0]
    assert good.status_code == 201, good.json
    assert good.json["name"] == "passwd.pdf"
    url = f"{BASE}/sketches/{sketch_id}/attachments/{good.json['id']}"
    own = small.api["org"].get(url)
    assert own.status_code == 200 and own.data.startswith(b"%PDF")
    assert small.api["other_org"].get(url).status_code == 404
    assert small.api["rev1"].get(url).status_code == 404  # not assigned
    assert small.api["admin"].get(url).status_code == 200


def test_manual_eligibility_needs_a_reason_and_is_recorded(small):
    sketch_id = small.submitted()
    db.session.get(Sketch, sketch_id).requested_cents = 60_000_000  # above the maximum (changed behind the form)
    db.session.commit()
    result = small.close()
    assert result["ineligible"] == 1
    body = small.api["admin"].get(f"{BASE}/sketches/{sketch_id}").json
    assert body["status"] == "ineligible" and "Höchstbetrag" in body["eligibility"]["reason"]
    with clock.freeze(AFTER):
        empty = small.api["admin"].post(f"{BASE}/sketches/{sketch_id}/eligibility", json={"eligible": True,
                                                                                          "reason": " "})
        ok = small.api["admin"].post(f"{BASE}/sketches/{sketch_id}/eligibility",
                                     json={"eligible": True, "reason": "Kürzung auf 500.000 € zugesagt."})
    assert empty.status_code == 422
    assert ok.status_code == 200 and ok.json["status"] == "eligible" and ok.json["eligibility"]["manual"]

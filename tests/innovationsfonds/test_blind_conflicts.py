"""Blind review stays blind through conflicts of interest (issue #20, item 1).

Reviewers choose conflicts from the list of applicant organisations (names only); once they have
sketches in a call, a conflict with one of its applicants is refused in the same words whether or not
one of their sketches is that organisation's, and nothing changes in "Meine Gutachten". A reviewer who
recognises a sketch recuses from that sketch. Applicants may name conflicting reviewers until the window
closes; those reviewers are never assigned to their sketches."""

from __future__ import annotations

from sqlalchemy import select

from app.innovationsfonds.models import Assignment, Sketch
from app.notifications.models import Message
from app.platform import clock
from app.platform.extensions import db
from app.reference.models import Organisation
from tests.innovationsfonds.conftest import AFTER, DURING

BASE = "/api/v1/innovationsfonds"


def _ref(sketch_id: int) -> str:
    return db.session.get(Sketch, sketch_id).reference


def _assigned(small, name: str) -> list[int]:
    return [item["sketch"]["id"] for item in small.api[name].get(f"{BASE}/assignments").json["assignments"]]


def _round(small):
    ours, theirs = small.submitted("org"), small.submitted("other_org")
    small.close()
    small.assign()
    return ours, theirs


def test_only_applicant_organisations_can_be_chosen_and_the_options_name_no_sketch(small, people):
    small.submitted("org")
    bystander = Organisation(name="Nicht beteiligt e. V.", kind="club")
    db.session.add(bystander)
    db.session.commit()
    with clock.freeze(DURING):
        refused = small.api["rev1"].post(f"{BASE}/conflicts", json={"organisation_id": bystander.id})
        options = small.api["rev1"].get(f"{BASE}/conflict-options")
    assert refused.status_code == 422 and "organisation_id" in refused.json["errors"]
    assert options.status_code == 200
    (call,) = options.json["calls"]
    assert call["call_id"] == small.call
    assert call["organisations"] == [{"id": people["org"].organisation_id, "name": "Träger A e. V."}]
    assert "IF-" not in str(options.json) and "sketch" not in str(options.json)


def test_a_conflict_during_the_review_reveals_nothing(small, people):
    ours, theirs = _round(small)
    organisation = people["org"].organisation_id
    on_ours = next(n for n in ("rev1", "rev2", "rev3", "rev4") if people[n].id in small.assigned_to(ours))
    not_on_ours = next(n for n in ("rev1", "rev2", "rev3", "rev4")
                       if people[n].id not in small.assigned_to(ours) and people[n].id in small.assigned_to(theirs))
    with clock.freeze(AFTER):  # one of them has already scored the sketch of "Träger A"
        assert small.api[on_ours].post(f"{BASE}/sketches/{ours}/review/submit", json={"marks": {
            "relevance": 5, "innovation": 5, "feasibility": 5, "women": 3}}).status_code == 200
    before = {name: _assigned(small, name) for name in (on_ours, not_on_ours)}
    answers = {}
    with clock.freeze(AFTER):
        for name in (on_ours, not_on_ours):
            answers[name] = small.api[name].post(f"{BASE}/conflicts", json={"organisation_id": organisation})
    assert {a.status_code for a in answers.values()} == {409}
    assert answers[on_ours].json["detail"] == answers[not_on_ours].json["detail"]
    assert _ref(ours) not in answers[on_ours].json["detail"]
    assert {name: _assigned(small, name) for name in (on_ours, not_on_ours)} == before
    page_client = small.api[on_ours]
    assert page_client.get(f"{BASE}/sketches/{ours}").json["organisation"] is None


def test_the_reviewer_page_offers_names_only(small, people, client):
    ours, _theirs = _round(small)
    reviewer = next(n for n in ("rev1", "rev2", "rev3", "rev4") if people[n].id in small.assigned_to(ours))
    client.login(people[reviewer])
    with clock.freeze(AFTER):
        page = client.get("/innovationsfonds/gutachten").get_data(as_text=True)
        refused = client.post("/innovationsfonds/konflikte",
                              data={"organisation_id": str(people["org"].organisation_id)})
        after = client.get("/innovationsfonds/gutachten").get_data(as_text=True)
    assert "Träger-Nummer" not in page
    options = page.split('id="f-organisation_id"')[1].split("</select>")[0]
    assert "Träger A e. V." in options and "Träger B gGmbH" in options and "IF-" not in options
    assert refused.status_code == 302
    assert "bereits Skizzen" in after and _ref(ours) in after  # still in the list


def test_before_the_assignment_a_conflict_keeps_the_reviewer_away(small, people):
    ours = small.submitted("org")
    small.submitted("other_org")
    small.close()
    with clock.freeze(AFTER):
        declared = small.api["rev1"].post(f"{BASE}/conflicts", json={"organisation_id": people["org"].organisation_id,
                                                                     "reason": "Vorstand"})
    assert declared.status_code == 201, declared.json
    small.assign()
    assert people["rev1"].id not in small.assigned_to(ours)


def test_a_reviewer_recuses_from_one_sketch_and_the_admin_is_told(small, people):
    ours, _theirs = _round(small)
    reviewer = next(n for n in ("rev1", "rev2", "rev3", "rev4") if people[n].id in small.assigned_to(ours))
    with clock.freeze(AFTER):
        small.api[reviewer].put(f"{BASE}/sketches/{ours}/review", json={"marks": {"relevance": 3}})
        recused = small.api[reviewer].post(f"{BASE}/sketches/{ours}/recusal", json={"reason": "Kenne das Team"})
    assert recused.status_code == 201, recused.json
    assert ours not in _assigned(small, reviewer)
    assert small.api[reviewer].get(f"{BASE}/sketches/{ours}").status_code == 404
    small.assign()  # refilled by somebody else, never again by the recused reviewer
    assert people[reviewer].id not in small.assigned_to(ours) and len(small.assigned_to(ours)) == 2
    notices = list(db.session.scalars(select(Message).where(Message.recipient_id == people["admin"].id,
                                                            Message.kind == "innovationsfonds.admin_notice")))
    assert len(notices) == 1 and _ref(ours) in notices[0].subject


def test_recusal_after_a_submitted_review_is_refused(small, people):
    ours, _theirs = _round(small)
    reviewer = next(n for n in ("rev1", "rev2", "rev3", "rev4") if people[n].id in small.assigned_to(ours))
    with clock.freeze(AFTER):
        small.api[reviewer].post(f"{BASE}/sketches/{ours}/review/submit", json={"marks": {
            "relevance": 5, "innovation": 5, "feasibility": 5, "women": 3}})
        refused = small.api[reviewer].post(f"{BASE}/sketches/{ours}/recusal", json={})
    assert refused.status_code == 409
    assert ours in _assigned(small, reviewer)


def test_an_applicant_names_a_conflicting_reviewer_until_the_window_closes(small, people):
    ours = small.submitted("org")
    with clock.freeze(DURING):
        options = small.api["org"].get(f"{BASE}/conflict-options").json
        declared = small.api["org"].post(f"{BASE}/conflicts", json={"reviewer_id": people["rev1"].id,
                                                                   "reason": "Ehemaliger Mitarbeiter"})
        not_a_reviewer = small.api["org"].post(f"{BASE}/conflicts", json={"reviewer_id": people["admin"].id})
        listed = small.api["org"].get(f"{BASE}/conflicts").json
        other_list = small.api["other_org"].get(f"{BASE}/conflicts").json
    assert people["rev1"].id in [r["id"] for r in options["reviewers"]] and options["calls"] == []
    assert declared.status_code == 201, declared.json
    assert not_a_reviewer.status_code == 422 and "reviewer_id" in not_a_reviewer.json["errors"]
    assert [c["reviewer_id"] for c in listed] == [people["rev1"].id] and other_list == []
    assert small.api["rev1"].get(f"{BASE}/conflicts").json == []  # not shown to the reviewer
    small.close()
    with clock.freeze(AFTER):
        late = small.api["org"].post(f"{BASE}/conflicts", json={"reviewer_id": people["rev2"].id})
    assert late.status_code == 409
    small.assign()
    assert people["rev1"].id not in small.assigned_to(ours)
    assert db.session.scalar(select(Assignment.id).where(Assignment.sketch_id == ours,
                                                         Assignment.reviewer_id == people["rev1"].id)) is None


def test_an_applicant_declares_on_its_start_page(small, people, client):
    small.submitted("org")
    client.login(people["org"])
    with clock.freeze(DURING):
        page = client.get("/innovationsfonds/").get_data(as_text=True)
        bad = client.post("/innovationsfonds/konflikte", data={"reviewer_id": str(people["admin"].id)})
        good = client.post("/innovationsfonds/konflikte", data={"reviewer_id": str(people["rev2"].id)})
        after = client.get("/innovationsfonds/").get_data(as_text=True)
    assert 'id="reviewer-conflicts"' in page and people["rev2"].name in page
    assert bad.status_code == 422 and "aus der Liste" in bad.get_data(as_text=True)
    assert good.status_code == 302
    assert people["rev2"].name in after.split('id="reviewer-conflicts"')[1].split("<form")[0]

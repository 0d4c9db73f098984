"""Issue #20, item 6: submitted reviews are revised until the review deadline (old version kept, audited);
the desk officer sees open and overdue reviews and reminds; under-staffed sketches are flagged; a newly
assigned reviewer is told (sketch numbers and titles only — never the organisation)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.innovationsfonds.models import Review, ReviewRevision, Sketch
from app.notifications.models import Message
from app.platform import clock
from app.platform.audit import AuditEntry
from app.platform.extensions import db
from tests.innovationsfonds.conftest import AFTER, marks_for

BASE = "/api/v1/innovationsfonds"
LAST_DAY = clock.end_of_day(date(2020, 5, 15))  # the review deadline's last second
LATE = datetime(2020, 5, 16, 9, 0, tzinfo=clock.BERLIN)


@pytest.fixture()
def assigned(small):
    sketches = [small.submitted(title=f"Projekt {n}") for n in range(3)]
    small.close()
    small.assign()
    return sketches


def _reviewer_of(small, sketch_id):
    reviewer_id = small.assigned_to(sketch_id)[0]
    return next(name for name, user in small.users.items() if user.id == reviewer_id)


def _messages(kind: str) -> list[Message]:
    return list(db.session.scalars(select(Message).where(Message.kind == kind).order_by(Message.id)))


def test_a_submitted_review_is_revised_until_the_deadline_and_the_old_version_kept(small, assigned):
    sketch_id = assigned[0]
    who = _reviewer_of(small, sketch_id)
    with clock.freeze(AFTER):
        first = small.api[who].post(f"{BASE}/sketches/{sketch_id}/review/submit", json={"marks": marks_for(1)})
    assert first.status_code == 200
    with clock.freeze(LAST_DAY):
        revised = small.api[who].post(f"{BASE}/sketches/{sketch_id}/review/submit",
                                      json={"marks": marks_for(2), "comment": "Nach Rücksprache höher."})
    assert revised.status_code == 200, revised.json
    review = db.session.scalar(select(Review).where(Review.sketch_id == sketch_id,
                                                    Review.reviewer_id == small.users[who].id))
    assert review.marks == marks_for(2) and review.comment == "Nach Rücksprache höher."
    (old,) = db.session.scalars(select(ReviewRevision).where(ReviewRevision.review_id == review.id)).all()
    assert old.marks == marks_for(1) and old.score != review.score
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "innovationsfonds.review.revise"))


def test_after_the_deadline_a_review_cannot_be_revised(small, assigned):
    sketch_id = assigned[0]
    who = _reviewer_of(small, sketch_id)
    with clock.freeze(AFTER):
        small.api[who].post(f"{BASE}/sketches/{sketch_id}/review/submit", json={"marks": marks_for(1)})
    with clock.freeze(LATE):
        refused = small.api[who].post(f"{BASE}/sketches/{sketch_id}/review/submit", json={"marks": marks_for(2)})
        draft = small.api[who].put(f"{BASE}/sketches/{sketch_id}/review", json={"marks": marks_for(2), "comment": ""})
    assert refused.status_code == 409 and "15.05.2020" in refused.json["detail"]
    assert draft.status_code == 409
    assert db.session.scalar(select(ReviewRevision.id)) is None
    assert small.api[who].get(f"{BASE}/sketches/{sketch_id}/review").json["marks"] == marks_for(1)


def test_the_review_page_offers_the_revision_only_before_the_deadline(small, assigned, client):
    sketch_id = assigned[0]
    who = _reviewer_of(small, sketch_id)
    with clock.freeze(AFTER):
        small.api[who].post(f"{BASE}/sketches/{sketch_id}/review/submit", json={"marks": marks_for(1)})
    client.login(small.users[who])
    with clock.freeze(AFTER):
        before = client.get(f"/innovationsfonds/skizzen/{sketch_id}/bewertung").get_data(as_text=True)
        marks = {f"mark_{key}": str(value) for key, value in marks_for(3).items()}
        posted = client.post(f"/innovationsfonds/skizzen/{sketch_id}/bewertung", data={**marks, "submit": "1"})
    assert "Überarbeitung abgeben" in before and posted.status_code == 302
    assert small.api[who].get(f"{BASE}/sketches/{sketch_id}/review").json["marks"] == marks_for(3)
    with clock.freeze(LATE):
        after = client.get(f"/innovationsfonds/skizzen/{sketch_id}/bewertung").get_data(as_text=True)
    assert "Überarbeitung abgeben" not in after and "disabled" in after


def test_new_assignments_are_told_without_the_organisation(small, assigned, people):
    told = _messages("innovationsfonds.assignment")
    assert {m.recipient_id for m in told} == {uid for s in assigned for uid in small.assigned_to(s)}
    for message in told:
        assert "Träger A" not in message.body and "IF-" in message.body and "15.05.2020" in message.body


def test_a_manual_assignment_is_told(small, assigned, people):
    sketch_id = assigned[0]
    free = next(n for n in ("rev1", "rev2", "rev3", "rev4") if people[n].id not in small.assigned_to(sketch_id))
    before = len(_messages("innovationsfonds.assignment"))
    with clock.freeze(AFTER):
        added = small.api["admin"].post(f"{BASE}/sketches/{sketch_id}/assignments",
                                        json={"reviewer_id": people[free].id})
    assert added.status_code in (200, 201), added.json
    told = _messages("innovationsfonds.assignment")[before:]
    reference = db.session.get(Sketch, sketch_id).reference
    assert [m.recipient_id for m in told] == [people[free].id] and reference in told[0].body


def test_open_reviews_overdue_and_the_reminder(small, assigned, client, people):
    done = assigned[0]
    who = _reviewer_of(small, done)
    with clock.freeze(AFTER):
        small.api[who].post(f"{BASE}/sketches/{done}/review/submit", json={"marks": marks_for(1)})
    client.login(people["admin"])
    url = f"/innovationsfonds/aufrufe/{small.call}/offene-gutachten"
    with clock.freeze(AFTER):
        page = client.get(url).get_data(as_text=True)
    assert "5 Gutachten nicht abgegeben" in page and "überfällig" not in page.split('id="open-reviews"')[1]
    with clock.freeze(LATE):
        page = client.get(url).get_data(as_text=True)
        assert "überfällig" in page and "15.05.2020" in page
        first = client.post(url + "/erinnern")
        again = client.post(url + "/erinnern")
    assert first.status_code == again.status_code == 302
    reminders = _messages("innovationsfonds.review_overdue")
    pending = {uid for s in assigned for uid in small.assigned_to(s) if (s, uid) != (done, small.users[who].id)}
    assert {m.recipient_id for m in reminders} == pending and len(reminders) == len(pending)  # once a day
    assert all("Überfällig" in m.subject and "Träger A" not in m.body for m in reminders)
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "innovationsfonds.review.remind"))


def test_reviewers_and_organisations_cannot_see_or_send_reminders(small, assigned, client, people):
    url = f"/innovationsfonds/aufrufe/{small.call}/offene-gutachten"
    client.login(people["rev1"])
    assert client.get(url).status_code == 403
    assert client.post(url + "/erinnern").status_code == 403


def test_an_understaffed_sketch_is_flagged(small, assigned, client, people):
    sketch_id = assigned[1]
    who = _reviewer_of(small, sketch_id)
    with clock.freeze(AFTER):
        assert small.api[who].post(f"{BASE}/sketches/{sketch_id}/recusal", json={}).status_code == 201
    client.login(people["admin"])
    with clock.freeze(AFTER):
        page = client.get(f"/innovationsfonds/aufrufe/{small.call}/offene-gutachten").get_data(as_text=True)
        matrix = client.get(f"/innovationsfonds/aufrufe/{small.call}/zuordnung").get_data(as_text=True)
    reference = db.session.get(Sketch, sketch_id).reference
    flagged = page.split('id="understaffed"')[1].split("</section>")[0]
    assert reference in flagged and "1 von 2" in flagged
    assert matrix.count("understaffed") == 1

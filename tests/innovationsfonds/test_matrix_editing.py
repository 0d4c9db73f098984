"""Manual assignment edits on the matrix page: add and remove a reviewer, never a conflicted one
(refused with a message naming the person), each change audited; other roles get 403."""

from __future__ import annotations

from sqlalchemy import select

from app.innovationsfonds.models import Assignment, Sketch
from app.platform import clock
from app.platform.audit import AuditEntry
from app.platform.extensions import db
from tests.innovationsfonds.conftest import AFTER, DURING


def _assigned(sketch_id: int) -> set[int]:
    return set(db.session.scalars(select(Assignment.reviewer_id).where(Assignment.sketch_id == sketch_id)))


def test_add_remove_and_conflict_refused(small, people, client):
    sketch_id = small.submitted()
    conflicted = people["rev4"]
    organisation_id = db.session.get(Sketch, sketch_id).organisation_id
    with clock.freeze(DURING):
        declared = small.api["rev4"].post("/api/v1/innovationsfonds/conflicts",
                                          json={"organisation_id": organisation_id, "reason": "Vorstand"})
        assert declared.status_code == 201, declared.json
    small.close()
    small.assign()
    url = f"/innovationsfonds/aufrufe/{small.call}/zuordnung"
    before = _assigned(sketch_id)
    free = next(people[r] for r in ("rev1", "rev2", "rev3") if people[r].id not in before)
    client.login(people["admin"])
    with clock.freeze(AFTER):
        page = client.get(url).get_data(as_text=True)
        assert 'id="assignment-form"' in page and "data-confirm" in page
        refused = client.post(url + "/aendern", data={"sketch_id": sketch_id, "reviewer_id": conflicted.id,
                                                      "action": "add"})
        assert refused.status_code == 422
        text = refused.get_data(as_text=True)
        assert 'id="f-reviewer_id-error"' in text and f"{conflicted.name} hat einen Interessenkonflikt" in text
        assert _assigned(sketch_id) == before
        missing = client.post(url + "/aendern", data={"reviewer_id": free.id, "action": "add"})
        assert missing.status_code == 422 and 'id="f-sketch_id-error"' in missing.get_data(as_text=True)
        assert client.post(url + "/aendern", data={"sketch_id": sketch_id, "reviewer_id": free.id,
                                                   "action": "add"}).status_code == 302
        assert _assigned(sketch_id) == before | {free.id}
        removed = next(iter(before))
        assert client.post(url + "/aendern", data={"sketch_id": sketch_id, "reviewer_id": removed,
                                                   "action": "remove"}).status_code == 302
    assert _assigned(sketch_id) == (before | {free.id}) - {removed}
    actions = list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "if_sketch", AuditEntry.object_id == str(sketch_id),
        AuditEntry.action.like("innovationsfonds.assignment.%")).order_by(AuditEntry.id)))
    assert actions == ["innovationsfonds.assignment.add", "innovationsfonds.assignment.remove"]


def test_only_administrators_edit_and_not_before_the_window_closed(small, people, client):
    sketch_id = small.submitted()
    url = f"/innovationsfonds/aufrufe/{small.call}/zuordnung"
    client.login(people["finance"])
    assert client.post(url + "/aendern", data={"sketch_id": sketch_id, "reviewer_id": people["rev1"].id,
                                               "action": "add"}).status_code == 403
    assert 'id="assignment-form"' not in client.get(url).get_data(as_text=True)
    client.client.get("/abmelden")
    client.login(people["admin"])
    with clock.freeze(DURING):
        early = client.post(url + "/aendern", data={"sketch_id": sketch_id, "reviewer_id": people["rev1"].id,
                                                    "action": "add"})
    assert early.status_code == 422 and "erst nach Ende der Einreichungsfrist" in early.get_data(as_text=True)
    assert _assigned(sketch_id) == set()

"""Staging records rejected vs waiting-listed sketches, promotions skip rejected ones and are reported to the
administrators, and a staged decision survives withdrawals (issue #20, items 2 and 3)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from app.innovationsfonds import stored_aggregates
from app.innovationsfonds.models import Call, Review, Sketch, SketchStatus, StagedMessage
from app.notifications.models import Message
from app.platform import clock
from app.platform.extensions import db
from tests.innovationsfonds.conftest import AFTER, call_body

S = SketchStatus
BASE = "/api/v1/innovationsfonds"
LATER = datetime(2020, 4, 20, 10, 0, tzinfo=clock.BERLIN)
# budget 500.000 €: A and B are proposed; D and C (250.000 € each) would wait, D first
SKETCHES = {"A": ("300000.00", 9000), "B": ("200000.00", 8000), "D": ("250000.00", 7500), "C": ("250000.00", 7000)}
DOUBLE = "Doppelförderung mit ESF-Projekt"


@pytest.fixture()
def scored(small, people):
    ids = {name: small.submitted(requested=amount, total_cost="600000.00") for name, (amount, _s) in SKETCHES.items()}
    small.close()
    db.session.get(Call, small.call).budget_cents = 50_000_000
    for name, (_amount, score) in SKETCHES.items():
        db.session.add(Review(sketch_id=ids[name], reviewer_id=people["rev1"].id, marks={}, score=score,
                              updated_at=clock.now(), submitted_at=clock.now()))
    stored_aggregates.verify(small.call, repair=True)  # reviews written by hand, not by submit_review
    db.session.commit()
    return ids


def _ref(sketch_id: int) -> str:
    return db.session.get(Sketch, sketch_id).reference


def _stage(small, ids, **body):
    with clock.freeze(AFTER):
        return small.api["admin"].post(f"{BASE}/calls/{small.call}/decision", json={
            "basis": "funding_line_skip", "selected": [ids["A"], ids["B"]], "reasons": {}, **body})


def _sketch(sketch_id: int) -> Sketch:
    db.session.expire_all()
    return db.session.get(Sketch, sketch_id)


def _notices(user) -> list[Message]:
    return list(db.session.scalars(select(Message).where(Message.recipient_id == user.id,
                                                         Message.kind == "innovationsfonds.admin_notice")
                                   .order_by(Message.id)))


def test_a_rejection_needs_a_reason_when_the_sketch_would_wait(small, scored):
    bare = _stage(small, scored, rejected=[scored["D"]])
    assert bare.status_code == 422 and f"reasons.{scored['D']}" in bare.json["errors"]
    both = _stage(small, scored, rejected=[scored["A"]], reasons={str(scored["A"]): "x"})
    assert both.status_code == 422 and "rejected" in both.json["errors"]
    staged = _stage(small, scored, rejected=[scored["D"]], reasons={str(scored["D"]): DOUBLE})
    assert staged.status_code == 200, staged.json
    assert staged.json["rejected"] == [scored["D"]] and staged.json["waiting"] == [scored["C"]]
    d, c = _sketch(scored["D"]), _sketch(scored["C"])
    assert (d.staged_outcome, d.staged_reason, d.waiting_position) == ("rejected", DOUBLE, None)
    assert (c.staged_outcome, c.waiting_position) == ("waiting", 1)


def test_a_promotion_skips_the_rejected_sketch_and_the_admin_is_told(small, scored, people):
    assert _stage(small, scored, rejected=[scored["D"]], reasons={str(scored["D"]): DOUBLE}).status_code == 200
    with clock.freeze(AFTER):
        assert small.api["admin"].post(f"{BASE}/calls/{small.call}/release").status_code == 200
    assert _sketch(scored["D"]).status is S.REJECTED and _sketch(scored["D"]).decision_reason == DOUBLE
    with clock.freeze(LATER):
        assert small.api["org"].post(f"{BASE}/sketches/{scored['A']}/withdraw").status_code == 200
    assert _sketch(scored["C"]).status is S.SELECTED
    assert _sketch(scored["D"]).status is S.REJECTED
    (notice,) = _notices(people["admin"])
    assert _ref(scored["A"]) in notice.subject and _ref(scored["C"]) in notice.body
    assert _ref(scored["D"]) not in notice.body
    (letter,) = db.session.scalars(select(StagedMessage).where(StagedMessage.kind == "promoted"))
    assert letter.sketch_id == scored["C"] and _ref(scored["A"]) not in letter.body  # not a competitor's number
    assert _ref(scored["A"]) not in _sketch(scored["C"]).decision_reason


def test_the_page_form_rejects_a_sketch(small, scored, people, client):
    client.login(people["admin"])
    with clock.freeze(AFTER):
        page = client.get(f"/innovationsfonds/aufrufe/{small.call}/auswahl").get_data(as_text=True)
        posted = client.post(f"/innovationsfonds/aufrufe/{small.call}/auswahl", data={
            "basis": "funding_line_skip", "selected": [str(scored["A"]), str(scored["B"])],
            "rejected": str(scored["D"]), f"reason_{scored['D']}": DOUBLE})
    assert f'id="rej-{scored["D"]}"' in page
    assert posted.status_code == 302, posted.get_data(as_text=True)
    assert _sketch(scored["D"]).staged_outcome == "rejected"


def test_withdrawing_a_waiting_sketch_keeps_the_staged_decision(small, scored, people, client):
    assert _stage(small, scored, reasons={}).status_code == 200
    assert (_sketch(scored["D"]).waiting_position, _sketch(scored["C"]).waiting_position) == (1, 2)
    with clock.freeze(AFTER):
        assert small.api["org"].post(f"{BASE}/sketches/{scored['D']}/withdraw").status_code == 200
    call = db.session.get(Call, small.call)
    assert call.decision_staged_at is not None and call.decision_review == ""
    c = _sketch(scored["C"])
    assert (c.staged_outcome, c.waiting_position) == ("waiting", 1)
    messages = {m.sketch_id: m for m in db.session.scalars(select(StagedMessage).where(
        StagedMessage.call_id == small.call))}
    assert scored["D"] not in messages and "Platz 1 der Warteliste" in messages[scored["C"]].body
    assert len(_notices(people["admin"])) == 1
    with clock.freeze(AFTER):
        assert small.api["admin"].post(f"{BASE}/calls/{small.call}/release").status_code == 200


def test_withdrawing_a_selected_sketch_marks_the_decision_for_review(small, scored, people, client):
    reason = "Zu teuer je Teilnehmer"
    staged = _stage(small, scored, selected=[scored["B"], scored["D"]], rejected=[scored["C"]],
                    reasons={str(scored["A"]): reason, str(scored["D"]): "Regionale Ausgewogenheit",
                             str(scored["C"]): DOUBLE})
    assert staged.status_code == 200, staged.json
    with clock.freeze(AFTER):
        assert small.api["org"].post(f"{BASE}/sketches/{scored['D']}/withdraw").status_code == 200
        refused = small.api["admin"].post(f"{BASE}/calls/{small.call}/release")
    assert refused.status_code == 409 and "überprüft" in refused.json["detail"]
    call = db.session.get(Call, small.call)
    assert call.decision_staged_at is not None and _ref(scored["D"]) in call.decision_review
    assert [_sketch(scored[n]).staged_outcome for n in "ABCD"] == ["waiting", "selected", "rejected", None]
    assert [_sketch(scored[n]).staged_reason for n in "AC"] == [reason, DOUBLE]
    assert len(_notices(people["admin"])) == 1
    client.login(people["admin"])
    with clock.freeze(AFTER):
        outbox = client.get(f"/innovationsfonds/aufrufe/{small.call}/postausgang").get_data(as_text=True)
        page = client.get(f"/innovationsfonds/aufrufe/{small.call}/auswahl").get_data(as_text=True)
    assert "Keine Entscheidung vorgemerkt" not in outbox and 'id="decision-review"' in outbox
    assert f'id="sel-{scored["B"]}" name="selected" value="{scored["B"]}" checked' in page
    assert f'id="sel-{scored["A"]}" name="selected" value="{scored["A"]}">' in page
    assert f'id="rej-{scored["C"]}" name="rejected" value="{scored["C"]}" checked' in page
    assert f'value="{reason}"' in page
    again = _stage(small, scored, rejected=[scored["C"]], reasons={str(scored["C"]): DOUBLE})
    assert again.status_code == 200, again.json
    assert db.session.get(Call, small.call).decision_review == ""
    with clock.freeze(AFTER):
        assert small.api["admin"].post(f"{BASE}/calls/{small.call}/release").status_code == 200


def test_the_waiting_list_limit_rejects_the_sketches_beyond_it_with_a_reason(small, scored, people):
    """Issue #20, item 8: a call setting limits the waiting list; left-out sketches beyond it are rejected (told
    why) instead of being told they wait, and are never promoted."""
    db.session.get(Call, small.call).waiting_list_limit = 1
    db.session.commit()
    staged = _stage(small, scored)
    assert staged.status_code == 200, staged.json
    assert staged.json["waiting"] == [scored["D"]]
    c = _sketch(scored["C"])
    assert c.staged_outcome == "rejected" and "auf 1 Plätze begrenzt" in c.staged_reason
    message = db.session.scalar(select(StagedMessage).where(StagedMessage.sketch_id == scored["C"]))
    assert message.kind == "rejected"


def test_the_waiting_list_limit_is_a_call_field_frozen_with_the_staged_decision(small, scored):
    assert small.api["admin"].get(f"{BASE}/calls/{small.call}").json["waiting_list_limit"] is None
    body = call_body(reviewers_per_sketch=2, budget="500000.00")
    with clock.freeze(AFTER):
        bad = small.api["admin"].put(f"{BASE}/calls/{small.call}", json={**body, "waiting_list_limit": -1})
    assert bad.status_code == 422 and "waiting_list_limit" in bad.json["errors"]
    _stage(small, scored)
    with clock.freeze(AFTER):
        frozen = small.api["admin"].put(f"{BASE}/calls/{small.call}", json={**body, "waiting_list_limit": 2})
    assert frozen.status_code == 422 and "Nicht mehr änderbar" in frozen.json["errors"]["waiting_list_limit"][0]

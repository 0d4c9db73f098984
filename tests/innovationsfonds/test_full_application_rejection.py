"""Rejecting the full application of a selected sketch: the sketch leaves the selection, the organisation
is told why (nobody else), and the freed money goes to the next fitting sketch of the waiting list —
the same promotion as after a withdrawal, never beyond the call's budget. Without a (revised) full
application a rejection is only possible after the full-application deadline."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.innovationsfonds import stored_aggregates
from app.innovationsfonds.models import Call, FullApplication, FullApplicationStatus, Review, Sketch, SketchStatus
from app.notifications.models import Message
from app.platform import clock
from app.platform.audit import AuditEntry
from app.platform.extensions import db
from tests.innovationsfonds.conftest import AFTER
from tests.innovationsfonds.test_full_application import APPLICATION, BASE

S = SketchStatus
AFTER_DEADLINE = datetime(2020, 8, 1, 9, 0, tzinfo=clock.BERLIN)  # the call's full-application deadline: 31.07.2020
BUDGET_CENTS = 50_000_000  # 500.000,00 €
REASON = "Der Finanzierungsplan trägt nicht: die Eigenmittel sind nicht nachgewiesen."
# name: (requested, score in hundredths, organisation user, status after the release)
SKETCHES = {"A": ("300000.00", 9000, "org", S.SELECTED), "B": ("200000.00", 8000, "org", S.SELECTED),
            "D": ("400000.00", 7500, "org", S.WAITING), "C": ("250000.00", 7000, "other_org", S.WAITING)}


@pytest.fixture()
def released(small, people):
    """A released decision in a call of 500.000 €: A and B selected (the whole budget); on the waiting list
    D (rank 1, too big for A's 300.000 €) and C (rank 2, fits). Organisation "org" owns A, B and D."""
    ids = {name: small.submitted(who, requested=amount, total_cost="600000.00")
           for name, (amount, _score, who, _status) in SKETCHES.items()}
    small.close()
    call = db.session.get(Call, small.call)
    call.budget_cents, call.released_at = BUDGET_CENTS, clock.now()
    for position, (name, (_amount, score, _who, status)) in enumerate(SKETCHES.items()):
        sketch = db.session.get(Sketch, ids[name])
        sketch.status = status
        if status is S.SELECTED:  # invited in the batch: the call's deadline
            sketch.full_application_deadline = call.full_application_deadline
        sketch.waiting_position = position - 1 if status is S.WAITING else None
        db.session.add(Review(sketch_id=sketch.id, reviewer_id=people["rev1"].id, marks={}, score=score,
                              updated_at=clock.now(), submitted_at=clock.now()))
    stored_aggregates.verify(small.call, repair=True)  # reviews written by hand, not by submit_review
    db.session.commit()
    return ids


def _status(sketch_id: int) -> S:
    db.session.expire_all()
    return db.session.get(Sketch, sketch_id).status


def _selected_total(call_id: int) -> int:
    db.session.expire_all()
    return sum(s.requested_cents for s in db.session.get(Call, call_id).sketches if s.status in (S.SELECTED, S.FUNDED))


def _messages(user) -> list[Message]:
    """The user's messages except the receipts of the submissions."""
    return list(db.session.scalars(select(Message).where(Message.recipient_id == user.id,
                                                         Message.kind != "innovationsfonds.receipt")
                                   .order_by(Message.id)))


def test_rejection_promotes_the_next_fitting_waiting_sketch(small, released, people):
    org, admin, other = small.api["org"], small.api["admin"], small.api["other_org"]
    a = released["A"]
    with clock.freeze(AFTER):
        assert org.put(f"{BASE}/{a}/full-application", json=APPLICATION).status_code == 200
        for who in ("org", "other_org", "finance", "auditor", "rev1", "kommune"):
            assert small.api[who].post(f"{BASE}/{a}/full-application/reject",
                                       json={"reason": REASON}).status_code == 403, who
        missing = admin.post(f"{BASE}/{a}/full-application/reject", json={"reason": ""})
        absent = admin.post(f"{BASE}/{a}/full-application/reject", json={})
        blank = admin.post(f"{BASE}/{a}/full-application/reject", json={"reason": "   "})
        assert _status(a) is S.SELECTED and _messages(people["org"]) == []
        rejected = admin.post(f"{BASE}/{a}/full-application/reject", json={"reason": REASON})
        again = admin.post(f"{BASE}/{a}/full-application/reject", json={"reason": REASON})
        approve = admin.post(f"{BASE}/{a}/full-application/approve", json={})
        own_view = org.get(f"{BASE}/{a}").json
        foreign_view = other.get(f"{BASE}/{a}")
    for bad in (missing, absent, blank):
        assert bad.status_code == 422 and "reason" in bad.json["errors"], bad.json
    assert rejected.status_code == 200, rejected.json
    assert rejected.json["status"] == "rejected" and rejected.json["decision"]["reason"] == REASON
    assert again.status_code == 409 and again.json["current_status"] == "rejected"
    assert approve.status_code == 409
    assert own_view["decision"] == {**own_view["decision"], "outcome": "rejected", "reason": REASON}
    assert foreign_view.status_code == 404
    assert db.session.scalar(select(FullApplication.status).where(FullApplication.sketch_id == a)) \
        is FullApplicationStatus.REJECTED

    # the freed 300.000 €: D (400.000 €) does not fit, C (250.000 €) does and moves up; B stays
    assert [_status(released[n]) for n in "ABCD"] == [S.REJECTED, S.SELECTED, S.SELECTED, S.WAITING]
    assert db.session.get(Sketch, released["D"]).waiting_position == 1
    assert _selected_total(small.call) == 45_000_000 <= BUDGET_CENTS

    # the rejected organisation gets the reason, the promoted one its invitation (without the reason)
    told = [m for m in _messages(people["org"]) if "Ablehnung" in m.subject]
    assert len(told) == 1 and REASON in told[0].body and "abgelehnt." in told[0].body
    invited = _messages(people["other_org"])
    assert len(invited) == 1 and "nachgerückt" in invited[0].subject
    assert "Vollantrag" in invited[0].body and REASON not in invited[0].body
    assert db.session.get(Sketch, released["C"]).reference not in told[0].body
    assert REASON not in other.get(f"{BASE}/{released['C']}").get_data(as_text=True)

    audit = {e.action: e for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.action.in_(["innovationsfonds.full_application.reject", "innovationsfonds.decision.promote"])))}
    assert audit["innovationsfonds.full_application.reject"].after["reason"] == REASON
    assert audit["innovationsfonds.decision.promote"].after["promoted"] == [released["C"]]
    assert audit["innovationsfonds.decision.promote"].after["cause"] == "rejection"


def test_without_a_full_application_only_after_the_deadline(small, released, people):
    admin, b = small.api["admin"], released["B"]
    with clock.freeze(clock.end_of_day(date(2020, 7, 31))):  # the deadline's last second
        early = admin.post(f"{BASE}/{b}/full-application/reject", json={"reason": "Frist versäumt."})
    assert early.status_code == 409 and "31.07.2020" in early.json["detail"]
    assert _status(b) is S.SELECTED
    with clock.freeze(AFTER_DEADLINE):
        late = admin.post(f"{BASE}/{b}/full-application/reject", json={"reason": "Frist versäumt."})
        assert small.api["org"].get(f"{BASE}/{b}").json["decision"]["reason"] == "Frist versäumt."
    assert late.status_code == 200, late.json
    told = [m for m in _messages(people["org"]) if "Ablehnung" in m.subject]
    assert len(told) == 1 and "kein vollständiger Vollantrag" in told[0].body and "Frist versäumt." in told[0].body
    # B freed 200.000 €: neither D (400.000 €) nor C (250.000 €) fits, so nobody moves up
    assert [_status(released[n]) for n in "ABCD"] == [S.SELECTED, S.REJECTED, S.WAITING, S.WAITING]
    assert _selected_total(small.call) == 30_000_000
    assert _messages(people["other_org"]) == []


def test_changes_requested_and_not_resubmitted_is_rejected_only_after_the_deadline(small, released):
    org, admin, a = small.api["org"], small.api["admin"], released["A"]
    with clock.freeze(AFTER):
        assert org.put(f"{BASE}/{a}/full-application", json=APPLICATION).status_code == 200
        assert admin.post(f"{BASE}/{a}/full-application/request-changes",
                          json={"reason": "Meilensteine fehlen."}).status_code == 200
        early = admin.post(f"{BASE}/{a}/full-application/reject", json={"reason": REASON})
    assert early.status_code == 409 and _status(a) is S.SELECTED
    with clock.freeze(AFTER_DEADLINE):
        assert org.put(f"{BASE}/{a}/full-application", json=APPLICATION).status_code == 409  # too late to revise
        late = admin.post(f"{BASE}/{a}/full-application/reject", json={"reason": REASON})
    assert late.status_code == 200, late.json
    assert _selected_total(small.call) <= BUDGET_CENTS


def test_rejection_through_the_pages(small, released, client, people):
    a, b = released["A"], released["B"]
    with clock.freeze(AFTER):
        assert small.api["org"].put(f"{BASE}/{a}/full-application", json=APPLICATION).status_code == 200
        client.login(people["admin"])
        page = client.get(f"/innovationsfonds/skizzen/{a}").get_data(as_text=True)
        assert 'id="reject-form"' in page and "data-confirm" in page.split('id="reject-form"')[1].split(">")[0]
        assert 'id="reject-form"' not in client.get(f"/innovationsfonds/skizzen/{b}").get_data(as_text=True)
        empty = client.post(f"/innovationsfonds/skizzen/{a}/vollantrag/ablehnen", data={"rejection_reason": " "})
        assert empty.status_code == 422
        text = empty.get_data(as_text=True)
        assert 'id="f-rejection_reason-error"' in text and "Grund der Ablehnung" in text
        assert _status(a) is S.SELECTED
        done = client.post(f"/innovationsfonds/skizzen/{a}/vollantrag/ablehnen", data={"rejection_reason": REASON})
        assert done.status_code == 302
        assert 'id="reject-form"' not in client.get(f"/innovationsfonds/skizzen/{a}").get_data(as_text=True)
        client.client.get("/abmelden")
        client.login(people["org"])
        own = client.get(f"/innovationsfonds/skizzen/{a}").get_data(as_text=True)
        assert REASON in own and "abgelehnt" in own and 'id="reject-form"' not in own
        client.client.get("/abmelden")
        client.login(people["other_org"])
        assert client.get(f"/innovationsfonds/skizzen/{a}").status_code == 404
        promoted = client.get(f"/innovationsfonds/skizzen/{released['C']}").get_data(as_text=True)
    assert "Vollantrag stellen" in promoted and REASON not in promoted
    with clock.freeze(AFTER_DEADLINE):
        client.client.get("/abmelden")
        client.login(people["admin"])
        late = client.get(f"/innovationsfonds/skizzen/{b}").get_data(as_text=True)
    assert 'id="reject-form"' in late and "31.07.2020" in late


def test_an_approved_full_application_cannot_be_rejected(small, released):
    org, admin, a = small.api["org"], small.api["admin"], released["A"]
    with clock.freeze(AFTER):
        assert org.put(f"{BASE}/{a}/full-application", json=APPLICATION).status_code == 200
        assert admin.post(f"{BASE}/{a}/full-application/approve", json={}).status_code == 201
        refused = admin.post(f"{BASE}/{a}/full-application/reject", json={"reason": REASON})
    assert refused.status_code == 409 and refused.json["current_status"] == "funded"
    assert [_status(released[n]) for n in "ABCD"] == [S.FUNDED, S.SELECTED, S.WAITING, S.WAITING]

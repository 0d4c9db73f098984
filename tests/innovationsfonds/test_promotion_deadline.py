"""Each invited sketch has its own full-application deadline: the call's for the sketches selected in the
batch, and for a sketch promoted later ``max(call's deadline, promotion day + N days)`` (the call's
``full_application_days_after_promotion``). Submission, the rejection of a missing full application, the
invitation message, the sketch page, the start-page panel and the API all use it."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.innovationsfonds import stored_aggregates
from app.innovationsfonds.models import PROMOTION_DAYS_DEFAULT, Call, Review, Sketch, SketchStatus
from app.notifications.models import Message
from app.platform import clock
from app.platform.extensions import db
from tests.innovationsfonds.conftest import AFTER, call_body
from tests.innovationsfonds.test_call_editing import _form
from tests.innovationsfonds.test_full_application import APPLICATION, BASE

S = SketchStatus
CALL_DEADLINE = date(2020, 7, 31)
LATE = datetime(2020, 8, 10, 11, 0, tzinfo=clock.BERLIN)  # after the call's full-application deadline
OWN_DEADLINE = date(2020, 9, 21)  # 10.08.2020 + 42 days
# name: (requested, score in hundredths, organisation user); budget 500.000 €: A and B are selected,
# D (400.000 €) and C (250.000 €) wait; when A (300.000 €) leaves, C moves up (D does not fit)
SKETCHES = {"A": ("300000.00", 9000, "org"), "B": ("200000.00", 8000, "org"),
            "D": ("400000.00", 7500, "org"), "C": ("250000.00", 7000, "other_org")}


@pytest.fixture()
def decided(small, people):
    """The decision of the Steuerkreis, staged and released through the API on 02.04.2020."""
    ids = {name: small.submitted(who, requested=amount, total_cost="600000.00")
           for name, (amount, _score, who) in SKETCHES.items()}
    small.close()
    db.session.get(Call, small.call).budget_cents = 50_000_000
    for name, (_amount, score, _who) in SKETCHES.items():
        db.session.add(Review(sketch_id=ids[name], reviewer_id=people["rev1"].id, marks={}, score=score,
                              updated_at=clock.now(), submitted_at=clock.now()))
    stored_aggregates.verify(small.call, repair=True)  # reviews written by hand, not by submit_review
    db.session.commit()
    admin, call = small.api["admin"], f"/api/v1/innovationsfonds/calls/{small.call}"
    with clock.freeze(AFTER):
        staged = admin.post(f"{call}/decision", json={"basis": "funding_line_skip",
                                                      "selected": [ids["A"], ids["B"]], "reasons": {}})
        assert staged.status_code == 200, staged.json
        assert admin.post(f"{call}/release").status_code == 200
    return ids


def _sketch(sketch_id: int) -> Sketch:
    db.session.expire_all()
    return db.session.get(Sketch, sketch_id)


def _bodies(user) -> list[str]:
    return [m.body for m in db.session.scalars(select(Message).where(Message.recipient_id == user.id)
                                               .order_by(Message.id))]


def _withdraw_a(small, decided, when: datetime) -> None:
    with clock.freeze(when):
        assert small.api["org"].post(f"{BASE}/{decided['A']}/withdraw").status_code == 200
    assert _sketch(decided["C"]).status is S.SELECTED


def test_the_batch_keeps_the_call_deadline(small, decided, people):
    assert [_sketch(decided[n]).full_application_deadline for n in "AB"] == [CALL_DEADLINE, CALL_DEADLINE]
    assert [_sketch(decided[n]).full_application_deadline for n in "DC"] == [None, None]  # not invited
    org = small.api["org"]
    assert org.get(f"{BASE}/{decided['B']}").json["decision"]["full_application_deadline"] == "2020-07-31"
    invitations = [b for b in _bodies(people["org"]) if "wurde ausgewählt." in b]
    assert len(invitations) == 2 and all("bis zum 31.07.2020 einen Vollantrag" in b for b in invitations)
    waiting = [b for b in _bodies(people["org"]) if "der Warteliste." in b]
    assert len(waiting) == 1 and f"mindestens aber {PROMOTION_DAYS_DEFAULT} Tage ab dem Nachrücken" in waiting[0]
    for body in invitations + waiting:  # issue #20, item 8: no shouting, paragraphs unbroken (the client wraps)
        assert not re.search(r"\b[A-ZÄÖÜ]{4,}\b", body), body
        assert "einen Vollantrag zu stellen (höchstens" in body or "der Warteliste. Wird ein ausgewähltes" in body
    with clock.freeze(clock.end_of_day(CALL_DEADLINE) + timedelta(seconds=1)):
        late = org.put(f"{BASE}/{decided['B']}/full-application", json=APPLICATION)
    assert late.status_code == 409 and "31.07.2020" in late.json["detail"]
    with clock.freeze(clock.end_of_day(CALL_DEADLINE)):
        assert org.put(f"{BASE}/{decided['B']}/full-application", json=APPLICATION).status_code == 200


def test_a_sketch_promoted_after_the_deadline_gets_its_own_and_can_submit(small, decided, people, client):
    _withdraw_a(small, decided, LATE)
    c, other = decided["C"], small.api["other_org"]
    assert _sketch(c).full_application_deadline == OWN_DEADLINE
    assert _sketch(decided["B"]).full_application_deadline == CALL_DEADLINE  # the batch keeps the call's
    invitation = [b for b in _bodies(people["other_org"]) if "nachgerückt" in b]
    assert len(invitation) == 1 and "bis zum 21.09.2020 einen Vollantrag" in invitation[0]
    assert "31.07.2020" not in invitation[0]
    with clock.freeze(LATE):
        assert other.get(f"{BASE}/{c}").json["decision"]["full_application_deadline"] == "2020-09-21"
        client.login(people["other_org"])
        assert "21.09.2020" in client.get(f"/innovationsfonds/skizzen/{c}").get_data(as_text=True)
        assert "Vollantrag bis 21.09.2020 stellen" in client.get("/").get_data(as_text=True)  # start-page panel
        assert small.api["org"].put(f"{BASE}/{decided['B']}/full-application", json=APPLICATION).status_code == 409
    with clock.freeze(clock.end_of_day(OWN_DEADLINE) + timedelta(seconds=1)):
        too_late = other.put(f"{BASE}/{c}/full-application", json=APPLICATION)
    assert too_late.status_code == 409 and "21.09.2020" in too_late.json["detail"]
    with clock.freeze(clock.end_of_day(OWN_DEADLINE)):  # the last second counts
        in_time = other.put(f"{BASE}/{c}/full-application", json=APPLICATION)
    assert in_time.status_code == 200, in_time.json


def test_a_promotion_well_before_the_deadline_keeps_the_call_deadline(small, decided):
    _withdraw_a(small, decided, datetime(2020, 5, 4, 9, 0, tzinfo=clock.BERLIN))  # 04.05. + 42 days < 31.07.
    assert _sketch(decided["C"]).full_application_deadline == CALL_DEADLINE


def test_rejection_of_a_missing_full_application_uses_the_sketch_deadline(small, decided, people):
    _withdraw_a(small, decided, LATE)
    admin, c = small.api["admin"], decided["C"]
    with clock.freeze(clock.end_of_day(OWN_DEADLINE)):
        early = admin.post(f"{BASE}/{c}/full-application/reject", json={"reason": "Frist versäumt."})
    assert early.status_code == 409 and early.json["deadline"] == "2020-09-21" and "21.09.2020" in early.json["detail"]
    assert _sketch(c).status is S.SELECTED
    with clock.freeze(clock.end_of_day(OWN_DEADLINE) + timedelta(seconds=1)):
        late = admin.post(f"{BASE}/{c}/full-application/reject", json={"reason": "Frist versäumt."})
    assert late.status_code == 200, late.json
    told = [b for b in _bodies(people["other_org"]) if "abgelehnt." in b]
    assert len(told) == 1 and "Ablauf der Frist am 21.09.2020" in told[0]


def test_the_setting_is_validated_and_frozen_once_a_decision_is_staged(small, people, client):
    admin, call = small.api["admin"], f"/api/v1/innovationsfonds/calls/{small.call}"
    assert admin.get(call).json["full_application_days_after_promotion"] == PROMOTION_DAYS_DEFAULT
    with clock.freeze(AFTER):
        for bad in (0, 366, "viele"):
            refused = admin.put(call, json=call_body(reviewers_per_sketch=2, full_application_days_after_promotion=bad))
            assert refused.status_code == 422 and "full_application_days_after_promotion" in refused.json["errors"]
        changed = admin.put(call, json=call_body(reviewers_per_sketch=2, full_application_days_after_promotion=28))
        assert changed.status_code == 200 and changed.json["full_application_days_after_promotion"] == 28
    client.login(people["admin"])
    with clock.freeze(AFTER):
        bad = client.post(f"/innovationsfonds/aufrufe/{small.call}/bearbeiten",
                          data=_form(full_application_days_after_promotion="0"))
    assert bad.status_code == 422
    assert 'id="f-full_application_days_after_promotion-error"' in bad.get_data(as_text=True)
    db.session.expire_all()
    db.session.get(Call, small.call).decision_staged_at = clock.now()
    db.session.commit()
    with clock.freeze(AFTER):
        frozen = admin.put(call, json=call_body(reviewers_per_sketch=2, full_application_days_after_promotion=35,
                                                full_application_deadline="2020-08-31"))
    assert frozen.status_code == 422
    assert {"full_application_days_after_promotion", "full_application_deadline"} <= set(frozen.json["errors"])
    assert db.session.get(Call, small.call).full_application_days_after_promotion == 28
    with clock.freeze(AFTER):
        page = client.get(f"/innovationsfonds/aufrufe/{small.call}/bearbeiten").get_data(as_text=True)
    field = page.split('name="full_application_days_after_promotion"')[1].split(">")[0]
    assert 'value="28"' in field and "disabled" in field and "die vorbereiteten Nachrichten nennen" in page


@given(deadline=st.dates(date(2020, 1, 1), date(2024, 12, 31)), promoted_on=st.dates(date(2020, 1, 1),
                                                                                   date(2024, 12, 31)),
       days=st.integers(1, 365))
def test_promotion_deadline_is_the_later_of_the_call_deadline_and_the_days_after_promotion(deadline, promoted_on,
                                                                                          days):
    call = Call(full_application_deadline=deadline, full_application_days_after_promotion=days)
    own = call.promotion_deadline(promoted_on)
    assert own >= deadline and own >= promoted_on + timedelta(days=days)
    assert own in (deadline, promoted_on + timedelta(days=days))

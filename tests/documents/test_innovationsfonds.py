"""Innovationsfonds documents: the Steuerkreis decision letter per sketch, the project's Zuwendungsbescheid
(ANBest-P) and the rejection of a full application, each to the organisation only."""

from __future__ import annotations

import pytest

from app.documents.models import Document
from app.innovationsfonds import selection
from app.innovationsfonds.models import Sketch, SketchStatus, StagedMessage
from app.notifications.models import Message
from app.platform import clock
from app.platform.extensions import db
from app.platform.money import format_eur
from tests.innovationsfonds import conftest as innovationsfonds

from .conftest import pdf_text, pdfa_claim

AFTER = innovationsfonds.AFTER
people, small = innovationsfonds.people, innovationsfonds.small  # that folder's fixtures, used here

BASE = "/api/v1/innovationsfonds/sketches"
APPLICATION = {"lines": [{"year": 2020, "amount": "50000.00"}, {"year": 2021, "amount": "100000.00"}],
               "start_date": "2020-09-01", "end_date": "2021-12-31", "description": "Arbeitsplan"}


def _selected(small) -> int:
    sketch_id = small.submitted()
    small.close()
    sketch = db.session.get(Sketch, sketch_id)
    sketch.full_application_deadline = sketch.call.full_application_deadline
    sketch.status = SketchStatus.SELECTED
    db.session.commit()
    return sketch_id


def _only(kind: str) -> Document:
    return db.session.query(Document).filter_by(kind=kind).one()


def test_project_zuwendungsbescheid_goes_to_the_organisation(small, client):
    sketch_id = _selected(small)
    with clock.freeze(AFTER):
        assert small.api["org"].put(f"{BASE}/{sketch_id}/full-application", json=APPLICATION).status_code == 200
        approved = small.api["admin"].post(f"{BASE}/{sketch_id}/full-application/approve", json={})
    assert approved.status_code == 201, approved.json
    document = _only("if_zuwendungsbescheid")
    org = small.users["org"]
    assert document.organisation_id == org.organisation_id and document.kommune_id is None
    text = pdf_text(document.content)
    assert approved.json["number"] in text and "Träger A e. V." in text and "ANBest-P" in text
    for cents in (5_000_000, 10_000_000, 15_000_000):
        assert format_eur(cents).replace("\xa0", " ") in text
    assert (pdfa_claim(document.content)["part"], pdfa_claim(document.content)["conformance"]) == ("3", "B")
    assert [m.recipient_id for m in db.session.query(Message).filter_by(kind="documents.issued")] == [org.id]
    client.login(small.users["other_org"])
    assert client.get(f"/dokumente/{document.id}.pdf").status_code == 404
    client.login(org)
    assert client.get(f"/dokumente/{document.id}.pdf").data == document.content


def test_full_application_rejection_is_a_document(small):
    sketch_id = _selected(small)
    with clock.freeze(AFTER):
        assert small.api["org"].put(f"{BASE}/{sketch_id}/full-application", json=APPLICATION).status_code == 200
        rejected = small.api["admin"].post(f"{BASE}/{sketch_id}/full-application/reject",
                                           json={"reason": "Finanzierungsplan nicht schlüssig."})
    assert rejected.status_code == 200, rejected.json
    text = pdf_text(_only("if_ablehnungsbescheid").content)
    assert "Finanzierungsplan nicht schlüssig." in text and "Rechtsbehelfsbelehrung" in text


@pytest.mark.parametrize("outcome, heading, remedy", [
    ("selected", "Mitteilung über die Auswahl der Projektskizze", False),
    ("waiting", "Mitteilung über die Aufnahme in die Warteliste", False),
    ("rejected", "Ablehnungsbescheid zur Projektskizze", True),
])
def test_each_released_selection_message_is_a_letter(small, outcome, heading, remedy):
    sketch_id = small.submitted()
    sketch = db.session.get(Sketch, sketch_id)
    message = StagedMessage(call_id=sketch.call_id, sketch_id=sketch.id, kind=outcome,
                            subject=selection.SUBJECTS[outcome],
                            body=f"Guten Tag,\n\nder Steuerkreis hat entschieden: {outcome}.\n\nMit Gruß",
                            created_at=clock.now())
    db.session.add(message)
    db.session.flush()
    selection._send(message, sketch)
    db.session.commit()
    document = _only("if_auswahlentscheidung")
    assert document.title == f"{heading} {sketch.reference}"
    text = pdf_text(document.content)
    assert heading in text and f"der Steuerkreis hat entschieden: {outcome}." in text
    assert ("Rechtsbehelfsbelehrung" in text) is remedy

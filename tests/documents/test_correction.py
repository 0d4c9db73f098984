"""Berichtigung nach § 42 VwVfG: a new document that names and supersedes the old one (both kept)."""

from __future__ import annotations

from datetime import date

import pytest

from app.documents.models import Document
from app.documents.services import correct_document
from app.documents.workflow import DOCUMENT
from app.notifications.models import Message
from app.platform import clock
from app.platform.audit import AuditEntry
from app.platform.errors import Conflict, Forbidden
from app.platform.extensions import db

from .conftest import pdf_text

REASON = "Aktenzeichen im Briefkopf war falsch"


def test_an_administrator_corrects_a_document_with_a_reason(cycle, client):
    original = cycle.document("schlussbescheid")
    client.login(cycle.people["programme_admin"])
    url = f"/dokumente/{original.id}/berichtigen"
    assert "Grund der Berichtigung" in client.get(url).get_data(as_text=True)
    missing = client.post(url, data={"reason": "  "})
    assert missing.status_code == 422 and "Bitte den Grund der Berichtigung angeben." in missing.get_data(as_text=True)
    assert db.session.query(Document).filter_by(kind="schlussbescheid").count() == 1  # nothing changed
    with clock.freeze(date(2023, 9, 15)):
        done = client.post(url, data={"reason": REASON})
    assert done.status_code == 302
    correction = db.session.query(Document).filter_by(kind="schlussbescheid").order_by(Document.id.desc()).first()
    assert correction.id != original.id and correction.replaces_id == original.id
    assert correction.correction_reason == REASON
    text = pdf_text(correction.content)
    assert "Berichtigung nach § 42 VwVfG NRW" in text and REASON in text and original.title in text
    assert db.session.get(Document, original.id).sha256 == original.sha256  # the old one is kept as issued
    entry = db.session.query(AuditEntry).filter_by(action="document.correct").one()
    assert (entry.before["document"], entry.after["document"], entry.after["reason"]) == (
        original.id, correction.id, REASON)
    notice = db.session.query(Message).filter_by(kind="documents.issued", link=f"/dokumente/{correction.id}.pdf").one()
    assert notice.recipient_id == cycle.people["kommune"].id
    listing = client.get("/dokumente/").get_data(as_text=True)
    assert f"ersetzt durch Dokument {correction.id}" in listing and f"ersetzt Dokument {original.id}" in listing
    again = client.post(url, data={"reason": "noch einmal"})  # only the newest version can be corrected
    assert again.status_code == 409 and f"durch Dokument {correction.id} ersetzt" in again.get_data(as_text=True)
    client.login(cycle.people["kommune"])
    assert client.get(f"/dokumente/zu/proof_of_use/{cycle.proof.id}.pdf").data == correction.content
    assert client.get(url).status_code == 403 and client.post(url, data={"reason": REASON}).status_code == 403


def test_a_corrected_reclaim_states_the_same_claim_as_of_the_decision_day(cycle):
    original = cycle.document("rueckforderungsbescheid")
    with clock.freeze(date(2023, 11, 20)):
        correction = correct_document(original, reason="Falsche Anschrift", actor=cycle.people["programme_admin"])
    before, after = pdf_text(original.content), pdf_text(correction.content)
    for fact in ("Forderung am 01.08.2023", "31.08.2023"):  # figures as of the decision, the same deadline
        assert fact in before and fact in after
    assert "20.11.2023" in after  # the letter's own date


@pytest.mark.parametrize("role", ["programme_admin", "finance", "auditor", "kommune"])
@pytest.mark.parametrize("state", ["current", "superseded"])
def test_document_correction_table(cycle, state, role):
    document = cycle.document("auszahlungsmitteilung")
    admin = cycle.people["programme_admin"]
    if state == "superseded":
        correct_document(document, reason="erste Berichtigung", actor=admin)
    rule = DOCUMENT.transitions.get((state, "correct"))
    allowed_roles = DOCUMENT.transitions[("current", "correct")][1]
    if rule is not None and role in rule[1]:
        assert correct_document(document, reason="Tippfehler", actor=cycle.people[role]).replaces_id == document.id
    else:
        with pytest.raises(Forbidden if role not in allowed_roles else Conflict):
            correct_document(document, reason="Tippfehler", actor=cycle.people[role])
    db.session.rollback()

"""The demo issues the story's documents after seeding, each at the moment of its decision."""

from __future__ import annotations

from types import SimpleNamespace

from app.documents import demo
from app.documents.models import Document
from app.platform.extensions import db


def test_demo_issues_the_documents_under_their_historical_clock(cycle):
    db.session.execute(Document.__table__.delete())  # as if the domains had seeded with documents off
    demo.seed(SimpleNamespace(issue_documents=True, users={"koeln": cycle.people["kommune"]}))
    issued = {d.kind: d.issued_at for d in db.session.query(Document)}
    assert issued == {"zuwendungsbescheid": cycle.decision.decided_at,
                      "aenderungsbescheid": cycle.amendment.decided_at,
                      "auszahlungsmitteilung": cycle.drawdown.paid_at,
                      "anhoerung": cycle.hearing.opened_at,
                      "schlussbescheid": cycle.proof.decided_at,
                      "rueckforderungsbescheid": cycle.reclaim.created_at}


def test_demo_without_documents_issues_none(cycle):
    db.session.execute(Document.__table__.delete())
    demo.seed(SimpleNamespace(issue_documents=False, users={}))
    assert db.session.query(Document).count() == 0

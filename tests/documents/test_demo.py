"""The demo issues the story's documents after seeding, each at the moment of its decision."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from app.budgets.models import Drawdown, DrawdownStatus
from app.documents import demo
from app.documents.models import Document
from app.platform.extensions import db


def test_demo_issues_the_documents_under_their_historical_clock(cycle):
    db.session.execute(Document.__table__.delete())  # as if the domains had seeded with documents off
    demo.settle(SimpleNamespace(issue_documents=True, users={"koeln": cycle.people["kommune"]}))
    issued = {d.kind: d.issued_at for d in db.session.query(Document)}
    assert issued == {"zuwendungsbescheid": cycle.decision.decided_at,
                      "aenderungsbescheid": cycle.amendment.decided_at,
                      "auszahlungsmitteilung": cycle.drawdown.paid_at,
                      "anhoerung": cycle.hearing.opened_at,
                      "schlussbescheid": cycle.proof.decided_at,
                      "rueckforderungsbescheid": cycle.reclaim.created_at}


def test_demo_without_documents_issues_none(cycle):
    db.session.execute(Document.__table__.delete())
    demo.settle(SimpleNamespace(issue_documents=False, users={}))
    assert db.session.query(Document).count() == 0


def test_demo_issues_every_notice_of_the_latest_payment_runs(cycle):
    """A final payment pays one order per module at one moment: all of them get their notice, and the runs
    before the latest three get none (the demo renders only the recent ones)."""
    template = cycle.drawdown
    runs = [template.paid_at + timedelta(days=10 * n) for n in range(1, 5)]  # four runs after the cycle's own
    for n, moment in enumerate(runs):
        for module in (("F1", "F2", "F3", "F4") if n == len(runs) - 1 else ("F1",)):
            db.session.add(Drawdown(grant_id=template.grant_id, module_code=module, budget_year=template.budget_year,
                                    status=DrawdownStatus.PAID, amount_requested_cents=100, amount_approved_cents=100,
                                    purpose="Zahlungslauf", period_start=moment.date(), period_end=moment.date(),
                                    requested_at=moment, value_date=moment.date(), paid_at=moment))
    db.session.flush()
    db.session.execute(Document.__table__.delete())
    demo.settle(SimpleNamespace(issue_documents=True, users={"koeln": cycle.people["kommune"]}))
    notices = sorted(d.issued_at for d in db.session.query(Document).filter_by(kind="auszahlungsmitteilung"))
    assert notices == [runs[1], runs[2]] + [runs[3]] * 4

"""The demo's late days show the decided round (issue #20): on 01.09.2023 the 93 sketches of the call
of 31.05.2022 have become 19 funded projects with about 70 % women among their participants, with
decision letters, grant decisions and budgets; the ranking and selection pages show the released
decision. Days before the Steuerkreis met still show the round in review."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.budgets.models import Grant
from app.innovationsfonds import demo_decision
from app.innovationsfonds.models import Call, ProjectDecision, Sketch, SketchStatus, StagedMessage
from app.innovationsfonds.round_statistics import statistics
from app.platform import clock
from app.platform.audit import AuditEntry
from app.platform.extensions import db
from tests.innovationsfonds.conftest import seed_demo_round as seed


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.mark.slow  # seeds and reviews a whole round
def test_late_demo_day_shows_the_decided_round(app, client):
    context = seed(date(2023, 9, 1))
    call = db.session.scalar(select(Call))
    assert count(Sketch) == 93
    assert call.released_at is not None
    funded = [s for s in call.sketches if s.status is SketchStatus.FUNDED]
    stats = statistics(call)
    assert len(funded) == 19 == stats["selected"]
    assert 68 <= stats["women_share"] <= 72
    assert count(ProjectDecision) == 19
    assert count(Grant, Grant.source.like("if-project:%")) == 19
    assert stats["granted_cents"] == sum(s.requested_cents for s in funded) <= call.budget_cents
    assert count(StagedMessage, StagedMessage.released_at.is_not(None)) == 93  # one letter per sketch
    assert stats["by_status"]["waiting"] == call.waiting_list_limit == 10
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("innovationsfonds.%"))))
    assert {"innovationsfonds.decision.stage", "innovationsfonds.decision.release",
            "innovationsfonds.full_application.submit", "innovationsfonds.project.approve"} <= actions
    with clock.freeze(date(2023, 9, 1)):
        client.login(context.users["admin@demo.nrw"])
        for path in ("/rangfolge", "/auswahl"):
            page = client.get(f"/innovationsfonds/aufrufe/{call.id}{path}").get_data(as_text=True)
            assert 'id="released-decision"' in page, path
            assert "19 Skizzen ausgewählt" in page and "davon 19 mit Zuwendungsbescheid" in page, path
            assert "10 auf der Warteliste" in page, path
        assert 'id="decision-form"' not in client.get(f"/innovationsfonds/aufrufe/{call.id}/auswahl").get_data(
            as_text=True)
        assert "Freigegeben am" in client.get(f"/innovationsfonds/aufrufe/{call.id}/postausgang").get_data(as_text=True)


@pytest.mark.slow
def test_days_before_the_steuerkreis_met_still_show_the_round_in_review(app, client):
    context = seed(date(2022, 7, 14))  # the Steuerkreis meets that day: the demo day shows the morning before
    call = db.session.scalar(select(Call))
    assert demo_decision.decision_day(call) == date(2022, 7, 14)
    assert call.released_at is None and call.decision_staged_at is None
    assert count(ProjectDecision) == 0 == count(StagedMessage)
    with clock.freeze(date(2022, 7, 14)):
        client.login(context.users["admin@demo.nrw"])
        page = client.get(f"/innovationsfonds/aufrufe/{call.id}/auswahl").get_data(as_text=True)
        assert 'id="released-decision"' not in page and 'id="decision-form"' in page

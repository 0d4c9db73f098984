"""The draft reminder: 14 days after an application entered "draft" or "changes requested", then
weekly, to its own Kommune's users only; once per day; preferences honoured; stops after submission
and after the programme's last expense date."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.grants.jobs import DRAFT_REMINDER, reminder_due
from app.notifications.models import Message
from app.notifications.services import set_preferences
from app.platform import clock
from app.platform.extensions import db
from app.reference.services import get_programme
from app.scheduler.runner import execute
from tests.grants.conftest import DAY, KOELN


def run(day):
    moment = datetime.combine(day, datetime.min.time().replace(hour=7), tzinfo=clock.BERLIN)
    with clock.freeze(moment):
        return execute("grants.remind_drafts", scheduled_for=moment, trigger="schedule")


def reminders() -> list[Message]:
    db.session.expire_all()
    return list(db.session.scalars(select(Message).where(Message.kind == DRAFT_REMINDER).order_by(Message.id)))


def test_reminder_days_are_14_then_every_7():
    assert [n for n in range(60) if reminder_due(n)] == [14, 21, 28, 35, 42, 49, 56]


def test_drafts_and_changes_requested_are_reminded_weekly_to_their_own_kommune(app, flow, make_user):
    silent = make_user("kommune", kommune_ags=KOELN)
    set_preferences(silent, {DRAFT_REMINDER: "off"})
    db.session.commit()
    draft = flow.draft()  # Köln, 15.06.2020
    returned = flow.in_state("changes_requested", role="foreign")  # Kleve, changes requested on 15.06.2020
    koeln, kleve = flow.users["kommune"], flow.users["foreign"]

    assert run(DAY + timedelta(days=13)).summary == {"reminders": 0, "waiting": 2}
    first = run(DAY + timedelta(days=14))
    assert first.summary == {"reminders": 2, "waiting": 2}
    by_user = {m.recipient_id: m for m in reminders()}
    assert set(by_user) == {koeln.id, kleve.id}  # not the one who switched it off, no staff
    assert by_user[koeln.id].subject == "Erinnerung: Antrag noch nicht eingereicht"
    assert "seit dem 15.06.2020\n(14 Tage) im Entwurf" in by_user[koeln.id].body
    assert by_user[koeln.id].link == f"/antraege/{draft}"
    endpoint, args = app.url_map.bind("localhost").match(by_user[koeln.id].link)
    assert (endpoint, args) == ("grants.detail", {"application_id": draft})
    assert by_user[kleve.id].subject == "Erinnerung: Antrag noch nicht erneut eingereicht"
    assert "am 15.06.2020 Änderungen an Ihrem Antrag angefordert" in by_user[kleve.id].body
    assert by_user[kleve.id].link == f"/antraege/{returned}"

    assert run(DAY + timedelta(days=14)).status == "already_done"
    assert run(DAY + timedelta(days=15)).summary["reminders"] == 0
    assert len(reminders()) == 2

    with clock.freeze(DAY + timedelta(days=16)):
        assert flow.api["kommune"].post(f"/api/v1/applications/{draft}/submit").status_code == 200
    assert run(DAY + timedelta(days=21)).summary == {"reminders": 1, "waiting": 1}
    assert [m.recipient_id for m in reminders()] == [koeln.id, kleve.id, kleve.id]


def test_no_reminders_after_the_programme_ended(app, flow):
    flow.draft()
    end = get_programme().last_expense_date
    due_after_end = next(end + timedelta(days=n) for n in range(1, 8) if reminder_due((end - DAY).days + n))
    assert run(due_after_end).summary == {"reminders": 0, "waiting": 0}
    assert reminders() == []

"""The demo's people have read their older mail: only the last ``READ_AFTER`` days stay unread."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

from app.notifications.demo import READ_AFTER, read_old_mail
from app.notifications.models import Message
from app.platform.clock import BERLIN
from app.platform.extensions import db


def _message(user, at: datetime) -> Message:
    message = Message(recipient_id=user.id, recipient_email=user.email, kind="reminder", subject="Erinnerung",
                      body="…", created_at=at, email_attempts=0, email_status="none", email_next_attempt_at=at)
    db.session.add(message)
    return message


def test_mail_older_than_two_weeks_before_the_demo_day_is_read_a_day_after_it_arrived(app, make_user):
    user = make_user("kommune")
    day = date(2023, 9, 1)
    limit = datetime(2023, 9, 1, tzinfo=BERLIN) - READ_AFTER
    old = _message(user, limit - timedelta(minutes=1))
    new = _message(user, limit + timedelta(minutes=1))
    already = _message(user, limit - timedelta(days=30))
    already.read_at = limit - timedelta(days=29, hours=1)
    db.session.flush()
    read_old_mail(SimpleNamespace(day=day))
    db.session.refresh(old)
    db.session.refresh(new)
    db.session.refresh(already)
    assert old.read_at == old.created_at + timedelta(days=1)
    assert new.read_at is None
    assert already.read_at == limit - timedelta(days=29, hours=1)  # a date it was read keeps

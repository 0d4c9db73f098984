"""E-mail delivery through a local SMTP server (aiosmtpd): German text, absolute links, backoff,
never twice, failures on the jobs page."""

import socket
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from app.notifications.kinds import declare_kind
from app.notifications.models import Message
from app.notifications.services import remind
from app.platform import clock
from app.platform.extensions import db
from app.scheduler.runner import execute

REMINDER = declare_kind("test.expense_deadline", "Erinnerung: letzter Ausgabentag", roles={"kommune"})
T0 = datetime(2023, 5, 1, 8, 0, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Collect:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.received.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture()
def smtp_config(app):
    port = _free_port()
    saved = {k: app.config.get(k) for k in ("SMTP_HOST", "SMTP_PORT", "BASE_URL", "MAIL_FROM")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, BASE_URL="https://durchstarten.example.nrw",
                      MAIL_FROM="durchstarten@example.nrw")
    yield port
    app.config.update(saved)


@pytest.fixture()
def smtp_server(smtp_config):
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_config)
    controller.start()
    yield handler
    controller.stop()


def _remind(user):
    return remind([user], REMINDER, "emails/reminder_deadline.txt",
                  subject="Erinnerung: Letzter Ausgabentag 30.06.2023",
                  link="/zuwendungen/17/ausgaben", dedup_key="expense-deadline:17:d60",
                  what="Der Zeitraum, in dem Ausgaben anfallen dürfen,", deadline=date(2023, 6, 30), days_left=60,
                  action="Bitte erfassen Sie alle Ausgaben rechtzeitig.")


def _deliver(at: datetime):
    with clock.freeze(at):
        return execute("notifications.deliver_email", scheduled_for=at, trigger="schedule")


def test_a_reminder_reaches_the_smtp_server_in_german_with_the_right_link(app, make_user, smtp_server):
    user = make_user("kommune", email="kaemmerei@kreis-test.nrw")
    with clock.freeze(T0):
        [message] = _remind(user)
        db.session.commit()
    outcome = _deliver(T0 + timedelta(seconds=30))
    assert outcome.status == "ok" and outcome.summary["sent"] == 1
    [envelope] = smtp_server.received
    assert envelope.rcpt_tos == ["kaemmerei@kreis-test.nrw"]
    mail = message_from_bytes(envelope.content, policy=policy.default)
    assert mail["Subject"] == "Erinnerung: Letzter Ausgabentag 30.06.2023"
    assert mail["Message-ID"] == f"<message-{message.id}@durchstarten.example.nrw>"
    text = mail.get_content()
    assert text.startswith(f"Guten Tag {user.name},")
    assert "endet am 30.06.2023 – in 60 Tagen" in text and "Mit freundlichen Grüßen" in text
    assert "Zum Vorgang: https://durchstarten.example.nrw/zuwendungen/17/ausgaben" in text
    assert "https://durchstarten.example.nrw/nachrichten/einstellungen" in text
    db.session.expire_all()
    stored = db.session.get(Message, message.id)
    assert stored.email_status == "sent" and stored.email_attempts == 1 and stored.email_claim is None
    # never twice: the next minute's run and a second reminder with the same key send nothing
    with clock.freeze(T0 + timedelta(minutes=1)):
        assert _remind(user) == []
        db.session.commit()
    assert _deliver(T0 + timedelta(minutes=1, seconds=30)).summary["sent"] == 0
    assert len(smtp_server.received) == 1


def test_smtp_down_is_retried_with_backoff_and_shown_on_the_jobs_page(app, make_user, smtp_config, client):
    admin = make_user("programme_admin")
    user = make_user("kommune")
    with clock.freeze(T0):
        [message] = _remind(user)
        db.session.commit()
    first = _deliver(T0)  # nothing listens on the port
    assert first.status == "ok" and first.summary["retry"] == 1 and "nicht erreichbar" in first.summary["errors"][0]
    db.session.expire_all()
    stored = db.session.get(Message, message.id)
    assert stored.email_status == "pending" and stored.email_attempts == 1
    assert stored.email_next_attempt_at.replace(tzinfo=UTC) == T0 + timedelta(seconds=60)
    assert _deliver(T0 + timedelta(seconds=30)).summary["retry"] == 0  # not yet due
    assert _deliver(T0 + timedelta(seconds=61)).summary["retry"] == 1  # second attempt, fails again
    db.session.expire_all()
    stored = db.session.get(Message, message.id)
    assert stored.email_attempts == 2
    assert stored.email_next_attempt_at.replace(tzinfo=UTC) == T0 + timedelta(seconds=61 + 120)
    db.session.commit()

    client.login(admin)
    page = client.get("/verwaltung/jobs/").get_data(as_text=True)
    assert "E-Mail-Zustellung" in page and "wird wiederholt" in page and "nicht erreichbar" in page
    assert user.email in page

    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_config)
    controller.start()
    try:
        assert _deliver(T0 + timedelta(seconds=200)).summary["sent"] == 1
    finally:
        controller.stop()
    assert len(handler.received) == 1
    db.session.expire_all()
    assert db.session.get(Message, message.id).email_status == "sent"


def test_after_the_last_attempt_the_message_fails_and_administrators_are_told(app, make_user, smtp_config):
    admin = make_user("programme_admin")
    user = make_user("kommune")
    app.config["EMAIL_MAX_ATTEMPTS"] = 2
    try:
        with clock.freeze(T0):
            [message] = _remind(user)
            db.session.commit()
        _deliver(T0)
        outcome = _deliver(T0 + timedelta(minutes=5))
    finally:
        app.config.pop("EMAIL_MAX_ATTEMPTS")
    assert outcome.summary["failed"] == 1
    db.session.expire_all()
    assert db.session.get(Message, message.id).email_status == "failed"
    notice = db.session.scalar(select(Message).where(Message.kind == "system.email_failed"))
    assert notice.recipient_id == admin.id and notice.email_status == "none"  # inbox only, never mailed


def test_a_claimed_message_is_not_sent_by_a_second_deliverer_and_a_stale_claim_is_not_resent(
        app, make_user, smtp_server):
    user = make_user("kommune")
    with clock.freeze(T0):
        [message] = _remind(user)
        db.session.execute(update(Message).where(Message.id == message.id)
                           .values(email_status="sending", email_claim="other-process", email_claimed_at=T0))
        db.session.commit()
    assert _deliver(T0 + timedelta(minutes=1)).summary["sent"] == 0  # another deliverer holds it
    outcome = _deliver(T0 + timedelta(minutes=11))  # that deliverer died mid-send: outcome unknown
    assert outcome.summary == {"sent": 0, "retry": 0, "failed": 0, "unclear": 1}
    assert smtp_server.received == []
    db.session.expire_all()
    stored = db.session.get(Message, message.id)
    assert stored.email_status == "failed" and "Zustellstatus unklar" in stored.email_error


def test_without_smtp_messages_stay_in_the_inbox(app, make_user):
    user = make_user("kommune")
    with clock.freeze(T0):
        [message] = _remind(user)
        db.session.commit()
    assert message.email_status == "none"
    assert _deliver(T0).summary["smtp"] == "nicht konfiguriert"

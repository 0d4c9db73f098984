"""Notification preferences: off / inbox only / e-mail; mandatory notices cannot be switched off."""

import pytest
from sqlalchemy import select

from app.notifications.kinds import DEADLINE_NOTICE, declare_kind
from app.notifications.models import Message
from app.notifications.services import preference_mode, remind, set_preferences
from app.platform.errors import ValidationFailed
from app.platform.extensions import db

DRAFT = declare_kind("test.draft_reminder", "Erinnerung: Antrag noch nicht eingereicht", roles={"kommune"})


@pytest.fixture()
def smtp_on(app):
    saved = app.config.get("SMTP_HOST")
    app.config["SMTP_HOST"] = "127.0.0.1"
    yield
    app.config["SMTP_HOST"] = saved


def _send(users, kind=DRAFT, key="draft:1"):
    return remind(users, kind, "emails/notice.txt", subject="Ihr Antrag ist noch nicht eingereicht",
                  link="/antraege/1", dedup_key=key, text="Ihr Antragsentwurf wartet auf die Einreichung.")


def test_preferences_are_respected(app, make_user, smtp_on):
    default, inbox_only, off = (make_user("kommune") for _ in range(3))
    set_preferences(inbox_only, {DRAFT: "inbox"})
    set_preferences(off, {DRAFT: "off"})
    queued = {m.recipient_id: m.email_status for m in _send([default, inbox_only, off])}
    assert queued == {default.id: "pending", inbox_only.id: "none"}
    mandatory = {m.recipient_id: m.email_status for m in _send([default, inbox_only, off], DEADLINE_NOTICE, "d:1")}
    assert mandatory == {u.id: "pending" for u in (default, inbox_only, off)}
    assert preference_mode(off, DEADLINE_NOTICE) == "email"


def test_mandatory_kinds_cannot_be_switched_off_and_unknown_kinds_are_refused(app, make_user):
    user = make_user("kommune")
    with pytest.raises(ValidationFailed) as refused:
        set_preferences(user, {DEADLINE_NOTICE: "off", "test.unknown": "off", DRAFT: "laut"})
    assert set(refused.value.errors) == {DEADLINE_NOTICE, "test.unknown", DRAFT}
    with pytest.raises(KeyError):
        remind([user], "not.declared", "emails/notice.txt", subject="x", dedup_key="x")


def test_the_preferences_page(client, make_user):
    user = make_user("kommune")
    client.login(user)
    page = client.get("/nachrichten/einstellungen").get_data(as_text=True)
    assert "<h1>Benachrichtigungen</h1>" in page
    assert "Erinnerung: Antrag noch nicht eingereicht" in page and "nicht abschaltbar" in page
    assert "Fehlgeschlagene automatische Jobs" not in page  # an administrators' kind
    response = client.post("/nachrichten/einstellungen", data={f"mode-{DRAFT}": "off"})
    assert response.status_code == 302
    assert preference_mode(user, DRAFT) == "off"
    response = client.post("/nachrichten/einstellungen", data={f"mode-{DRAFT}": "sehr laut"})
    assert response.status_code == 200 and "Bitte wählen Sie" in response.get_data(as_text=True)
    assert preference_mode(user, DRAFT) == "off"
    assert db.session.scalar(select(Message)) is None


def test_a_dedup_key_longer_than_its_column_is_stored_bounded_and_still_deduplicates(app, make_user):
    """A key naming a set (a reviewer's 70 new sketches) outgrew ``varchar(200)``: PostgreSQL refused the message."""
    user = make_user("kommune")
    ids = ",".join(str(number) for number in range(1000, 1070))
    long_key, other = f"if.assigned:1:{ids}", f"if.assigned:1:{ids},1070"
    first = remind([user], DEADLINE_NOTICE, "emails/notice.txt", subject="Neue Skizzen", dedup_key=long_key)
    db.session.commit()
    again = remind([user], DEADLINE_NOTICE, "emails/notice.txt", subject="Neue Skizzen", dedup_key=long_key)
    more = remind([user], DEADLINE_NOTICE, "emails/notice.txt", subject="Neue Skizzen", dedup_key=other)
    db.session.commit()
    assert len(first) == 1 and again == [] and len(more) == 1
    keys = db.session.scalars(select(Message.dedup_key)).all()
    assert len(keys) == 2 and all(len(key) <= 200 for key in keys) and keys[0].startswith("if.assigned:1:1000,")

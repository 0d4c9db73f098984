"""Budget jobs around their thresholds: each fires once, to the recipient's own users (or to finance
staff and administrators), a second run the same day is "already done", off-threshold days send
nothing, preferences are honoured and mandatory notices cannot be switched off."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from app.budgets import services
from app.budgets.jobs import DRAWN_NOT_SPENT, LAST_EXPENSE_DATE, LEDGER_DIFFERENCES, RISK_CHANGES
from app.budgets.models import Grant, GrantRiskFlag, LedgerBalance
from app.budgets.monitoring import unspent_by_payment
from app.budgets.services import submit_proof
from app.notifications.kinds import DEADLINE_NOTICE
from app.notifications.models import Message, NotificationPreference
from app.notifications.services import set_preferences
from app.platform import clock
from app.platform.audit import AuditEntry
from app.platform.errors import Conflict, ValidationFailed
from app.platform.extensions import db
from app.reference.services import get_programme
from app.scheduler.runner import execute
from tests.budgets.conftest import payer_for
from tests.notifications import test_email_delivery as smtp

smtp_config, smtp_server = smtp.smtp_config, smtp.smtp_server  # the aiosmtpd fixtures of the notification tests

KOELN, KLEVE = "05315", "05154"


def run(name: str, day: date, hour: int = 7):
    moment = datetime.combine(day, datetime.min.time().replace(hour=hour), tzinfo=clock.BERLIN)
    with clock.freeze(moment):
        return execute(name, scheduled_for=moment, trigger="schedule")


def messages(kind: str) -> list[Message]:
    db.session.expire_all()
    return list(db.session.scalars(select(Message).where(Message.kind == kind).order_by(Message.id)))


def recipients_of(kind: str) -> list[int]:
    return sorted(m.recipient_id for m in messages(kind))


def route(app, link: str) -> str:
    endpoint, _args = app.url_map.bind("localhost").match(link)
    return endpoint


@pytest.fixture()
def people(make_user):
    return {"koeln": make_user("kommune", kommune_ags=KOELN), "koeln2": make_user("kommune", kommune_ags=KOELN),
            "kleve": make_user("kommune", kommune_ags=KLEVE), "finance": make_user("finance"),
            "admin": make_user("programme_admin")}


# --------------------------------------------------------------------------- drawn and not spent


@given(st.lists(st.integers(1, 10**9), max_size=8), st.integers(-10**9, 10**10))
def test_unspent_is_the_newest_money_and_sums_to_drawn_not_spent(amounts, earned):
    unspent = unspent_by_payment(amounts, earned)
    assert sum(unspent) == max(sum(amounts) - max(earned, 0), 0)
    assert all(0 <= part <= amount for part, amount in zip(unspent, amounts, strict=True))
    first_open = next((i for i, part in enumerate(unspent) if part), len(unspent))
    assert all(part == amount for part, amount in zip(unspent[first_open + 1:], amounts[first_open + 1:],
                                                      strict=True))


def _paid_drawdown(grant, people, day: date, cents: int):
    with clock.freeze(day):
        drawdown = services.request_drawdown(grant, module="F1", amount_cents=cents, purpose="Coaching",
                                             actor=people["koeln"])
        services.decide_drawdown(drawdown, "approve", actor=people["finance"])
        services.pay_drawdown(drawdown, actor=payer_for(people["finance"]), value_date=day, reference=f"KZ-{day}")
        db.session.commit()
    return drawdown


def _expense(grant, people, day: date, cents: int, module: str = "F1"):
    with clock.freeze(day):
        services.record_expense(grant, actor=people["koeln"], module=module, expense_date=day, amount_cents=cents)
        db.session.commit()


def test_drawn_not_spent_reminder_fires_14_and_3_days_before_the_period_end(app, make_grant, people):
    grant = make_grant(KOELN)
    make_grant(KLEVE)
    drawdown = _paid_drawdown(grant, people, date(2021, 3, 1), 1_000_000)
    assert drawdown.period_end == date(2021, 4, 30)
    _expense(grant, people, date(2021, 3, 10), 500_000)  # earned 4.000,00 of 10.000,00 paid
    set_preferences(people["koeln2"], {DRAWN_NOT_SPENT: "off"})
    db.session.commit()

    assert run("budgets.remind_drawn_not_spent", date(2021, 4, 15)).summary["reminders"] == 0  # 15 days
    first = run("budgets.remind_drawn_not_spent", date(2021, 4, 16))
    assert first.status == "ok" and first.summary == {"reminders": 1, "drawdowns": 1}
    [message] = messages(DRAWN_NOT_SPENT)
    assert message.recipient_id == people["koeln"].id  # not Kleve's, not finance, not the one who switched off
    assert "6.000,00" in message.subject and "noch 6.000,00\xa0€ nicht verausgabt" in message.body
    assert "30.04.2021 – in 14 Tagen" in message.body
    assert route(app, message.link) == "budgets.expenses"
    again = run("budgets.remind_drawn_not_spent", date(2021, 4, 16))
    assert again.status == "already_done" and len(messages(DRAWN_NOT_SPENT)) == 1

    _expense(grant, people, date(2021, 4, 20), 750_000)  # now earned 10.000,00: all of it spent
    assert run("budgets.remind_drawn_not_spent", date(2021, 4, 27)).summary == {"reminders": 0, "drawdowns": 1}
    assert len(messages(DRAWN_NOT_SPENT)) == 1


def test_drawn_not_spent_counts_the_oldest_payment_as_spent_first(app, make_grant, people):
    grant = make_grant(KOELN)
    _paid_drawdown(grant, people, date(2021, 3, 1), 1_000_000)  # period ends 30.04.
    _paid_drawdown(grant, people, date(2021, 3, 20), 1_000_000)  # period ends 19.05.
    _expense(grant, people, date(2021, 3, 25), 1_500_000)  # earned 12.000,00: the first payment is used up
    assert run("budgets.remind_drawn_not_spent", date(2021, 4, 27)).summary["reminders"] == 0
    assert run("budgets.remind_drawn_not_spent", date(2021, 5, 16)).summary["reminders"] == 2
    assert {"8.000,00" in m.subject for m in messages(DRAWN_NOT_SPENT)} == {True}


# --------------------------------------------------------------------------- last expense date


@pytest.mark.parametrize(("day", "days_left"), [(date(2023, 5, 1), 60), (date(2023, 5, 31), 30),
                                                (date(2023, 6, 23), 7)])
def test_last_expense_date_reminder_at_each_threshold(app, make_grant, make_user, people, day, days_left):
    grant = make_grant(KOELN)
    organisation_user = make_user("organisation")
    project = services.set_commitment(
        programme_id=get_programme().id, source="project:1", reference="IF-1", recipient_kind="organisation",
        organisation_id=organisation_user.organisation_id, funding_rate_bp=8000, start_date=date(2021, 1, 1),
        last_expense_date=date(2023, 6, 30), lines={("F5", 2022): 5_000_000})
    set_preferences(people["koeln2"], {LAST_EXPENSE_DATE: "inbox"})
    db.session.commit()
    assert run("budgets.remind_last_expense_date", day - timedelta(days=1)).summary["reminders"] == 0
    outcome = run("budgets.remind_last_expense_date", day)
    assert outcome.summary == {"reminders": 3, "grants": 2}
    assert recipients_of(LAST_EXPENSE_DATE) == sorted([people["koeln"].id, people["koeln2"].id, organisation_user.id])
    by_user = {m.recipient_id: m for m in messages(LAST_EXPENSE_DATE)}
    assert by_user[people["koeln2"].id].email_status == "none"  # "inbox only" honoured
    assert f"endet am 30.06.2023 – in {days_left} Tagen" in by_user[people["koeln"].id].body
    assert by_user[people["koeln"].id].link == f"/budgets/zuwendungen/{grant.id}/ausgaben"
    assert by_user[organisation_user.id].link == f"/budgets/zuwendungen/{project.id}/ausgaben"
    assert run("budgets.remind_last_expense_date", day).status == "already_done"
    assert len(messages(LAST_EXPENSE_DATE)) == 3


def test_a_reminder_reaches_the_smtp_server_in_german_with_the_right_link(app, make_grant, people, smtp_server):
    grant = make_grant(KOELN)
    set_preferences(people["koeln2"], {LAST_EXPENSE_DATE: "off"})
    db.session.commit()
    assert run("budgets.remind_last_expense_date", date(2023, 5, 31)).summary["reminders"] == 1
    moment = datetime(2023, 5, 31, 7, 21, tzinfo=clock.BERLIN)
    with clock.freeze(moment):
        delivered = execute("notifications.deliver_email", scheduled_for=moment, trigger="schedule")
    assert delivered.summary["sent"] == 1
    [envelope] = smtp_server.received
    assert envelope.rcpt_tos == [people["koeln"].email]
    mail = message_from_bytes(envelope.content, policy=policy.default)
    assert mail["Subject"] == "Erinnerung: letzter Ausgabetag 30.06.2023 (DS-05315)"
    text = mail.get_content()
    assert text.startswith(f"Guten Tag {people['koeln'].name},")
    assert "endet am 30.06.2023 – in 30 Tagen" in text and "Bitte erfassen Sie alle Ausgaben" in text
    assert f"Zum Vorgang: https://durchstarten.example.nrw/budgets/zuwendungen/{grant.id}/ausgaben" in text


# --------------------------------------------------------------------------- proof of use


def test_proof_of_use_reminder_is_mandatory_and_skips_submitted_proofs(app, make_grant, people):
    app.config["SMTP_HOST"] = "127.0.0.1"  # e-mail is marked for sending (not sent in this test)
    try:
        make_grant(KOELN)
        submitted = make_grant(KLEVE)
        with clock.freeze(date(2023, 7, 5)):
            submit_proof(submitted, narrative="Sachbericht", confirmed=True, actor=people["kleve"])
        db.session.commit()
        with pytest.raises(ValidationFailed):
            set_preferences(people["koeln2"], {DEADLINE_NOTICE: "off"})
        db.session.rollback()
        deadline = get_programme().proof_of_use_deadline
        assert deadline == date(2023, 12, 31)
        assert run("budgets.remind_proof_of_use", date(2023, 12, 2)).summary["reminders"] == 0  # 29 days
        for day, days_left in ((date(2023, 12, 1), 30), (date(2023, 12, 17), 14), (date(2023, 12, 28), 3)):
            outcome = run("budgets.remind_proof_of_use", day)
            assert outcome.summary == {"reminders": 2, "grants": 1}, day
            assert run("budgets.remind_proof_of_use", day).status == "already_done"
            latest = messages(DEADLINE_NOTICE)[-2:]
            assert {m.recipient_id for m in latest} == {people["koeln"].id, people["koeln2"].id}
            assert {m.email_status for m in latest} == {"pending"}
            assert f"endet am 31.12.2023 – in {days_left} Tagen" in latest[0].body
            assert route(app, latest[0].link) == "budgets.proof"
        assert len(messages(DEADLINE_NOTICE)) == 6
    finally:
        app.config["SMTP_HOST"] = None


# --------------------------------------------------------------------------- expense entry closes


def test_expense_entry_closes_the_day_after_the_last_expense_date(app, make_grant, people, api):
    grant = make_grant(KOELN)
    # a stored "off" for a mandatory kind (the page refuses it; say, old data) changes nothing
    db.session.add(NotificationPreference(user_id=people["koeln2"].id, kind=DEADLINE_NOTICE, mode="off",
                                          updated_at=clock.now()))
    db.session.commit()
    assert run("budgets.close_expense_entry", date(2023, 6, 30), hour=0).summary == {"closed": 0, "notices": 0}
    outcome = run("budgets.close_expense_entry", date(2023, 7, 1), hour=0)
    assert outcome.summary == {"closed": 1, "notices": 2, "notes": ["DS-05315: Ausgabenerfassung geschlossen"]}
    notices = messages(DEADLINE_NOTICE)
    assert {m.recipient_id for m in notices} == {people["koeln"].id, people["koeln2"].id}
    assert notices[0].subject == "Ausgabenerfassung geschlossen – Verwendungsnachweis bis 31.12.2023 einreichen " \
                                 "(DS-05315)"
    assert "Verwendungsnachweis bis zum 31.12.2023 ein" in notices[0].body
    assert route(app, notices[0].link) == "budgets.proof"
    stored = db.session.get(Grant, grant.id)
    assert stored.expense_entry_closed_at is not None
    [shown] = api(people["koeln"]).get("/api/v1/budgets/grants").json
    assert shown["expense_entry_closed_at"] is not None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "grant.expense_entry_close",
                                                      AuditEntry.object_id == str(grant.id))) is not None
    with clock.freeze(date(2023, 7, 2)), pytest.raises(Conflict, match="Ausgabenerfassung ist seit"):
        services.record_expense(stored, actor=people["koeln"], module="F1", expense_date=date(2023, 6, 20),
                                amount_cents=10_000)
    db.session.rollback()
    assert run("budgets.close_expense_entry", date(2023, 7, 1), hour=0).status == "already_done"
    assert run("budgets.close_expense_entry", date(2023, 7, 2), hour=0).summary == {"closed": 0, "notices": 0}
    assert len(messages(DEADLINE_NOTICE)) == 2


# --------------------------------------------------------------------------- nightly check


def test_nightly_check_reports_new_and_recovered_risks_to_staff_only(app, make_grant, people):
    make_grant(KOELN)  # nothing spent: the forecast is far below 90 %
    first = run("budgets.nightly_check", date(2021, 6, 1), hour=2)
    assert first.summary == {"differences": 0, "at_risk": 1, "new_at_risk": 1, "recovered": 0, "messages": 2}
    assert recipients_of(RISK_CHANGES) == sorted([people["finance"].id, people["admin"].id])
    assert "Neu gefährdet:" in messages(RISK_CHANGES)[0].body and "DS-05315" in messages(RISK_CHANGES)[0].body
    assert route(app, messages(RISK_CHANGES)[0].link) == "budgets.statewide"
    assert run("budgets.nightly_check", date(2021, 6, 1), hour=2).status == "already_done"
    quiet = run("budgets.nightly_check", date(2021, 6, 2), hour=2)
    assert quiet.summary["messages"] == 0 and len(messages(RISK_CHANGES)) == 2
    flag = db.session.scalar(select(GrantRiskFlag))
    assert flag.at_risk and flag.at_risk_since == date(2021, 6, 1) and flag.checked_on == date(2021, 6, 2)

    grant = db.session.scalar(select(Grant))
    _expense(grant, people, date(2021, 6, 2), 15_000_000)  # fast, the most F1/2021 takes: projected above the grant
    recovered = run("budgets.nightly_check", date(2021, 6, 3), hour=2)
    assert recovered.summary == {"differences": 0, "at_risk": 0, "new_at_risk": 0, "recovered": 1, "messages": 2}
    assert "Nicht mehr gefährdet:" in messages(RISK_CHANGES)[-1].body
    assert not db.session.scalar(select(GrantRiskFlag)).at_risk


def test_nightly_check_reports_ledger_differences_as_a_mandatory_notice(app, make_grant, people):
    make_grant(KOELN)
    set_preferences(people["finance"], {RISK_CHANGES: "off"})
    db.session.commit()
    with pytest.raises(ValidationFailed):
        set_preferences(people["finance"], {LEDGER_DIFFERENCES: "off"})
    db.session.rollback()
    account_id = db.session.scalar(select(LedgerBalance.account_id).limit(1))
    db.session.execute(update(LedgerBalance).where(LedgerBalance.account_id == account_id)
                       .values(balance_cents=LedgerBalance.balance_cents + 1))
    db.session.commit()
    outcome = run("budgets.nightly_check", date(2021, 6, 1), hour=2)
    assert outcome.status == "ok" and outcome.summary["differences"] >= 1
    alerts = messages(LEDGER_DIFFERENCES)
    assert {m.recipient_id for m in alerts} == {people["finance"].id, people["admin"].id}
    assert "Abweichung" in alerts[0].subject and "aus dem Journal" in alerts[0].body
    assert route(app, alerts[0].link) == "budgets.reconcile"
    assert recipients_of(RISK_CHANGES) == [people["admin"].id]  # finance switched the risk report off
    check = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "ledger.verify"))
    assert check.after["problems"] == outcome.summary["differences"]
    # the next night reports again while the difference remains
    assert run("budgets.nightly_check", date(2021, 6, 2), hour=2).summary["differences"] >= 1
    assert len(messages(LEDGER_DIFFERENCES)) == 4


def test_a_grant_is_flagged_at_risk_only_once_it_has_a_history(app, make_grant):
    """Issue #21.6: a grant approved today has spent nothing yet; "gefährdet" with "Prognose 0,00 €" only
    after one forecast window of its own."""
    from app.budgets import status

    grant = make_grant(KOELN)  # granted 15.06.2020, nothing spent
    with clock.freeze(date(2020, 9, 1)):  # 78 days later: no history yet
        assert not status.status_for([grant])[0].at_risk
    with clock.freeze(date(2020, 9, 14)):  # 91 days: the empty pace is a finding now
        assert status.status_for([grant])[0].at_risk

"""Exactly-once job runs: once per due key, failures recorded and reported, CLI, concurrency."""

import threading
import time
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from app.notifications.kinds import declare_kind
from app.notifications.models import Message
from app.notifications.services import remind, users_with_role
from app.platform import clock
from app.platform import jobs as registry
from app.platform.audit import AuditEntry
from app.platform.clock import BERLIN
from app.platform.extensions import db
from app.scheduler.commands import jobs_group
from app.scheduler.models import JobRun
from app.scheduler.runner import execute

REMINDER = declare_kind("test.daily_reminder", "Testerinnerung", roles={"kommune"})
calls = {"n": 0, "fail": False, "sleep": 0.0}


@pytest.fixture()
def daily_job(app):
    """A reminder job like the domains will write: queue a reminder to every Kommune user once a day."""
    calls.update(n=0, fail=False, sleep=0.0)

    @registry.job("test.daily", trigger="cron", hour=6, minute=0, description="Testjob")
    def daily(run):
        calls["n"] += 1
        time.sleep(calls["sleep"])
        queued = remind(users_with_role("kommune"), REMINDER, "emails/reminder_deadline.txt",
                        subject="Erinnerung: Frist läuft ab", link="/antraege/7",
                        dedup_key=f"test.daily:{run.day.isoformat()}", what="Die Antragsfrist",
                        deadline=date(2022, 6, 30), days_left=(date(2022, 6, 30) - run.day).days)
        if calls["fail"]:
            raise RuntimeError("Hauptbuch weicht ab")
        return {"queued": len(queued)}

    yield "test.daily"
    registry.unregister("test.daily")


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2022, 6, day, hour, minute, tzinfo=BERLIN)


def _messages() -> int:
    return db.session.scalar(select(func.count()).select_from(Message).where(Message.kind == REMINDER))


def test_job_fires_once_per_day_and_a_second_run_changes_nothing(app, make_user, daily_job):
    make_user("kommune")
    with clock.freeze(_at(15, 6, 0)):
        first = execute(daily_job, scheduled_for=clock.now(), trigger="schedule")
    assert first.status == "ok" and first.due_key == "2022-06-15" and first.summary == {"queued": 1}
    with clock.freeze(_at(15, 6, 1)):  # a second process, a restart, or "Jetzt ausführen" the same day
        second = execute(daily_job, scheduled_for=_at(15, 6, 0), trigger="schedule")
        manual = execute(daily_job, trigger="manual")
    assert second.status == manual.status == "already_done"
    assert calls["n"] == 1 and _messages() == 1
    with clock.freeze(_at(16, 6, 0)):
        third = execute(daily_job, scheduled_for=clock.now(), trigger="schedule")
    assert third.status == "ok" and third.due_key == "2022-06-16"
    assert _messages() == 2
    rows = db.session.scalars(select(JobRun).order_by(JobRun.id)).all()
    assert [(r.due_key, r.status, r.attempts) for r in rows] == [("2022-06-15", "ok", 1), ("2022-06-16", "ok", 1)]
    body = db.session.scalars(select(Message.body)).first()
    assert "endet am 30.06.2022 – in 15 Tagen" in body and "/antraege/7" in body


def test_a_failing_job_is_rolled_back_recorded_and_reported(app, make_user, daily_job):
    make_user("kommune")
    admin = make_user("programme_admin")
    calls["fail"] = True
    with clock.freeze(_at(15, 6, 0)):
        outcome = execute(daily_job, scheduled_for=clock.now(), trigger="schedule")
        again = execute(daily_job, scheduled_for=clock.now(), trigger="schedule")  # same day: counted again
    assert outcome.status == again.status == "failed"
    assert "RuntimeError: Hauptbuch weicht ab" in outcome.error
    assert _messages() == 0  # the reminder queued before the exception was rolled back
    row = db.session.scalar(select(JobRun))
    assert row.status == "failed" and row.attempts == 2 and "Hauptbuch weicht ab" in row.error
    notices = db.session.scalars(select(Message).where(Message.kind == "system.job_failed")).all()
    assert [m.recipient_id for m in notices] == [admin.id]  # once per job and day
    assert "test.daily" in notices[0].subject and "Hauptbuch weicht ab" in notices[0].body
    calls["fail"] = False
    with clock.freeze(_at(15, 9, 0)):
        fixed = execute(daily_job, trigger="manual")
    assert fixed.status == "ok"
    db.session.expire_all()
    row = db.session.scalar(select(JobRun))
    assert row.status == "ok" and row.attempts == 3 and row.error is None and _messages() == 1


def test_cli_lists_and_runs_jobs_for_a_day(app, make_user, daily_job):
    make_user("kommune")
    runner = CliRunner()
    listing = runner.invoke(jobs_group, ["list"])
    assert listing.exit_code == 0, listing.output
    assert "test.daily" in listing.output and "täglich 06:00 Uhr" in listing.output
    assert "notifications.deliver_email" in listing.output
    first = runner.invoke(jobs_group, ["run", "test.daily", "--day", "2022-06-20"])
    assert first.exit_code == 0, first.output
    assert "[2022-06-20]: erledigt" in first.output and '"queued": 1' in first.output
    second = runner.invoke(jobs_group, ["run", "test.daily", "--day", "2022-06-20"])
    assert "bereits erledigt" in second.output and calls["n"] == 1
    unknown = runner.invoke(jobs_group, ["run", "gibt.es.nicht"])
    assert unknown.exit_code != 0 and "nicht registriert" in unknown.output
    calls["fail"] = True
    failed = runner.invoke(jobs_group, ["run", "test.daily", "--day", "2022-06-21"])
    assert failed.exit_code != 0 and "FEHLGESCHLAGEN" in failed.output


def test_two_runners_for_the_same_slot_do_the_work_once(app, make_user, daily_job):
    """Two processes firing the same slot at the same moment: the unique (job, due key) lets one act."""
    make_user("kommune")
    calls["sleep"] = 0.5
    slot = _at(15, 6, 0)
    results = []

    def fire():
        with app.app_context():
            results.append(execute(daily_job, scheduled_for=slot, trigger="schedule").status)

    threads = [threading.Thread(target=fire) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == ["already_done", "ok"]
    assert calls["n"] == 1 and _messages() == 1


def test_manual_run_is_audited(app, make_user, daily_job):
    admin = make_user("programme_admin")
    with clock.freeze(_at(15, 10, 0)):
        assert execute(daily_job, trigger="manual", actor=admin).status == "ok"
        assert execute(daily_job, trigger="manual", actor=admin).status == "already_done"
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "scheduler.job.run")
                                 .order_by(AuditEntry.id)).all()
    assert [(e.actor_id, e.object_id, e.after["status"]) for e in entries] == [
        (admin.id, "test.daily", "ok"), (admin.id, "test.daily", "already_done")]


def test_registry_validates_declarations():
    with pytest.raises(ValueError):
        registry.job("x.bad", trigger="cron", hours=2, description="")  # "hours" is an interval field
    with pytest.raises(ValueError):
        registry.job("x.bad", trigger="weekly", description="")
    spec = registry.get("scheduler.heartbeat")
    assert spec.key == "slot" and spec.describe_schedule() == "alle 5 Minuten"
    assert spec.describe_schedule({"SCHEDULER_SCHEDULES": {"scheduler.heartbeat": {"trigger": "interval",
                                                                                   "seconds": 2}}}) == "alle 2 Sekunden"

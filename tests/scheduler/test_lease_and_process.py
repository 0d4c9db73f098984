"""Leader election with the lease (two holders and the clock) and the real scheduler loop in a thread."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select, text

from app.platform import clock
from app.platform.extensions import db
from app.scheduler import lease, runner
from app.scheduler.models import JobRun
from app.scheduler.process import JOBSTORE_TABLE, serve

T0 = datetime(2022, 6, 15, 10, 0, 0, tzinfo=UTC)


def _at(seconds: float):
    return clock.freeze(T0 + timedelta(seconds=seconds))


def test_only_one_holder_acts_and_the_other_takes_over_after_expiry(app):
    with _at(0):
        assert lease.acquire("A") is True
        assert lease.acquire("B") is False
        assert lease.holds("A") and not lease.holds("B")
    with _at(10):
        assert lease.acquire("A") is True  # renewal: expires at 40 s
        assert lease.acquire("B") is False
    with _at(39):
        assert lease.acquire("B") is False and lease.holds("A")
    with _at(41):  # A stopped renewing (killed): B takes over
        assert not lease.holds("A")
        assert lease.acquire("B") is True
        assert lease.acquire("A") is False  # A comes back: it is now the standby
        assert lease.holds("B") and not lease.holds("A")
        assert lease.current()["holder"] == "B" and lease.current()["active"]
    with _at(42):
        assert lease.release("B") is True
        assert lease.acquire("A") is True  # clean shutdown hands over at once


def test_a_scheduled_job_does_nothing_in_a_process_without_the_lease(app):
    with _at(0):
        assert lease.acquire("A")
        runner.set_process(app, "B")
        try:
            assert runner.scheduled_entry("scheduler.heartbeat", T0.isoformat()) == "skipped"
            assert db.session.scalar(select(JobRun)) is None
            db.session.commit()  # the test's own session must not hold SQLite's write lock
            runner.set_process(app, "A")
            assert runner.scheduled_entry("scheduler.heartbeat", T0.isoformat()) == "ok"
            assert runner.scheduled_entry("scheduler.heartbeat", T0.isoformat()) == "already_done"
        finally:
            runner.set_process(None, None)
    assert db.session.scalar(select(JobRun.due_key)) == "2022-06-15T10:00:00Z"


@pytest.fixture()
def fast_schedule(app):
    unset = object()
    saved = {k: app.config.get(k, unset) for k in ("SCHEDULER_SCHEDULES", "SCHEDULER_LEASE_SECONDS",
                                                   "SCHEDULER_RENEW_SECONDS", "SCHEDULER_STANDBY_POLL_SECONDS")}
    app.config.update(SCHEDULER_SCHEDULES={"scheduler.heartbeat": {"trigger": "interval", "seconds": 1}},
                      SCHEDULER_LEASE_SECONDS=4, SCHEDULER_RENEW_SECONDS=1, SCHEDULER_STANDBY_POLL_SECONDS=0.5)
    db.session.commit()
    yield
    for key, value in saved.items():  # a setting that was absent must be absent again, not None
        if value is unset:
            app.config.pop(key, None)
        else:
            app.config[key] = value
    # The loops stored their jobs in APScheduler's own table, which the app fixture does not empty
    # (not in the models' metadata): later tests must compute next runs, not find these leftovers.
    db.session.rollback()
    if inspect(db.session.connection()).has_table(JOBSTORE_TABLE):
        db.session.execute(text(f"DELETE FROM {JOBSTORE_TABLE}"))
        db.session.commit()


def _wait_for_runs(app, *, holder: str, count: int, seconds: float = 60) -> bool:
    """Poll (in a fresh app context) until ``holder`` has run ``count`` heartbeat slots.

    Conditions instead of fixed sleeps: on a loaded machine a loop may need seconds to start.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.app_context():
            done = db.session.scalar(select(func.count()).select_from(JobRun).where(
                JobRun.job_name == "scheduler.heartbeat", JobRun.holder == holder))
            db.session.remove()
        if done >= count:
            return True
        time.sleep(0.25)
    return False


@pytest.mark.slow
def test_two_scheduler_loops_run_each_slot_once_and_hand_over(app, fast_schedule):
    """Two real scheduler loops (threads) on one database: one leads, each 1-s slot runs once;
    stopping the leader (clean shutdown releases the lease) lets the other continue."""
    stops = {name: threading.Event() for name in ("first", "second")}
    threads = {name: threading.Thread(target=serve, args=(app,), daemon=True,
                                      kwargs={"holder": name, "stop": stops[name], "install_signals": False})
               for name in stops}
    threads["first"].start()
    assert _wait_for_runs(app, holder="first", count=2), "the first loop never ran a slot"
    threads["second"].start()
    time.sleep(2.0)  # the second loop is up and waits as standby
    stops["first"].set()
    threads["first"].join(30)
    assert _wait_for_runs(app, holder="second", count=3), "the second loop did not take over"
    stops["second"].set()
    threads["second"].join(30)
    runner.set_process(None, None)
    db.session.expire_all()
    runs = db.session.execute(select(JobRun.due_key, JobRun.holder, JobRun.status)
                              .where(JobRun.job_name == "scheduler.heartbeat").order_by(JobRun.due_key)).all()
    holders = [r.holder for r in runs]
    assert {r.status for r in runs} == {"ok"}
    assert "first" in holders and "second" in holders
    assert holders.index("second") > max(i for i, h in enumerate(holders) if h == "first")  # one leader at a time
    keys = [r.due_key for r in runs]
    assert len(keys) == len(set(keys)) >= 5  # each slot once (unique) and the beat went on
    slots = [datetime.fromisoformat(k.replace("Z", "+00:00")) for k in keys]
    assert all(s.microsecond == 0 for s in slots)


def test_the_scheduler_process_lowers_its_cpu_priority_to_the_setting_before_serving(app, monkeypatch):
    """SCHEDULER_NICE: exports and imports in the background yield the CPU to the web workers (issue #19)."""
    from app.scheduler import commands, process

    calls, current = [], {"nice": 3}

    def fake_nice(increment):
        calls.append(increment)
        current["nice"] += increment
        return current["nice"]

    monkeypatch.setattr(commands.os, "nice", fake_nice)
    monkeypatch.setattr(process, "serve", lambda app, holder=None: calls.append(("serve", current["nice"])))
    result = app.test_cli_runner().invoke(commands.scheduler_command, [])
    assert result.exit_code == 0, result.output
    assert calls[-1] == ("serve", app.config["SCHEDULER_NICE"]) == ("serve", 10)  # from 3 up to 10, then serve
    current["nice"], calls[:] = 15, []
    app.test_cli_runner().invoke(commands.scheduler_command, [])
    assert calls[-1] == ("serve", 15)  # never raised back

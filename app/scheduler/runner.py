"""Run a registered job exactly once per due key, in its own transaction, and record the outcome.

``execute(name, ...)`` is the one entry point for scheduled runs, "Jetzt ausführen" and the CLI:

1. find the ``job_runs`` row for (job, due key): ``ok`` → nothing to do ("already done");
2. otherwise insert (or lock) that row first, so a concurrent runner waits on the unique index /
   row lock and afterwards finds the slot done;
3. call ``fn(run)``, store its summary, commit once;
4. on an exception: roll the work back, then in a second transaction mark the row ``failed`` with
   the error and queue a notice to every programme administrator (once per job and day).
"""

from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..notifications.services import notify_role
from ..platform import audit, clock
from ..platform import jobs as registry
from ..platform.database import lock_for_update
from ..platform.errors import NotFound
from ..platform.extensions import db
from . import lease
from .models import JobRun

log = logging.getLogger("durchstarten.scheduler")
SYSTEM_ACTOR = "system: scheduler"


@dataclass
class RunContext:
    """What a job function receives: which run this is and for which day/slot."""

    name: str
    due_key: str
    day: date  # the business day the run is for (Europe/Berlin)
    scheduled_for: datetime  # the slot (scheduled runs) or the moment of a manual run (UTC)
    trigger: str  # schedule | manual | cli
    actor_label: str = SYSTEM_ACTOR  # pass to audit.record(..., actor_label=run.actor_label)
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        """Add a line to the run's summary (shown on the jobs page)."""
        self.notes.append(text)


@dataclass
class Outcome:
    name: str
    due_key: str
    status: str  # ok | failed | already_done | skipped
    summary: dict | None = None
    error: str | None = None
    run_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"job": self.name, "due_key": self.due_key, "status": self.status, "summary": self.summary,
                "error": self.error, "run_id": self.run_id}


def business_day(moment: datetime) -> date:
    """The Berlin calendar day of a slot; with ``FAKE_TODAY`` (demo) the fake day."""
    if current_app.config.get("FAKE_TODAY"):
        return clock.today()
    return moment.astimezone(clock.BERLIN).date()


def execute(name: str, *, scheduled_for: datetime | None = None, day: date | None = None,
            trigger: str = "manual", actor=None, holder: str | None = None) -> Outcome:
    """Run job ``name`` once for its due key; commits (this is an edge, like a request)."""
    spec = registry.get(name)
    if spec is None:
        raise NotFound(f"Job „{name}“ ist nicht registriert.")
    moment = scheduled_for or clock.now()
    run_day = day or business_day(moment)
    due_key = spec.due_key(moment, run_day, trigger)
    actor_label = actor.email if actor is not None else (SYSTEM_ACTOR if trigger == "schedule" else f"{trigger}")
    context = RunContext(name=name, due_key=due_key, day=run_day, scheduled_for=moment, trigger=trigger,
                         actor_label=SYSTEM_ACTOR if actor is None else f"{actor.email} (Job)")
    started, tick = clock.now(), time.monotonic()
    run = _Run(spec, due_key, moment, started, tick, trigger, actor, actor_label, holder)
    if spec.own_transactions:
        return _execute_own_transactions(run, context)
    try:
        row = db.session.scalar(lock_for_update(select(JobRun).where(JobRun.job_name == name,
                                                                     JobRun.due_key == due_key)))
        if row is not None and row.status == "ok":
            return _already_done(name, due_key, row, actor)
        if row is None:
            row = JobRun(job_name=name, due_key=due_key, status="ok", attempts=0, trigger=trigger,
                         started_at=started, actor_label=actor_label)
            db.session.add(row)
            db.session.flush()  # claims the slot; a concurrent runner blocks here until we finish
    except IntegrityError:
        db.session.rollback()
        row = db.session.scalar(select(JobRun).where(JobRun.job_name == name, JobRun.due_key == due_key))
        return _already_done(name, due_key, row, actor)
    try:
        summary = _summary(spec.func(context), context)
        _fill(row, run, "ok", summary=summary)
        if actor is not None:
            audit.record("scheduler.job.run", "job", name, actor=actor,
                         after={"due_key": due_key, "status": "ok", "summary": summary})
        db.session.commit()
        log.info("job %s (%s) ok: %s", name, due_key, summary)
        return Outcome(name, due_key, "ok", summary=summary, run_id=row.id)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded and reported, never silent
        return _failed(run, exc)


@dataclass
class _Run:
    spec: registry.JobSpec
    due_key: str
    moment: datetime
    started: datetime
    tick: float
    trigger: str
    actor: Any
    actor_label: str
    holder: str | None


def _summary(result: dict | None, context: RunContext) -> dict:
    summary = dict(result or {})
    if context.notes:
        summary["notes"] = context.notes
    return audit.to_jsonable(summary)


def _fill(row: JobRun, run: _Run, status: str, *, summary: dict | None = None, error: str | None = None) -> None:
    row.status, row.summary, row.error = status, summary, error
    row.attempts = (row.attempts or 0) + 1
    row.trigger, row.actor_label, row.holder = run.trigger, run.actor_label, run.holder
    row.scheduled_for, row.started_at = run.moment, run.started
    row.finished_at, row.duration_ms = clock.now(), int((time.monotonic() - run.tick) * 1000)


def _failed(run: _Run, exc: BaseException) -> Outcome:
    db.session.rollback()
    error = f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}"
    log.error("job %s (%s) failed: %s", run.spec.name, run.due_key, error)
    run_id = _record(run, "failed", error=error)
    return Outcome(run.spec.name, run.due_key, "failed", error=error, run_id=run_id)


def _execute_own_transactions(run: _Run, context: RunContext) -> Outcome:
    """For jobs that commit between their own guarded steps: work first, then record the run."""
    name, due_key = run.spec.name, run.due_key
    row = db.session.scalar(select(JobRun).where(JobRun.job_name == name, JobRun.due_key == due_key))
    if row is not None and row.status == "ok":
        return _already_done(name, due_key, row, run.actor)
    db.session.rollback()
    try:
        summary = _summary(run.spec.func(context), context)
    except Exception as exc:  # noqa: BLE001 - recorded and reported
        return _failed(run, exc)
    run_id = _record(run, "ok", summary=summary)
    return Outcome(name, due_key, "ok", summary=summary, run_id=run_id)


def _already_done(name: str, due_key: str, row: JobRun | None, actor) -> Outcome:
    run_id = row.id if row is not None else None
    db.session.rollback()
    if actor is not None:
        audit.record("scheduler.job.run", "job", name, actor=actor,
                     after={"due_key": due_key, "status": "already_done"})
        db.session.commit()
    return Outcome(name, due_key, "already_done", run_id=run_id)


def _record(run: _Run, status: str, *, summary: dict | None = None, error: str | None = None) -> int | None:
    """A transaction of its own: the run row (insert or update) and, on failure, the admins' notice."""
    spec, due_key = run.spec, run.due_key
    for _attempt in range(3):
        try:
            row = db.session.scalar(lock_for_update(select(JobRun).where(JobRun.job_name == spec.name,
                                                                         JobRun.due_key == due_key)))
            if row is not None and row.status == "ok":  # someone else succeeded meanwhile
                db.session.rollback()
                return row.id
            if row is None:
                row = JobRun(job_name=spec.name, due_key=due_key, attempts=0, started_at=run.started)
                db.session.add(row)
            _fill(row, run, status, summary=summary, error=error[:20000] if error else None)
            db.session.flush()
            if run.actor is not None:
                audit.record("scheduler.job.run", "job", spec.name, actor=run.actor,
                             after={"due_key": due_key, "status": status, "summary": summary})
            if status == "failed" and spec.notify_failures:
                _notify_admins(spec, due_key, error or "")
            db.session.commit()
            return row.id
        except IntegrityError:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the database itself may be the failure; the log has it
            db.session.rollback()
            log.exception("could not record the run of job %s (%s)", spec.name, due_key)
            return None
    return None


def _notify_admins(spec, due_key: str, error: str) -> None:
    first_line = error.splitlines()[0] if error else ""
    notify_role(
        ["programme_admin"], "system.job_failed", "emails/job_failed.txt",
        subject=f"Automatischer Job fehlgeschlagen: {spec.name}",
        link="/verwaltung/jobs", dedup_key=f"job-failed:{spec.name}:{clock.today().isoformat()}",
        job=spec, due_key=due_key, error=first_line,
    )


# Scheduled runs: the scheduler process sets the application and its lease holder id.
_process: dict[str, Any] = {"app": None, "holder": None}


def set_process(app, holder: str | None) -> None:
    _process["app"], _process["holder"] = app, holder


def scheduled_entry(name: str, scheduled_for: str | None = None) -> str:
    """What APScheduler calls ("app.scheduler.runner:scheduled_entry", args=[name]).

    ``scheduled_for`` is the slot APScheduler fired for (passed by ``SlotExecutor``); the due key is
    derived from it, so two processes firing the same slot compute the same key.
    """
    app = _process["app"]
    if app is None:  # pragma: no cover - started outside ``durchstarten scheduler``
        from .. import create_app

        app = _process["app"] = create_app()
    with app.app_context():
        holder = _process["holder"]
        if holder is not None and not lease.holds(holder):
            log.warning("job %s skipped: this process (%s) does not hold the lease", name, holder)
            return "skipped"
        moment = datetime.fromisoformat(scheduled_for) if scheduled_for else None
        return execute(name, scheduled_for=moment, trigger="schedule", holder=holder).status

"""The scheduler's own jobs: a heartbeat (proves the leader acts; the failover benchmark uses it)
and the nightly clean-up of old run records."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete

from ..platform import clock
from ..platform import jobs as registry
from ..platform.extensions import db
from ..platform.jobs import job
from .models import JobRun


@job("scheduler.heartbeat", trigger="interval", minutes=5, coalesce=False, misfire_grace_time=300,
     description="Lebenszeichen des Scheduler-Prozesses (ein Eintrag je Takt)")
def heartbeat(run) -> dict:
    return {"slot": run.due_key, "ran_at": clock.now()}


@job("scheduler.cleanup", trigger="cron", hour=3, minute=30,
     description="Alte Job-Läufe löschen (Takt-Jobs nach 30 Tagen, Tages-Jobs nach 400 Tagen)")
def cleanup(run) -> dict:
    now = clock.now()
    keep_slots = int(current_app.config.get("SCHEDULER_KEEP_SLOT_RUNS_DAYS", 30))
    keep_days = int(current_app.config.get("SCHEDULER_KEEP_DAY_RUNS_DAYS", 400))
    slot_jobs = [spec.name for spec in registry.all_jobs() if spec.key == "slot"]
    removed = db.session.execute(delete(JobRun).where(JobRun.job_name.in_(slot_jobs),
                                                      JobRun.started_at < now - timedelta(days=keep_slots))).rowcount
    removed += db.session.execute(delete(JobRun).where(JobRun.job_name.not_in(slot_jobs),
                                                       JobRun.started_at < now - timedelta(days=keep_days))).rowcount
    return {"removed_runs": removed}

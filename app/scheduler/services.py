"""Read side of the jobs page and API: jobs with last/next run, recent runs, lease, e-mail queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import Column, Float, MetaData, String, Table, func, inspect, select

from ..platform import clock
from ..platform import jobs as registry
from ..platform.extensions import db
from . import lease
from .models import JobRun
from .process import JOBSTORE_TABLE


def _stored_next_runs() -> dict[str, datetime | None]:
    """next_run_time per job from APScheduler's table (absent until a scheduler process has run)."""
    if not inspect(db.engine).has_table(JOBSTORE_TABLE):
        return {}
    table = Table(JOBSTORE_TABLE, MetaData(), Column("id", String(191)), Column("next_run_time", Float))
    rows = db.session.execute(select(table.c.id, table.c.next_run_time)).all()
    return {row.id: datetime.fromtimestamp(row.next_run_time, UTC) if row.next_run_time is not None else None
            for row in rows}


def job_overview() -> list[dict]:
    config = current_app.config
    stored = _stored_next_runs()
    week_ago = clock.now() - timedelta(days=7)
    failures = dict(db.session.execute(select(JobRun.job_name, func.count()).where(
        JobRun.status == "failed", JobRun.started_at >= week_ago).group_by(JobRun.job_name)).all())
    result = []
    for spec in registry.all_jobs():
        last = db.session.scalar(select(JobRun).where(JobRun.job_name == spec.name)
                                 .order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(1))
        last_failure = db.session.scalar(select(JobRun).where(JobRun.job_name == spec.name, JobRun.status == "failed")
                                         .order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(1))
        if spec.name in stored:
            next_run, next_source = stored[spec.name], "scheduler"
        else:
            next_run = spec.build_trigger(config).get_next_fire_time(None, clock.now())
            next_source = "computed"
        kind, args = spec.schedule(config)
        result.append({
            "name": spec.name, "description": spec.description, "schedule": spec.describe_schedule(config),
            "trigger": kind, "trigger_args": args, "key": spec.key, "ref": spec.ref,
            "last_run": last, "last_failure": last_failure, "failures_7d": failures.get(spec.name, 0),
            "next_run": next_run, "next_run_source": next_source,
            "status": last.status if last is not None else "never",
        })
    return result


def runs_select(job_name: str | None = None, status: str | None = None):
    statement = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc())
    if job_name:
        statement = statement.where(JobRun.job_name == job_name)
    if status:
        statement = statement.where(JobRun.status == status)
    return statement


def scheduler_status() -> dict | None:
    return lease.current()

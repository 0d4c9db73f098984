"""Job runs (one row per job and due key: the exactly-once record) and the leader lease."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..platform import limits
from ..platform.database import UTCDateTime
from ..platform.extensions import db

RUN_STATUSES = ("ok", "failed")


class JobRun(db.Model):
    """The outcome of one job for one due key (a day or a scheduled slot).

    UNIQUE (job_name, due_key) is the final guard against a second run: the runner inserts this row
    first in the job's transaction, so a concurrent runner waits on the unique index and then finds
    the slot done. A failed run keeps its row (status ``failed``); a retry turns it into ``ok``.
    """

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job_name", "due_key", name="uq_job_runs_job_name_due_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(String(limits.JOB_NAME), index=True)
    due_key: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10))  # ok | failed
    trigger: Mapped[str] = mapped_column(String(20))  # schedule | manual | cli
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    actor_label: Mapped[str] = mapped_column(String(200))
    holder: Mapped[str | None] = mapped_column(String(100))  # the scheduler process that ran it


class SchedulerLease(db.Model):
    """Leader election: only the holder of an unexpired lease runs scheduled jobs."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

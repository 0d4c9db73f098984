"""Background work: one job table and one scheduler job for everything too long for a request (issue #19).

A :class:`BackgroundJob` belongs to the user who asked for it (``actor_id``); only that user sees it (everyone
else, whatever their role: 404). ``kind`` names what the job does and which function runs it: ``export`` (a
large list export, :mod:`app.platform.web.export_jobs`) and ``expense_import`` (a large expense CSV,
:mod:`app.budgets.importing`). The runners are registered in ``app/main/jobs.py`` (``background.run``), because
running a job needs the user (app.auth) and the domain, both above the platform.

States (``status``, action → new status, who):

| status  | action             | new status     | who                                     |
|---------|--------------------|----------------|-----------------------------------------|
| –       | create             | pending        | the user (queues it; audited by kind)    |
| pending | claim              | running        | the scheduler (one atomic UPDATE; imports before exports) |
| running | finish             | done / failed  | the scheduler (its runner)               |
| running | time out           | failed         | ``cleanup`` after ``EXPORT_STALE_MINUTES``|
| any     | delete             | –              | ``cleanup`` after ``EXPORT_KEEP_HOURS`` (also files of no job) |

Progress is ``done`` of ``total`` units (rows written, lines validated or inserted) in ``stage``; it is
stored through a connection of its own (:func:`store_progress`), so the job's own transaction may stay open.
A file the job reads or writes lies under ``UPLOAD_FOLDER/<kind>s`` named ``<id>-<file_key>``; ``result``
holds a JSON outcome for the job's page (an import's number and sums, or its named errors).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import JSON, ForeignKey, Integer, String, case, literal, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Mapped, mapped_column

from . import clock, limits
from .database import UTCDateTime, mark_read_only, reset_read_only
from .errors import NotFound
from .extensions import db

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
log = logging.getLogger("durchstarten.background")


class BackgroundJob(db.Model):
    """One piece of background work for its user: kind, parameters, status, progress, result and file."""

    __tablename__ = "background_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)  # export | expense_import
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    params: Mapped[dict] = mapped_column(JSON)  # what the runner needs (export: url, language; import: grant)
    filename: Mapped[str] = mapped_column(String(limits.NAME))  # download name or the uploaded file's name
    status: Mapped[str] = mapped_column(String(16), index=True)
    stage: Mapped[str | None] = mapped_column(String(16))  # the runner's current step, e.g. validate / insert
    total: Mapped[int] = mapped_column(Integer)  # units of work, counted when the job was asked for
    done: Mapped[int] = mapped_column(Integer, default=0)
    file_key: Mapped[str | None] = mapped_column(String(limits.CODE))  # random part of the file's name
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(limits.STATEMENT))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def percent(self) -> int:
        if self.status == DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0

    @property
    def busy(self) -> bool:
        return self.status in (PENDING, RUNNING)


def create(kind: str, actor, *, filename: str, total: int, params: dict, with_file: bool = False) -> BackgroundJob:
    """A pending job of ``actor`` (flushed; ``with_file``: a random ``file_key`` for the file it reads)."""
    job = BackgroundJob(kind=kind, actor_id=actor.id, params=params, filename=filename[:limits.NAME],
                        status=PENDING, total=total, done=0, created_at=clock.now(),
                        file_key=secrets.token_hex(16) if with_file else None)
    db.session.add(job)
    db.session.flush()
    return job


def file_path(job: BackgroundJob, key: str | None = None) -> Path:
    """Where the job's file lies (``key``: a new key for a file about to be written)."""
    return Path(current_app.config["UPLOAD_FOLDER"]) / f"{job.kind}s" / f"{job.id}-{key or job.file_key}"


def jobs_of(actor) -> list[BackgroundJob]:
    return list(db.session.scalars(select(BackgroundJob).where(BackgroundJob.actor_id == actor.id)
                                   .order_by(BackgroundJob.id.desc())))


def get_own(actor, job_id: int, kind: str | None = None) -> BackgroundJob:
    """The actor's own job (of ``kind``); another user's, another kind or none is a 404, whoever asks."""
    job = db.session.get(BackgroundJob, job_id)
    if job is None or job.actor_id != actor.id or (kind is not None and job.kind != kind):
        raise NotFound("Auftrag nicht gefunden.")
    return job


def claim_next(kinds_first: Sequence[str] = ()) -> BackgroundJob | None:
    """Take the next pending job (one atomic UPDATE: a second scheduler finds it taken); caller commits.

    Jobs of ``kinds_first`` come first, in that order, then the rest; within a kind the oldest first.
    """
    rank = case({kind: position for position, kind in enumerate(kinds_first)}, value=BackgroundJob.kind,
                else_=len(kinds_first)) if kinds_first else literal(0)
    for job_id in db.session.scalars(select(BackgroundJob.id).where(BackgroundJob.status == PENDING)
                                     .order_by(rank, BackgroundJob.id).limit(5)):
        taken = db.session.execute(update(BackgroundJob)
                                   .where(BackgroundJob.id == job_id, BackgroundJob.status == PENDING)
                                   .values(status=RUNNING, started_at=clock.now()))
        if taken.rowcount == 1:
            return db.session.get(BackgroundJob, job_id)
    return None


def finish(job_id: int, *, error: str | None = None, **values) -> BackgroundJob:
    """Mark the job done (or failed with ``error``) with the given column values; caller commits."""
    job = db.session.get(BackgroundJob, job_id)
    for name, value in values.items():
        setattr(job, name, value)
    job.status = DONE if error is None else FAILED
    if error is not None:
        job.error = str(error)[:limits.STATEMENT]
    job.finished_at = clock.now()
    return job


def store_progress(job_id: int, done: int, stage: str | None = None) -> None:
    """Store the progress on a connection of its own: the job's session keeps its transaction (and cursor) open.

    Best effort: an update that cannot get the write lock is skipped and the next one catches up. (On SQLite a
    job that holds the write lock itself must not call this: it would wait for itself until the busy timeout.)
    """
    values = {"done": done} if stage is None else {"done": done, "stage": stage}
    token = mark_read_only(False)
    try:
        with db.engine.begin() as connection:
            connection.execute(update(BackgroundJob).where(BackgroundJob.id == job_id).values(**values))
    except OperationalError:
        log.warning("background job %s: progress %s not stored (database busy)", job_id, done)
    finally:
        reset_read_only(token)


def cleanup(now: datetime, kinds: Iterable[str] = ()) -> dict:
    """Delete jobs (and files) older than ``EXPORT_KEEP_HOURS``; fail jobs running too long; delete the files of
    ``kinds`` that belong to no job (caller commits)."""
    keep = timedelta(hours=int(current_app.config["EXPORT_KEEP_HOURS"]))
    stale = timedelta(minutes=int(current_app.config["EXPORT_STALE_MINUTES"]))
    failed = db.session.execute(update(BackgroundJob)
                                .where(BackgroundJob.status == RUNNING, BackgroundJob.started_at < now - stale)
                                .values(status=FAILED, error="Abgebrochen (Zeitüberschreitung).", finished_at=now))
    deleted = 0
    for job in db.session.scalars(select(BackgroundJob).where(BackgroundJob.created_at < now - keep)):
        if job.file_key:
            file_path(job).unlink(missing_ok=True)
        db.session.delete(job)
        deleted += 1
    db.session.flush()
    return {"deleted": deleted, "timed_out": failed.rowcount, "orphaned_files": _delete_orphaned_files(kinds, keep)}


def _delete_orphaned_files(kinds: Iterable[str], keep: timedelta) -> int:
    """Delete files in the kinds' folders that belong to no job and are older than ``keep``.

    A request stores an upload before its transaction commits; when the commit fails, the job is gone and its
    file stays. The file's age is read on the file system's own clock (modification time against
    ``time.time()``): this is housekeeping, not a deadline, and the programme's clock may be set to another day.
    """
    names = {f"{job_id}-{key}" for job_id, key in db.session.execute(
        select(BackgroundJob.id, BackgroundJob.file_key).where(BackgroundJob.file_key.is_not(None)))}
    root, oldest = Path(current_app.config["UPLOAD_FOLDER"]), time.time() - keep.total_seconds()
    deleted = 0
    for kind in kinds:
        folder = root / f"{kind}s"
        for path in folder.iterdir() if folder.is_dir() else ():
            if path.is_file() and path.name not in names and path.stat().st_mtime < oldest:
                path.unlink(missing_ok=True)
                deleted += 1
    return deleted

"""Background exports: a list export above ``EXPORT_BACKGROUND_ROWS`` rows is built by the scheduler.

One mechanism for every export (audit trail, expenses, drawdowns, every list with ``?export=``):
:func:`app.platform.web.exports.export_response` knows the number of rows before it writes one
(``len`` of a list, or the export's ``count``). Above the threshold it does not stream; it answers
a page with a button (:func:`offer`). The button posts a token signed with the ``SECRET_KEY`` that
names the export's URL, format and file name, so only an export the service itself offered to this
user can be queued (:func:`request_export`, audited as ``export.request``). The scheduler job
(``exports.build`` in ``app/main/jobs.py``) claims the oldest pending job (:func:`claim_next`) and
:func:`build` **replays the export's own URL** as its actor in a request context of the scheduler
process: the same view, the same permission check, the same filters and the same
``csv_chunks``/``xlsx_chunks`` write the file, so the background file is byte for byte the direct
download of the same data (only the replay flag lets it stream instead of deferring again).
While it writes, the row count is stored every ``PROGRESS_EVERY`` rows through a connection of its
own (the progress bar on "Meine Exporte"); the file lands under ``UPLOAD_FOLDER/exports`` with a
random name. Only the actor can see and download the job (everyone else: 404). Files and rows older
than ``EXPORT_KEEP_HOURS`` are deleted by ``exports.cleanup``; a job still "running" after
``EXPORT_STALE_MINUTES`` (its scheduler died) is marked failed.

Decision: replay rather than a second registry of export functions with serialised arguments.
Every export is a GET view already; naming it by its URL needs no per-export code, cannot drift from
the direct download, and re-checks the actor's permissions when the file is built.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app, g, make_response, render_template, request, session
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import ForeignKey, Integer, String, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Mapped, mapped_column

from .. import audit, clock, limits
from ..database import UTCDateTime, mark_read_only, reset_read_only
from ..errors import NotFound, ValidationFailed
from ..extensions import db

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
PROGRESS_EVERY = 5000  # rows between two progress updates
_SALT = "export-job"
log = logging.getLogger("durchstarten.exports")


class ExportJob(db.Model):
    """One export the scheduler builds for its actor: the export's URL, progress and the written file."""

    __tablename__ = "export_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(limits.EXPORT_URL))  # path and query of the direct export
    filename: Mapped[str] = mapped_column(String(limits.NAME))  # download name, e.g. ausgaben-Z-1.csv
    language: Mapped[str] = mapped_column(String(8))  # the actor's interface language (column labels)
    status: Mapped[str] = mapped_column(String(16), index=True)
    total_rows: Mapped[int] = mapped_column(Integer)  # counted when the export was asked for
    rows_written: Mapped[int] = mapped_column(Integer, default=0)
    file_key: Mapped[str | None] = mapped_column(String(limits.CODE))  # random file name under the folder
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(limits.STATEMENT))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def percent(self) -> int:
        if self.status == DONE:
            return 100
        return min(99, self.rows_written * 100 // self.total_rows) if self.total_rows else 0


def folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "exports"


def file_path(job: ExportJob) -> Path:
    return folder() / f"{job.id}-{job.file_key}"


def replaying() -> bool:
    """True while the scheduler builds a background export (the view must stream, not defer again)."""
    return g.get("export_job_id") is not None


def deferred(total: int) -> bool:
    """Whether an export of ``total`` rows is built in the background (never while replaying one).

    Settings are ``int()``-ed here and below: they may come from the environment as text.
    """
    return not replaying() and total > int(current_app.config["EXPORT_BACKGROUND_ROWS"])


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def offer(filename: str, total: int):
    """The page instead of the download: N rows, a button that queues the export (signed token)."""
    actor_id = g.actor.id if g.get("actor") is not None else None
    token = _serializer().dumps({"url": request.full_path.rstrip("?"), "filename": filename, "total": total,
                                 "actor": actor_id})
    return make_response(render_template("exports/offer.html", filename=filename, total=total, token=token))


def request_export(actor, token: str) -> ExportJob:
    """Queue the export the token names, for ``actor`` (the user it was offered to)."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        raise ValidationFailed.field("token", "Dieser Export wurde nicht vom Dienst angeboten.") from None
    if data.get("actor") != actor.id:
        raise ValidationFailed.field("token", "Dieser Export wurde nicht vom Dienst angeboten.")
    job = ExportJob(actor_id=actor.id, url=data["url"][:limits.EXPORT_URL], filename=data["filename"][:limits.NAME],
                    language=(session.get("language") or "de")[:8], status=PENDING, total_rows=int(data["total"]),
                    rows_written=0, created_at=clock.now())
    db.session.add(job)
    db.session.flush()
    audit.record("export.request", "export_job", job.id, after={"url": job.url, "rows": job.total_rows},
                 actor=actor)
    return job


def jobs_of(actor) -> list[ExportJob]:
    return list(db.session.scalars(select(ExportJob).where(ExportJob.actor_id == actor.id)
                                   .order_by(ExportJob.id.desc())))


def get_own(actor, job_id: int) -> ExportJob:
    """The actor's own job; another user's (or none) is a 404, whoever asks."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.actor_id != actor.id:
        raise NotFound("Export nicht gefunden.")
    return job


def download_path(actor, job_id: int) -> tuple[ExportJob, Path]:
    job = get_own(actor, job_id)
    path = file_path(job) if job.status == DONE and job.file_key else None
    if path is None or not path.is_file():
        raise NotFound("Die Datei liegt nicht (mehr) vor.")
    return job, path


def claim_next() -> ExportJob | None:
    """Take the oldest pending job (one atomic UPDATE: a second builder finds it taken); caller commits."""
    for job_id in db.session.scalars(select(ExportJob.id).where(ExportJob.status == PENDING)
                                     .order_by(ExportJob.id).limit(5)):
        taken = db.session.execute(update(ExportJob).where(ExportJob.id == job_id, ExportJob.status == PENDING)
                                   .values(status=RUNNING, started_at=clock.now()))
        if taken.rowcount == 1:
            return db.session.get(ExportJob, job_id)
    return None


def build(job: ExportJob, actor) -> None:
    """Write ``job``'s file by replaying its URL as ``actor``; mark it done or failed (caller commits).

    ``actor`` is the job's user, loaded by the caller (the platform does not import app.auth); None or an
    inactive user fails the job.
    """
    token = mark_read_only(True)  # SQLite: the replay only reads (BEGIN DEFERRED), so writers are not blocked
    key = secrets.token_hex(16)
    job_id, url = job.id, job.url
    target = folder() / f"{job_id}-{key}"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    try:
        if actor is None or not actor.active:
            raise NotFound("Das Benutzerkonto ist nicht mehr aktiv.")
        with partial.open("wb") as out:
            for chunk in _replay(job, actor):
                out.write(chunk)
        os.replace(partial, target)
        error = None
    except Exception as failure:  # noqa: BLE001 - any failure of the export is the job's outcome, shown to the actor
        log.exception("export job %s (%s) failed", job_id, url)
        partial.unlink(missing_ok=True)
        error = getattr(failure, "message", None) or failure.__class__.__name__
    finally:
        db.session.rollback()  # end the replay's read transaction before the bookkeeping writes
        reset_read_only(token)
    job = db.session.get(ExportJob, job_id)
    if error is None:
        job.status, job.file_key, job.size_bytes = DONE, key, target.stat().st_size
    else:
        job.status, job.error = FAILED, str(error)[:limits.STATEMENT]
    job.finished_at = clock.now()


def _replay(job: ExportJob, actor) -> Iterator[bytes]:
    """The export's body, produced by its own view in a request context of this process (as ``actor``)."""
    app = current_app._get_current_object()
    with app.test_request_context(job.url, method="GET"):  # shares the caller's app context and session
        session["language"] = job.language
        if request.routing_exception is not None:
            raise NotFound("Die Export-Adresse gibt es nicht mehr.")
        saved = g.get("actor"), g.get("export_job_id")
        g.actor, g.export_job_id = actor, job.id
        try:
            response = app.make_response(app.view_functions[request.endpoint](**request.view_args))
            if response.status_code != 200 or "attachment" not in response.headers.get("Content-Disposition", ""):
                raise ValidationFailed.field("url", "Die Adresse liefert keinen Export.")
            try:
                yield from response.response
            finally:
                response.close()
        finally:
            g.actor, g.export_job_id = saved


def counted(rows: Iterable[Any]) -> Iterable[Any]:
    """``rows`` unchanged; while replaying, every ``PROGRESS_EVERY`` rows the job's row count is stored."""
    job_id = g.get("export_job_id")
    if job_id is None:
        return rows
    return _counting(rows, job_id, _store_progress)


def _counting(rows: Iterable[Any], job_id: int, store: Callable[[int, int], None]) -> Iterator[Any]:
    written = 0
    for written, row in enumerate(rows, start=1):
        if written % PROGRESS_EVERY == 0:
            store(job_id, written)
        yield row
    store(job_id, written)


def _store_progress(job_id: int, written: int) -> None:
    """On a connection of its own: the replay's session keeps its read transaction (and cursor) open.

    Best effort: a progress update that cannot get the write lock (SQLite during a long import) is skipped;
    the export goes on and the next update (or the final count) catches up.
    """
    token = mark_read_only(False)
    try:
        with db.engine.begin() as connection:
            connection.execute(update(ExportJob).where(ExportJob.id == job_id).values(rows_written=written))
    except OperationalError:
        log.warning("export job %s: progress %s not stored (database busy)", job_id, written)
    finally:
        reset_read_only(token)


def cleanup(now: datetime) -> dict:
    """Delete jobs (and files) older than ``EXPORT_KEEP_HOURS``; fail jobs running too long (caller commits)."""
    keep = timedelta(hours=int(current_app.config["EXPORT_KEEP_HOURS"]))
    stale = timedelta(minutes=int(current_app.config["EXPORT_STALE_MINUTES"]))
    failed = db.session.execute(update(ExportJob).where(ExportJob.status == RUNNING, ExportJob.started_at < now - stale)
                                .values(status=FAILED, error="Abgebrochen (Zeitüberschreitung).", finished_at=now))
    deleted = 0
    for job in db.session.scalars(select(ExportJob).where(ExportJob.created_at < now - keep)):
        if job.file_key:
            file_path(job).unlink(missing_ok=True)
        db.session.delete(job)
        deleted += 1
    db.session.flush()
    return {"deleted": deleted, "timed_out": failed.rowcount}

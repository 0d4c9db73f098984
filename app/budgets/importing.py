"""The expense CSV import as a use case: synchronous for small files, a background job above a threshold (#19).

Both paths read the file in two streamed passes (app/budgets/csv_import.py) and book it with
``services.import_expenses`` (one transaction, all or nothing, the same audit entry ``expense.import``).

**Which path**: the upload's lines are counted while it is hashed (``Upload.lines``). Up to
``IMPORT_BACKGROUND_LINES`` (default 20,000: about 1.5 s on SQLite at load 10, bench/README.md) the request
imports at once, because a person correcting a file wants the named errors on the same page. Above it the upload
is copied to ``UPLOAD_FOLDER/expense_imports`` and a :class:`~app.platform.background.BackgroundJob` of kind
``expense_import`` is queued (:func:`queue`, audited ``expense_import.queue``); the request answers at once.

**The job** (:func:`run_job`, run by ``background.run`` in the scheduler process, as the user who uploaded):
it loads the grant through the same visibility check as the page (a Kommune only its own grant; 404 else) and
checks again that expenses may still be recorded (the proof of use may have been submitted meanwhile). Pass 1
runs in a read-only transaction (SQLite: BEGIN DEFERRED, so other writers go on and the progress "lines
validated" can be stored); pass 2 runs in the write transaction that books, checking duplicates, the limits and
the file's hash again (lines inserted are stored as progress on PostgreSQL; SQLite's write lock is the job's
own until it commits). The outcome (the import's number and sums and the early-start warning, or the errors
exactly as the synchronous page lists them) is stored in ``result`` in the same commit as the booking; the
stored upload is deleted when the job ends, whatever its outcome.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from datetime import date

from flask import current_app

from ..platform import audit, background, clock
from ..platform.database import mark_read_only, reset_read_only
from ..platform.errors import DomainError, NotFound, ValidationFailed
from ..platform.extensions import db
from . import services
from .csv_import import Scan, Upload, batches, open_upload, scan
from .early_start import import_warnings
from .models import ExpenseImport, Grant

KIND = "expense_import"
log = logging.getLogger("durchstarten.imports")


def in_background(upload: Upload) -> bool:
    """Whether the file is imported by a background job (more lines than ``IMPORT_BACKGROUND_LINES`` below its
    header; quoted line breaks count too: the count is of the bytes, taken while they were hashed)."""
    return upload.lines - 1 > int(current_app.config["IMPORT_BACKGROUND_LINES"])


def import_now(grant: Grant, upload: Upload, *, actor, filename: str, today: date) -> tuple[ExpenseImport, list[str]]:
    """Both passes in the caller's transaction: the import and its warnings, or ValidationFailed (nothing booked)."""
    services.ensure_open_for_expenses(grant)
    first = scan(upload, grant, today=today)
    return _book(grant, first, actor=actor, filename=filename, today=today)


def _book(grant: Grant, first: Scan, *, actor, filename: str, today: date,
          progress: Callable[[int], None] | None = None) -> tuple[ExpenseImport, list[str]]:
    record = services.import_expense_batches(grant, first.totals, lambda: batches(first, grant, today=today),
                                             actor=actor, filename=filename, file_sha256=first.upload.sha256,
                                             progress=progress)
    return record, import_warnings(grant, first.early_count, first.early_lines)


def queue(grant: Grant, upload: Upload, *, actor, filename: str) -> background.BackgroundJob:
    """Store the upload and queue its import for ``actor`` (caller commits); refused at once where the page would."""
    services.ensure_grant_access(actor, grant)
    services.ensure_open_for_expenses(grant)
    job = background.create(KIND, actor, filename=filename, total=max(upload.lines - 1, 0), with_file=True,
                            params={"grant_id": grant.id, "sha256": upload.sha256})
    path = background.file_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    upload.stream.seek(0)
    with path.open("wb") as target:
        shutil.copyfileobj(upload.stream, target)
    audit.record("expense_import.queue", "background_job", job.id,
                 after={"grant_id": grant.id, "lines": job.total, "filename": filename}, actor=actor,
                 kommune_id=grant.kommune_id)
    return job


def run_job(job: background.BackgroundJob, actor) -> None:
    """Import the job's stored file as ``actor``; store the outcome and finish the job (caller commits)."""
    token = mark_read_only(True)  # pass 1 only reads: on SQLite BEGIN DEFERRED, so progress can be stored
    job_id, grant_id, filename, sha256 = job.id, job.params["grant_id"], job.filename, job.params["sha256"]
    path = background.file_path(job)
    today, stream = clock.today(), None
    try:
        try:
            if actor is None or not actor.active:
                raise NotFound("Das Benutzerkonto ist nicht mehr aktiv.")
            stream = path.open("rb")
            upload = open_upload(stream)
            if upload.sha256 != sha256:
                raise ValidationFailed.field("file", "Die gespeicherte Datei wurde verändert; bitte erneut hochladen.")
            grant = services.get_grant(actor, grant_id)  # the page's visibility check: 404 for another Kommune
            services.ensure_open_for_expenses(grant)
            first = scan(upload, grant, today=today, lock=False,
                         progress=lambda done: background.store_progress(job_id, done, "validate"))
        finally:
            db.session.rollback()  # end the read transaction; the booking writes in its own
            reset_read_only(token)
        background.store_progress(job_id, 0, "insert")
        inserted = None if db.engine.dialect.name == "sqlite" else (
            lambda done: background.store_progress(job_id, done))  # SQLite: the write lock is this job's own
        grant = services.get_grant(actor, grant_id)
        record, warnings = _book(grant, first, actor=actor, filename=filename, today=today, progress=inserted)
        background.finish(job_id, done=record.line_count, result={
            "import_id": record.id, "lines": record.line_count, "total_cents": record.total_cents,
            "grant_id": grant_id, "warnings": warnings})
    except DomainError as failure:
        db.session.rollback()
        background.finish(job_id, error=failure.detail, result={
            "status": failure.status, "grant_id": grant_id, "detail": failure.detail,
            "errors": failure.errors, "lines": failure.extra.get("lines", [])})
    except Exception:  # noqa: BLE001 - a fault of the service: the job fails visibly instead of hanging
        log.exception("expense import job %s failed", job_id)
        db.session.rollback()
        background.finish(job_id, error="Interner Fehler; bitte erneut versuchen oder den Support fragen.",
                          result={"status": 500, "grant_id": grant_id, "errors": {}, "lines": []})
    finally:
        if stream is not None:
            stream.close()
        path.unlink(missing_ok=True)

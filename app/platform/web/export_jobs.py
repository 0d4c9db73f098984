"""Background exports: a list export above ``EXPORT_BACKGROUND_ROWS`` rows is built by the scheduler.

One mechanism for every export (audit trail, expenses, drawdowns, every list with ``?export=``):
:func:`app.platform.web.exports.export_response` knows the number of rows before it writes one
(``len`` of a list, or the export's ``count``). Above the threshold it does not stream; it answers
a page with a button (:func:`offer`). The button posts a token signed with the ``SECRET_KEY`` that
names the export's URL, format and file name, so only an export the service itself offered to this
user can be queued (:func:`request_export`, audited as ``export.request``). The scheduler job
(``background.run`` in ``app/main/jobs.py``, the one mechanism for background work,
app/platform/background.py) claims the oldest pending job and :func:`build` **replays the export's own
URL** as its actor in a request context of the scheduler process: the same view, the same permission
check, the same filters and the same ``csv_chunks``/``xlsx_chunks`` write the file, so the background
file is byte for byte the direct download of the same data (only the replay flag lets it stream
instead of deferring again).
While it writes, the row count is stored every ``PROGRESS_EVERY`` rows through a connection of its
own (the progress bar on "Meine Aufträge"); the file lands under ``UPLOAD_FOLDER/exports`` with a
random name. Only the actor can see and download the job (everyone else: 404). Jobs are
:class:`~app.platform.background.BackgroundJob` rows of kind ``export``; their cleanup is the platform's.

Decision: replay rather than a second registry of export functions with serialised arguments.
Every export is a GET view already; naming it by its URL needs no per-export code, cannot drift from
the direct download, and re-checks the actor's permissions when the file is built.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from flask import current_app, g, make_response, render_template, request, session
from itsdangerous import BadSignature, URLSafeSerializer

from .. import audit, background, limits
from ..background import BackgroundJob
from ..database import mark_read_only, reset_read_only
from ..errors import NotFound, ValidationFailed
from ..extensions import db

KIND = "export"
PROGRESS_EVERY = 5000  # rows between two progress updates
_SALT = "export-job"
log = logging.getLogger("durchstarten.exports")


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


def request_export(actor, token: str) -> BackgroundJob:
    """Queue the export the token names, for ``actor`` (the user it was offered to)."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        raise ValidationFailed.field("token", "Dieser Export wurde nicht vom Dienst angeboten.") from None
    if data.get("actor") != actor.id:
        raise ValidationFailed.field("token", "Dieser Export wurde nicht vom Dienst angeboten.")
    url = data["url"][:limits.EXPORT_URL]
    job = background.create(KIND, actor, filename=data["filename"], total=int(data["total"]),
                            params={"url": url, "language": (session.get("language") or "de")[:8]})
    audit.record("export.request", "export_job", job.id, after={"url": url, "rows": job.total},
                 actor=actor)
    return job


def download_path(actor, job_id: int) -> tuple[BackgroundJob, Path]:
    job = background.get_own(actor, job_id, KIND)
    path = background.file_path(job) if job.status == background.DONE and job.file_key else None
    if path is None or not path.is_file():
        raise NotFound("Die Datei liegt nicht (mehr) vor.")
    return job, path


def build(job: BackgroundJob, actor) -> None:
    """Write ``job``'s file by replaying its URL as ``actor``; mark it done or failed (caller commits).

    ``actor`` is the job's user, loaded by the caller (the platform does not import app.auth); None or an
    inactive user fails the job.
    """
    token = mark_read_only(True)  # SQLite: the replay only reads (BEGIN DEFERRED), so writers are not blocked
    key = secrets.token_hex(16)
    job_id, url = job.id, job.params["url"]
    target = background.file_path(job, key)
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
    if error is None:
        background.finish(job_id, file_key=key, size_bytes=target.stat().st_size)
    else:
        background.finish(job_id, error=error)


def _replay(job: BackgroundJob, actor) -> Iterator[bytes]:
    """The export's body, produced by its own view in a request context of this process (as ``actor``)."""
    app = current_app._get_current_object()
    with app.test_request_context(job.params["url"], method="GET"):  # shares the caller's app context and session
        session["language"] = job.params["language"]
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
    return _counting(rows, job_id, background.store_progress)


def _counting(rows: Iterable[Any], job_id: int, store: Callable[[int, int], None]) -> Iterator[Any]:
    written = 0
    for written, row in enumerate(rows, start=1):
        if written % PROGRESS_EVERY == 0:
            store(job_id, written)
        yield row
    store(job_id, written)

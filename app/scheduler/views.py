"""The jobs page for administrators: jobs, last/next runs, failures, e-mail delivery, "Jetzt ausführen"."""

import json

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from ..auth.permissions import requires
from ..notifications.delivery import queue_status
from ..platform import limits
from ..platform.extensions import db
from ..platform.web.exports import Column
from ..platform.web.listing import MAX_EXPORT_ROWS, export_of
from ..platform.web.navigation import nav_entry
from .permissions import JOBS_READ, JOBS_RUN
from .runner import execute
from .services import job_overview, runs_select, scheduler_status

bp = Blueprint("scheduler", __name__, url_prefix="/verwaltung/jobs")
nav_entry(lazy_gettext("Jobs"), "scheduler.index", JOBS_READ, order=950)


@bp.route("/")
@requires(JOBS_READ)
def index():
    job = request.args.get("job", "")[:limits.JOB_NAME] or None
    exported = export_of(request.args, "jobs-" + (job or "alle"), lambda: _run_rows(
        db.session.scalars(runs_select(job).limit(MAX_EXPORT_ROWS))))
    if exported is not None:
        return exported
    runs = list(db.session.scalars(runs_select(job).limit(50)))
    return render_template("scheduler/index.html", jobs=job_overview(), runs=runs, lease=scheduler_status(),
                           email=queue_status(), selected_job=job)


def _run_rows(runs) -> tuple[list[Column], list[list]]:
    """The runs as the page's table "Letzte Läufe" shows them (the whole selection, not only the last 50)."""
    triggers = {"schedule": gettext("Zeitplan"), "manual": gettext("von Hand"), "cli": gettext("Kommandozeile")}
    columns = [Column(gettext("Beginn"), "datetime"), Column(gettext("Job")), Column(gettext("Fälligkeit")),
               Column(gettext("Auslöser")), Column(gettext("Ausgelöst von")), Column(gettext("Status")),
               Column(gettext("Versuche"), "int"), Column(gettext("Dauer (ms)"), "int"),
               Column(gettext("Ergebnis / Fehler"))]
    return columns, [[r.started_at, r.job_name, r.due_key, triggers.get(r.trigger, r.trigger), r.actor_label,
                      "OK" if r.status == "ok" else gettext("fehlgeschlagen"), r.attempts, r.duration_ms,
                      r.error or (json.dumps(r.summary, ensure_ascii=False, sort_keys=True) if r.summary else "")]
                     for r in runs]


@bp.route(f"/<string(maxlength={limits.JOB_NAME}):name>/ausfuehren", methods=["POST"])
@requires(JOBS_RUN)
def run_now(name: str):
    outcome = execute(name, trigger="manual", actor=g.actor)
    if outcome.status == "ok":
        flash(gettext("Job „%(name)s“ ausgeführt (%(due)s).", name=name, due=outcome.due_key), "success")
    elif outcome.status == "already_done":
        flash(gettext("Job „%(name)s“ ist für %(due)s bereits erledigt – nichts zu tun.", name=name,
                      due=outcome.due_key), "info")
    else:
        first = (outcome.error or "").splitlines()[0] if outcome.error else ""
        flash(gettext("Job „%(name)s“ ist fehlgeschlagen: %(error)s", name=name, error=first), "error")
    return redirect(url_for("scheduler.index"))

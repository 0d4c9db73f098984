"""The jobs page for administrators: jobs, last/next runs, failures, e-mail delivery, "Jetzt ausführen"."""

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from ..auth.permissions import requires
from ..extensions import db
from ..navigation import nav_entry
from ..notifications.delivery import queue_status
from .permissions import JOBS_READ, JOBS_RUN
from .runner import execute
from .services import job_overview, runs_select, scheduler_status

bp = Blueprint("scheduler", __name__, url_prefix="/verwaltung/jobs")
nav_entry(lazy_gettext("Jobs"), "scheduler.index", JOBS_READ, order=950)


@bp.route("/")
@requires(JOBS_READ)
def index():
    job = request.args.get("job", "")[:100] or None
    runs = list(db.session.scalars(runs_select(job).limit(50)))
    return render_template("scheduler/index.html", jobs=job_overview(), runs=runs, lease=scheduler_status(),
                           email=queue_status(), selected_job=job)


@bp.route("/<string(maxlength=100):name>/ausfuehren", methods=["POST"])
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

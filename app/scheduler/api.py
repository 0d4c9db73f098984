"""Jobs API: list jobs with last/next run, recent runs, run a job now (programme_admin, audited)."""

from flask import g

from ..auth.permissions import requires
from ..platform import limits
from ..platform.web.api import ApiBlueprint
from ..platform.web.pagination import SelectPage
from .permissions import JOBS_READ, JOBS_RUN
from .runner import execute
from .schemas import JobOut, JobRunOut, RunFilter, RunOutcomeOut
from .services import job_overview, runs_select

blp = ApiBlueprint("jobs_api", __name__, url_prefix="/api/v1/jobs", description="Automatische Jobs (Scheduler)")


@blp.route("")
@requires(JOBS_READ)
@blp.response(200, JobOut(many=True))
def list_jobs():
    return job_overview()


@blp.route("/runs")
@requires(JOBS_READ)
@blp.arguments(RunFilter, location="query")
@blp.response(200, JobRunOut(many=True))
@blp.paginate(SelectPage)
def list_runs(filters):
    return runs_select(filters.get("job"), filters.get("status"))


@blp.route(f"/<string(maxlength={limits.JOB_NAME}):name>/run", methods=["POST"])
@requires(JOBS_RUN)
@blp.response(200, RunOutcomeOut)
def run_now(name: str):
    """Run the job now for today's due key; a job already done today answers ``already_done``."""
    return execute(name, trigger="manual", actor=g.actor).as_dict()

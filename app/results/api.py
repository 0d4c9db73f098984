"""JSON API of the results report: read it, report people reached per quarter."""

from __future__ import annotations

from flask import g

from ..auth.permissions import requires
from ..platform.web.api import ApiBlueprint
from . import services
from .permissions import RESULTS_READ, RESULTS_REPORT
from .schemas import ReachedIn, ResultsReportOut, counts_of

blp = ApiBlueprint("results_api", __name__, url_prefix="/api/v1/results",
                   description="Ergebnisbericht: erreichte Personen, Erreichungsquote")


@blp.route("/report")
@requires(RESULTS_READ)
@blp.response(200, ResultsReportOut)
def report():
    """Per Kommune and state-wide: entries per module, people reached (each once) by gender, reach rate."""
    result = services.results_report(g.actor)
    return {"modules": result.modules, "kommunen": result.kommunen, "total": result.total}


@blp.route("/reached-people", methods=["PUT"])
@requires(RESULTS_REPORT)
@blp.arguments(ReachedIn)
@blp.response(200, ReachedIn)
def report_reached(data):
    """Report (or replace) the people reached for the first time in a quarter, in any module, per gender."""
    services.report_reached(g.actor, year=data["year"], quarter=data["quarter"], counts=counts_of(data))
    return data

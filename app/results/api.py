"""JSON API of the results domain: the report, people reached per quarter, interim proofs (list, read, submit,
review) and the alliance of a Kommune ("Gemeinsam klappt's")."""

from __future__ import annotations

from flask import g

from ..auth.permissions import requires
from ..platform.web.api import ApiBlueprint
from . import services
from .permissions import (
    INTERIM_READ,
    INTERIM_REVIEW,
    INTERIM_SUBMIT,
    PARTNERSHIP_EDIT,
    PARTNERSHIP_READ,
    RESULTS_READ,
    RESULTS_REPORT,
)
from .schemas import (
    InterimOut,
    InterimReviewIn,
    InterimSubmitIn,
    PartnerIn,
    PartnerOut,
    ReachedIn,
    ResultsReportOut,
    counts_of,
)
from .workflow import INTERIM

blp = ApiBlueprint("results_api", __name__, url_prefix="/api/v1/results",
                   description="Ergebnisbericht: erreichte Personen, Erreichungsquote; Zwischennachweise; "
                               "Gemeinsam klappt's")
INTERIM_PATH = "/interim-proofs/<id:grant_id>/<id:year>"
AGS_PATH = "/partnerships/<string(length=5):ags>"


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


def _present(row) -> dict:
    proof = row.proof if row.proof is not None and row.proof.status is not None else None
    return {"grant_id": row.grant.id, "grant_reference": row.grant.reference, "kommune": row.kommune,
            "year": row.year, "due": row.due, "status": row.status.value if row.status else None, "late": row.late,
            "late_flagged_on": row.late_flagged_on, "report": proof.report if proof else None,
            "review_note": proof.review_note if proof else None,
            "approved": proof.approved_cents if proof else None, "paid": proof.paid_cents if proof else None,
            "expenses": proof.expenses_cents if proof else None, "earned": proof.earned_cents if proof else None,
            "allowed_actions": INTERIM.allowed_actions(row.status, g.actor)}


@blp.route("/interim-proofs")
@requires(INTERIM_READ)
@blp.response(200, InterimOut(many=True))
def interim_proofs():
    """Every interim proof due (a Kommune: its own) with status, due day and late flag; at most one per Kommune
    grant and budget year, so the list is short and not paged."""
    return [_present(row) for row in services.interim_rows(g.actor)]


@blp.route(INTERIM_PATH)
@requires(INTERIM_READ)
@blp.response(200, InterimOut)
def interim_proof(grant_id: int, year: int):
    """One interim proof; the figures are those of its last submission."""
    return _present(services.get_interim(g.actor, grant_id, year))


@blp.route(f"{INTERIM_PATH}/submit", methods=["POST"])
@requires(INTERIM_SUBMIT)
@blp.arguments(InterimSubmitIn)
@blp.response(200, InterimOut)
def submit_interim(data, grant_id: int, year: int):
    """Submit (or resubmit after changes were requested) the report; the figures are taken from the ledger."""
    services.submit_interim(g.actor, grant_id, year, report=data["report"])
    return _present(services.get_interim(g.actor, grant_id, year))


@blp.route(f"{INTERIM_PATH}/review", methods=["POST"])
@requires(INTERIM_REVIEW)
@blp.arguments(InterimReviewIn)
@blp.response(200, InterimOut)
def review_interim(data, grant_id: int, year: int):
    """Accept, or request changes (``note`` required)."""
    services.review_interim(g.actor, grant_id, year, action=data["action"], note=data["note"])
    return _present(services.get_interim(g.actor, grant_id, year))


@blp.route(AGS_PATH)
@requires(PARTNERSHIP_READ)
@blp.response(200, PartnerOut(many=True))
def partnership(ags: str):
    """The Kommune's Geschäftsführende Stelle (``lead``) and Bündniskerngruppe (``core``)."""
    return services.members_of(services.kommune_of(g.actor, ags).id)


@blp.route(f"{AGS_PATH}/members", methods=["POST"])
@requires(PARTNERSHIP_EDIT)
@blp.arguments(PartnerIn)
@blp.response(201, PartnerOut)
def add_partner(data, ags: str):
    """Add an institution (at most one Geschäftsführende Stelle)."""
    return services.add_member(g.actor, services.kommune_of(g.actor, ags), **data)


@blp.route(f"{AGS_PATH}/members/<id:member_id>", methods=["DELETE"])
@requires(PARTNERSHIP_EDIT)
@blp.response(204)
def remove_partner(ags: str, member_id: int):
    """Remove an institution from the alliance."""
    services.remove_member(g.actor, services.kommune_of(g.actor, ags), member_id)

"""API: ranking, both selection proposals, the staged decision, its release, the outbox, the waiting list,
statistics, full applications and project decisions."""

from __future__ import annotations

from flask import g

from ...auth.permissions import requires
from ...platform.web import idempotency
from .. import access, projects, round_statistics, selection
from ..core.funding import METHOD_TEXT, SKIP_REASON_TEXT, Selection
from ..permissions import IF_APPLY, IF_MANAGE, IF_STAFF
from ..presenters import present_sketch
from ..schemas.decisions import (
    FullApplicationIn,
    FullApplicationOut,
    FullApplicationReasonIn,
    OutboxOut,
    ProjectApproveIn,
    ProjectDecisionOut,
    ProposalsOut,
    RankOut,
    ReleaseOut,
    SelectionDecisionIn,
    SelectionDecisionOut,
    StatisticsOut,
)
from ..schemas.sketches import SketchOut
from .blueprint import CALL, SKETCH, blp, sketch_out


def _selection_out(item: Selection | None) -> dict | None:
    if item is None:
        return None
    return {"method": item.method, "label": METHOD_TEXT.get(item.method, item.method),
            "selected": [int(i) for i in item.selected], "total": item.total_cents, "score_total": item.score_total,
            "budget_left": item.budget_left,
            "skipped": [{"sketch_id": int(s.id), "reason": s.reason, "text": SKIP_REASON_TEXT.get(s.reason, "")}
                        for s in item.skipped]}


@blp.route(CALL + "/ranking")
@requires(IF_STAFF)
@blp.response(200, RankOut(many=True))
def ranking(call_id: int):
    """The ranking of the eligible sketches with aggregates and discrepancy flags."""
    result = selection.proposals(access.get_call(call_id))
    return [{"position": r.position, "sketch_id": int(r.id), "reference": result.sketches[r.id].reference,
             "title": result.sketches[r.id].title, "requested": r.requested_cents,
             "aggregate": result.aggregates[int(r.id)]} for r in result.ranked]


@blp.route(CALL + "/proposals")
@requires(IF_STAFF)
@blp.response(200, ProposalsOut)
def proposals(call_id: int):
    """Both proposals side by side (funding line per the call's mode; maximum total score) and the difference."""
    call = access.get_call(call_id)
    result = selection.proposals(call)
    comparison = result.comparison
    return {"budget": call.budget_cents, "funding_line": _selection_out(result.line),
            "max_score": _selection_out(result.best),
            "comparison": None if comparison is None else {
                "only_in_funding_line": [int(i) for i in comparison.only_in_a],
                "only_in_max_score": [int(i) for i in comparison.only_in_b],
                "total_difference": str(comparison.total_difference_cents),
                "score_difference": str(comparison.score_difference), "explanation": comparison.explanation},
            "errors": result.errors}


@blp.route(CALL + "/decision", methods=["POST"])
@requires(IF_MANAGE)
@blp.arguments(SelectionDecisionIn)
@blp.response(200, SelectionDecisionOut)
def record_decision(data, call_id: int):
    """Stage the Steuerkreis decision (a reason for each deviation from the chosen proposal). Left-out sketches
    named in ``rejected`` are rejected, the others at or above the minimum score are waiting-listed."""
    result = selection.record_decision(call_id, g.actor, basis=data["basis"], selected=data["selected"],
                                       reasons={int(k): v for k, v in data["reasons"].items()}, note=data["note"],
                                       rejected=data["rejected"])
    return result


@blp.route(CALL + "/outbox")
@requires(IF_STAFF)
@blp.response(200, OutboxOut(many=True))
def outbox(call_id: int):
    """The staged (and released) decision messages, for review before the release."""
    return selection.outbox(access.get_call(call_id))


@blp.route(CALL + "/release", methods=["POST"])
@requires(IF_MANAGE)
@blp.response(200, ReleaseOut)
def release(call_id: int):
    """Release the staged decision in one batch: statuses change and every message is queued."""
    result = selection.release(call_id, g.actor)
    return result


@blp.route(CALL + "/waiting-list")
@requires(IF_STAFF)
@blp.response(200, SketchOut(many=True))
def waiting_list(call_id: int):
    return [present_sketch(s, g.actor) for s in selection.waiting(access.get_call(call_id))]


@blp.route(CALL + "/statistics")
@requires(IF_STAFF)
@blp.response(200, StatisticsOut)
def statistics(call_id: int):
    result = round_statistics.statistics(access.get_call(call_id))
    result["women_share"] = None if result["women_share"] is None else str(result["women_share"])
    return result


# ---------------------------------------------------------------------------------------- funded projects


@blp.route(SKETCH + "/full-application", methods=["PUT"])
@requires(IF_APPLY)
@blp.arguments(FullApplicationIn)
@blp.response(200, FullApplicationOut)
def submit_full_application(data, sketch_id: int):
    """The selected organisation's full application (amounts per budget year, period)."""
    application = projects.submit_full_application(
        sketch_id, g.actor, lines={line["year"]: line["amount"] for line in data["lines"]},
        start_date=data["start_date"], end_date=data["end_date"], description=data["description"])
    return application


@blp.route(SKETCH + "/full-application/request-changes", methods=["POST"])
@requires(IF_MANAGE)
@blp.arguments(FullApplicationReasonIn)
@blp.response(200, FullApplicationOut)
def request_full_application_changes(data, sketch_id: int):
    """Send the full application back to the organisation with a reason; it edits and resubmits."""
    application = projects.request_changes(sketch_id, g.actor, reason=data["reason"])
    return application


@blp.route(SKETCH + "/full-application/reject", methods=["POST"])
@requires(IF_MANAGE)
@blp.arguments(FullApplicationReasonIn)
@blp.response(200, SketchOut)
def reject_full_application(data, sketch_id: int):
    """Reject the full application with a reason (a submitted one, or a missing one after the deadline):
    the sketch leaves the selection and the next fitting waiting sketch moves up."""
    projects.reject_full_application(sketch_id, g.actor, reason=data["reason"])
    return sketch_out(sketch_id)


@blp.route(SKETCH + "/full-application/approve", methods=["POST"])
@requires(IF_MANAGE)
@blp.arguments(ProjectApproveIn)
@blp.response(201, ProjectDecisionOut)
@blp.doc(**idempotency.IDEMPOTENCY_DOC)
def approve_full_application(data, sketch_id: int):
    """Approve: numbered decision (ANBest-P for private organisations), commitment in the budget (module F5).

    With an ``Idempotency-Key`` (the platform mechanism, scope per sketch) a retry replays the first
    answer (header ``Idempotent-Replayed: true``) instead of answering 409 "bereits bewilligt"."""
    return idempotency.respond_once(f"if-project:sketch:{sketch_id}", lambda: (201, ProjectDecisionOut().dump(
        projects.approve_full_application(sketch_id, g.actor, comment=data["comment"]))))

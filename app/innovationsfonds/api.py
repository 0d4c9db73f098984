"""JSON API of the Innovationsfonds: calls, sketches, attachments, eligibility, conflicts, assignments,
reviews, ranking, both selection proposals, the staged decision, its release, the outbox,
statistics, full applications and project decisions. Everything under ``/api/v1/innovationsfonds``."""

from __future__ import annotations

from flask import g, request, send_file

from ..auth.permissions import requires
from ..budgets import idempotency
from ..platform.errors import ValidationFailed
from ..platform.extensions import db
from ..platform.web.api import ApiBlueprint
from ..platform.web.pagination import SelectPage
from ..reference.services import get_programme
from . import matrix as matrices
from . import organisations, projects, reviewing, selection, services
from .permissions import IF_APPLY, IF_CONFLICTS, IF_MANAGE, IF_READ, IF_REVIEW, IF_STAFF
from .presenters import present_review, present_sketch
from .ranking import METHOD_TEXT, SKIP_REASON_TEXT, Selection
from .schemas import (
    AssignIn,
    AttachmentOut,
    AutoAssignOut,
    CallIn,
    CallOut,
    CloseOut,
    ConflictIn,
    ConflictOptionsOut,
    ConflictOut,
    EligibilityIn,
    FullApplicationIn,
    FullApplicationOut,
    FullApplicationReasonIn,
    MatrixOut,
    OrganisationIn,
    OrganisationOut,
    OutboxOut,
    ProgressOut,
    ProjectApproveIn,
    ProjectDecisionOut,
    ProposalsOut,
    RankOut,
    RecusalIn,
    ReleaseOut,
    ReviewIn,
    ReviewOut,
    SelectionDecisionIn,
    SelectionDecisionOut,
    SketchCreateIn,
    SketchFilter,
    SketchIn,
    SketchListOut,
    SketchOut,
    StatisticsOut,
)

blp = ApiBlueprint("innovationsfonds_api", __name__, url_prefix="/api/v1/innovationsfonds",
                   description="Innovationsfonds: Aufrufe, Projektskizzen, Begutachtung, Auswahl, Entscheidungen")
CALL = "/calls/<int(max=2147483647):call_id>"
SKETCH = "/sketches/<int(max=2147483647):sketch_id>"


def _sketch_out(sketch_id: int) -> dict:
    sketch = services.get_sketch(sketch_id, g.actor)
    aggregate = selection.aggregates(sketch.call)[sketch.id] if g.actor.role.value in (
        "programme_admin", "finance", "auditor") else None
    return present_sketch(sketch, g.actor, aggregate)


# ---------------------------------------------------------------------------------------- calls


@blp.route("/calls")
@requires(IF_READ)
@blp.response(200, CallOut(many=True))
@blp.paginate(SelectPage)
def list_calls():
    """All calls (Stichtage) of the programme, newest deadline first."""
    return services.calls_select()


@blp.route("/calls", methods=["POST"])
@requires(IF_MANAGE)
@blp.arguments(CallIn)
@blp.response(201, CallOut)
def create_call(data):
    """Set up a call with its rules and weighted criteria."""
    call = services.create_call(g.actor, get_programme(), data)
    db.session.commit()
    return call


@blp.route(CALL)
@requires(IF_READ)
@blp.response(200, CallOut)
def get_call(call_id: int):
    return services.get_call(call_id)


@blp.route(CALL, methods=["PUT"])
@requires(IF_MANAGE)
@blp.arguments(CallIn)
@blp.response(200, CallOut)
def update_call(data, call_id: int):
    """Change the rules; a field frozen by the call's progress (``services.FIELD_LOCKS``) is a 422 naming it."""
    call = services.update_call(call_id, g.actor, data)
    db.session.commit()
    return call


@blp.route(CALL + "/close", methods=["POST"])
@requires(IF_MANAGE)
@blp.response(200, CloseOut)
def close_call(call_id: int):
    """Close the window after the deadline and run the automatic eligibility check (the job does it too)."""
    result = services.close_window(call_id, actor=g.actor)
    db.session.commit()
    return result


@blp.route("/organisations")
@requires(IF_STAFF)
@blp.response(200, OrganisationOut(many=True))
def list_organisations():
    """The organisations (Träger), by name."""
    return organisations.list_organisations()


@blp.route("/organisations", methods=["POST"])
@requires(IF_MANAGE)
@blp.arguments(OrganisationIn)
@blp.response(201, OrganisationOut)
def create_organisation(data):
    """Create an organisation (Träger); its users are then created with role ``organisation``."""
    organisation = organisations.create_organisation(g.actor, data)
    db.session.commit()
    return organisation


# ---------------------------------------------------------------------------------------- sketches


@blp.route("/sketches")
@requires(IF_READ)
@blp.arguments(SketchFilter, location="query")
@blp.response(200, SketchListOut(many=True))
@blp.paginate(SelectPage)
def list_sketches(filters):
    """Organisations: their own sketches; staff: all (reviewers: see /assignments)."""
    return services.sketches_select(g.actor, **filters)


@blp.route("/sketches", methods=["POST"])
@requires(IF_APPLY)
@blp.arguments(SketchCreateIn)
@blp.response(201, SketchOut)
def create_sketch(data):
    """Start a draft of the own organisation in a call (before its deadline)."""
    call_id = data.pop("call_id")
    sketch = services.create_sketch(g.actor, call_id, data)
    db.session.commit()
    return _sketch_out(sketch.id)


@blp.route(SKETCH)
@requires(IF_READ)
@blp.response(200, SketchOut)
def get_sketch(sketch_id: int):
    """404 for another organisation's sketch and for reviewers not (conflict-free) assigned to it."""
    return _sketch_out(sketch_id)


@blp.route(SKETCH, methods=["PATCH"])
@requires(IF_APPLY)
@blp.arguments(SketchIn)
@blp.response(200, SketchOut)
def update_sketch(data, sketch_id: int):
    services.update_sketch(sketch_id, g.actor, data)
    db.session.commit()
    return _sketch_out(sketch_id)


@blp.route(SKETCH + "/submit", methods=["POST"])
@requires(IF_APPLY)
@blp.response(200, SketchOut)
def submit_sketch(sketch_id: int):
    """Submit inside the window; one second after the deadline: 409 with the deadline named."""
    services.submit_sketch(sketch_id, g.actor)
    db.session.commit()
    return _sketch_out(sketch_id)


@blp.route(SKETCH + "/withdraw", methods=["POST"])
@requires(IF_APPLY)
@blp.response(200, SketchOut)
def withdraw_sketch(sketch_id: int):
    """Withdraw; a selected project's withdrawal moves the next fitting waiting sketch up."""
    services.withdraw_sketch(sketch_id, g.actor)
    db.session.commit()
    return _sketch_out(sketch_id)


@blp.route(SKETCH + "/attachments", methods=["POST"])
@requires(IF_APPLY)
@blp.response(201, AttachmentOut)
def upload_attachment(sketch_id: int):
    """multipart/form-data with ``file``: a PDF (magic bytes checked), at most 10 MB."""
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed.field("file", "Bitte eine PDF-Datei hochladen (Feld „file“).")
    attachment = services.add_attachment(sketch_id, g.actor, upload.filename or "", upload.read())
    db.session.commit()
    return {"id": attachment.id, "name": attachment.original_name, "size": attachment.size_bytes,
            "uploaded_at": attachment.uploaded_at}


@blp.route(SKETCH + "/attachments/<int(max=2147483647):attachment_id>")
@requires(IF_READ)
def download_attachment(sketch_id: int, attachment_id: int):
    """The PDF (owning organisation, assigned non-conflicted reviewers, staff)."""
    attachment, path = services.get_attachment(sketch_id, attachment_id, g.actor)
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=attachment.original_name)


@blp.route(SKETCH + "/attachments/<int(max=2147483647):attachment_id>", methods=["DELETE"])
@requires(IF_APPLY)
@blp.response(204)
def delete_attachment(sketch_id: int, attachment_id: int):
    services.delete_attachment(sketch_id, attachment_id, g.actor)
    db.session.commit()


@blp.route(SKETCH + "/eligibility", methods=["POST"])
@requires(IF_MANAGE)
@blp.arguments(EligibilityIn)
@blp.response(200, SketchOut)
def decide_eligibility(data, sketch_id: int):
    """The administrator's eligibility decision with a reason."""
    services.decide_eligibility(sketch_id, g.actor, eligible=data["eligible"], reason=data["reason"])
    db.session.commit()
    return _sketch_out(sketch_id)


# ---------------------------------------------------------------------------------------- reviewing


@blp.route("/conflicts")
@requires(IF_CONFLICTS)
@blp.response(200, ConflictOut(many=True))
def list_conflicts():
    """The conflicts the caller declared."""
    return reviewing.conflicts_of(g.actor)


@blp.route("/conflicts", methods=["POST"])
@requires(IF_CONFLICTS)
@blp.arguments(ConflictIn)
@blp.response(201, ConflictOut)
def declare_conflict(data):
    """Reviewers: a conflict with an applicant organisation (only before their assignments in its calls) or a
    Kommune; organisations: with a reviewer (until the window closes). Blind review stays blind."""
    conflict = reviewing.declare_conflict(g.actor, **data)
    db.session.commit()
    return conflict


@blp.route("/conflict-options")
@requires(IF_CONFLICTS)
@blp.response(200, ConflictOptionsOut)
def conflict_options():
    """What the caller may choose: reviewers the applicant organisations per call, organisations the reviewers."""
    return reviewing.conflict_options(g.actor)


@blp.route(SKETCH + "/recusal", methods=["POST"])
@requires(IF_REVIEW)
@blp.arguments(RecusalIn)
@blp.response(201, ConflictOut)
def recuse(data, sketch_id: int):
    """The reviewer declares itself biased on one of its sketches; the assignment goes, the admins are told."""
    conflict = reviewing.recuse(sketch_id, g.actor, data["reason"])
    db.session.commit()
    return conflict


@blp.route(CALL + "/assignments/auto", methods=["POST"])
@requires(IF_MANAGE)
@blp.response(200, AutoAssignOut)
def auto_assign(call_id: int):
    """Assign reviewers to every eligible sketch: balanced loads, never conflicted, existing ones kept."""
    result = reviewing.auto_assign(call_id, g.actor)
    db.session.commit()
    return result


@blp.route(CALL + "/assignments")
@requires(IF_STAFF)
@blp.response(200, MatrixOut)
def assignment_matrix(call_id: int):
    """The assignment matrix (sketches × reviewers): assigned, submitted, conflict."""
    matrix = matrices.assignment_matrix(services.get_call(call_id))
    return {"reviewers": [{"id": u.id, "name": u.name, "load": matrix["loads"][u.id]} for u in matrix["reviewers"]],
            "rows": [{"sketch_id": r["sketch"].id, "reference": r["sketch"].reference, "cells": r["cells"],
                      "count": r["count"]} for r in matrix["rows"]]}


@blp.route(SKETCH + "/assignments", methods=["POST"])
@requires(IF_MANAGE)
@blp.arguments(AssignIn)
@blp.response(201, SketchOut)
def assign(data, sketch_id: int):
    reviewing.assign(sketch_id, data["reviewer_id"], g.actor)
    db.session.commit()
    return _sketch_out(sketch_id)


@blp.route(SKETCH + "/assignments/<int(max=2147483647):reviewer_id>", methods=["DELETE"])
@requires(IF_MANAGE)
@blp.response(204)
def unassign(sketch_id: int, reviewer_id: int):
    reviewing.unassign(sketch_id, reviewer_id, g.actor)
    db.session.commit()


@blp.route("/assignments")
@requires(IF_REVIEW)
@blp.response(200, ProgressOut)
def my_assignments():
    """The reviewer's assignments with progress."""
    items = reviewing.my_assignments(g.actor, request.args.get("call_id", type=int))
    return {**reviewing.progress(items),
            "assignments": [{"sketch": present_sketch(i["sketch"], g.actor), "state": i["state"]} for i in items]}


@blp.route(SKETCH + "/review")
@requires(IF_REVIEW)
@blp.response(200, ReviewOut)
def get_review(sketch_id: int):
    review = reviewing.get_own_review(sketch_id, g.actor)
    if review is None:
        return {"sketch_id": sketch_id, "reviewer": g.actor.name, "marks": {}, "comment": ""}
    return present_review(review, g.actor, 0)


@blp.route(SKETCH + "/review", methods=["PUT"])
@requires(IF_REVIEW)
@blp.arguments(ReviewIn)
@blp.response(200, ReviewOut)
def save_review(data, sketch_id: int):
    """Save marks (null = not applicable, at most one) and comment as a draft."""
    review = reviewing.save_review(sketch_id, g.actor, data["marks"], data["comment"])
    db.session.commit()
    return present_review(review, g.actor, 0)


@blp.route(SKETCH + "/review/submit", methods=["POST"])
@requires(IF_REVIEW)
@blp.arguments(ReviewIn)
@blp.response(200, ReviewOut)
def submit_review(data, sketch_id: int):
    """Submit the own review (marks given here replace the draft's); the weighted score is computed."""
    review = reviewing.submit_review(sketch_id, g.actor, data["marks"] or None, data["comment"] or None)
    db.session.commit()
    return present_review(review, g.actor, 0)


@blp.route(SKETCH + "/reviews")
@requires(IF_READ)
@blp.response(200, ReviewOut(many=True))
def list_reviews(sketch_id: int):
    """All submitted reviews: staff; a reviewer only after submitting its own (403 before)."""
    reviews = reviewing.visible_reviews(sketch_id, g.actor)
    return [present_review(r, g.actor, n) for n, r in enumerate(reviews, start=1)]


# ---------------------------------------------------------------------------------------- selection


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
    result = selection.proposals(services.get_call(call_id))
    return [{"position": r.position, "sketch_id": int(r.id), "reference": result.sketches[r.id].reference,
             "title": result.sketches[r.id].title, "requested": r.requested_cents,
             "aggregate": result.aggregates[int(r.id)]} for r in result.ranked]


@blp.route(CALL + "/proposals")
@requires(IF_STAFF)
@blp.response(200, ProposalsOut)
def proposals(call_id: int):
    """Both proposals side by side (funding line per the call's mode; maximum total score) and the difference."""
    call = services.get_call(call_id)
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
    db.session.commit()
    return result


@blp.route(CALL + "/outbox")
@requires(IF_STAFF)
@blp.response(200, OutboxOut(many=True))
def outbox(call_id: int):
    """The staged (and released) decision messages, for review before the release."""
    return selection.outbox(services.get_call(call_id))


@blp.route(CALL + "/release", methods=["POST"])
@requires(IF_MANAGE)
@blp.response(200, ReleaseOut)
def release(call_id: int):
    """Release the staged decision in one batch: statuses change and every message is queued."""
    result = selection.release(call_id, g.actor)
    db.session.commit()
    return result


@blp.route(CALL + "/waiting-list")
@requires(IF_STAFF)
@blp.response(200, SketchOut(many=True))
def waiting_list(call_id: int):
    return [present_sketch(s, g.actor) for s in selection.waiting(services.get_call(call_id))]


@blp.route(CALL + "/statistics")
@requires(IF_STAFF)
@blp.response(200, StatisticsOut)
def statistics(call_id: int):
    result = selection.statistics(services.get_call(call_id))
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
    db.session.commit()
    return application


@blp.route(SKETCH + "/full-application/request-changes", methods=["POST"])
@requires(IF_MANAGE)
@blp.arguments(FullApplicationReasonIn)
@blp.response(200, FullApplicationOut)
def request_full_application_changes(data, sketch_id: int):
    """Send the full application back to the organisation with a reason; it edits and resubmits."""
    application = projects.request_changes(sketch_id, g.actor, reason=data["reason"])
    db.session.commit()
    return application


@blp.route(SKETCH + "/full-application/reject", methods=["POST"])
@requires(IF_MANAGE)
@blp.arguments(FullApplicationReasonIn)
@blp.response(200, SketchOut)
def reject_full_application(data, sketch_id: int):
    """Reject the full application with a reason (a submitted one, or a missing one after the deadline):
    the sketch leaves the selection and the next fitting waiting sketch moves up."""
    projects.reject_full_application(sketch_id, g.actor, reason=data["reason"])
    db.session.commit()
    return _sketch_out(sketch_id)


@blp.route(SKETCH + "/full-application/approve", methods=["POST"])
@requires(IF_MANAGE)
@blp.arguments(ProjectApproveIn)
@blp.response(201, ProjectDecisionOut)
@blp.doc(parameters=[{"in": "header", "name": idempotency.HEADER, "required": False,
                      "schema": {"type": "string", "maxLength": 200},
                      "description": "A retry with the same key replays the first answer and books nothing."}])
def approve_full_application(data, sketch_id: int):
    """Approve: numbered decision (ANBest-P for private organisations), commitment in the budget (module F5).

    With an ``Idempotency-Key`` (the budgets mechanism, scope per sketch) a retry replays the first
    answer (header ``Idempotent-Replayed: true``) instead of answering 409 "bereits bewilligt"."""
    return idempotency.respond_once(f"if-project:sketch:{sketch_id}", lambda: (201, ProjectDecisionOut().dump(
        projects.approve_full_application(sketch_id, g.actor, comment=data["comment"]))))

from . import invitations_api  # noqa: E402, F401 - its routes on blp (a module of its own: issue #20's invitations)

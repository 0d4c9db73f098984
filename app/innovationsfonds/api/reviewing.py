"""API: conflicts of interest, recusal, reviewer assignments and reviews (blind until the own one is in)."""

from __future__ import annotations

from flask import g, request

from ...auth.permissions import requires
from .. import access, conflicts, reviewing
from .. import matrix as matrices
from ..permissions import IF_CONFLICTS, IF_MANAGE, IF_READ, IF_REVIEW, IF_STAFF
from ..presenters import present_review, present_sketch
from ..schemas.reviewing import (
    AssignIn,
    AutoAssignOut,
    ConflictIn,
    ConflictOptionsOut,
    ConflictOut,
    MatrixOut,
    ProgressOut,
    RecusalIn,
    ReviewIn,
    ReviewOut,
)
from ..schemas.sketches import SketchOut
from .blueprint import CALL, SKETCH, blp, sketch_out


@blp.route("/conflicts")
@requires(IF_CONFLICTS)
@blp.response(200, ConflictOut(many=True))
def list_conflicts():
    """The conflicts the caller declared."""
    return conflicts.conflicts_of(g.actor)


@blp.route("/conflicts", methods=["POST"])
@requires(IF_CONFLICTS)
@blp.arguments(ConflictIn)
@blp.response(201, ConflictOut)
def declare_conflict(data):
    """Reviewers: a conflict with an applicant organisation (only before their assignments in its calls) or a
    Kommune; organisations: with a reviewer (until the window closes). Blind review stays blind."""
    conflict = conflicts.declare_conflict(g.actor, **data)
    return conflict


@blp.route("/conflict-options")
@requires(IF_CONFLICTS)
@blp.response(200, ConflictOptionsOut)
def conflict_options():
    """What the caller may choose: reviewers the applicant organisations per call, organisations the reviewers."""
    return conflicts.conflict_options(g.actor)


@blp.route(SKETCH + "/recusal", methods=["POST"])
@requires(IF_REVIEW)
@blp.arguments(RecusalIn)
@blp.response(201, ConflictOut)
def recuse(data, sketch_id: int):
    """The reviewer declares itself biased on one of its sketches; the assignment goes, the admins are told."""
    conflict = conflicts.recuse(sketch_id, g.actor, data["reason"])
    return conflict


@blp.route(CALL + "/assignments/auto", methods=["POST"])
@requires(IF_MANAGE)
@blp.response(200, AutoAssignOut)
def auto_assign(call_id: int):
    """Assign reviewers to every eligible sketch: balanced loads, never conflicted, existing ones kept."""
    result = reviewing.auto_assign(call_id, g.actor)
    return result


@blp.route(CALL + "/assignments")
@requires(IF_STAFF)
@blp.response(200, MatrixOut)
def assignment_matrix(call_id: int):
    """The assignment matrix (sketches × reviewers): assigned, submitted, conflict."""
    matrix = matrices.assignment_matrix(access.get_call(call_id))
    return {"reviewers": [{"id": u.id, "name": u.name, "load": matrix["loads"][u.id]} for u in matrix["reviewers"]],
            "rows": [{"sketch_id": r["sketch"].id, "reference": r["sketch"].reference, "cells": r["cells"],
                      "count": r["count"]} for r in matrix["rows"]]}


@blp.route(SKETCH + "/assignments", methods=["POST"])
@requires(IF_MANAGE)
@blp.arguments(AssignIn)
@blp.response(201, SketchOut)
def assign(data, sketch_id: int):
    reviewing.assign(sketch_id, data["reviewer_id"], g.actor)
    return sketch_out(sketch_id)


@blp.route(SKETCH + "/assignments/<id:reviewer_id>", methods=["DELETE"])
@requires(IF_MANAGE)
@blp.response(204)
def unassign(sketch_id: int, reviewer_id: int):
    reviewing.unassign(sketch_id, reviewer_id, g.actor)


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
    return present_review(review, g.actor, 0)


@blp.route(SKETCH + "/review/submit", methods=["POST"])
@requires(IF_REVIEW)
@blp.arguments(ReviewIn)
@blp.response(200, ReviewOut)
def submit_review(data, sketch_id: int):
    """Submit the own review (marks given here replace the draft's); the weighted score is computed."""
    review = reviewing.submit_review(sketch_id, g.actor, data["marks"] or None, data["comment"] or None)
    return present_review(review, g.actor, 0)


@blp.route(SKETCH + "/reviews")
@requires(IF_READ)
@blp.response(200, ReviewOut(many=True))
def list_reviews(sketch_id: int):
    """All submitted reviews: staff; a reviewer only after submitting its own (403 before)."""
    reviews = reviewing.visible_reviews(sketch_id, g.actor)
    return [present_review(r, g.actor, n) for n, r in enumerate(reviews, start=1)]

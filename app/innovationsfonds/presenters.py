"""What each role sees of a sketch (API and pages share it).

* Organisations: their sketch, its status and, after the release, the decision; never the
  assignments, the reviewers or the staged decision.
* Reviewers: the content; the applicant's name only if the call allows it.
* Staff: everything, including eligibility checks, aggregate, reviewers and the staged outcome.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from flask_babel import gettext

from ..auth.models import Role, User
from ..platform.formatting import format_decimal
from ..reference.models import ORGANISATION_KINDS
from .access import STAFF_ROLES
from .core.scoring import Aggregate
from .models import Review, Sketch, SketchStatus
from .workflow import SKETCH


@lru_cache(maxsize=50_000)
def score_text(value: Decimal) -> str:
    """``format_decimal`` of a score, remembered: a round's pages print thousands of scores (and z-scores),
    two-place values of a small range, and babel's formatting is the larger part of printing them. The
    template filter ``if_score`` (the ``score`` macro) and the statistics chart's labels."""
    return format_decimal(value)


DECIDED = (SketchStatus.SELECTED, SketchStatus.WAITING, SketchStatus.REJECTED, SketchStatus.FUNDED)


def shows_names(sketch: Sketch, actor: User) -> bool:
    return actor.role != Role.REVIEWER or sketch.call.reviewers_see_names


def present_sketch(sketch: Sketch, actor: User, aggregate: Aggregate | None = None) -> dict:
    staff = actor.role in STAFF_ROLES
    organisation = sketch.organisation
    data = {
        "id": sketch.id, "reference": sketch.reference, "call_id": sketch.call_id, "status": sketch.status.value,
        "status_label": sketch.status.label,
        "organisation": {"id": organisation.id, "name": organisation.name, "kind": organisation.kind,
                         "kind_label": ORGANISATION_KINDS.get(organisation.kind, organisation.kind)}
        if shows_names(sketch, actor) else None,
        "title": sketch.title, "summary": sketch.summary, "target_group": sketch.target_group,
        "age_min": sketch.age_min, "age_max": sketch.age_max, "planned_participants": sketch.planned_participants,
        "planned_women": sketch.planned_women,
        "women_share": None if sketch.women_share is None else str(sketch.women_share),
        "kommune_id": sketch.kommune_id, "kommune": sketch.kommune.display_name if sketch.kommune else None,
        "start_date": sketch.start_date, "end_date": sketch.end_date, "requested": sketch.requested_cents,
        "total_cost": sketch.total_cost_cents, "submitted_at": sketch.submitted_at,
        "withdrawn_at": sketch.withdrawn_at,
        "attachments": [{"id": a.id, "name": a.original_name, "size": a.size_bytes, "uploaded_at": a.uploaded_at}
                        for a in sketch.attachments],
        "eligibility": None, "decision": None, "staged": None, "aggregate": None, "reviewers": None,
        "allowed_actions": SKETCH.allowed_actions(sketch.status, actor),
    }
    if staff or (actor.role == Role.ORGANISATION and sketch.status is SketchStatus.INELIGIBLE):
        data["eligibility"] = {"checks": sketch.eligibility_checks if staff else None,
                               "reason": sketch.eligibility_reason, "manual": sketch.eligibility_manual}
    if sketch.status in DECIDED and (staff or actor.role == Role.ORGANISATION):
        data["decision"] = {"outcome": sketch.status.value, "reason": sketch.decision_reason,
                            "waiting_position": sketch.waiting_position, "decided_at": sketch.decided_at,
                            "full_application_deadline": sketch.full_application_deadline
                            if sketch.status is SketchStatus.SELECTED else None}
    if staff:
        data["staged"] = {"outcome": sketch.staged_outcome, "reason": sketch.staged_reason,
                          "waiting_position": sketch.waiting_position} if sketch.staged_outcome else None
        data["aggregate"] = aggregate
        submitted = {r.reviewer_id for r in sketch.reviews if r.submitted_at is not None}
        data["reviewers"] = [{"id": a.reviewer_id, "name": a.reviewer.name, "submitted": a.reviewer_id in submitted}
                             for a in sketch.assignments]
    return data


def present_review(review: Review, actor: User, number: int) -> dict:
    """Reviewers see other reviewers only as "Gutachten n"; staff see names."""
    own = review.reviewer_id == actor.id
    shown = actor.role in STAFF_ROLES or own
    name = review.reviewer.name if shown else gettext("Gutachten %(number)s", number=number)
    return {"id": review.id, "sketch_id": review.sketch_id, "reviewer": name, "marks": review.marks,
            "comment": review.comment, "score_points": review.score_points, "submitted_at": review.submitted_at}

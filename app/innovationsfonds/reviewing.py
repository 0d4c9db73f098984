"""Innovationsfonds use cases, part 2: reviewer assignment and blind scoring (conflicts of interest are
``conflicts.py``).

* ``auto_assign`` gives every eligible sketch ``call.reviewers_per_sketch`` reviewers with
  ``core.assignment.assign_reviewers`` (balanced, never conflicted, existing assignments kept).
* Blind: a reviewer sees other reviews of a sketch only after submitting its own (403 before);
  reviewer names of others are never shown to reviewers; applicant names only if the call allows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select

from ..auth.models import Role, User
from ..platform import clock, limits
from ..platform.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..platform.extensions import db
from . import review_flow, stored_aggregates
from .access import conflict_pairs, core_criteria, get_call, get_sketch, is_conflicted, record
from .core.assignment import AssignmentError, assign_reviewers
from .core.scoring import review_score
from .models import Assignment, Call, Review, Sketch, SketchStatus, hundredths

REVIEWABLE = (SketchStatus.ELIGIBLE,)


# ---------------------------------------------------------------------------------------- assignment


def reviewers() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == Role.REVIEWER, User.active.is_(True))
                                   .order_by(User.id)))


def assignable_call(call: Call) -> None:
    if call.closed_at is None:
        raise Conflict("Gutachtende können erst nach Ende der Einreichungsfrist zugeordnet werden.")
    if call.decision_fixed:
        raise Conflict("Die Auswahl ist bereits beschlossen; Zuordnungen sind fest.")


def auto_assign(call_id: int, actor: User) -> dict:
    """Give every eligible sketch the call's number of reviewers: balanced, conflict-free, existing kept."""
    call = get_call(call_id, lock=True)
    assignable_call(call)
    sketches = list(db.session.scalars(select(Sketch).where(Sketch.call_id == call.id, Sketch.status.in_(REVIEWABLE))
                                       .order_by(Sketch.id)))
    pool = [u.id for u in reviewers()]
    existing: dict[int, set[int]] = {s.id: {a.reviewer_id for a in s.assignments if a.reviewer_id in pool}
                                     for s in sketches}
    try:
        result = assign_reviewers([s.id for s in sketches], pool, call.reviewers_per_sketch,
                                  conflict_pairs(sketches, pool), existing)
    except AssignmentError as short:
        raise Conflict(str(short), sketch_ids=list(short.sketch_ids)) from None
    except ValueError as bad:
        raise Conflict(str(bad)) from None
    now, created, new = clock.now(), 0, defaultdict(list)
    for sketch in sketches:
        for reviewer_id in result[sketch.id]:
            if reviewer_id not in existing[sketch.id]:
                db.session.add(Assignment(sketch_id=sketch.id, reviewer_id=reviewer_id, assigned_at=now))
                new[reviewer_id].append(sketch)
                created += 1
    db.session.flush()
    review_flow.tell_assigned(new)
    loads = defaultdict(int)
    for reviewer_ids in result.values():
        for reviewer_id in reviewer_ids:
            loads[reviewer_id] += 1
    summary = {"sketches": len(sketches), "created": created,
               "load_min": min(loads.values(), default=0), "load_max": max(loads.values(), default=0)}
    record("assignment.auto", "if_call", call.id, actor, after=summary)
    return summary


def assign(sketch_id: int, reviewer_id: int, actor: User) -> Assignment:
    """Assign one reviewer by hand (never a conflicted one)."""
    sketch = get_sketch(sketch_id, actor, lock=True)
    assignable_call(sketch.call)
    if sketch.status not in REVIEWABLE:
        raise Conflict(f"Die Skizze ist im Status „{sketch.status.label}“ nicht in der Begutachtung.")
    reviewer = db.session.get(User, reviewer_id)
    if reviewer is None or reviewer.role != Role.REVIEWER or not reviewer.active:
        raise ValidationFailed.field("reviewer_id", "Unbekannte oder inaktive Gutachterin / unbekannter Gutachter.")
    if is_conflicted(reviewer.id, sketch):
        raise Conflict(f"{reviewer.name} hat einen Interessenkonflikt mit dem Träger oder der Kommune der Skizze "
                       f"{sketch.reference} und wird ihr nicht zugeordnet.")
    if any(a.reviewer_id == reviewer.id for a in sketch.assignments):
        raise Conflict(f"{reviewer.name} ist der Skizze {sketch.reference} bereits zugeordnet.")
    assignment = Assignment(sketch_id=sketch.id, reviewer_id=reviewer.id, manual=True, assigned_at=clock.now())
    db.session.add(assignment)
    db.session.flush()
    record("assignment.add", "if_sketch", sketch.id, actor, after={"reviewer_id": reviewer.id})
    review_flow.tell_assigned({reviewer.id: [sketch]})
    return assignment


def unassign(sketch_id: int, reviewer_id: int, actor: User) -> None:
    """Remove an assignment (and an unsubmitted review); a submitted review keeps it (409)."""
    sketch = get_sketch(sketch_id, actor, lock=True)
    assignable_call(sketch.call)
    assignment = next((a for a in sketch.assignments if a.reviewer_id == reviewer_id), None)
    if assignment is None:
        raise NotFound("Zuordnung nicht gefunden.")
    review = review_of(sketch.id, reviewer_id)
    if review is not None and review.submitted_at is not None:
        raise Conflict("Das Gutachten ist bereits abgegeben; die Zuordnung bleibt bestehen.")
    if review is not None:
        db.session.delete(review)
    sketch.assignments.remove(assignment)
    db.session.flush()
    record("assignment.remove", "if_sketch", sketch.id, actor, before={"reviewer_id": reviewer_id})


# ---------------------------------------------------------------------------------------- reviews


def review_of(sketch_id: int, reviewer_id: int) -> Review | None:
    return db.session.scalar(select(Review).where(Review.sketch_id == sketch_id, Review.reviewer_id == reviewer_id))


def _reviewable(sketch: Sketch, actor: User) -> None:
    if actor.role != Role.REVIEWER:
        raise Forbidden("Nur zugeordnete Gutachtende bewerten Skizzen.")
    if sketch.status not in REVIEWABLE or sketch.call.decision_fixed:
        raise Conflict(f"Die Skizze ist im Status „{sketch.status.label}“; Bewertungen sind nicht mehr möglich.")


def _check_marks(call: Call, marks: dict, *, complete: bool) -> dict:
    errors: dict[str, list[str]] = {}
    criteria = {c.key: c for c in call.criteria}
    for key, mark in marks.items():
        criterion = criteria.get(key)
        if criterion is None:
            errors[f"marks.{key}"] = ["Unbekanntes Kriterium."]
        elif mark is not None and (isinstance(mark, bool) or not isinstance(mark, int)
                                   or not criterion.scale_min <= mark <= criterion.scale_max):
            errors[f"marks.{key}"] = [f"Bitte eine ganze Zahl von {criterion.scale_min} bis {criterion.scale_max} "
                                      "oder „nicht zutreffend“."]
    if sum(1 for m in marks.values() if m is None) > 1:
        errors["marks"] = ["Höchstens ein Kriterium darf als „nicht zutreffend“ markiert werden."]
    if complete:
        for key in criteria:
            if key not in marks:
                errors.setdefault(f"marks.{key}", []).append("Bitte bewerten (oder „nicht zutreffend“ wählen).")
    if errors:
        raise ValidationFailed("Die Bewertung ist ungültig.", errors=errors)
    return marks


MAX_COMMENT = limits.DESCRIPTION


def _check_comment(comment: str | None) -> None:
    if len(comment or "") > MAX_COMMENT:
        raise ValidationFailed.field("comment", "Der Kommentar ist zu lang (höchstens 20.000 Zeichen).")


def get_own_review(sketch_id: int, actor: User) -> Review | None:
    get_sketch(sketch_id, actor)
    return review_of(sketch_id, actor.id)


def save_review(sketch_id: int, actor: User, marks: dict, comment: str) -> Review:
    """Save marks and comment (a draft; partial marks allowed)."""
    sketch = get_sketch(sketch_id, actor, lock=True)
    _reviewable(sketch, actor)
    review = review_of(sketch.id, actor.id)
    if review is not None and review.submitted_at is not None:
        raise Conflict("Das Gutachten ist bereits abgegeben; überarbeiten Sie es bitte durch erneute Abgabe.")
    _check_marks(sketch.call, marks, complete=False)
    _check_comment(comment)
    if review is None:
        review = Review(sketch_id=sketch.id, reviewer_id=actor.id, marks={}, comment="")
        db.session.add(review)
    review.marks, review.comment, review.updated_at = dict(marks), comment or "", clock.now()
    db.session.flush()
    record("review.save", "if_review", review.id, actor, after={"sketch_id": sketch.id, "marks": review.marks})
    return review


def submit_review(sketch_id: int, actor: User, marks: dict | None = None, comment: str | None = None) -> Review:
    """Submit the own review: every criterion marked (at most one n/a); the weighted score is stored. Submitting
    a submitted review again revises it until the review deadline (``review_flow.keep_revision``)."""
    sketch = get_sketch(sketch_id, actor, lock=True)
    _reviewable(sketch, actor)
    review = review_of(sketch.id, actor.id)
    revision = review is not None and review.submitted_at is not None
    if revision:
        review_flow.keep_revision(review, sketch.call)
    if review is None:
        review = Review(sketch_id=sketch.id, reviewer_id=actor.id, marks={}, comment="", updated_at=clock.now())
        db.session.add(review)
    if marks is not None:
        review.marks = dict(marks)
    if comment is not None:
        _check_comment(comment)
        review.comment = comment
    _check_marks(sketch.call, review.marks, complete=True)
    try:
        score = review_score(core_criteria(sketch.call), review.marks)
    except (TypeError, ValueError) as bad:
        raise ValidationFailed.field("marks", str(bad)) from None
    review.score, review.submitted_at, review.updated_at = hundredths(score), clock.now(), clock.now()
    db.session.flush()
    stored_aggregates.refresh(sketch)  # the ranking reads the stored aggregate (same transaction)
    record("review.revise" if revision else "review.submit", "if_review", review.id, actor,
           after={"sketch_id": sketch.id, "score": str(score)})
    return review


def visible_reviews(sketch_id: int, actor: User) -> list[Review]:
    """All submitted reviews of a sketch: for staff, and for a reviewer only after its own submission."""
    sketch = get_sketch(sketch_id, actor)
    if actor.role == Role.REVIEWER:
        own = review_of(sketch.id, actor.id)
        if own is None or own.submitted_at is None:
            raise Forbidden("Die anderen Gutachten sehen Sie erst, nachdem Sie Ihr eigenes abgegeben haben.")
    elif actor.role == Role.ORGANISATION:
        raise Forbidden("Gutachten sind für Träger nicht einsehbar.")
    return [r for r in sketch.reviews if r.submitted_at is not None]


def my_assignments(actor: User, call_id: int | None = None) -> list[dict]:
    """The reviewer's assignments with the state of its own review (hidden: conflicted ones); three queries
    whatever their number (the assignments with their sketches, the reviewer's conflicts, its reviews)."""
    statement = select(Sketch).join(Assignment).where(Assignment.reviewer_id == actor.id).order_by(
        Sketch.call_id.desc(), Sketch.id)
    reviews = select(Review).join(Sketch).where(Review.reviewer_id == actor.id)
    if call_id is not None:
        statement, reviews = statement.where(Sketch.call_id == call_id), reviews.where(Sketch.call_id == call_id)
    sketches = list(db.session.scalars(statement))
    conflicted = conflict_pairs(sketches, [actor.id])
    own = {review.sketch_id: review for review in db.session.scalars(reviews)}
    items = []
    for sketch in sketches:
        if (sketch.id, actor.id) in conflicted:
            continue
        review = own.get(sketch.id)
        items.append({"sketch": sketch, "review": review,
                      "state": "submitted" if review and review.submitted_at else ("draft" if review else "open")})
    return items


def progress(items: list[dict]) -> dict:
    done = sum(1 for i in items if i["state"] == "submitted")
    return {"assigned": len(items), "submitted": done, "open": len(items) - done}


def pending_reviews(call: Call) -> list[tuple[User, int]]:
    """Reviewers with unsubmitted reviews in the call, and how many (for reminders)."""
    counts: dict[int, int] = defaultdict(int)
    submitted = {(sketch_id, reviewer_id) for sketch_id, reviewer_id in db.session.execute(
        select(Review.sketch_id, Review.reviewer_id).join(Sketch).where(Sketch.call_id == call.id,
                                                                        Review.submitted_at.is_not(None)))}
    for sketch_id, reviewer_id in db.session.execute(select(Assignment.sketch_id, Assignment.reviewer_id).join(Sketch)
                                                     .where(Sketch.call_id == call.id, Sketch.status.in_(REVIEWABLE))):
        if (sketch_id, reviewer_id) not in submitted:
            counts[reviewer_id] += 1
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(counts)))}
    return [(users[i], n) for i, n in sorted(counts.items())]


def review_deadline_days(call: Call, day: date) -> int:
    return (call.review_deadline - day).days

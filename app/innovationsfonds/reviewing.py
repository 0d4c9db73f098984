"""Innovationsfonds use cases, part 2: conflicts of interest, reviewer assignment, blind scoring.

* Conflicts are declared by the reviewer (with an organisation or a Kommune) and hold for every
  call; a new conflict removes the reviewer's open assignments it touches (with an unsubmitted
  review). A submitted review on a now-conflicted sketch blocks the declaration (409): an
  administrator must remove that assignment consciously.
* ``auto_assign`` gives every eligible sketch ``call.reviewers_per_sketch`` reviewers with
  ``assignment.assign_reviewers`` (balanced, never conflicted, existing assignments kept).
* Blind: a reviewer sees other reviews of a sketch only after submitting its own (403 before);
  reviewer names of others are never shown to reviewers; applicant names only if the call allows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import and_, or_, select

from ..auth.models import Role, User
from ..platform import clock
from ..platform.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..platform.extensions import db
from ..reference.models import Kommune, Organisation
from . import review_flow
from .assignment import AssignmentError, assign_reviewers
from .models import Assignment, Call, Review, ReviewerConflict, Sketch, SketchStatus, hundredths
from .ranking import review_score
from .services import core_criteria, get_call, get_sketch, is_conflicted, notify_admins, record

S = SketchStatus
REVIEWABLE = (S.ELIGIBLE,)


# ---------------------------------------------------------------------------------------- conflicts


def applicant_organisations() -> list[tuple[Call, list[Organisation]]]:
    """Per unreleased call, the organisations that submitted a sketch (names only, never their sketches):
    the choices of a reviewer's conflict declaration."""
    pairs = set(db.session.execute(select(Sketch.call_id, Sketch.organisation_id).join(Call).where(
        Call.released_at.is_(None), Sketch.submitted_at.is_not(None))))
    calls = {c.id: c for c in db.session.scalars(select(Call).where(Call.id.in_({c for c, _o in pairs})))}
    organisations = {o.id: o for o in db.session.scalars(select(Organisation).where(
        Organisation.id.in_({o for _c, o in pairs})))}
    return [(call, sorted((organisations[o] for c, o in pairs if c == call.id), key=lambda o: o.name))
            for call in sorted(calls.values(), key=lambda c: (-c.closes_at.timestamp(), c.id))]


def conflict_options(actor: User) -> dict:
    """Reviewers choose among the applicant organisations per call, organisations among the reviewers."""
    if actor.role == Role.ORGANISATION:
        return {"calls": [], "reviewers": [{"id": u.id, "name": u.name} for u in reviewers()]}
    return {"reviewers": [], "calls": [{"call_id": call.id, "title": call.title,
                                        "organisations": [{"id": o.id, "name": o.name} for o in organisations]}
                                       for call, organisations in applicant_organisations()]}


def _existing_conflict(reviewer_id: int, **target) -> ReviewerConflict | None:
    statement = select(ReviewerConflict).where(ReviewerConflict.reviewer_id == reviewer_id)
    for name in ("organisation_id", "kommune_id", "sketch_id"):
        column = getattr(ReviewerConflict, name)
        statement = statement.where(column == target[name] if target.get(name) is not None else column.is_(None))
    return db.session.scalar(statement)


def _add_conflict(reviewer_id: int, actor: User, reason: str, **target) -> tuple[ReviewerConflict, bool]:
    """The conflict row (``target``: exactly one of organisation_id, kommune_id, sketch_id); True if new."""
    existing = _existing_conflict(reviewer_id, **target)
    if existing is not None:
        return existing, False
    conflict = ReviewerConflict(reviewer_id=reviewer_id, declared_by_id=actor.id, reason=(reason or "").strip()[:2000],
                                declared_at=clock.now(), **target)
    db.session.add(conflict)
    db.session.flush()
    return conflict, True


def declare_conflict(actor: User, *, organisation_id: int | None = None, kommune_id: int | None = None,
                     reviewer_id: int | None = None, reason: str = "") -> ReviewerConflict:
    """A reviewer declares a conflict with an applicant organisation or a Kommune; an organisation declares
    one with a reviewer. Nothing here tells a reviewer which organisation wrote which sketch (blind review):
    see ``_declare_organisation_conflict``."""
    if actor.role == Role.ORGANISATION:
        return _declare_reviewer_conflict(actor, reviewer_id, reason)
    if actor.role != Role.REVIEWER:
        raise Forbidden("Nur Gutachtende und Träger erklären Interessenkonflikte.")
    if (organisation_id is None) == (kommune_id is None):
        raise ValidationFailed.field("organisation_id", "Bitte genau einen Träger oder eine Kommune angeben.")
    if organisation_id is not None:
        return _declare_organisation_conflict(actor, organisation_id, reason)
    if db.session.get(Kommune, kommune_id) is None:
        raise ValidationFailed.field("kommune_id", "Unbekannte Kommune.")
    conflict, new = _add_conflict(actor.id, actor, reason, kommune_id=kommune_id)
    if not new:
        return conflict
    # the Kommune of a sketch is shown to its reviewers, so removing its assignments reveals nothing new
    removed = []
    for assignment in db.session.scalars(select(Assignment).join(Sketch).join(Call).where(
            Assignment.reviewer_id == actor.id, Call.released_at.is_(None), Sketch.kommune_id == kommune_id)):
        removed.append(_drop_assignment(assignment, actor, "Zu {reference} haben Sie bereits ein Gutachten "
                                        "abgegeben; bitte wenden Sie sich an die Programmverwaltung."))
    db.session.flush()
    record("conflict.declare", "if_conflict", conflict.id, actor,
           after={"kommune_id": kommune_id, "removed_assignments": removed})
    _tell_admins_of_removed(removed, actor)
    return conflict


def _declare_organisation_conflict(actor: User, organisation_id: int, reason: str) -> ReviewerConflict:
    """Only an applicant organisation of an unreleased call may be chosen, and only while the reviewer has
    no assignment in a call that organisation applied to: removing an assignment (or refusing because of a
    submitted review) would tell the reviewer which sketch is that organisation's. The refusal reads the
    same whether or not one of the reviewer's sketches is the organisation's."""
    calls = {call.id for call, organisations in applicant_organisations()
             if any(o.id == organisation_id for o in organisations)}
    if not calls:
        raise ValidationFailed.field("organisation_id", "Bitte einen Träger aus der Liste der antragstellenden "
                                                        "Träger wählen.")
    running = db.session.scalar(select(Assignment.id).join(Sketch).where(
        Assignment.reviewer_id == actor.id, Sketch.call_id.in_(calls)).limit(1))
    if running is not None:
        raise Conflict("In einem Aufruf, in dem dieser Träger eingereicht hat, sind Ihnen bereits Skizzen "
                       "zugeordnet. Erklären Sie Ihre Befangenheit bitte bei der einzelnen Skizze "
                       "(„Befangenheit erklären“ auf der Bewertungsseite) oder wenden Sie sich an die "
                       "Programmverwaltung.")
    conflict, new = _add_conflict(actor.id, actor, reason, organisation_id=organisation_id)
    if new:
        record("conflict.declare", "if_conflict", conflict.id, actor, after={"organisation_id": organisation_id})
    return conflict


def _declare_reviewer_conflict(actor: User, reviewer_id: int | None, reason: str) -> ReviewerConflict:
    """An organisation names a reviewer who must not judge its sketches; only while none of its sketches is
    in review (before the window closes), so that nothing is taken from a running review."""
    if actor.organisation_id is None:
        raise Forbidden("Ihr Zugang ist keinem Träger zugeordnet.")
    reviewer = db.session.get(User, reviewer_id) if reviewer_id is not None else None
    if reviewer is None or reviewer.role != Role.REVIEWER or not reviewer.active:
        raise ValidationFailed.field("reviewer_id", "Bitte eine Gutachterin oder einen Gutachter aus der Liste "
                                                    "wählen.")
    in_review = db.session.scalar(select(Sketch.id).join(Call).where(
        Sketch.organisation_id == actor.organisation_id, Sketch.submitted_at.is_not(None),
        Call.released_at.is_(None), or_(Call.closed_at.is_not(None), Call.closes_at < clock.now())).limit(1))
    if in_review is not None:
        raise Conflict("Eine Ihrer Skizzen ist bereits in der Begutachtung; Befangenheiten können Sie nur bis "
                       "zum Ende der Einreichungsfrist erklären. Bitte wenden Sie sich an die Programmverwaltung.")
    conflict, new = _add_conflict(reviewer.id, actor, reason, organisation_id=actor.organisation_id)
    if new:
        record("conflict.declare_by_organisation", "if_conflict", conflict.id, actor,
               after={"reviewer_id": reviewer.id, "organisation_id": actor.organisation_id})
    return conflict


def recuse(sketch_id: int, actor: User, reason: str = "") -> ReviewerConflict:
    """A reviewer declares itself biased on one of its sketches (it chose the sketch: nothing is revealed);
    the assignment and an unsubmitted draft go, the administrators are told the sketch needs a reviewer."""
    sketch = get_sketch(sketch_id, actor, lock=True)
    if actor.role != Role.REVIEWER:
        raise Forbidden("Nur zugeordnete Gutachtende erklären sich für befangen.")
    _assignable_call(sketch.call)
    assignment = next(a for a in sketch.assignments if a.reviewer_id == actor.id)
    removed = _drop_assignment(assignment, actor, "Zu dieser Skizze haben Sie bereits ein Gutachten abgegeben; "
                                                  "bitte wenden Sie sich an die Programmverwaltung.")
    conflict, _new = _add_conflict(actor.id, actor, reason, sketch_id=sketch.id)
    record("conflict.recuse", "if_conflict", conflict.id, actor, after={"sketch_id": removed})
    _tell_admins_of_removed([removed], actor)
    return conflict


def _drop_assignment(assignment: Assignment, actor: User, refusal: str) -> int:
    """Remove a reviewer's assignment (and its draft) after a conflict; a submitted review is a 409."""
    sketch = assignment.sketch
    review = _review_of(sketch.id, actor.id)
    if review is not None and review.submitted_at is not None:
        raise Conflict(refusal.format(reference=sketch.reference))
    if review is not None:
        db.session.delete(review)
    db.session.delete(assignment)
    return sketch.id


def _tell_admins_of_removed(sketch_ids: list[int], actor: User) -> None:
    for sketch_id in sketch_ids:
        sketch = db.session.get(Sketch, sketch_id)
        notify_admins(f"Innovationsfonds: {sketch.reference} braucht eine weitere Begutachtung",
                      f"{actor.name} hat sich zur Skizze {sketch.reference} „{sketch.title}“ für befangen erklärt. "
                      "Die Zuordnung wurde entfernt; bitte ordnen Sie eine andere Person zu.",
                      link=f"/innovationsfonds/aufrufe/{sketch.call_id}/zuordnung",
                      dedup_key=f"if.recusal:{sketch_id}:r{actor.id}")


def conflicts_of(actor: User) -> list[ReviewerConflict]:
    """The conflicts the actor declared (a reviewer also sees its older rows without a declarer)."""
    if actor.role == Role.ORGANISATION:
        condition = and_(ReviewerConflict.organisation_id == actor.organisation_id,
                         ReviewerConflict.declared_by_id.in_(select(User.id).where(
                             User.organisation_id == actor.organisation_id)))
    else:
        condition = and_(ReviewerConflict.reviewer_id == actor.id,
                         or_(ReviewerConflict.declared_by_id == actor.id, ReviewerConflict.declared_by_id.is_(None)))
    return list(db.session.scalars(select(ReviewerConflict).where(condition).order_by(ReviewerConflict.id)))


def conflict_pairs(sketches: list[Sketch], reviewer_ids: list[int]) -> set[tuple[int, int]]:
    by_org: dict[int, set[int]] = defaultdict(set)
    by_kommune: dict[int, set[int]] = defaultdict(set)
    by_sketch: dict[int, set[int]] = defaultdict(set)
    for c in db.session.scalars(select(ReviewerConflict).where(ReviewerConflict.reviewer_id.in_(reviewer_ids))):
        if c.organisation_id is not None:
            by_org[c.organisation_id].add(c.reviewer_id)
        elif c.kommune_id is not None:
            by_kommune[c.kommune_id].add(c.reviewer_id)
        else:
            by_sketch[c.sketch_id].add(c.reviewer_id)
    pairs = set()
    for sketch in sketches:
        for reviewer_id in (by_org.get(sketch.organisation_id, set()) | by_kommune.get(sketch.kommune_id, set())
                            | by_sketch.get(sketch.id, set())):
            pairs.add((sketch.id, reviewer_id))
    return pairs


# ---------------------------------------------------------------------------------------- assignment


def reviewers() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == Role.REVIEWER, User.active.is_(True))
                                   .order_by(User.id)))


def _assignable_call(call: Call) -> None:
    if call.closed_at is None:
        raise Conflict("Gutachtende können erst nach Ende der Einreichungsfrist zugeordnet werden.")
    if call.decision_fixed:
        raise Conflict("Die Auswahl ist bereits beschlossen; Zuordnungen sind fest.")


def auto_assign(call_id: int, actor: User) -> dict:
    """Give every eligible sketch the call's number of reviewers: balanced, conflict-free, existing kept."""
    call = get_call(call_id, lock=True)
    _assignable_call(call)
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
    _assignable_call(sketch.call)
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
    _assignable_call(sketch.call)
    assignment = next((a for a in sketch.assignments if a.reviewer_id == reviewer_id), None)
    if assignment is None:
        raise NotFound("Zuordnung nicht gefunden.")
    review = _review_of(sketch.id, reviewer_id)
    if review is not None and review.submitted_at is not None:
        raise Conflict("Das Gutachten ist bereits abgegeben; die Zuordnung bleibt bestehen.")
    if review is not None:
        db.session.delete(review)
    sketch.assignments.remove(assignment)
    db.session.flush()
    record("assignment.remove", "if_sketch", sketch.id, actor, before={"reviewer_id": reviewer_id})


# ---------------------------------------------------------------------------------------- reviews


def _review_of(sketch_id: int, reviewer_id: int) -> Review | None:
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


MAX_COMMENT = 20000


def _check_comment(comment: str | None) -> None:
    if len(comment or "") > MAX_COMMENT:
        raise ValidationFailed.field("comment", "Der Kommentar ist zu lang (höchstens 20.000 Zeichen).")


def get_own_review(sketch_id: int, actor: User) -> Review | None:
    get_sketch(sketch_id, actor)
    return _review_of(sketch_id, actor.id)


def save_review(sketch_id: int, actor: User, marks: dict, comment: str) -> Review:
    """Save marks and comment (a draft; partial marks allowed)."""
    sketch = get_sketch(sketch_id, actor, lock=True)
    _reviewable(sketch, actor)
    review = _review_of(sketch.id, actor.id)
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
    review = _review_of(sketch.id, actor.id)
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
    record("review.revise" if revision else "review.submit", "if_review", review.id, actor,
           after={"sketch_id": sketch.id, "score": str(score)})
    return review


def visible_reviews(sketch_id: int, actor: User) -> list[Review]:
    """All submitted reviews of a sketch: for staff, and for a reviewer only after its own submission."""
    sketch = get_sketch(sketch_id, actor)
    if actor.role == Role.REVIEWER:
        own = _review_of(sketch.id, actor.id)
        if own is None or own.submitted_at is None:
            raise Forbidden("Die anderen Gutachten sehen Sie erst, nachdem Sie Ihr eigenes abgegeben haben.")
    elif actor.role == Role.ORGANISATION:
        raise Forbidden("Gutachten sind für Träger nicht einsehbar.")
    return [r for r in sketch.reviews if r.submitted_at is not None]


def my_assignments(actor: User, call_id: int | None = None) -> list[dict]:
    """The reviewer's assignments with the state of its own review (hidden: conflicted ones)."""
    statement = select(Assignment).join(Sketch).where(Assignment.reviewer_id == actor.id).order_by(
        Sketch.call_id.desc(), Sketch.id)
    if call_id is not None:
        statement = statement.where(Sketch.call_id == call_id)
    items = []
    for assignment in db.session.scalars(statement):
        sketch = assignment.sketch
        if is_conflicted(actor.id, sketch):
            continue
        review = _review_of(sketch.id, actor.id)
        items.append({"sketch": sketch, "review": review,
                      "state": "submitted" if review and review.submitted_at else ("draft" if review else "open")})
    return items


def progress(items: list[dict]) -> dict:
    done = sum(1 for i in items if i["state"] == "submitted")
    return {"assigned": len(items), "submitted": done, "open": len(items) - done}


def pending_reviews(call: Call) -> list[tuple[User, int]]:
    """Reviewers with unsubmitted reviews in the call, and how many (for reminders)."""
    counts: dict[int, int] = defaultdict(int)
    users: dict[int, User] = {}
    for assignment in db.session.scalars(select(Assignment).join(Sketch).where(
            Sketch.call_id == call.id, Sketch.status.in_(REVIEWABLE))):
        review = _review_of(assignment.sketch_id, assignment.reviewer_id)
        if review is None or review.submitted_at is None:
            counts[assignment.reviewer_id] += 1
            users[assignment.reviewer_id] = assignment.reviewer
    return [(users[i], n) for i, n in sorted(counts.items())]


def review_deadline_days(call: Call, day: date) -> int:
    return (call.review_deadline - day).days

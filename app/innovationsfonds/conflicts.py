"""Conflicts of interest: declared by a reviewer (with an applicant organisation or a Kommune, for every call)
or by an organisation (with a reviewer, until its sketches are in review); a reviewer's recusal from one
sketch. A new conflict removes the reviewer's open assignments it touches (with an unsubmitted review); a
submitted review on a now-conflicted sketch blocks the declaration (409): an administrator must remove that
assignment consciously. Blind review stays blind (docs/innovationsfonds.md, "Conflicts keep the review blind")."""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from ..auth.models import Role, User
from ..platform import clock
from ..platform.errors import Conflict, Forbidden, ValidationFailed
from ..platform.extensions import db
from ..reference.models import Kommune, Organisation
from .access import get_sketch, notify_admins, record
from .models import Assignment, Call, ReviewerConflict, Sketch
from .reviewing import assignable_call, review_of, reviewers


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
    assignable_call(sketch.call)
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
    review = review_of(sketch.id, actor.id)
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

"""Innovationsfonds reviewing, the people around it: revisions of submitted reviews, the desk officer's
list of open and overdue reviews with a reminder, under-staffed sketches, and the message to a reviewer
about new assignments.

* **Revision** (decision, issue #20): a submitted review is revised by submitting it again — complete,
  scored at once — until the end of the review deadline (Berlin day, settable clock) and while no decision
  is fixed (``reviewing._reviewable``). The replaced version is kept as a ``ReviewRevision`` and the change
  audited (``review.revise``). There is no "draft of a revision": a submitted review never drops out of
  the ranking while it is being reconsidered.
* **Open reviews**: every assignment of an eligible sketch without a submitted review; after the review
  deadline they are overdue. The reminder (``remind_open``) goes to each reviewer with open reviews, at most
  once a day per call (dedup key with the day), and is audited.
* **Under-staffed**: an eligible sketch with fewer assigned reviewers than the call asks for (after a recusal,
  a conflict, a deactivated reviewer or a manual removal).
* **New assignments** are told to the reviewer (kind ``innovationsfonds.assignment``) with the sketch numbers
  and titles only — never the organisation (blind review).
"""

from __future__ import annotations

from collections import defaultdict

from flask_babel import lazy_gettext
from sqlalchemy import select

from ..auth.models import User
from ..notifications.kinds import declare_kind
from ..notifications.services import remind
from ..platform import clock
from ..platform.errors import Conflict
from ..platform.extensions import db
from .models import Assignment, Call, Review, ReviewRevision, Sketch, SketchStatus
from .services import get_call, record

ASSIGNMENT_NOTICE = declare_kind(
    "innovationsfonds.assignment", lazy_gettext("Innovationsfonds: neue Skizzen zur Begutachtung"),
    roles={"reviewer"}, description=lazy_gettext("Ihnen wurden Projektskizzen zur Begutachtung zugeordnet."))
OPEN_REMINDER = declare_kind(
    "innovationsfonds.review_overdue", lazy_gettext("Innovationsfonds: Erinnerung der Programmverwaltung"),
    roles={"reviewer"}, mandatory=True,
    description=lazy_gettext("Die Programmverwaltung erinnert an offene oder überfällige Gutachten."))


def keep_revision(review: Review, call: Call) -> None:
    """Before a submitted review is replaced: refuse after the review deadline, else keep the old version."""
    if clock.today() > call.review_deadline:
        raise Conflict(f"Die Begutachtungsfrist ist am {call.review_deadline:%d.%m.%Y} abgelaufen; das abgegebene "
                       "Gutachten kann nicht mehr überarbeitet werden.")
    db.session.add(ReviewRevision(review_id=review.id, marks=dict(review.marks), comment=review.comment,
                                  score=review.score, submitted_at=review.submitted_at, replaced_at=clock.now()))


def revisions_of(review: Review) -> list[ReviewRevision]:
    return list(db.session.scalars(select(ReviewRevision).where(ReviewRevision.review_id == review.id)
                                   .order_by(ReviewRevision.id)))


def revisable(review: Review | None, call: Call) -> bool:
    """The review page offers "überarbeiten": submitted, deadline not passed, no decision fixed."""
    return (review is not None and review.submitted_at is not None and clock.today() <= call.review_deadline
            and not call.decision_fixed)


def open_reviews(call: Call) -> list[dict]:
    """Assignments of eligible sketches without a submitted review: reviewer, sketch, draft or not."""
    reviews = {(r.sketch_id, r.reviewer_id): r for r in db.session.scalars(
        select(Review).join(Sketch).where(Sketch.call_id == call.id))}
    rows = []
    for assignment in db.session.scalars(select(Assignment).join(Sketch).where(
            Sketch.call_id == call.id, Sketch.status == SketchStatus.ELIGIBLE).order_by(Sketch.number, Assignment.id)):
        review = reviews.get((assignment.sketch_id, assignment.reviewer_id))
        if review is None or review.submitted_at is None:
            rows.append({"reviewer": assignment.reviewer, "sketch": assignment.sketch, "draft": review is not None,
                         "assigned_at": assignment.assigned_at})
    return rows


def overdue(call: Call) -> bool:
    return clock.today() > call.review_deadline


def understaffed(call: Call) -> list[tuple[Sketch, int]]:
    """Eligible sketches with fewer reviewers than ``call.reviewers_per_sketch``, with their count."""
    return [(s, len(s.assignments)) for s in call.sketches
            if s.status == SketchStatus.ELIGIBLE and len(s.assignments) < call.reviewers_per_sketch]


def remind_open(call_id: int, actor: User) -> int:
    """Remind every reviewer with open reviews in the call (once a day per call); returns how many were told."""
    call = get_call(call_id)
    if call.closed_at is None or call.decision_fixed:
        raise Conflict("Erinnerungen sind nur während der Begutachtung möglich.")
    pending: dict[int, list[Sketch]] = defaultdict(list)
    reviewers: dict[int, User] = {}
    for row in open_reviews(call):
        pending[row["reviewer"].id].append(row["sketch"])
        reviewers[row["reviewer"].id] = row["reviewer"]
    day, late = clock.today(), overdue(call)
    told = []
    for reviewer_id, sketches in sorted(pending.items()):
        subject = (f"Überfällig: {len(sketches)} Gutachten (Frist {call.review_deadline:%d.%m.%Y})" if late
                   else f"Erinnerung: {len(sketches)} Gutachten bis {call.review_deadline:%d.%m.%Y}")
        if remind([reviewers[reviewer_id]], OPEN_REMINDER, "emails/innovationsfonds_review_open.txt",
                  subject=subject, link="/innovationsfonds/gutachten", dedup_key=f"if.open:{call.id}:{day.isoformat()}",
                  call=call, sketches=sketches, late=late):
            told.append(reviewer_id)
    record("review.remind", "if_call", call.id, actor, after={"reviewers": told, "day": day.isoformat()})
    return len(told)


def tell_assigned(new: dict[int, list[Sketch]]) -> None:
    """Tell each reviewer of its new assignments ({reviewer id: sketches}); sketch numbers and titles only."""
    for reviewer_id, sketches in new.items():
        reviewer = db.session.get(User, reviewer_id)
        call = sketches[0].call
        remind([reviewer], ASSIGNMENT_NOTICE, "emails/innovationsfonds_assigned.txt",
               subject=f"Neue Skizzen zur Begutachtung: {len(sketches)} im Aufruf „{call.title}“"[:200],
               link="/innovationsfonds/gutachten",
               dedup_key=f"if.assigned:{call.id}:" + ",".join(str(s.id) for s in sketches),
               call=call, sketches=sketches)

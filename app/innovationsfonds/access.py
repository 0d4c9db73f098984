"""What every Innovationsfonds use case needs: loading calls and sketches with the access rules
(another organisation's sketch, an unassigned or conflicted reviewer: 404), the lists each role may
see, the audit entry and the notices to the programme administrators."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask_babel import lazy_gettext
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from ..auth.models import Role, User
from ..notifications.kinds import declare_kind
from ..notifications.services import notify_role
from ..platform import audit
from ..platform.database import lock_for_update
from ..platform.errors import NotFound
from ..platform.extensions import db
from .core.scoring import Criterion as CoreCriterion
from .models import (
    Assignment,
    Call,
    ReviewerConflict,
    Sketch,
    SketchStatus,
)

STAFF_ROLES = (Role.PROGRAMME_ADMIN, Role.FINANCE, Role.AUDITOR)
SKETCH_FIELDS = ("title", "summary", "target_group", "age_min", "age_max", "planned_participants", "planned_women",
                 "kommune_id", "start_date", "end_date", "requested_cents", "total_cost_cents")

ADMIN_NOTICE = declare_kind(
    "innovationsfonds.admin_notice", lazy_gettext("Innovationsfonds: Hinweise zur laufenden Runde"),
    roles={"programme_admin"},
    description=lazy_gettext("Nachrücken von der Warteliste, Änderungen an einer vorgemerkten Entscheidung, "
                             "Befangenheitserklärungen."))


def notify_admins(subject: str, body: str, *, link: str, dedup_key: str) -> None:
    """Tell every programme administrator (inbox/e-mail per preference) about a change in a round."""
    notify_role(["programme_admin"], ADMIN_NOTICE, "emails/innovationsfonds_message.txt", subject=subject,
                link=link, dedup_key=dedup_key, body=body)


def record(action: str, object_type: str, object_id: Any, actor: User | None = None, *,
           actor_label: str | None = None, before: dict | None = None, after: dict | None = None) -> None:
    audit.record(f"innovationsfonds.{action}", object_type, object_id, before=before, after=after, actor=actor,
                 actor_label=actor_label)


def get_call(call_id: int, *, lock: bool = False) -> Call:
    statement = select(Call).where(Call.id == call_id)
    if lock:
        statement = lock_for_update(statement).execution_options(populate_existing=True)
    call = db.session.scalar(statement)
    if call is None:
        raise NotFound("Aufruf nicht gefunden.")
    return call


def calls_select() -> Select:
    return select(Call).order_by(Call.closes_at.desc(), Call.id.desc())


def core_criteria(call: Call) -> list[CoreCriterion]:
    return [CoreCriterion(c.key, c.weight, c.scale_min, c.scale_max) for c in call.criteria]


# ---------------------------------------------------------------------------------------- access


def is_conflicted(reviewer_id: int, sketch: Sketch) -> bool:
    """Whether the reviewer has a conflict with the sketch's organisation or Kommune, or recused from it."""
    condition = or_(ReviewerConflict.organisation_id == sketch.organisation_id, ReviewerConflict.sketch_id == sketch.id)
    if sketch.kommune_id is not None:
        condition = or_(condition, ReviewerConflict.kommune_id == sketch.kommune_id)
    return db.session.scalar(select(ReviewerConflict.id).where(
        ReviewerConflict.reviewer_id == reviewer_id, condition).limit(1)) is not None


def is_assigned(reviewer_id: int, sketch: Sketch) -> bool:
    return db.session.scalar(select(Assignment.id).where(Assignment.sketch_id == sketch.id,
                                                         Assignment.reviewer_id == reviewer_id)) is not None


def ensure_sketch_access(actor: User, sketch: Sketch | None) -> Sketch:
    """404 for a missing sketch, another organisation's, or one the reviewer is not (conflict-free) assigned to."""
    if sketch is None:
        raise NotFound("Projektskizze nicht gefunden.")
    if actor.role == Role.ORGANISATION:
        if sketch.organisation_id != actor.organisation_id:
            raise NotFound("Projektskizze nicht gefunden.")
    elif actor.role == Role.REVIEWER:
        if not is_assigned(actor.id, sketch) or is_conflicted(actor.id, sketch):
            raise NotFound("Projektskizze nicht gefunden.")
    elif actor.role not in STAFF_ROLES:
        raise NotFound("Projektskizze nicht gefunden.")
    return sketch


def get_sketch(sketch_id: int, actor: User, *, lock: bool = False) -> Sketch:
    statement = select(Sketch).where(Sketch.id == sketch_id)
    if lock:
        statement = lock_for_update(statement).execution_options(populate_existing=True)
    return ensure_sketch_access(actor, db.session.scalar(statement))


def sketches_select(actor: User, *, call_id: int | None = None, status: str | None = None) -> Select:
    """Sketches the actor may list: organisations their own, staff all (reviewers use their assignments)."""
    statement = select(Sketch).order_by(Sketch.call_id.desc(), Sketch.id)
    if actor.role == Role.ORGANISATION:
        statement = statement.where(Sketch.organisation_id == actor.organisation_id)
    elif actor.role not in STAFF_ROLES:
        statement = statement.where(Sketch.id.is_(None))
    if call_id is not None:
        statement = statement.where(Sketch.call_id == call_id)
    if status:
        statement = statement.where(Sketch.status == SketchStatus(status))
    return statement


def submitted_sketches(call: Call) -> list[Sketch]:
    """The call's submitted sketches (the call page and its export), their organisations in one more query
    instead of one per organisation."""
    return list(db.session.scalars(select(Sketch).where(Sketch.call_id == call.id, Sketch.submitted_at.is_not(None))
                                   .options(selectinload(Sketch.organisation)).order_by(Sketch.id)))


def sketch_snapshot(sketch: Sketch) -> dict:
    data = {name: getattr(sketch, name) for name in SKETCH_FIELDS}
    data.update(status=sketch.status, eligibility_reason=sketch.eligibility_reason)
    return data


def conflict_pairs(sketches: list[Sketch], reviewer_ids: list[int]) -> set[tuple[int, int]]:
    """The (sketch, reviewer) pairs a conflict of interest excludes (organisation, Kommune or recusal)."""
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

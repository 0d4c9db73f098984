"""Innovationsfonds use cases, part 1: calls, sketches (drafts, submission window, withdrawal),
PDF attachments and eligibility. Reviewing lives in ``reviewing.py``, ranking/selection/decisions
in ``selection.py``, funded projects in ``projects.py``.

Each state change loads its object (with a row lock where it checks a limit), checks access
(another organisation's sketch, an unassigned or conflicted reviewer: 404), asks
``workflow.next_status`` (403/409), changes rows, writes an audit entry and flushes; the edge commits.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext
from sqlalchemy import Select, func, or_, select

from ..auth.models import Role, User
from ..notifications.kinds import declare_kind
from ..notifications.services import notify_role
from ..platform import audit, clock
from ..platform.database import lock_for_update, sum_cents
from ..platform.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..platform.extensions import db
from ..platform.formatting import format_datetime
from ..platform.money import format_eur
from ..reference.models import ORGANISATION_KINDS, Kommune, Programme
from . import receipts
from .models import (
    PROMOTION_DAYS_DEFAULT,
    TARGET_GROUPS,
    Assignment,
    Attachment,
    Call,
    Criterion,
    ReviewerConflict,
    SelectionRule,
    Sketch,
    SketchStatus,
    hundredths,
)
from .ranking import Criterion as CoreCriterion
from .workflow import next_status

S = SketchStatus
STAFF_ROLES = (Role.PROGRAMME_ADMIN, Role.FINANCE, Role.AUDITOR)
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
TEXT_LIMITS = {"title": 200, "summary": 20000}  # sketch texts (the API schema has the same limits)
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


# ---------------------------------------------------------------------------------------- calls


def call_snapshot(call: Call) -> dict:
    return {"title": call.title, "budget_cents": call.budget_cents, "opens_at": call.opens_at,
            "closes_at": call.closes_at, "max_per_project_cents": call.max_per_project_cents,
            "selection_rule": call.selection_rule, "min_score": call.min_score,
            "discrepancy_threshold": call.discrepancy_threshold, "reviewers_per_sketch": call.reviewers_per_sketch,
            "reviewers_see_names": call.reviewers_see_names, "eligible_kinds": call.eligible_kinds,
            "target_groups": call.target_groups, "group_minimums": call.group_minimums,
            "full_application_deadline": call.full_application_deadline,
            "full_application_days_after_promotion": call.full_application_days_after_promotion,
            "waiting_list_limit": call.waiting_list_limit,
            "criteria": [{"key": c.key, "weight": c.weight, "scale": [c.scale_min, c.scale_max]}
                         for c in call.criteria]}


def _validate_call(programme: Programme, data: dict, call: Call | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data["opens_at"] >= data["closes_at"]:
        add("closes_at", "Das Fristende muss nach dem Beginn der Einreichung liegen.")
    closing_day = data["closes_at"].astimezone(clock.BERLIN).date()
    if data["review_deadline"] <= closing_day:
        add("review_deadline", f"Die Begutachtungsfrist muss nach dem Ende der Einreichung "
                               f"({closing_day:%d.%m.%Y}) liegen.")
    if data["full_application_deadline"] < data["review_deadline"]:
        add("full_application_deadline", "Die Frist für Vollanträge darf nicht vor der Begutachtungsfrist liegen.")
    if data["project_start"] > data["project_end"]:
        add("project_end", "Das Ende des Projektzeitraums muss nach dem Beginn liegen.")
    if data["project_start"] < programme.start_date or data["project_end"] > programme.last_expense_date:
        add("project_end", f"Der Projektzeitraum muss im Programmzeitraum liegen "
                           f"({programme.start_date:%d.%m.%Y}–{programme.last_expense_date:%d.%m.%Y}).")
    if not 1 <= data.get("full_application_days_after_promotion", PROMOTION_DAYS_DEFAULT) <= 365:
        add("full_application_days_after_promotion", "Bitte 1 bis 365 Tage angeben.")
    if not 0 <= (data.get("waiting_list_limit") or 0) <= 10000:
        add("waiting_list_limit", "Bitte 0 bis 10000 Plätze angeben (leer: unbegrenzt).")
    if data["budget_cents"] <= 0:
        add("budget", "Das Budget muss größer als 0 sein.")
    others = db.session.scalar(select(sum_cents(Call.budget_cents)).where(
        Call.programme_id == programme.id, Call.id != (call.id if call else -1)))
    if others + data["budget_cents"] > programme.innovationsfonds_cents:
        add("budget", f"Die Budgets aller Aufrufe übersteigen den Innovationsfonds "
                      f"({format_eur(programme.innovationsfonds_cents)}; andere Aufrufe: {format_eur(others)}).")
    if not 0 < data["max_per_project_cents"] <= data["budget_cents"]:
        add("max_per_project", "Der Höchstbetrag je Projekt muss größer als 0 und höchstens das Budget sein.")
    unknown_kinds = sorted(set(data["eligible_kinds"]) - set(ORGANISATION_KINDS))
    if not data["eligible_kinds"] or unknown_kinds:
        add("eligible_kinds", "Bitte mindestens eine bekannte Trägerart wählen" +
            (f" (unbekannt: {', '.join(unknown_kinds)})." if unknown_kinds else "."))
    if not data["target_groups"] or set(data["target_groups"]) - set(TARGET_GROUPS):
        add("target_groups", "Bitte „primary“ und/oder „secondary“ angeben.")
    criteria = data.get("criteria") or []
    if not criteria:
        add("criteria", "Bitte mindestens ein Bewertungskriterium angeben.")
    keys = [c["key"] for c in criteria]
    if len(set(keys)) != len(keys):
        add("criteria", "Die Schlüssel der Kriterien müssen eindeutig sein.")
    for c in criteria:
        try:
            CoreCriterion(c["key"], c["weight"], c["scale_min"], c["scale_max"])
        except (TypeError, ValueError) as bad:
            add("criteria", str(bad))
    for group, minimum in (data.get("group_minimums") or {}).items():
        if not (group.startswith("region:") or group.startswith("target:")) or not isinstance(minimum, int) \
                or isinstance(minimum, bool) or minimum < 0:
            add("group_minimums", f"„{group}“: Gruppe „region:<Regierungsbezirk>“ oder „target:<Zielgruppe>“ "
                                  "mit einer ganzen Zahl ≥ 0.")
    return errors


def regions() -> list[str]:
    """The Regierungsbezirke of the Kommunen (the ``region:`` groups of group minimums)."""
    return list(db.session.scalars(select(Kommune.regierungsbezirk).distinct().order_by(Kommune.regierungsbezirk)))


def _check_group_names(data: dict) -> list[str]:
    known = {f"region:{r}" for r in regions()} | {f"target:{t}" for t in TARGET_GROUPS}
    return [f"„{group}“ ist keine bekannte Gruppe (bekannt: {', '.join(sorted(known))})."
            for group in (data.get("group_minimums") or {})
            if group.startswith(("region:", "target:")) and group not in known]


def _apply_call(call: Call, data: dict, *, criteria_locked: bool) -> None:
    for name in ("title", "description", "budget_cents", "opens_at", "closes_at", "review_deadline",
                 "full_application_deadline", "full_application_days_after_promotion", "waiting_list_limit",
                 "max_per_project_cents", "eligible_kinds", "target_groups", "project_start", "project_end",
                 "funding_rate_bp", "reviewers_per_sketch", "reviewers_see_names",
                 "show_scores_to_rejected", "group_minimums"):
        if name in data:
            setattr(call, name, data[name])
    call.selection_rule = SelectionRule(data["selection_rule"])
    call.min_score = hundredths(data.get("min_score"))
    call.discrepancy_threshold = hundredths(data["discrepancy_threshold"])
    if criteria_locked:  # wording may still change, keys, weights and scales not (checked by the caller)
        for criterion, c in zip(call.criteria, data["criteria"], strict=True):
            criterion.name, criterion.description = c["name"], c.get("description", "")
        return
    call.criteria.clear()
    db.session.flush()
    for position, c in enumerate(data["criteria"]):
        call.criteria.append(Criterion(key=c["key"], name=c["name"], description=c.get("description", ""),
                                       weight=c["weight"], scale_min=c["scale_min"], scale_max=c["scale_max"],
                                       position=position))


def create_call(actor: User, programme: Programme, data: dict) -> Call:
    """Set up a call (Stichtag) with its rules and criteria."""
    errors = _validate_call(programme, data, None)
    if group_errors := _check_group_names(data):
        errors.setdefault("group_minimums", []).extend(group_errors)
    if errors:
        raise ValidationFailed("Der Aufruf enthält ungültige Angaben.", errors=errors)
    call = Call(programme_id=programme.id, created_at=clock.now(), title=data["title"],
                selection_rule=SelectionRule(data["selection_rule"]))
    _apply_call(call, data, criteria_locked=False)
    db.session.add(call)
    db.session.flush()
    record("call.create", "if_call", call.id, actor, after=call_snapshot(call))
    return call


# When which call fields freeze (docs/innovationsfonds.md, "Editing a call"): once the window opened,
# applicants rely on the eligibility rules; once it closed, on the window; once reviewers are
# assigned, the scoring rules are running; once a decision is staged, the selection rules produced
# it, and its staged messages name the full-application deadline (the invitations) and the days a
# promoted sketch gets (the waiting list). Wording (title, description, criterion names), the review
# deadline, the discrepancy threshold (a flag, no decision) and the names shown in messages stay
# editable until the release; after the release nothing changes.
FIELD_LOCKS = (
    ("opened", "Die Einreichung hat begonnen; Antragstellende verlassen sich auf diese Regel.",
     ("opens_at", "eligible_kinds", "target_groups", "max_per_project_cents", "project_start", "project_end",
      "funding_rate_bp")),
    ("closed", "Die Einreichungsfrist ist abgelaufen.", ("closes_at",)),
    ("assigned", "Die Begutachtung läuft; Kriterien, Gewichte, Skalen und Gutachtende je Skizze sind fest.",
     ("criteria", "reviewers_per_sketch", "reviewers_see_names")),
    ("staged", "Eine Entscheidung ist vorgemerkt; sie beruht auf diesen Auswahlregeln.",
     ("budget_cents", "selection_rule", "min_score", "group_minimums", "waiting_list_limit")),
    ("staged", "Eine Entscheidung ist vorgemerkt; die vorbereiteten Nachrichten nennen die Vollantragsfristen.",
     ("full_application_deadline", "full_application_days_after_promotion")),
)
# data key -> field name in the API's CallIn (problem+json ``errors``)
API_FIELD = {"budget_cents": "budget", "max_per_project_cents": "max_per_project"}


def call_locks(call: Call) -> dict[str, str]:
    """Data field -> why it can no longer change (empty before the window opens)."""
    now = clock.now()
    assigned = db.session.scalar(select(func.count()).select_from(Assignment).join(Sketch).where(
        Sketch.call_id == call.id)) > 0
    states = {"opened": now >= call.opens_at, "closed": call.closed_at is not None or now > call.closes_at,
              "assigned": assigned, "staged": call.decision_staged_at is not None}
    return {name: reason for state, reason, names in FIELD_LOCKS if states[state] for name in names}


def call_values(call: Call) -> dict:
    """The call as complete update data (the shape ``update_call`` takes)."""
    values = {name: getattr(call, name) for _state, _reason, names in FIELD_LOCKS for name in names
              if name not in ("criteria", "min_score", "selection_rule")}
    values.update({name: getattr(call, name) for name in ("title", "description", "review_deadline",
                                                          "show_scores_to_rejected")})
    values.update(selection_rule=call.selection_rule.value, min_score=call.min_score_points,
                  discrepancy_threshold=call.threshold_points,
                  criteria=[{"key": c.key, "name": c.name, "description": c.description, "weight": c.weight,
                             "scale_min": c.scale_min, "scale_max": c.scale_max} for c in call.criteria])
    return values


def set_group_minimums(call_id: int, actor: User, minimums: dict[str, int]) -> Call:
    """Only the group minimums (from the selection page); the same checks and locks as ``update_call``."""
    return update_call(call_id, actor, {**call_values(get_call(call_id)), "group_minimums": minimums})


def _comparable(name: str, value):
    if name == "criteria":
        return [(c["key"], c["weight"], c["scale_min"], c["scale_max"]) for c in value]
    if name in ("eligible_kinds", "target_groups"):
        return sorted(value)
    if name == "group_minimums":
        return value or {}
    return value


def update_call(call_id: int, actor: User, data: dict) -> Call:
    """Change a call's rules; a change of a field frozen by ``call_locks`` is refused naming the field."""
    call = get_call(call_id, lock=True)
    if call.released_at is not None:
        raise Conflict("Die Entscheidung zu diesem Aufruf ist freigegeben; er kann nicht mehr geändert werden.")
    errors = _validate_call(call.programme, data, call)
    if group_errors := _check_group_names(data):
        errors.setdefault("group_minimums", []).extend(group_errors)
    current = call_values(call)
    locks = call_locks(call)
    for name, reason in locks.items():
        if name in data and _comparable(name, data[name]) != _comparable(name, current[name]):
            errors.setdefault(API_FIELD.get(name, name), []).append(f"Nicht mehr änderbar: {reason}")
    if "closes_at" not in locks and call.opens_at <= clock.now() and data["closes_at"] < clock.now():
        errors.setdefault("closes_at", []).append("Eine laufende Einreichungsfrist kann nicht in die Vergangenheit "
                                                  "gelegt werden.")
    if errors:
        raise ValidationFailed("Der Aufruf enthält ungültige Angaben.", errors=errors)
    before = call_snapshot(call)
    _apply_call(call, data, criteria_locked="criteria" in locks)
    db.session.flush()
    record("call.update", "if_call", call.id, actor, before=before, after=call_snapshot(call))
    return call


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


# ---------------------------------------------------------------------------------------- sketches


def sketch_snapshot(sketch: Sketch) -> dict:
    data = {name: getattr(sketch, name) for name in SKETCH_FIELDS}
    data.update(status=sketch.status, eligibility_reason=sketch.eligibility_reason)
    return data


def _check_content(call: Call, data: dict) -> dict[str, list[str]]:
    """Plausibility of sketch content (drafts and submission); eligibility rules are checked later."""
    errors: dict[str, list[str]] = {}
    if data.get("target_group") not in (None, *TARGET_GROUPS):
        errors["target_group"] = ["Bitte „primary“ oder „secondary“ wählen."]
    if data.get("planned_women") is not None and data.get("planned_participants") is not None \
            and data["planned_women"] > data["planned_participants"]:
        errors["planned_women"] = ["Es können nicht mehr Frauen als Teilnehmende geplant sein."]
    if data.get("age_min") is not None and data.get("age_max") is not None and data["age_min"] > data["age_max"]:
        errors["age_max"] = ["Das Höchstalter muss mindestens das Mindestalter sein."]
    if data.get("start_date") and data.get("end_date") and data["start_date"] > data["end_date"]:
        errors["end_date"] = ["Das Projektende muss nach dem Projektbeginn liegen."]
    if data.get("kommune_id") is not None and db.session.get(Kommune, data["kommune_id"]) is None:
        errors["kommune_id"] = ["Unbekannte Kommune."]
    for name, limit in TEXT_LIMITS.items():
        if len(data.get(name) or "") > limit:
            errors.setdefault(name, []).append(f"Höchstens {limit:,} Zeichen.".replace(",", "."))
    return errors


def _complete(sketch: Sketch) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    required = {"title": "Bitte einen Titel angeben.", "summary": "Bitte eine Kurzbeschreibung angeben.",
                "kommune_id": "Bitte den Standort (Kommune) angeben.", "start_date": "Bitte den Projektbeginn angeben.",
                "end_date": "Bitte das Projektende angeben."}
    for name, message in required.items():
        value = getattr(sketch, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[name] = [message]
    if sketch.requested_cents <= 0:
        errors["requested"] = ["Bitte den beantragten Betrag angeben."]
    if sketch.total_cost_cents < sketch.requested_cents:
        errors["total_cost"] = ["Die Gesamtkosten müssen mindestens den beantragten Betrag erreichen."]
    if sketch.planned_participants <= 0:
        errors["planned_participants"] = ["Bitte die geplante Zahl der Teilnehmenden angeben."]
    return errors


def _open_for_drafts(call: Call, now: datetime) -> None:
    if call.closed_at is not None or now > call.closes_at:
        raise Conflict(f"Die Einreichungsfrist dieses Aufrufs ist am {format_datetime(call.closes_at)} Uhr "
                       "abgelaufen; Skizzen können nicht mehr angelegt oder geändert werden.")


def create_sketch(actor: User, call_id: int, data: dict) -> Sketch:
    """Start a draft sketch of the actor's organisation."""
    if actor.role != Role.ORGANISATION or actor.organisation_id is None:
        raise Forbidden("Nur Träger können Projektskizzen anlegen.")
    call = get_call(call_id, lock=True)  # serialises the sketch numbers of the call
    _open_for_drafts(call, clock.now())
    errors = _check_content(call, data)
    if not (data.get("title") or "").strip():
        errors.setdefault("title", []).append("Bitte einen Titel angeben.")
    if errors:
        raise ValidationFailed("Die Skizze enthält ungültige Angaben.", errors=errors)
    number = (db.session.scalar(select(func.max(Sketch.number)).where(Sketch.call_id == call.id)) or 0) + 1
    sketch = Sketch(call_id=call.id, number=number, organisation_id=actor.organisation_id, created_at=clock.now(),
                    created_by_id=actor.id, status=S.DRAFT, title=data["title"].strip())
    for name in SKETCH_FIELDS:
        if data.get(name) is not None:
            setattr(sketch, name, data[name])
    db.session.add(sketch)
    db.session.flush()
    record("sketch.create", "if_sketch", sketch.id, actor, after=sketch_snapshot(sketch))
    return sketch


def update_sketch(sketch_id: int, actor: User, data: dict) -> Sketch:
    """Change a draft (only inside the call's open period)."""
    sketch = get_sketch(sketch_id, actor, lock=True)
    next_status(sketch.status, "edit", actor)
    _open_for_drafts(sketch.call, clock.now())
    merged = {**sketch_snapshot(sketch), **{k: v for k, v in data.items() if v is not None}}
    errors = _check_content(sketch.call, merged)
    if "title" in data and not (data["title"] or "").strip():
        errors.setdefault("title", []).append("Bitte einen Titel angeben.")
    if errors:
        raise ValidationFailed("Die Skizze enthält ungültige Angaben.", errors=errors)
    before = sketch_snapshot(sketch)
    for name in SKETCH_FIELDS:
        if name in data and data[name] is not None:
            setattr(sketch, name, data[name].strip() if isinstance(data[name], str) else data[name])
    db.session.flush()
    record("sketch.update", "if_sketch", sketch.id, actor, before=before, after=sketch_snapshot(sketch))
    return sketch


def submit_sketch(sketch_id: int, actor: User) -> Sketch:
    """Submit inside the window: ``clock.now()`` decides to the second (closes_at itself still counts)."""
    sketch = get_sketch(sketch_id, actor, lock=True)
    new_status = next_status(sketch.status, "submit", actor)
    now = clock.now()
    call = get_call(sketch.call_id, lock=True)  # serialises the submission numbers of the call
    if now < call.opens_at:
        raise Conflict(f"Die Einreichung ist erst ab {format_datetime(call.opens_at)} Uhr möglich.")
    if now > call.closes_at or call.closed_at is not None:
        raise Conflict(f"Die Einreichungsfrist ist am {format_datetime(call.closes_at)} Uhr abgelaufen; "
                       "die Skizze wurde nicht angenommen.", deadline=call.closes_at.isoformat())
    errors = _complete(sketch)
    if errors:
        raise ValidationFailed("Die Skizze ist unvollständig.", errors=errors)
    rule_errors = call_rule_errors(sketch)
    if rule_errors:
        raise ValidationFailed("Die Skizze erfüllt die Bedingungen des Aufrufs nicht.", errors=rule_errors)
    before = sketch_snapshot(sketch)
    last = db.session.scalar(select(func.max(Sketch.submission_seq)).where(Sketch.call_id == call.id)) or 0
    sketch.status, sketch.submitted_at, sketch.submission_seq = new_status, now, last + 1
    db.session.flush()
    record("sketch.submit", "if_sketch", sketch.id, actor, before=before, after=sketch_snapshot(sketch))
    receipts.send_receipt(sketch)
    return sketch


def withdraw_sketch(sketch_id: int, actor: User) -> Sketch:
    """Withdraw (drafts, submitted, eligible, waiting, selected). A selected project's withdrawal after the
    release moves the next fitting sketch of the waiting list up; before the release a staged decision is
    kept and amended (``selection.amend_staged``)."""
    from . import selection

    sketch = get_sketch(sketch_id, actor, lock=True)
    old_status = sketch.status
    new_status = next_status(sketch.status, "withdraw", actor)
    call = get_call(sketch.call_id, lock=True)
    before = sketch_snapshot(sketch)
    sketch.status, sketch.withdrawn_at = new_status, clock.now()
    db.session.flush()
    record("sketch.withdraw", "if_sketch", sketch.id, actor, before=before, after=sketch_snapshot(sketch))
    if call.released_at is None and call.decision_staged_at is not None and old_status is not S.DRAFT:
        selection.amend_staged(call, sketch, actor, change="withdrawal")
    if old_status is S.SELECTED and call.released_at is not None:
        selection.promote_after_leaving(call, sketch, actor, cause="withdrawal")
    return sketch


# ---------------------------------------------------------------------------------------- attachments


def upload_dir() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "innovationsfonds"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def add_attachment(sketch_id: int, actor: User, filename: str, data: bytes) -> Attachment:
    """Store a PDF (checked by its magic bytes, size-limited) under a generated name."""
    sketch = get_sketch(sketch_id, actor, lock=True)
    next_status(sketch.status, "edit", actor)
    _open_for_drafts(sketch.call, clock.now())
    limit = current_app.config.get("INNOVATIONSFONDS_MAX_ATTACHMENT_BYTES", MAX_ATTACHMENT_BYTES)
    if not data:
        raise ValidationFailed.field("file", "Die Datei ist leer.")
    if len(data) > limit:
        raise ValidationFailed.field("file", f"Die Datei ist zu groß (höchstens {limit // (1024 * 1024)} MB).")
    if not data.startswith(b"%PDF-"):
        raise ValidationFailed.field("file", "Nur PDF-Dateien sind erlaubt.")
    if len(sketch.attachments) >= MAX_ATTACHMENTS:
        raise ValidationFailed.field("file", f"Höchstens {MAX_ATTACHMENTS} Anlagen je Skizze.")
    display = "".join(ch for ch in Path(filename or "anlage.pdf").name if ch.isprintable())[:180] or "anlage.pdf"
    stored = f"{uuid.uuid4().hex}.pdf"
    (upload_dir() / stored).write_bytes(data)
    attachment = Attachment(sketch_id=sketch.id, stored_name=stored, original_name=display, size_bytes=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), uploaded_at=clock.now(), uploaded_by_id=actor.id)
    db.session.add(attachment)
    db.session.flush()
    record("attachment.add", "if_attachment", attachment.id, actor,
           after={"sketch_id": sketch.id, "name": display, "size": len(data)})
    return attachment


def get_attachment(sketch_id: int, attachment_id: int, actor: User) -> tuple[Attachment, Path]:
    """The attachment and its file, for the owning organisation, assigned non-conflicted reviewers and staff."""
    sketch = get_sketch(sketch_id, actor)
    attachment = next((a for a in sketch.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound("Anlage nicht gefunden.")
    path = upload_dir() / attachment.stored_name
    if not path.is_file():
        raise NotFound("Die Datei der Anlage fehlt.")
    return attachment, path


def delete_attachment(sketch_id: int, attachment_id: int, actor: User) -> None:
    """Remove a draft's PDF (until the deadline, like every change of a draft)."""
    sketch = get_sketch(sketch_id, actor, lock=True)
    next_status(sketch.status, "edit", actor)
    _open_for_drafts(sketch.call, clock.now())
    attachment = next((a for a in sketch.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound("Anlage nicht gefunden.")
    sketch.attachments.remove(attachment)
    db.session.flush()
    (upload_dir() / attachment.stored_name).unlink(missing_ok=True)
    record("attachment.delete", "if_attachment", attachment_id, actor, before={"name": attachment.original_name})


# ---------------------------------------------------------------------------------------- eligibility


def eligibility_failures(sketch: Sketch) -> dict[str, str]:
    """The call's rules the sketch breaks ({rule: German message}); empty = eligible."""
    call = sketch.call
    failures: dict[str, str] = {}
    if sketch.organisation.kind not in call.eligible_kinds:
        failures["organisation_kind"] = (f"Trägerart „{ORGANISATION_KINDS.get(sketch.organisation.kind)}“ ist in "
                                         "diesem Aufruf nicht antragsberechtigt.")
    if sketch.requested_cents > call.max_per_project_cents:
        failures["amount"] = (f"Der beantragte Betrag ({format_eur(sketch.requested_cents)}) übersteigt den "
                              f"Höchstbetrag je Projekt ({format_eur(call.max_per_project_cents)}).")
    if sketch.requested_cents > sketch.total_cost_cents:
        failures["total_cost"] = "Der beantragte Betrag übersteigt die Gesamtkosten."
    if sketch.start_date is None or sketch.end_date is None or sketch.start_date < call.project_start \
            or sketch.end_date > call.project_end:
        failures["duration"] = (f"Die Laufzeit muss im Projektzeitraum des Aufrufs liegen "
                                f"({call.project_start:%d.%m.%Y}–{call.project_end:%d.%m.%Y}).")
    if sketch.target_group not in call.target_groups:
        failures["target_group"] = "Die Zielgruppe ist in diesem Aufruf nicht förderfähig."
    elif sketch.target_group == "primary" and not 18 <= sketch.age_min <= sketch.age_max <= 27:
        failures["target_group"] = ("Die Hauptzielgruppe sind junge Menschen von 18 bis 27 Jahren mit Duldung "
                                    "oder Gestattung.")
    return failures


# the field of the sketch form (and the API) that a broken call rule belongs to
RULE_FIELD = {"organisation_kind": "organisation_kind", "amount": "requested", "total_cost": "total_cost",
              "duration": "end_date", "target_group": "target_group"}


def call_rule_errors(sketch: Sketch) -> dict[str, list[str]]:
    """The call's rules the sketch breaks as field errors: checked when it is submitted, so that the applicant
    can correct it (the closing job checks again, e.g. after an organisation's kind changed)."""
    errors: dict[str, list[str]] = {}
    for rule, message in eligibility_failures(sketch).items():
        field = RULE_FIELD[rule]
        if rule == "duration" and sketch.start_date is not None and sketch.start_date < sketch.call.project_start:
            field = "start_date"
        errors.setdefault(field, []).append(message)
    return errors


def close_window(call_id: int, *, actor: User | None = None, actor_label: str | None = None) -> dict:
    """After the deadline: close the window and run the automatic eligibility check (idempotent)."""
    call = get_call(call_id, lock=True)
    if call.closed_at is not None:
        return {"call": call.id, "already_closed": True}
    if clock.now() <= call.closes_at:
        raise Conflict(f"Die Einreichungsfrist läuft noch bis {format_datetime(call.closes_at)} Uhr.")
    call.closed_at = clock.now()
    eligible = ineligible = 0
    for sketch in db.session.scalars(select(Sketch).where(Sketch.call_id == call.id, Sketch.status == S.SUBMITTED)
                                      .order_by(Sketch.id)):
        failures = eligibility_failures(sketch)
        sketch.eligibility_checks = failures
        if failures:
            sketch.status = next_status(sketch.status, "declare_ineligible", None, system=True)
            sketch.eligibility_reason = "Automatische Prüfung: " + " ".join(failures.values())
            ineligible += 1
        else:
            sketch.status = next_status(sketch.status, "declare_eligible", None, system=True)
            eligible += 1
    db.session.flush()
    summary = {"call": call.id, "eligible": eligible, "ineligible": ineligible}
    record("call.close", "if_call", call.id, actor, actor_label=actor_label, after=summary)
    return summary


def decide_eligibility(sketch_id: int, actor: User, *, eligible: bool, reason: str) -> Sketch:
    """The administrator's manual eligibility decision, always with a reason."""
    from . import selection

    sketch = get_sketch(sketch_id, actor, lock=True)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.field("reason", "Bitte die Entscheidung begründen.")
    if len(reason) > 5000:
        raise ValidationFailed.field("reason", "Höchstens 5000 Zeichen.")
    new_status = next_status(sketch.status, "declare_eligible" if eligible else "declare_ineligible", actor)
    call = get_call(sketch.call_id, lock=True)
    if call.released_at is not None:
        raise Conflict("Die Entscheidung ist bereits freigegeben.")
    before = sketch_snapshot(sketch)
    sketch.status, sketch.eligibility_manual = new_status, True
    sketch.eligibility_reason = reason
    if not eligible:
        for assignment in list(sketch.assignments):
            sketch.assignments.remove(assignment)
    db.session.flush()
    record("sketch.eligibility", "if_sketch", sketch.id, actor, before=before, after=sketch_snapshot(sketch))
    if call.decision_staged_at is not None:
        selection.amend_staged(call, sketch, actor, change="eligibility")
    return sketch


def parse_day(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def score_text(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:.2f}".replace(".", ",")

"""Calls (Stichtage): set-up with their rules and criteria, changes, and the fields that freeze as
the round progresses (``FIELD_LOCKS``, docs/innovationsfonds.md "Editing a call")."""

from __future__ import annotations

from sqlalchemy import func, select

from ...auth.models import User
from ...platform import clock
from ...platform.database import sum_cents
from ...platform.errors import Conflict, ValidationFailed
from ...platform.extensions import db
from ...platform.money import format_eur
from ...reference.models import ORGANISATION_KINDS, Kommune, Programme
from ..access import get_call, record
from ..core.scoring import Criterion as CoreCriterion
from ..models import (
    PROMOTION_DAYS_DEFAULT,
    TARGET_GROUPS,
    Assignment,
    Call,
    Criterion,
    SelectionRule,
    Sketch,
    hundredths,
)


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


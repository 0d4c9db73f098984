"""Eligibility: the call's rules a sketch breaks (checked at submission and by the closing job) and
the administrator's manual decision with a reason."""

from __future__ import annotations

from sqlalchemy import select

from ...auth.models import User
from ...platform import clock, limits
from ...platform.errors import Conflict, ValidationFailed
from ...platform.extensions import db
from ...platform.formatting import format_datetime
from ...platform.money import format_eur
from ...reference.models import ORGANISATION_KINDS
from .. import selection
from ..access import get_call, get_sketch, record, sketch_snapshot
from ..models import (
    Sketch,
    SketchStatus,
)
from ..workflow import SKETCH


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
    submitted = select(Sketch).where(Sketch.call_id == call.id, Sketch.status == SketchStatus.SUBMITTED)
    for sketch in db.session.scalars(submitted.order_by(Sketch.id)):
        failures = eligibility_failures(sketch)
        sketch.eligibility_checks = failures
        if failures:
            sketch.status = SKETCH.check(sketch.status, "declare_ineligible", None, system=True)
            sketch.eligibility_reason = "Automatische Prüfung: " + " ".join(failures.values())
            ineligible += 1
        else:
            sketch.status = SKETCH.check(sketch.status, "declare_eligible", None, system=True)
            eligible += 1
    db.session.flush()
    summary = {"call": call.id, "eligible": eligible, "ineligible": ineligible}
    record("call.close", "if_call", call.id, actor, actor_label=actor_label, after=summary)
    return summary


def decide_eligibility(sketch_id: int, actor: User, *, eligible: bool, reason: str) -> Sketch:
    """The administrator's manual eligibility decision, always with a reason."""

    sketch = get_sketch(sketch_id, actor, lock=True)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.field("reason", "Bitte die Entscheidung begründen.")
    if len(reason) > limits.SUMMARY:
        raise ValidationFailed.field("reason", f"Höchstens {limits.SUMMARY} Zeichen.")
    new_status = SKETCH.check(sketch.status, "declare_eligible" if eligible else "declare_ineligible", actor)
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


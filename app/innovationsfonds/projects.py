"""Innovationsfonds use cases, part 4: the full application of a selected sketch and its approval.

* The organisation submits its full application (amounts per budget year, period) until the
  sketch's own ``full_application_deadline`` (the call's, or later for a promoted sketch); the total
  may not exceed the sketch's requested amount.
* The administrator either requests changes (with a reason; the organisation edits and resubmits),
  approves it, or rejects it with a reason; the states follow ``workflow.FULL_APPLICATION``.
  A rejection takes the sketch out of the selection and gives its money back to the waiting list
  (``selection.promote_after_leaving``, the same path as a withdrawal). Once the full-application
  deadline has passed, a full application that was never (re)submitted may be rejected the same way.
* Approval is a numbered grant decision of its own ("IF-ZB-2022-0001", ``app.platform.numbering.next_number``),
  with ANBest-P for private organisations and ANBest-G for public bodies. It books the commitment
  through ``app.budgets.services.set_commitment`` (source ``if-project:<sketch id>``, module F5), so
  drawdowns, expenses, proof of use and reclaim run through the budgets capability. The approved
  decisions of a call never exceed its budget (checked under the call's row lock).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..auth.models import Role, User
from ..budgets.services import set_commitment
from ..notifications.services import queue_message, users_with_role
from ..platform import clock
from ..platform.database import sum_cents
from ..platform.errors import Conflict, Forbidden, ValidationFailed
from ..platform.events import emit
from ..platform.extensions import db
from ..platform.money import format_eur
from ..platform.numbering import next_number
from .access import get_call, get_sketch, record
from .models import FullApplication, FullApplicationStatus, ProjectDecision, Sketch, SketchStatus
from .selection import DECISION_KIND, promote_after_leaving
from .workflow import FULL_APPLICATION, SKETCH

MODULE = "F5"


def commitment_source(sketch: Sketch) -> str:
    return f"if-project:{sketch.id}"


def _check_lines(sketch: Sketch, lines: dict[int, int], start: date, end: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    call = sketch.call
    if not lines or any(c < 0 for c in lines.values()) or sum(lines.values()) <= 0:
        errors["lines"] = ["Bitte die Beträge je Haushaltsjahr angeben (größer als 0)."]
    elif sum(lines.values()) > sketch.requested_cents:
        errors["lines"] = [f"Die Summe ({format_eur(sum(lines.values()))}) übersteigt den in der Skizze beantragten "
                           f"Betrag ({format_eur(sketch.requested_cents)})."]
    if start > end:
        errors["end_date"] = ["Das Projektende muss nach dem Beginn liegen."]
    elif start < call.project_start or end > call.project_end:
        errors["end_date"] = [f"Die Laufzeit muss im Programmzeitraum liegen ({call.project_start:%d.%m.%Y}–"
                              f"{call.project_end:%d.%m.%Y})."]
    outside = [y for y in lines if not start.year <= y <= end.year]
    if outside and "end_date" not in errors:
        errors.setdefault("lines", []).append(f"Haushaltsjahre außerhalb der Laufzeit: {', '.join(map(str, outside))}.")
    return errors


def submit_full_application(sketch_id: int, actor: User, *, lines: dict[int, int], start_date: date,
                            end_date: date, description: str = "") -> FullApplication:
    """The organisation's full application for its selected sketch (replaceable until approval)."""
    sketch = get_sketch(sketch_id, actor, lock=True)
    if actor.role != Role.ORGANISATION:
        raise Forbidden("Nur der Träger stellt den Vollantrag.")
    if sketch.status is not SketchStatus.SELECTED:
        raise Conflict(f"Ein Vollantrag ist nur für ausgewählte Skizzen möglich (Status: {sketch.status.label}).")
    if clock.today() > sketch.full_application_deadline:
        raise Conflict(f"Die Frist für den Vollantrag endete am {sketch.full_application_deadline:%d.%m.%Y}.")
    errors = _check_lines(sketch, lines, start_date, end_date)
    if errors:
        raise ValidationFailed("Der Vollantrag ist unvollständig.", errors=errors)
    application = full_application_of(sketch)
    before = None
    if application is None:
        application = FullApplication(sketch_id=sketch.id, lines={}, start_date=start_date, end_date=end_date)
        db.session.add(application)
    else:
        before = application.status
        application.status = FULL_APPLICATION.check(application.status, "submit", actor)
    application.lines = {str(y): c for y, c in sorted(lines.items())}
    application.start_date, application.end_date = start_date, end_date
    application.description = (description or "").strip()[:20000]
    application.submitted_at, application.submitted_by_id = clock.now(), actor.id
    application.status = FullApplicationStatus.SUBMITTED
    db.session.flush()
    record("full_application.submit", "if_sketch", sketch.id, actor,
           before={"status": before.value} if before else None,
           after={"status": application.status.value, "lines": application.lines, "start": start_date,
                  "end": end_date})
    return application


def _organisation_users(sketch: Sketch):
    return users_with_role("organisation", organisation_id=sketch.organisation_id)


def request_changes(sketch_id: int, actor: User, *, reason: str) -> FullApplication:
    """The administrator sends the full application back with a reason; the organisation resubmits."""
    sketch = get_sketch(sketch_id, actor, lock=True)
    application = full_application_of(sketch)
    if application is None:
        raise Conflict("Der Träger hat noch keinen Vollantrag gestellt.")
    if sketch.status is not SketchStatus.SELECTED:
        raise Conflict(f"Änderungen können nur für ausgewählte Skizzen angefordert werden (Status: "
                       f"{sketch.status.label}).")
    new_status = FULL_APPLICATION.check(application.status, "request_changes", actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.field("reason", "Bitte angeben, was geändert werden soll.")
    application.status, application.changes_reason = new_status, reason[:20000]
    application.changes_requested_at = clock.now()
    db.session.flush()
    record("full_application.request_changes", "if_sketch", sketch.id, actor,
           before={"status": FullApplicationStatus.SUBMITTED.value},
           after={"status": new_status.value, "reason": application.changes_reason})
    for user in _organisation_users(sketch):
        queue_message(user, DECISION_KIND, "emails/innovationsfonds_changes_requested.txt",
                      subject=f"Vollantrag {sketch.reference}: Änderungen erbeten",
                      link=f"/innovationsfonds/skizzen/{sketch.id}/vollantrag",
                      dedup_key=f"if.changes:{sketch.id}:{application.changes_requested_at.isoformat()}:u{user.id}",
                      sketch=sketch, reason=application.changes_reason)
    return application


def _rejection(sketch: Sketch, application: FullApplication | None, actor: User):
    """(new sketch status, new full-application status or None) of a rejection now; 403/409 otherwise."""
    new_status = SKETCH.check(sketch.status, "drop", actor)
    application_status = None if application is None else FULL_APPLICATION.check(
        application.status, "reject", actor)
    deadline = sketch.full_application_deadline
    if (application is None or application.status is not FullApplicationStatus.SUBMITTED) \
            and clock.today() <= deadline:
        raise Conflict(f"Der Vollantrag liegt nicht (erneut) eingereicht vor; ohne ihn ist eine Ablehnung erst nach "
                       f"Ablauf der Frist am {deadline:%d.%m.%Y} möglich.", deadline=deadline.isoformat())
    return new_status, application_status


def rejectable(sketch: Sketch, application: FullApplication | None, actor: User) -> bool:
    """Whether ``actor`` may reject the full application now (the page shows the form only then)."""
    try:
        _rejection(sketch, application, actor)
    except (Conflict, Forbidden):
        return False
    return True


def reject_full_application(sketch_id: int, actor: User, *, reason: str) -> Sketch:
    """Reject the full application with a reason: the sketch leaves the selection (status ``rejected``),
    the organisation is told why, and the next fitting waiting sketch(es) move up into the freed money.

    A submitted full application may be rejected at any time; one that is missing or still waits for the
    requested changes only after the sketch's full-application deadline (until then the organisation may
    still submit)."""
    sketch = get_sketch(sketch_id, actor, lock=True)
    application = full_application_of(sketch)
    new_status, application_status = _rejection(sketch, application, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.field("reason", "Bitte den Grund der Ablehnung angeben.")
    call = get_call(sketch.call_id, lock=True)
    before = {"status": sketch.status.value, "full_application": application.status.value if application else None}
    sketch.status, sketch.decided_at, sketch.decision_reason = new_status, clock.now(), reason[:20000]
    if application is not None:
        application.status = application_status
    db.session.flush()
    record("full_application.reject", "if_sketch", sketch.id, actor, before=before,
           after={"status": sketch.status.value, "full_application": application_status and application_status.value,
                  "reason": sketch.decision_reason})
    for user in _organisation_users(sketch):
        queue_message(user, DECISION_KIND, "emails/innovationsfonds_full_application_rejected.txt",
                      subject=f"Vollantrag {sketch.reference}: Ablehnung",
                      link=f"/innovationsfonds/skizzen/{sketch.id}", dedup_key=f"if.rejected:{sketch.id}:u{user.id}",
                      sketch=sketch, submitted=before["full_application"] == "submitted",
                      reason=sketch.decision_reason)
    emit("if.full_application_rejected", sketch=sketch, actor=actor)  # the PDF (app.documents.hooks)
    promote_after_leaving(call, sketch, actor, cause="rejection")
    return sketch


def full_application_of(sketch: Sketch) -> FullApplication | None:
    return db.session.scalar(select(FullApplication).where(FullApplication.sketch_id == sketch.id))


def decision_of(sketch: Sketch) -> ProjectDecision | None:
    return db.session.scalar(select(ProjectDecision).where(ProjectDecision.sketch_id == sketch.id))


def approve_full_application(sketch_id: int, actor: User, *, comment: str = "") -> ProjectDecision:
    """Approve the full application as submitted: numbered decision, then the budget commitment."""
    sketch = get_sketch(sketch_id, actor, lock=True)
    existing = decision_of(sketch)
    if existing is not None and sketch.status is SketchStatus.FUNDED:
        raise Conflict(f"Der Vollantrag ist bereits bewilligt ({existing.number}).")
    new_status = SKETCH.check(sketch.status, "fund", actor)
    application = full_application_of(sketch)
    if application is None:
        raise Conflict("Der Träger hat noch keinen Vollantrag gestellt.")
    application_status = FULL_APPLICATION.check(application.status, "approve", actor)
    call = get_call(sketch.call_id, lock=True)
    approved = application.total_cents
    already = db.session.scalar(select(sum_cents(ProjectDecision.approved_cents)).join(Sketch).where(
        Sketch.call_id == call.id))
    if already + approved > call.budget_cents:
        raise ValidationFailed.field("lines", f"Die Bewilligung ({format_eur(approved)}) übersteigt das verbleibende "
                                              f"Budget des Aufrufs ({format_eur(call.budget_cents - already)}).")
    year = clock.today().year
    number = f"IF-ZB-{year}-{next_number(f'IF-ZB-{year}'):04d}"
    organisation = sketch.organisation
    decision = ProjectDecision(sketch_id=sketch.id, number=number, approved_cents=approved, lines=application.lines,
                               funding_rate_bp=call.funding_rate_bp, side_conditions=organisation.side_conditions,
                               recipient_name=organisation.name, start_date=application.start_date,
                               last_expense_date=application.end_date, comment=(comment or "").strip()[:20000],
                               decided_at=clock.now(), decided_by_id=actor.id)
    db.session.add(decision)
    db.session.flush()
    grant = set_commitment(programme_id=call.programme_id, source=commitment_source(sketch), reference=number,
                           recipient_kind="organisation", organisation_id=organisation.id,
                           funding_rate_bp=call.funding_rate_bp, start_date=application.start_date,
                           last_expense_date=application.end_date,
                           lines={(MODULE, int(y)): c for y, c in application.lines.items() if c}, actor=actor)
    decision.grant_id = grant.id
    sketch.status, application.status = new_status, application_status
    db.session.flush()
    record("project.approve", "if_sketch", sketch.id, actor,
           after={"decision": number, "approved_cents": approved, "side_conditions": decision.side_conditions,
                  "grant_id": grant.id})
    for user in _organisation_users(sketch):
        queue_message(user, DECISION_KIND, "emails/innovationsfonds_project_decision.txt",
                      subject=f"Zuwendungsbescheid {number} (Innovationsfonds)",
                      link=f"/innovationsfonds/skizzen/{sketch.id}", dedup_key=f"if.project:{decision.id}:u{user.id}",
                      decision=decision, sketch=sketch, format_eur=format_eur)
    emit("if.project_decision", decision=decision, actor=actor)  # the PDF (app.documents.hooks)
    return decision

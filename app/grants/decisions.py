"""Grant decisions (Zuwendungsbescheide): approval, rejection, numbering, released money.

* Approval locks the application row (``lock_for_update``; SQLite holds the write lock from
  BEGIN IMMEDIATE), so two administrators approving the same revision at once produce one
  decision: the second finds the status "bewilligt" (409). The unique constraint on
  (application, revision) is the backstop.
* Numbers are drawn from the platform's locked counter per series and year (``next_number``):
  "ZB-2020-0007" for approvals, "AB-2020-0008" for rejections; an approved amendment gets the
  original's number with the suffix "-Ä1", "-Ä2", ...
* Approval calls ``app.budgets.services.set_commitment`` with the approved lines: the budget's
  grant is the one source of truth of approved amounts; the decision records what was decided.
* An amendment that lowers the total records the difference as ``released_cents`` on its decision and
  hands it to the allocation as an open give-back (``release_to_redistribution``), so the next
  redistribution spreads it; ``released_by_kommune`` sums the released money per Kommune.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from ..allocation.services import release_to_redistribution
from ..auth.models import User
from ..auth.permissions import ensure_kommune_access, scope_kommune_id
from ..budgets.services import set_commitment
from ..platform import clock, limits
from ..platform.database import sum_cents
from ..platform.errors import Conflict, NotFound, ValidationFailed
from ..platform.events import emit
from ..platform.extensions import db
from ..platform.money import format_eur
from ..platform.numbering import next_number
from .content import line_field
from .models import (
    Application,
    ApplicationKind,
    Decision,
    DecisionLine,
    DecisionOutcome,
)
from .services import (
    _audit,
    _event,
    ceiling_cents,
    commitment_source,
    committed_lines,
    current_decision,
    funding_rate_bp,
    get_application,
    notify_kommune,
    snapshot,
)
from .workflow import APPLICATION


def _decision_number(prefix: str) -> str:
    year = clock.today().year
    return f"{prefix}-{year}-{next_number(f'{prefix}-{year}'):04d}"


def _amendment_number(root: Application) -> str:
    base = next(d for d in root.decisions if d.outcome is DecisionOutcome.APPROVED)
    approved = sum(1 for a in root.amendments for d in a.decisions if d.outcome is DecisionOutcome.APPROVED)
    return f"{base.number}-Ä{approved + 1}"


def _new_decision(application: Application, outcome: DecisionOutcome, number: str, actor: User,
                  reason: str) -> Decision:
    programme = application.programme
    rate = funding_rate_bp(programme, application.kommune_id)
    revision = application.last_submitted_revision
    return Decision(application_id=application.id, revision_id=revision.id, number=number,
                    outcome=outcome, decided_at=clock.now(), decided_by_id=actor.id, reason=reason,
                    recipient_name=application.kommune.display_name, funding_rate_bp=rate,
                    start_date=programme.start_date, last_expense_date=programme.last_expense_date,
                    proof_of_use_deadline=programme.proof_of_use_deadline,
                    drawdown_period_months=programme.drawdown_period_months, side_conditions="ANBest-G")


def _store(decision: Decision) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(decision)
            db.session.flush()
    except IntegrityError:
        raise Conflict("Über diese Revision wurde bereits entschieden.") from None
    db.session.expire(decision.application, ["decisions"])


def approve(application_id: int, actor: User, *, lines: dict[tuple[str, int], int] | None = None,
            reasons: dict[tuple[str, int], str] | None = None, comment: str = "") -> Decision:
    """Approve the submitted revision, optionally lower per module and year (each lowering with a reason).

    ``lines`` lists only the amounts that differ from the request; the rest is approved as requested.
    """
    application = get_application(application_id, actor, lock=True)
    before, before_status = snapshot(application), application.status
    new_status = APPLICATION.check(application.status, "approve", actor)
    root = application.root
    if root is not application:
        get_application(root.id, actor, lock=True)  # serialise with other changes of the original
    revision = application.last_submitted_revision
    requested = revision.line_map()
    approved = dict(requested)
    approved.update(lines or {})
    reasons = {k: (v or "").strip() for k, v in (reasons or {}).items()}
    errors: dict[str, list[str]] = {}
    for key, cents in approved.items():
        name = line_field(*key)
        asked = requested.get(key, 0)
        if cents < 0:
            errors.setdefault(name, []).append("Der Betrag darf nicht negativ sein.")
        elif cents > asked:
            errors.setdefault(name, []).append(
                f"Es kann höchstens der beantragte Betrag ({format_eur(asked)}) bewilligt werden.")
        elif cents < asked and not reasons.get(key):
            errors.setdefault(f"reasons.{key[0]}.{key[1]}", []).append("Bitte begründen Sie die Kürzung.")
    ceiling = ceiling_cents(application.programme_id, application.kommune_id, lock=True)
    total = sum(approved.values())
    if ceiling is None or total > ceiling:
        errors.setdefault("lines", []).append(
            f"Die bewilligte Summe ({format_eur(total)}) übersteigt die Zuwendungshöchstgrenze "
            f"({format_eur(ceiling)})." if ceiling is not None else "Keine veröffentlichte Zuwendungshöchstgrenze.")
    if errors:
        raise ValidationFailed("Die Bewilligung enthält ungültige Angaben.", errors=errors)

    previous_decision = current_decision(root)
    previous_total = sum(committed_lines(root).values())
    number = _decision_number("ZB") if application.kind is ApplicationKind.APPLICATION else _amendment_number(root)
    decision = _new_decision(application, DecisionOutcome.APPROVED, number, actor, (comment or "").strip())
    decision.supersedes = previous_decision if application.kind is ApplicationKind.AMENDMENT else None
    for key in sorted(set(requested) | set(approved)):
        decision.lines.append(DecisionLine(module_code=key[0], budget_year=key[1],
                                           requested_cents=requested.get(key, 0),
                                           approved_cents=approved.get(key, 0), reason=reasons.get(key, "")))
    if application.kind is ApplicationKind.AMENDMENT:
        decision.released_cents = max(0, previous_total - total)
    _store(decision)
    set_commitment(programme_id=application.programme_id, source=commitment_source(root), reference=number,
                   recipient_kind="kommune", kommune_id=application.kommune_id,
                   funding_rate_bp=decision.funding_rate_bp, start_date=decision.start_date,
                   last_expense_date=decision.last_expense_date,
                   lines={k: v for k, v in approved.items() if v}, actor=actor)
    if decision.released_cents:
        release_to_redistribution(application.programme, application.kommune_id, decision.released_cents,
                                  note=f"Freigegeben durch Änderungsbescheid {number}", actor=actor)
    application.status, application.decided_at = new_status, decision.decided_at
    _event(application, "approve", before_status, actor, revision, decision.reason)
    db.session.flush()
    _audit("approve", application, before, actor, decision=number, approved_cents=total,
           released_cents=decision.released_cents)
    notify_kommune(application, "grants.decision", f"Zuwendungsbescheid {number}", "grants/email/decision.txt",
                   decision=decision)
    emit("grants.decision", decision=decision, actor=actor)
    return decision


def reject(application_id: int, actor: User, reason: str) -> Decision:
    """Reject the submitted revision with a reason (an Ablehnungsbescheid, numbered "AB-...")."""
    application = get_application(application_id, actor, lock=True)
    before, before_status = snapshot(application), application.status
    new_status = APPLICATION.check(application.status, "reject", actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.field("reason", "Bitte begründen Sie die Ablehnung.")
    if len(reason) > limits.DESCRIPTION:
        raise ValidationFailed.field("reason", f"Höchstens {limits.DESCRIPTION} Zeichen.")
    revision = application.last_submitted_revision
    decision = _new_decision(application, DecisionOutcome.REJECTED, _decision_number("AB"), actor, reason)
    for (module, year), cents in sorted(revision.line_map().items()):
        decision.lines.append(DecisionLine(module_code=module, budget_year=year, requested_cents=cents,
                                           approved_cents=0))
    _store(decision)
    application.status, application.decided_at = new_status, decision.decided_at
    _event(application, "reject", before_status, actor, revision, reason)
    db.session.flush()
    _audit("reject", application, before, actor, decision=decision.number)
    notify_kommune(application, "grants.decision", f"Ablehnungsbescheid {decision.number}",
                   "grants/email/decision.txt", decision=decision)
    emit("grants.decision", decision=decision, actor=actor)
    return decision


def released_by_kommune(programme_id: int) -> dict[int, int]:
    """Money given back by approved reducing amendments, per Kommune (cents), for redistribution."""
    rows = db.session.execute(
        select(Application.kommune_id, sum_cents(Decision.released_cents))
        .join(Decision, Decision.application_id == Application.id)
        .where(Application.programme_id == programme_id, Decision.outcome == DecisionOutcome.APPROVED)
        .group_by(Application.kommune_id))
    return {kommune_id: cents for kommune_id, cents in rows if cents}


def decisions_select(actor: User) -> Select:
    statement = select(Decision).join(Application, Decision.application_id == Application.id).order_by(Decision.id)
    scope = scope_kommune_id(actor)
    if scope is not None:
        statement = statement.where(Application.kommune_id == scope)
    return statement


def get_decision(decision_id: int, actor: User) -> Decision:
    decision = db.session.get(Decision, decision_id)
    if decision is None:
        raise NotFound("Bescheid nicht gefunden.")
    ensure_kommune_access(actor, decision.application.kommune_id, "Bescheid")
    return decision

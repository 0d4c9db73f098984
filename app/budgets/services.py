"""Budget use cases: commitments, drawdowns and payments, expenses. Each flushes, writes an audit
entry and books the ledger in the same transaction; the request edge commits.

Other domains create and change grants only through ``set_commitment`` (a grant decision or an
approved amendment): the approved amounts here are the one source of truth that drawdowns,
payments and expenses book against.
"""

from __future__ import annotations

import calendar
import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from ..auth.models import Role
from ..platform import audit, clock
from ..platform.database import lock_for_update, sum_cents
from ..platform.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from ..platform.events import emit
from ..platform.extensions import db
from ..platform.money import format_eur
from ..reference.models import Kommune, Organisation, Programme
from . import ledger, monitoring, plausibility
from .ledger import Transfer
from .models import (
    GRANT_LEVEL,
    AccountKind,
    Drawdown,
    DrawdownKind,
    DrawdownStatus,
    Expense,
    ExpenseDaily,
    ExpenseImport,
    Grant,
    GrantLine,
    ProofOfUse,
    RecipientKind,
)
from .notices import DRAWDOWN_DECISION, tell_recipient
from .rates import flat_rates, priced

K = AccountKind


# --------------------------------------------------------------------------- grants and commitments


def set_commitment(
    *,
    programme_id: int,
    source: str,
    reference: str,
    recipient_kind: RecipientKind | str,
    kommune_id: int | None = None,
    organisation_id: int | None = None,
    funding_rate_bp: int,
    start_date: date,
    last_expense_date: date,
    lines: Mapping[tuple[str, int], int],
    actor=None,
) -> Grant:
    """Create the grant for ``source`` or change its approved amounts to ``lines`` ((module, year) -> cents).

    Lines missing from ``lines`` drop to zero. The grant row is locked for the change. Every change is
    booked in the ledger (available / budget); a line may not drop below what was already paid or spent
    there (ValidationFailed on ``lines``). A changed funding rate re-books the grant earned.
    """
    if any(cents < 0 for cents in lines.values()):
        raise ValidationFailed.field("lines", "Bewilligte Beträge dürfen nicht negativ sein.")
    grant = db.session.scalar(lock_for_update(select(Grant).where(Grant.source == source)))
    before = _snapshot(grant) if grant else None
    if grant is None:
        grant = Grant(programme_id=programme_id, source=source, reference=reference,
                      recipient_kind=RecipientKind(recipient_kind), kommune_id=kommune_id,
                      organisation_id=organisation_id, funding_rate_bp=funding_rate_bp, start_date=start_date,
                      last_expense_date=last_expense_date, created_at=clock.now())
        db.session.add(grant)
        db.session.flush()
    else:
        too_low = _lowered_below_use(grant, lines)
        if too_low:
            raise ValidationFailed(
                "Bereits ausgezahlte, abgerufene oder verdiente Beträge können nicht unterschritten werden.",
                errors={"lines": [f"Bewilligung unter dem bereits verwendeten Betrag: {text}." for text in too_low]})
        grant.reference, grant.funding_rate_bp = reference, funding_rate_bp
        grant.start_date, grant.last_expense_date = start_date, last_expense_date
    existing = {(line.module_code, line.budget_year): line for line in grant.lines}
    changes: dict[tuple[str, int], int] = {}
    for key in sorted(set(existing) | set(lines)):
        cents = lines.get(key, 0)
        if key in existing:
            changes[key] = cents - existing[key].approved_cents
            existing[key].approved_cents = cents
        elif cents:
            grant.lines.append(GrantLine(module_code=key[0], budget_year=key[1], approved_cents=cents))
            changes[key] = cents
    db.session.flush()
    transfers = []
    for (module, year), delta in changes.items():
        accounts = ledger.ensure_accounts(grant.id, module, year)
        transfers.append(Transfer(accounts[(K.AVAILABLE, module, year)], accounts[(K.BUDGET, module, year)], delta))
    transfers += _earned_corrections(grant)
    ledger.post(grant.id, "commitment", transfers, value_date=clock.today(), source_type="grant", source_id=grant.id,
                description=f"Bewilligung {reference}")
    audit.record("grant.commitment", "grant", grant.id, before=before, after=_snapshot(grant), actor=actor,
                 kommune_id=kommune_id)
    return grant


def _earned_corrections(grant: Grant) -> list[Transfer]:
    """Re-book the grant earned where the rate changed: earned = rate x expenses per line."""
    accounts, balances = ledger.accounts_of(grant.id), ledger.balances_of(grant.id)
    transfers = []
    for kind, module, year in list(accounts):
        if kind != K.EXPENSES:
            continue
        expenses = balances.get((K.EXPENSES, module, year), 0)
        delta = ledger.earned_for(expenses, grant.funding_rate_bp) + balances.get((K.EARNED, module, year), 0)
        if delta:
            transfers.append(Transfer(accounts[(K.OWN_SHARE, module, year)], accounts[(K.EARNED, module, year)], delta))
    return transfers


def _snapshot(grant: Grant) -> dict:
    return {"reference": grant.reference, "funding_rate_bp": grant.funding_rate_bp,
            "lines": {f"{line.module_code}/{line.budget_year}": line.approved_cents for line in grant.lines}}


def kommune_commitment_cents(programme_id: int, kommune_id: int, modules: Sequence[str]) -> int:
    """What the Kommune's grants in the programme approve in ``modules`` (cents): the part of its ceiling in use."""
    return db.session.scalar(
        select(sum_cents(GrantLine.approved_cents)).join(Grant, Grant.id == GrantLine.grant_id)
        .where(Grant.programme_id == programme_id, Grant.kommune_id == kommune_id,
               GrantLine.module_code.in_(list(modules)))) or 0


def grant_for_source(source: str) -> Grant | None:
    return db.session.scalar(select(Grant).where(Grant.source == source))


def used_by_line(grant: Grant) -> dict[tuple[str, int], dict[str, int]]:
    """What each (module, year) has already used, in grant terms (from the balances):

    ``paid`` payments made, ``bound`` paid plus drawdowns requested or approved and not yet paid,
    ``spent`` eligible expenses (100 %), ``earned`` the grant share of them (rate x expenses).
    """
    balances = ledger.balances_of(grant.id)
    result: dict[tuple[str, int], dict[str, int]] = {}
    for (kind, module, year), cents in balances.items():
        if kind in _USE_KINDS and (module, year) != GRANT_LEVEL:
            entry = result.setdefault((module, year), dict.fromkeys(("paid", "bound", "spent", "earned"), 0))
            if kind == K.EXPENSES:
                entry["spent"] = cents
            elif kind == K.EARNED:
                entry["earned"] = -cents
            else:
                entry["bound"] += cents
                if kind == K.PAID:
                    entry["paid"] = cents
    return result


_USE_KINDS = frozenset({K.PAID, K.REQUESTED, K.APPROVED, K.EXPENSES, K.EARNED})


def _lowered_below_use(grant: Grant, lines: Mapping[tuple[str, int], int]) -> list[str]:
    """The lines that ``lines`` lowers below what they already used, as German texts.

    Only lowered lines are checked, each against its own use in grant terms: money paid or in an open
    drawdown, and the grant earned on its expenses (the rate's share, never the gross expenses). Lines
    the change leaves alone or raises are never refused, whatever they used (a line may be overrun
    within the final decision's allowance).
    """
    current = {(line.module_code, line.budget_year): line.approved_cents for line in grant.lines}
    used = used_by_line(grant)
    too_low = []
    for key in sorted(current):
        new, old = lines.get(key, 0), current[key]
        amounts = used.get(key)
        if new >= old or amounts is None:
            continue
        floor = max(amounts["bound"], amounts["earned"])
        if new < floor:
            module, year = key
            too_low.append(f"{module}/{year}: neu {format_eur(new)}, bisher {format_eur(old)}, bereits ausgezahlt "
                           f"oder abgerufen {format_eur(amounts['bound'])}, Zuwendungsanteil der Ausgaben "
                           f"{format_eur(amounts['earned'])}")
    return too_low


def ensure_grant_access(user, grant: Grant | None) -> Grant:
    """404 for a missing grant and for another recipient's grant (Kommune/organisation users)."""
    if grant is None:
        raise NotFound("Zuwendung nicht gefunden.")
    if user is not None and user.role == Role.KOMMUNE and grant.kommune_id != user.kommune_id:
        raise NotFound("Zuwendung nicht gefunden.")
    if user is not None and user.role == Role.ORGANISATION and grant.organisation_id != user.organisation_id:
        raise NotFound("Zuwendung nicht gefunden.")
    return grant


# What every budget request reads of a grant: its recipient (access check, name), in the same statement.
# Lines and programme are loaded on first use (one small SELECT each) by the requests that need them;
# joining the lines here multiplied the grant row by its line count on every read (status, lists).
GRANT_EAGER = (joinedload(Grant.kommune), joinedload(Grant.organisation))


def get_grant(user, grant_id: int) -> Grant:
    return ensure_grant_access(user, db.session.get(Grant, grant_id, options=GRANT_EAGER))


def grants_visible_to(user) -> list[Grant]:
    statement = select(Grant).order_by(Grant.reference)
    if user.role == Role.KOMMUNE:
        statement = statement.where(Grant.kommune_id == user.kommune_id)
    elif user.role == Role.ORGANISATION:
        statement = statement.where(Grant.organisation_id == user.organisation_id)
    return list(db.session.scalars(statement))


_APPROVED_CENTS = select(GrantLine.approved_cents).where(
    GrantLine.grant_id == bindparam("grant_id"), GrantLine.module_code == bindparam("module"),
    GrantLine.budget_year == bindparam("year"))
_DRAWDOWN_PERIOD = select(Programme.drawdown_period_months).where(Programme.id == bindparam("programme_id"))


def proof_of(grant: Grant) -> ProofOfUse | None:
    return db.session.scalar(select(ProofOfUse).where(ProofOfUse.grant_id == grant.id))


# --------------------------------------------------------------------------- drawdowns

_FINANCE, _RECIPIENTS = frozenset({Role.FINANCE}), frozenset({Role.KOMMUNE, Role.ORGANISATION})
S = DrawdownStatus
# The workflow: (status, action) -> (new status, roles that may fire it). Creation ("request") has no status.
TRANSITIONS: dict[tuple[DrawdownStatus, str], tuple[DrawdownStatus, frozenset[Role]]] = {
    (S.REQUESTED, "approve"): (S.APPROVED, _FINANCE),
    (S.REQUESTED, "reject"): (S.REJECTED, _FINANCE),
    (S.REQUESTED, "withdraw"): (S.WITHDRAWN, _RECIPIENTS),
    (S.APPROVED, "pay"): (S.PAID, _FINANCE),
}
ACTIONS = ("approve", "reject", "withdraw", "pay")
ACTION_LABELS = {"approve": "genehmigen", "reject": "ablehnen", "withdraw": "zurückziehen", "pay": "auszahlen"}


def _transition(drawdown: Drawdown, action: str, actor) -> DrawdownStatus:
    """The new status, or Forbidden (role never fires this action / not in this status) or InvalidTransition."""
    ensure_grant_access(actor, drawdown.grant)
    roles_for_action = set().union(*(roles for (_s, a), (_n, roles) in TRANSITIONS.items() if a == action))
    if actor.role not in roles_for_action:
        raise Forbidden("Sie haben keine Berechtigung für diese Aktion.")
    rule = TRANSITIONS.get((drawdown.status, action))
    if rule is None:
        raise InvalidTransition(ACTION_LABELS[action], drawdown.status.value, drawdown.status.label)
    new_status, roles = rule
    if actor.role not in roles:
        raise Forbidden("Sie haben keine Berechtigung für diese Aktion.")
    return new_status


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _drawdown_snapshot(drawdown: Drawdown) -> dict:
    return {"status": drawdown.status, "module": drawdown.module_code, "year": drawdown.budget_year,
            "requested_cents": drawdown.amount_requested_cents, "approved_cents": drawdown.amount_approved_cents,
            "value_date": drawdown.value_date, "reference": drawdown.payment_reference,
            "reason": drawdown.decision_reason}


def request_drawdown(grant: Grant, *, module: str, amount_cents: int, purpose: str, actor) -> Drawdown:
    """A recipient calls funds for one module for the next drawdown period (limit checked under lock)."""
    ensure_grant_access(actor, grant)
    if actor.role not in _RECIPIENTS:
        raise Forbidden("Nur Zuwendungsempfänger können Mittel abrufen.")
    today = clock.today()
    errors: dict[str, list[str]] = {}
    purpose = (purpose or "").strip()
    if not purpose:
        errors["purpose"] = ["Bitte den Verwendungszweck angeben."]
    elif len(purpose) > 1000:
        errors["purpose"] = ["Der Verwendungszweck ist zu lang (höchstens 1000 Zeichen)."]
    if amount_cents <= 0:
        errors["amount"] = ["Der Betrag muss größer als 0 sein."]
    if today > grant.last_expense_date:
        errors["date"] = [f"Nach dem letzten Ausgabetag ({grant.last_expense_date:%d.%m.%Y}) können keine Mittel "
                          "mehr abgerufen werden."]
    elif today < grant.start_date:
        errors["date"] = [f"Mittel können erst ab Beginn des Bewilligungszeitraums ({grant.start_date:%d.%m.%Y}) "
                          "abgerufen werden."]
    connection = db.session.connection()
    approved = connection.execute(_APPROVED_CENTS, {"grant_id": grant.id, "module": module, "year": today.year})
    if not approved.scalar():
        errors["module"] = [f"Für Baustein „{module}“ ist im Haushaltsjahr {today.year} nichts bewilligt."]
    if errors:
        raise ValidationFailed("Der Mittelabruf ist unvollständig oder unzulässig.", errors=errors)
    accounts = ledger.accounts_of(grant.id, module, today.year)
    available = ledger.balance(accounts[(K.AVAILABLE, module, today.year)], lock=True)
    if amount_cents > available:
        raise ValidationFailed.field(
            "amount", f"Der Betrag übersteigt die noch abrufbaren Mittel für {module}/{today.year} "
                      f"({format_eur(max(available, 0))}).")
    _refuse_while_unspent_overdue(grant, module)
    months = connection.execute(_DRAWDOWN_PERIOD, {"programme_id": grant.programme_id}).scalar_one()
    drawdown = Drawdown(grant_id=grant.id, module_code=module, budget_year=today.year, status=S.REQUESTED,
                        amount_requested_cents=amount_cents, purpose=purpose, period_start=today,
                        period_end=add_months(today, months) - timedelta(days=1), requested_at=clock.now(),
                        requested_by_id=actor.id)
    db.session.add(drawdown)
    db.session.flush()
    ledger.post(grant.id, "drawdown.request", [
        Transfer(accounts[(K.REQUESTED, module, today.year)], accounts[(K.AVAILABLE, module, today.year)],
                 amount_cents)], value_date=today, source_type="drawdown", source_id=drawdown.id,
                description=f"Mittelabruf {module}")
    audit.record("drawdown.request", "drawdown", drawdown.id, after=_drawdown_snapshot(drawdown), actor=actor,
                 kommune_id=grant.kommune_id)
    return drawdown


def _refuse_while_unspent_overdue(grant: Grant, module: str) -> None:
    """ANBest-G Nr. 1.4: no new money for a module while earlier payments of it stay unspent past their need
    period (decision and reason in docs/budgets.md, "Unspent money blocks new drawdowns")."""
    cents, oldest = monitoring.overdue_unspent(grant, module)
    if cents > 0:
        raise ValidationFailed.field(
            "module", f"Aus früheren Auszahlungen für Baustein {module} sind {format_eur(cents)} noch nicht "
                      f"verausgabt, obwohl ihr Bedarfszeitraum abgelaufen ist (zuerst {oldest.period_start:%d.%m.%Y}"
                      f"–{oldest.period_end:%d.%m.%Y}). Mittel dürfen nur für Ausgaben innerhalb von zwei Monaten "
                      "abgerufen werden (ANBest-G Nr. 1.4): Bitte melden Sie zuerst die Ausgaben aus diesen Mitteln; "
                      "danach ist ein neuer Abruf möglich.")


def get_drawdown(user, drawdown_id: int, *, lock: bool = False) -> Drawdown:
    statement = select(Drawdown).where(Drawdown.id == drawdown_id)
    drawdown = db.session.scalar(lock_for_update(statement) if lock else statement)
    if drawdown is None:
        raise NotFound("Mittelabruf nicht gefunden.")
    ensure_grant_access(user, drawdown.grant)
    return drawdown


def decide_drawdown(drawdown: Drawdown, action: str, *, actor, amount_cents: int | None = None,
                    reason: str = "") -> Drawdown:
    """approve (maybe less), reject (with reason) or withdraw (by the requester) a requested drawdown."""
    if action not in ("approve", "reject", "withdraw"):
        raise ValueError(action)
    new_status = _transition(drawdown, action, actor)
    before = _drawdown_snapshot(drawdown)
    module, year, requested = drawdown.module_code, drawdown.budget_year, drawdown.amount_requested_cents
    accounts = ledger.accounts_of(drawdown.grant_id)
    available_id = accounts[(K.AVAILABLE, module, year)]
    reason = (reason or "").strip()
    if action == "approve":
        amount = requested if amount_cents is None else amount_cents
        if not 0 < amount <= requested:
            raise ValidationFailed.field("amount", f"Der genehmigte Betrag muss zwischen 0,01 € und dem beantragten "
                                                   f"Betrag ({format_eur(requested)}) liegen.")
        ledger.balance(available_id, lock=True)
        balances = ledger.balances_of(drawdown.grant_id)
        approved_line = -balances.get((K.BUDGET, module, year), 0)
        used = balances.get((K.APPROVED, module, year), 0) + balances.get((K.PAID, module, year), 0)
        if used + amount > approved_line:
            raise ValidationFailed.field("amount", f"Genehmigte und ausgezahlte Abrufe würden die Bewilligung für "
                                                   f"{module}/{year} ({format_eur(approved_line)}) übersteigen.")
        if amount < requested and not reason:
            raise ValidationFailed.field("reason", "Bitte die Kürzung begründen; die Begründung wird dem "
                                                   "Zuwendungsempfänger mitgeteilt.")
        transfers = [Transfer(accounts[(K.APPROVED, module, year)], accounts[(K.REQUESTED, module, year)], amount),
                     Transfer(available_id, accounts[(K.REQUESTED, module, year)], requested - amount)]
        drawdown.amount_approved_cents = amount
    else:
        if action == "reject" and not reason:
            raise ValidationFailed.field("reason", "Bitte die Ablehnung begründen.")
        transfers = [Transfer(available_id, accounts[(K.REQUESTED, module, year)], requested)]
    if len(reason) > 1000:
        raise ValidationFailed.field("reason", "Die Begründung ist zu lang (höchstens 1000 Zeichen).")
    drawdown.status, drawdown.decision_reason = new_status, reason
    drawdown.decided_at, drawdown.decided_by_id = clock.now(), actor.id
    db.session.flush()
    ledger.post(drawdown.grant_id, f"drawdown.{action}", transfers, value_date=clock.today(),
                source_type="drawdown", source_id=drawdown.id, description=f"Mittelabruf {module} {action}")
    audit.record(f"drawdown.{action}", "drawdown", drawdown.id, before=before, after=_drawdown_snapshot(drawdown),
                 actor=actor, kommune_id=drawdown.grant.kommune_id)
    if action != "withdraw":
        _tell_drawdown(drawdown, "cut" if action == "approve" and drawdown.amount_approved_cents < requested
                       else action)
    emit(f"drawdown.{action}", drawdown=drawdown, actor=actor)  # a rejection is a Bescheid (app.documents.hooks)
    return drawdown


def _tell_drawdown(drawdown: Drawdown, event: str) -> None:
    """The recipient's notice of a drawdown decision (approve, cut, reject) or its payment (pay)."""
    grant, module = drawdown.grant, drawdown.module_code
    what = f"{drawdown.kind.label} Nr. {drawdown.id} ({module}, {format_eur(drawdown.amount_requested_cents)})"
    if event == "approve":
        subject, lines = f"Mittelabruf genehmigt ({grant.reference})", [f"{what} wurde in voller Höhe genehmigt."]
    elif event == "cut":
        subject = f"Mittelabruf gekürzt genehmigt ({grant.reference})"
        lines = [f"{what} wurde in Höhe von {format_eur(drawdown.amount_approved_cents)} genehmigt.",
                 f"Begründung der Kürzung: {drawdown.decision_reason}"]
    elif event == "reject":
        subject = f"Mittelabruf abgelehnt ({grant.reference})"
        lines = [f"{what} wurde abgelehnt.", f"Begründung: {drawdown.decision_reason}"]
    else:
        subject = f"{drawdown.kind.label} ausgezahlt ({grant.reference})"
        lines = [f"{what}: {format_eur(drawdown.amount_approved_cents)} wurden mit Wertstellung "
                 f"{drawdown.value_date:%d.%m.%Y} ausgezahlt (Zahlungsreferenz {drawdown.payment_reference})."]
        if drawdown.kind == DrawdownKind.REQUEST:
            lines.append(f"Bitte verwenden Sie die Mittel bis zum {drawdown.period_end:%d.%m.%Y} (Bedarfszeitraum).")
    tell_recipient(grant, DRAWDOWN_DECISION, subject=subject, lines=lines,
                   link=f"/budgets/mittelabrufe/{drawdown.id}", dedup_key=f"budgets.drawdown:{drawdown.id}:{event}")


def four_eyes_bar(drawdown: Drawdown, actor) -> bool:
    """True when ``actor`` approved ``drawdown`` and so may not pay it (setting FOUR_EYES_PAYMENTS)."""
    return bool(current_app.config["FOUR_EYES_PAYMENTS"]) and drawdown.decided_by_id == actor.id


def pay_drawdown(drawdown: Drawdown, *, actor, value_date: date, reference: str) -> Drawdown:
    """Record the payment of an approved drawdown (value date, payment reference)."""
    new_status = _transition(drawdown, "pay", actor)
    if four_eyes_bar(drawdown, actor):
        raise Forbidden("Vier-Augen-Prinzip: Wer einen Mittelabruf genehmigt hat, darf ihn nicht auch auszahlen; "
                        "bitte eine zweite Person der Finanzabteilung auszahlen lassen.")
    reference = (reference or "").strip()
    errors: dict[str, list[str]] = {}
    if not reference or len(reference) > 80:
        errors["reference"] = ["Bitte das Kassenzeichen / die Zahlungsreferenz angeben (höchstens 80 Zeichen)."]
    if value_date < drawdown.period_start:
        errors["value_date"] = [f"Die Wertstellung darf nicht vor dem Abruf ({drawdown.period_start:%d.%m.%Y}) liegen."]
    elif value_date > clock.today() + timedelta(days=30):
        errors["value_date"] = ["Die Wertstellung liegt zu weit in der Zukunft (höchstens 30 Tage)."]
    if errors:
        raise ValidationFailed("Die Zahlung ist unvollständig.", errors=errors)
    before = _drawdown_snapshot(drawdown)
    module, year, amount = drawdown.module_code, drawdown.budget_year, drawdown.amount_approved_cents or 0
    accounts = ledger.accounts_of(drawdown.grant_id)
    drawdown.status, drawdown.value_date, drawdown.payment_reference = new_status, value_date, reference
    drawdown.paid_at = clock.now()
    db.session.flush()
    ledger.post(drawdown.grant_id, "drawdown.pay",
                [Transfer(accounts[(K.PAID, module, year)], accounts[(K.APPROVED, module, year)], amount)],
                value_date=value_date, source_type="drawdown", source_id=drawdown.id,
                description=f"Auszahlung {reference}")
    audit.record("drawdown.pay", "drawdown", drawdown.id, before=before, after=_drawdown_snapshot(drawdown),
                 actor=actor, kommune_id=drawdown.grant.kommune_id)
    _tell_drawdown(drawdown, "pay")
    emit("drawdown.pay", drawdown=drawdown, actor=actor)  # Auszahlungsmitteilung (app.documents.hooks)
    return drawdown


def drawdowns_select(user, *, statuses: Sequence[DrawdownStatus] | None = None, grant_id: int | None = None):
    statement = select(Drawdown).join(Grant).order_by(Drawdown.id.desc())
    if user.role == Role.KOMMUNE:
        statement = statement.where(Grant.kommune_id == user.kommune_id)
    elif user.role == Role.ORGANISATION:
        statement = statement.where(Grant.organisation_id == user.organisation_id)
    if statuses:
        statement = statement.where(Drawdown.status.in_(list(statuses)))
    if grant_id is not None:
        statement = statement.where(Drawdown.grant_id == grant_id)
    return statement


def drawdown_export_rows(user):
    """``drawdowns_select`` as plain columns for the export (grant reference, recipient's name parts)."""
    return (drawdowns_select(user).with_only_columns(
        Drawdown.id, Grant.reference, Kommune.name.label("kommune_name"), Kommune.kind.label("kommune_kind"),
        Organisation.name.label("organisation_name"), Drawdown.module_code, Drawdown.budget_year, Drawdown.status,
        Drawdown.amount_requested_cents, Drawdown.amount_approved_cents, Drawdown.value_date,
        Drawdown.payment_reference)
        .outerjoin(Kommune, Kommune.id == Grant.kommune_id)
        .outerjoin(Organisation, Organisation.id == Grant.organisation_id))


# --------------------------------------------------------------------------- expenses


def validate_expense(grant: Grant, *, module: str, expense_date: date | None, amount_cents: int | None,
                     units_centi: int | None = None, rate_code: str | None = None, voucher_ref: str = "",
                     description: str = "", today: date | None = None, rates=None,
                     approved_lines: set[tuple[str, int]] | None = None) -> tuple[dict, dict]:
    """Check one expense; returns (row for the insert, errors by field). Shared by the form, API and CSV import."""
    errors: dict[str, str] = {}
    today = today or clock.today()
    module = (module or "").strip().upper()
    lines = approved_lines if approved_lines is not None else approved_keys(grant)
    if module not in {m for m, _y in lines}:  # a handful of lines: cheap
        errors["module"] = f"Baustein „{module}“ ist für diese Zuwendung nicht bewilligt."
    if expense_date is None:
        errors["expense_date"] = "Bitte ein Datum angeben."
    elif expense_date > grant.last_expense_date:
        errors["expense_date"] = (f"Das Datum {expense_date:%d.%m.%Y} liegt nach dem letzten Ausgabetag "
                                  f"({grant.last_expense_date:%d.%m.%Y}); solche Ausgaben sind nicht förderfähig.")
    elif expense_date < grant.start_date:
        errors["expense_date"] = (f"Das Datum {expense_date:%d.%m.%Y} liegt vor Beginn des Bewilligungszeitraums "
                                  f"({grant.start_date:%d.%m.%Y}).")
    elif expense_date > today:
        errors["expense_date"] = f"Das Datum {expense_date:%d.%m.%Y} liegt in der Zukunft."
    elif "module" not in errors and (module, expense_date.year) not in lines:
        errors["module"] = f"Für Baustein {module} ist im Haushaltsjahr {expense_date.year} nichts bewilligt."
    if rate_code:
        rate = (rates if rates is not None else flat_rates(grant.programme.code)).get(rate_code)
        if rate is None:
            errors["rate_code"] = f"Unbekannte Pauschale „{rate_code}“."
        elif rate.module != module:
            errors["rate_code"] = f"Die Pauschale „{rate_code}“ gilt für Baustein {rate.module}, nicht {module}."
        elif not units_centi or units_centi <= 0:
            errors["units"] = "Bitte die Anzahl der Einheiten angeben (größer als 0)."
        else:
            computed = priced(units_centi, rate)
            if amount_cents is not None and amount_cents != computed:
                errors["amount"] = (f"Der Betrag passt nicht zur Pauschale: {units_centi / 100:g} × "
                                    f"{format_eur(rate.rate_cents)} = {format_eur(computed)}.")
            amount_cents = computed
    elif units_centi:
        errors["rate_code"] = "Zu Einheiten bitte die Pauschale angeben."
    if amount_cents is None:
        errors.setdefault("amount", "Bitte einen Betrag angeben.")
    elif amount_cents <= 0:
        errors.setdefault("amount", "Der Betrag muss größer als 0 sein.")
    elif amount_cents >= 10**13:
        errors.setdefault("amount", "Der Betrag ist zu groß.")
    if len(voucher_ref or "") > 80:
        errors["voucher_ref"] = "Die Belegnummer ist zu lang (höchstens 80 Zeichen)."
    if len(description or "") > 300:
        errors["description"] = "Die Beschreibung ist zu lang (höchstens 300 Zeichen)."
    row = {"module_code": module, "budget_year": expense_date.year if expense_date else 0,
           "expense_date": expense_date, "amount_cents": amount_cents, "units_centi": units_centi or None,
           "rate_code": rate_code or None, "voucher_ref": (voucher_ref or "").strip(),
           "description": (description or "").strip()}
    return row, errors


_APPROVED_KEYS = (select(GrantLine.module_code, GrantLine.budget_year)
                  .where(GrantLine.grant_id == bindparam("grant_id"), GrantLine.approved_cents > 0))


def approved_keys(grant: Grant) -> set[tuple[str, int]]:
    """(module, year) of the grant's lines with an approved amount: two columns, no line objects built."""
    return {(module, year) for module, year in db.session.execute(_APPROVED_KEYS, {"grant_id": grant.id})}


_PROOF_EXISTS = select(ProofOfUse.id).where(ProofOfUse.grant_id == bindparam("grant_id"))


def _ensure_open_for_expenses(grant: Grant, verb: str = "erfasst") -> None:
    """409 once expense entry is closed or the proof of use is submitted (recording and Storno alike)."""
    if grant.expense_entry_closed_at is not None:  # set by the job after the last expense date (phases.py)
        raise Conflict(f"Die Ausgabenerfassung ist seit dem Ende des Bewilligungszeitraums "
                       f"({grant.last_expense_date:%d.%m.%Y}) geschlossen; bitte reichen Sie den "
                       "Verwendungsnachweis ein.")
    if db.session.connection().execute(_PROOF_EXISTS, {"grant_id": grant.id}).first() is not None:
        raise Conflict(f"Der Verwendungsnachweis ist eingereicht; Ausgaben können nicht mehr {verb} werden.")


def record_expense(grant: Grant, *, actor, **fields) -> Expense:
    """One expense (form or API); booked like an import of one line."""
    ensure_grant_access(actor, grant)
    _ensure_open_for_expenses(grant)
    row, errors = validate_expense(grant, **fields)
    if not errors and row["voucher_ref"]:
        _lock_grant(grant)
        earlier = _booked_vouchers(grant, [row["voucher_ref"]])
        if earlier:
            errors["voucher_ref"] = (f"Der Beleg „{row['voucher_ref']}“ ist bereits gebucht "
                                     f"({earlier[row['voucher_ref']]}); bitte stornieren Sie zuerst die frühere "
                                     "Buchung, wenn sie falsch ist.")
    if not errors and (implausible := plausibility.amount_problems(grant, [row])):
        errors["amount"] = implausible[0]
    if errors:
        raise ValidationFailed("Die Ausgabe ist unvollständig oder unzulässig.",
                               errors={field: [message] for field, message in errors.items()})
    expense = book_expenses(grant, [row], import_id=None)[0]
    audit.record("expense.create", "expense", expense.id, after=row, actor=actor, kommune_id=grant.kommune_id)
    return expense


def import_expenses(grant: Grant, rows: list[dict], *, actor, filename: str = "",
                    content: bytes | None = None) -> ExpenseImport:
    """Book validated CSV rows all at once: bulk insert, one journal per module and year, balances once.

    ``content`` is the uploaded file: its SHA-256 is stored, and a file or voucher numbers already booked for
    the grant (on an import or expense not reversed) refuse the whole import (``_refuse_duplicates``).
    """
    ensure_grant_access(actor, grant)
    _ensure_open_for_expenses(grant)
    file_sha256 = hashlib.sha256(content).hexdigest() if content is not None else None
    _refuse_duplicates(grant, rows, file_sha256)
    total = sum(row["amount_cents"] for row in rows)
    record = ExpenseImport(grant_id=grant.id, filename=filename[:200], file_sha256=file_sha256, line_count=len(rows),
                           total_cents=total, created_at=clock.now(), created_by_id=actor.id if actor else None)
    db.session.add(record)
    db.session.flush()
    book_expenses(grant, rows, import_id=record.id)
    audit.record("expense.import", "expense_import", record.id,
                 after={"lines": len(rows), "total_cents": total, "filename": filename}, actor=actor,
                 kommune_id=grant.kommune_id)
    return record


_LISTED_ERRORS = 100  # like the CSV parser: at most this many line errors are listed


def _lock_grant(grant: Grant) -> None:
    """Serialise the duplicate check and the booking per grant (PostgreSQL; SQLite holds the write lock)."""
    db.session.execute(lock_for_update(select(Grant.id).where(Grant.id == grant.id)))


def _day(moment) -> str:
    return f"{moment.astimezone(clock.BERLIN):%d.%m.%Y}"


def _import_text(record: ExpenseImport) -> str:
    return f"Import Nr. {record.id} „{record.filename or 'ohne Dateiname'}“ vom {_day(record.created_at)}"


def _booked_vouchers(grant: Grant, vouchers: Sequence[str]) -> dict[str, str]:
    """Voucher number -> German description of its active (not reversed) booking, for the given numbers."""
    found: dict[str, str] = {}
    unique = sorted(set(vouchers))
    for start in range(0, len(unique), 5000):  # bounded IN lists (SQLite's variable limit)
        rows = db.session.execute(
            select(Expense.id, Expense.voucher_ref, Expense.expense_date, Expense.created_at, Expense.import_line,
                   ExpenseImport).outerjoin(ExpenseImport, ExpenseImport.id == Expense.import_id)
            .where(Expense.grant_id == grant.id, Expense.reversed_at.is_(None),
                   Expense.voucher_ref != "",  # the partial unique index's predicate: it serves this lookup
                   Expense.voucher_ref.in_(unique[start:start + 5000])))
        for expense_id, voucher, day, created, line, record in rows:
            if record is not None:
                found[voucher] = _import_text(record) + (f", Zeile {line}" if line else "")
            else:
                found[voucher] = f"Ausgabe Nr. {expense_id} vom {day:%d.%m.%Y}, erfasst am {_day(created)}"
    return found


def _refuse_duplicates(grant: Grant, rows: list[dict], file_sha256: str | None) -> None:
    """ValidationFailed (whole import) for a file already imported or voucher numbers already booked.

    Lines are named by ``import_line`` (the file's physical line, set by the CSV parser), else by position.
    A voucher number twice in the same file is refused too: it could not be booked by two imports either.
    """
    _lock_grant(grant)
    messages: list[str] = []
    if file_sha256 is not None:
        earlier = db.session.scalar(select(ExpenseImport).where(
            ExpenseImport.grant_id == grant.id, ExpenseImport.file_sha256 == file_sha256,
            ExpenseImport.reversed_at.is_(None)))
        if earlier is not None:
            messages.append(f"Diese Datei wurde bereits importiert ({_import_text(earlier)}, {earlier.line_count} "
                            "Zeilen). Um sie zu korrigieren, stornieren Sie zuerst den früheren Import.")
    numbered = [(row.get("import_line") or index, row["voucher_ref"])
                for index, row in enumerate(rows, start=1) if row["voucher_ref"]]
    booked = _booked_vouchers(grant, [voucher for _line, voucher in numbered])
    first_line: dict[str, int] = {}
    lines: list[dict] = []
    for line, voucher in numbered:
        if voucher in booked:
            message = f"Beleg „{voucher}“ ist bereits gebucht ({booked[voucher]})."
        elif voucher in first_line:
            message = f"Beleg „{voucher}“ steht bereits in Zeile {first_line[voucher]} dieser Datei."
        else:
            first_line[voucher] = line
            continue
        lines.append({"line": line, "field": "beleg", "message": message})
    if not messages and not lines:
        return
    shown = lines[:_LISTED_ERRORS]
    messages += [f"Zeile {e['line']}, {e['field']}: {e['message']}" for e in shown]
    if len(lines) > _LISTED_ERRORS:
        messages.append(f"… und {len(lines) - _LISTED_ERRORS} weitere Fehler.")
    detail = (f"Die Datei enthält bereits gebuchte oder doppelte Belege in {len(lines)} Zeile(n)" if lines
              else "Diese Datei wurde bereits importiert")
    raise ValidationFailed(detail + "; es wurde nichts importiert.", errors={"file": messages}, lines=shown)


def _post_expenses(grant: Grant, accounts: dict, module: str, year: int, cents: int, *, kind: str,
                   **journal) -> int | None:
    """Book ``cents`` more (or, negative, fewer) eligible expenses on one line: expenses <- earned (the change of
    rate x cumulative expenses, the rounding rule) and own share (the rest). Returns the journal id."""
    expenses_id = accounts[(K.EXPENSES, module, year)]
    before = ledger.balance(expenses_id, lock=True)
    earned_booked = -ledger.balance(accounts[(K.EARNED, module, year)])
    earned_delta = ledger.earned_for(before + cents, grant.funding_rate_bp) - earned_booked
    return ledger.post(grant.id, kind, [
        Transfer(expenses_id, accounts[(K.EARNED, module, year)], earned_delta),
        Transfer(expenses_id, accounts[(K.OWN_SHARE, module, year)], cents - earned_delta)],
        value_date=clock.today(), **journal)


def book_expenses(grant: Grant, rows: list[dict], *, import_id: int | None) -> list[Expense]:
    """Insert expense rows and post one journal per (module, year); returns the objects of small groups."""
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row["module_code"], row["budget_year"])].append(row)
    # one line (a single expense, most imports): only its accounts
    accounts = ledger.accounts_of(grant.id, *next(iter(groups))) if len(groups) == 1 else ledger.accounts_of(grant.id)
    now = clock.now()
    small: list[Expense] = []
    for (module, year), group in sorted(groups.items()):
        journal_id = _post_expenses(grant, accounts, module, year, sum(row["amount_cents"] for row in group),
                                    kind="expense", source_type="expense_import" if import_id else "expense",
                                    source_id=import_id, description=f"Ausgaben {module}/{year} ({len(group)} Zeilen)")
        constants = {"grant_id": grant.id, "import_id": import_id, "journal_id": journal_id, "eligible": True,
                     "ineligible_reason": "", "reversal_reason": "", "created_at": now}
        if len(group) <= 10:  # ORM objects: the caller finds them in the session without reading them back
            for row in group:
                expense = Expense(**row, **constants)
                db.session.add(expense)
                small.append(expense)
        else:
            _bulk_insert(Expense.__table__, group, constants)
    if small:
        db.session.flush()
    _add_daily(grant.id, rows, sign=1)
    return small


def _bulk_insert(table, rows: list[dict], constants: dict) -> None:
    """Insert many rows in the current transaction without per-row statement compilation.

    PostgreSQL: ``COPY ... FROM STDIN`` through psycopg 3 on the session's connection (a 20,000-line import went
    from about 4,600 to 15,400 lines/s, bench/README.md; rolled back with the transaction like any insert).
    Other engines: a driver-level ``executemany``.
    Constant columns are processed once.
    """
    connection = db.session.connection()
    dialect = connection.dialect
    varying = list(rows[0])

    def processor(name):
        return table.c[name].type.bind_processor(dialect)

    fixed = tuple(value if value is None or processor(name) is None else processor(name)(value)
                  for name, value in constants.items())
    plain = [name for name in varying if processor(name) is None]
    processed = [(name, processor(name)) for name in varying if processor(name) is not None]
    columns = plain + [name for name, _p in processed] + list(constants)
    names = ", ".join(dialect.identifier_preparer.quote(name) for name in columns)
    target = f"{dialect.identifier_preparer.format_table(table)} ({names})"
    params = [tuple([row[name] for name in plain]
                    + [None if row[name] is None else proc(row[name]) for name, proc in processed]) + fixed
              for row in rows]
    if dialect.name == "postgresql":
        with connection.connection.driver_connection.cursor() as cursor, \
                cursor.copy(f"COPY {target} FROM STDIN") as copy:  # noqa: S608
            for row in params:
                copy.write_row(row)
        return
    if dialect.paramstyle == "qmark":
        marks = ", ".join("?" for _ in columns)
    elif dialect.paramstyle == "format":
        marks = ", ".join("%s" for _ in columns)
    else:
        marks = ", ".join(f"%({name})s" for name in columns)
    sql = f"INSERT INTO {target} VALUES ({marks})"  # noqa: S608
    if dialect.paramstyle not in ("qmark", "format"):
        params = [dict(zip(columns, row, strict=True)) for row in params]
    connection.exec_driver_sql(sql, params)


_DAILY = ExpenseDaily.__table__


def _daily_upsert(maker):
    statement = maker(_DAILY)
    return statement.on_conflict_do_update(
        index_elements=[_DAILY.c.grant_id, _DAILY.c.module_code, _DAILY.c.day],
        set_={"amount_cents": _DAILY.c.amount_cents + statement.excluded.amount_cents})


# One upsert per (module, day), built once per dialect, run on the session's connection.
_ADD_DAILY = {"postgresql": _daily_upsert(pg_insert), "sqlite": _daily_upsert(sqlite_insert)}


def _add_daily(grant_id: int, rows: list[dict], *, sign: int) -> None:
    daily: dict[tuple[str, date], int] = defaultdict(int)
    for row in rows:
        daily[(row["module_code"], row["expense_date"])] += sign * row["amount_cents"]
    values = [{"grant_id": grant_id, "module_code": m, "day": d, "amount_cents": c} for (m, d), c in daily.items()]
    if values:
        connection = db.session.connection()
        connection.execute(_ADD_DAILY[connection.dialect.name], values)


def expenses_select(grant: Grant, *, eligible: bool | None = None):
    """The grant's expenses; ``eligible=False``: those marked ineligible (not the reversed ones)."""
    statement = select(Expense).where(Expense.grant_id == grant.id).order_by(Expense.expense_date, Expense.id)
    if eligible is not None:
        statement = statement.where(Expense.eligible.is_(eligible))
    if eligible is False:
        statement = statement.where(Expense.reversed_at.is_(None))
    return statement


def get_expense(user, expense_id: int) -> Expense:
    expense = db.session.get(Expense, expense_id)
    if expense is None:
        raise NotFound("Ausgabe nicht gefunden.")
    ensure_grant_access(user, db.session.get(Grant, expense.grant_id))
    return expense


def mark_ineligible(expense: Expense, *, reason: str, actor) -> Expense:
    """Proof-of-use check: take one expense out (reversal of its share of the journal)."""
    from .settlement import ensure_proof_in_review

    grant = db.session.get(Grant, expense.grant_id)
    ensure_proof_in_review(grant, actor)
    reason = _reason(reason, "Bitte die Aberkennung begründen (höchstens 500 Zeichen).")
    expense = _locked(Expense, expense.id)
    if expense.reversed_at is not None:
        raise Conflict("Die Ausgabe wurde vom Zuwendungsempfänger storniert.")
    if not expense.eligible:
        raise Conflict("Die Ausgabe ist bereits als nicht förderfähig markiert.")
    journals = _reverse_bookings(grant, [_booking(expense)], kind="expense.ineligible", source_type="expense",
                                 source_id=expense.id,
                                 description=f"Aberkennung Ausgabe {expense.voucher_ref or expense.id}")
    expense.eligible, expense.ineligible_reason = False, reason
    expense.ineligible_journal_id = journals[expense.journal_id]
    db.session.flush()
    audit.record("expense.ineligible", "expense", expense.id, before={"eligible": True},
                 after={"eligible": False, "reason": reason}, actor=actor, kommune_id=grant.kommune_id)
    return expense


# --------------------------------------------------------------------------- Storno by the recipient


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise ValidationFailed.field("reason", message)
    return reason


def _locked(model, object_id: int):
    """The row, locked for the change and read afresh (PostgreSQL; SQLite holds the write lock)."""
    return db.session.scalar(lock_for_update(select(model).where(model.id == object_id))
                             .execution_options(populate_existing=True))


def _booking(expense) -> dict:
    return {"journal_id": expense.journal_id, "module_code": expense.module_code,
            "budget_year": expense.budget_year, "expense_date": expense.expense_date,
            "amount_cents": expense.amount_cents}


def _reverse_bookings(grant: Grant, bookings: list[dict], *, kind: str, **journal) -> dict[int, int]:
    """Reverse eligible expenses in the ledger (aberkannt or storniert): per original journal one new journal
    (``reverses_id``) taking their amounts out of the line (grant earned re-booked by the rounding rule), and
    ``expense_daily`` decremented. Returns {original journal id: reversal journal id}."""
    groups: dict[int, list[dict]] = defaultdict(list)
    for booking in bookings:
        groups[booking["journal_id"]].append(booking)
    accounts = ledger.accounts_of(grant.id)
    reversals = {}
    for journal_id, group in sorted(groups.items()):
        module, year = group[0]["module_code"], group[0]["budget_year"]
        reversals[journal_id] = _post_expenses(grant, accounts, module, year,
                                               -sum(b["amount_cents"] for b in group), kind=kind,
                                               reverses_id=journal_id, **journal)
    _add_daily(grant.id, bookings, sign=-1)
    return reversals


def _ensure_reversible(grant: Grant, actor) -> None:
    """Storno: the grant's own recipient (others: 404; staff: 403) while expense entry is open (else 409)."""
    ensure_grant_access(actor, grant)
    if actor.role not in _RECIPIENTS:
        raise Forbidden("Nur der Zuwendungsempfänger kann eigene Ausgaben stornieren.")
    _ensure_open_for_expenses(grant, verb="storniert")


_STORNO_REASON = "Bitte den Grund der Stornierung angeben (höchstens 500 Zeichen)."


def reverse_expense(expense: Expense, *, reason: str, actor) -> Expense:
    """Storno of one expense by its recipient before the proof of use: a reversal journal, the expense kept
    (struck out, with who, when and why) and no longer eligible."""
    grant = db.session.get(Grant, expense.grant_id)
    _ensure_reversible(grant, actor)
    expense = _locked(Expense, expense.id)
    if expense.reversed_at is not None:
        raise Conflict(f"Die Ausgabe ist bereits storniert (am {_day(expense.reversed_at)}).")
    if not expense.eligible:
        raise Conflict("Die Ausgabe ist als nicht förderfähig markiert und kann nicht storniert werden.")
    reason = _reason(reason, _STORNO_REASON)
    journals = _reverse_bookings(grant, [_booking(expense)], kind="expense.reverse", source_type="expense",
                                 source_id=expense.id,
                                 description=f"Storno Ausgabe {expense.voucher_ref or expense.id}")
    expense.eligible, expense.reversed_at, expense.reversed_by_id = False, clock.now(), actor.id
    expense.reversal_reason, expense.reversal_journal_id = reason, journals[expense.journal_id]
    db.session.flush()
    audit.record("expense.reverse", "expense", expense.id, before={"eligible": True},
                 after={"eligible": False, "reversed": True, "reason": reason,
                        "journal_id": expense.reversal_journal_id}, actor=actor, kommune_id=grant.kommune_id)
    return expense


def reverse_import(record: ExpenseImport, *, reason: str, actor) -> ExpenseImport:
    """Storno of a whole import: every line still booked (not reversed singly before) is reversed, one reversal
    journal per original journal; one audit entry for the import. The same file may then be imported again."""
    grant = db.session.get(Grant, record.grant_id)
    _ensure_reversible(grant, actor)
    record = _locked(ExpenseImport, record.id)
    if record.reversed_at is not None:
        raise Conflict(f"Der Import ist bereits storniert (am {_day(record.reversed_at)}).")
    reason = _reason(reason, _STORNO_REASON)
    active = (Expense.import_id == record.id, Expense.reversed_at.is_(None), Expense.eligible.is_(True))
    bookings = [dict(row._mapping) for row in db.session.execute(lock_for_update(
        select(Expense.journal_id, Expense.module_code, Expense.budget_year, Expense.expense_date,
               Expense.amount_cents).where(*active)))]
    journals = _reverse_bookings(grant, bookings, kind="expense.reverse", source_type="expense_import",
                                 source_id=record.id, description=f"Storno Import Nr. {record.id}")
    now = clock.now()
    for journal_id, reversal_id in journals.items():
        db.session.execute(update(Expense).where(*active, Expense.journal_id == journal_id).values(
            eligible=False, reversed_at=now, reversed_by_id=actor.id, reversal_reason=reason,
            reversal_journal_id=reversal_id))
    record.reversed_at, record.reversed_by_id, record.reversal_reason = now, actor.id, reason
    db.session.flush()
    total = sum(b["amount_cents"] for b in bookings)
    audit.record("expense_import.reverse", "expense_import", record.id, before={"reversed": False},
                 after={"reversed": True, "reason": reason, "lines": len(bookings), "total_cents": total,
                        "journals": sorted(journals.values())}, actor=actor, kommune_id=grant.kommune_id)
    return record


def get_import(user, import_id: int) -> ExpenseImport:
    record = db.session.get(ExpenseImport, import_id)
    if record is None:
        raise NotFound("Import nicht gefunden.")
    ensure_grant_access(user, db.session.get(Grant, record.grant_id))
    return record


def imports_select(grant: Grant):
    return select(ExpenseImport).where(ExpenseImport.grant_id == grant.id).order_by(ExpenseImport.id.desc())

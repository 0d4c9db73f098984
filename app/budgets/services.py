"""Budget use cases: commitments, drawdowns and payments, expenses. Each flushes, writes an audit
entry and books the ledger in the same transaction; the request edge commits.

Other domains create and change grants only through ``set_commitment`` (a grant decision or an
approved amendment): the approved amounts here are the one source of truth that drawdowns,
payments and expenses book against.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from .. import audit, clock
from ..auth.models import Role
from ..database import lock_for_update
from ..errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from ..events import emit
from ..extensions import db
from ..money import format_eur
from ..reference.models import Programme
from . import ledger
from .ledger import Transfer
from .models import (
    AccountKind,
    Drawdown,
    DrawdownStatus,
    Expense,
    ExpenseDaily,
    ExpenseImport,
    Grant,
    GrantLine,
    ProofOfUse,
    RecipientKind,
)
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
        used = used_by_line(grant)
        too_low = [f"{module}/{year}: neu {format_eur(lines.get((module, year), 0))}, bereits ausgezahlt "
                   f"{format_eur(amounts['paid'])}, bereits ausgegeben {format_eur(amounts['spent'])}"
                   for (module, year), amounts in sorted(used.items())
                   if lines.get((module, year), 0) < max(amounts["paid"], amounts["spent"])]
        if too_low:
            raise ValidationFailed(
                "Bereits ausgezahlte oder ausgegebene Beträge können nicht unterschritten werden.",
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


def grant_for_source(source: str) -> Grant | None:
    return db.session.scalar(select(Grant).where(Grant.source == source))


def used_by_line(grant: Grant) -> dict[tuple[str, int], dict[str, int]]:
    """What is already used per (module, year): ``{"paid": cents, "spent": cents}`` (from the balances)."""
    balances = ledger.balances_of(grant.id)
    result: dict[tuple[str, int], dict[str, int]] = {}
    for (kind, module, year), cents in balances.items():
        if kind in (K.PAID, K.EXPENSES):
            entry = result.setdefault((module, year), {"paid": 0, "spent": 0})
            entry["paid" if kind == K.PAID else "spent"] = cents
    return result


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
    emit(f"drawdown.{action}", drawdown=drawdown, actor=actor)  # a rejection is a Bescheid (app.documents.hooks)
    return drawdown


def pay_drawdown(drawdown: Drawdown, *, actor, value_date: date, reference: str) -> Drawdown:
    """Record the payment of an approved drawdown (value date, payment reference)."""
    new_status = _transition(drawdown, "pay", actor)
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


def _ensure_open_for_expenses(grant: Grant) -> None:
    if grant.expense_entry_closed_at is not None:  # set by the job after the last expense date (phases.py)
        raise Conflict(f"Die Ausgabenerfassung ist seit dem Ende des Bewilligungszeitraums "
                       f"({grant.last_expense_date:%d.%m.%Y}) geschlossen; bitte reichen Sie den "
                       "Verwendungsnachweis ein.")
    if db.session.connection().execute(_PROOF_EXISTS, {"grant_id": grant.id}).first() is not None:
        raise Conflict("Der Verwendungsnachweis ist eingereicht; Ausgaben können nicht mehr erfasst werden.")


def record_expense(grant: Grant, *, actor, **fields) -> Expense:
    """One expense (form or API); booked like an import of one line."""
    ensure_grant_access(actor, grant)
    _ensure_open_for_expenses(grant)
    row, errors = validate_expense(grant, **fields)
    if errors:
        raise ValidationFailed("Die Ausgabe ist unvollständig oder unzulässig.",
                               errors={field: [message] for field, message in errors.items()})
    expense = book_expenses(grant, [row], import_id=None)[0]
    audit.record("expense.create", "expense", expense.id, after=row, actor=actor, kommune_id=grant.kommune_id)
    return expense


def import_expenses(grant: Grant, rows: list[dict], *, actor, filename: str = "") -> ExpenseImport:
    """Book validated CSV rows all at once: bulk insert, one journal per module and year, balances once."""
    ensure_grant_access(actor, grant)
    _ensure_open_for_expenses(grant)
    total = sum(row["amount_cents"] for row in rows)
    record = ExpenseImport(grant_id=grant.id, filename=filename[:200], line_count=len(rows), total_cents=total,
                           created_at=clock.now(), created_by_id=actor.id if actor else None)
    db.session.add(record)
    db.session.flush()
    book_expenses(grant, rows, import_id=record.id)
    audit.record("expense.import", "expense_import", record.id,
                 after={"lines": len(rows), "total_cents": total, "filename": filename}, actor=actor,
                 kommune_id=grant.kommune_id)
    return record


def book_expenses(grant: Grant, rows: list[dict], *, import_id: int | None) -> list[Expense]:
    """Insert expense rows and post one journal per (module, year); returns the objects of small groups."""
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row["module_code"], row["budget_year"])].append(row)
    # one line (a single expense, most imports): only its accounts
    accounts = ledger.accounts_of(grant.id, *next(iter(groups))) if len(groups) == 1 else ledger.accounts_of(grant.id)
    now, today = clock.now(), clock.today()
    small: list[Expense] = []
    for (module, year), group in sorted(groups.items()):
        expenses_id = accounts[(K.EXPENSES, module, year)]
        before = ledger.balance(expenses_id, lock=True)
        added = sum(row["amount_cents"] for row in group)
        earned_booked = -ledger.balance(accounts[(K.EARNED, module, year)])
        earned_delta = ledger.earned_for(before + added, grant.funding_rate_bp) - earned_booked
        journal_id = ledger.post(grant.id, "expense", [
            Transfer(expenses_id, accounts[(K.EARNED, module, year)], earned_delta),
            Transfer(expenses_id, accounts[(K.OWN_SHARE, module, year)], added - earned_delta)],
            value_date=today, source_type="expense_import" if import_id else "expense", source_id=import_id,
            description=f"Ausgaben {module}/{year} ({len(group)} Zeilen)")
        constants = {"grant_id": grant.id, "import_id": import_id, "journal_id": journal_id, "eligible": True,
                     "ineligible_reason": "", "created_at": now}
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
    statement = select(Expense).where(Expense.grant_id == grant.id).order_by(Expense.expense_date, Expense.id)
    if eligible is not None:
        statement = statement.where(Expense.eligible.is_(eligible))
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
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise ValidationFailed.field("reason", "Bitte die Aberkennung begründen (höchstens 500 Zeichen).")
    if not expense.eligible:
        raise Conflict("Die Ausgabe ist bereits als nicht förderfähig markiert.")
    module, year = expense.module_code, expense.budget_year
    accounts = ledger.accounts_of(grant.id)
    expenses_id = accounts[(K.EXPENSES, module, year)]
    before = ledger.balance(expenses_id, lock=True)
    earned_booked = -ledger.balance(accounts[(K.EARNED, module, year)])
    earned_delta = ledger.earned_for(before - expense.amount_cents, grant.funding_rate_bp) - earned_booked
    journal_id = ledger.post(grant.id, "expense.ineligible", [
        Transfer(expenses_id, accounts[(K.EARNED, module, year)], earned_delta),
        Transfer(expenses_id, accounts[(K.OWN_SHARE, module, year)], -expense.amount_cents - earned_delta)],
        value_date=clock.today(), source_type="expense", source_id=expense.id,
        description=f"Aberkennung Ausgabe {expense.voucher_ref or expense.id}", reverses_id=expense.journal_id)
    expense.eligible, expense.ineligible_reason, expense.ineligible_journal_id = False, reason, journal_id
    _add_daily(grant.id, [{"module_code": module, "expense_date": expense.expense_date,
                           "amount_cents": expense.amount_cents}], sign=-1)
    db.session.flush()
    audit.record("expense.ineligible", "expense", expense.id, before={"eligible": True},
                 after={"eligible": False, "reason": reason}, actor=actor, kommune_id=grant.kommune_id)
    return expense

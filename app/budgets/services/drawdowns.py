"""Drawdowns (Mittelabrufe): requested by the recipient, approved (perhaps cut), rejected or withdrawn, paid
by finance under the four-eyes rule; every step books the ledger and tells the recipient."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import contains_eager

from ...auth.models import Role
from ...platform import audit, clock, limits
from ...platform.database import lock_for_update
from ...platform.errors import Forbidden, NotFound, ValidationFailed
from ...platform.events import emit
from ...platform.extensions import db
from ...platform.money import format_eur
from ...reference.models import Kommune, Organisation, Programme
from .. import ledger, monitoring
from ..ledger import Transfer
from ..models import (
    AccountKind,
    Drawdown,
    DrawdownKind,
    DrawdownStatus,
    Grant,
    GrantLine,
)
from ..notices import DRAWDOWN_DECISION, tell_recipient
from ..schemas import PAYMENT_REFERENCE_MESSAGE
from ..workflow import DRAWDOWN, RECIPIENTS
from .grants import ensure_grant_access

_APPROVED_CENTS = select(GrantLine.approved_cents).where(
    GrantLine.grant_id == bindparam("grant_id"), GrantLine.module_code == bindparam("module"),
    GrantLine.budget_year == bindparam("year"))


_DRAWDOWN_PERIOD = select(Programme.drawdown_period_months).where(Programme.id == bindparam("programme_id"))


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
    if actor.role not in RECIPIENTS:
        raise Forbidden("Nur Zuwendungsempfänger können Mittel abrufen.")
    today = clock.today()
    errors: dict[str, list[str]] = {}
    purpose = (purpose or "").strip()
    if not purpose:
        errors["purpose"] = ["Bitte den Verwendungszweck angeben."]
    elif len(purpose) > limits.PURPOSE:
        errors["purpose"] = [f"Der Verwendungszweck ist zu lang (höchstens {limits.PURPOSE} Zeichen)."]
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
    available = ledger.balance(accounts[(AccountKind.AVAILABLE, module, today.year)], lock=True)
    if amount_cents > available:
        raise ValidationFailed.field(
            "amount", f"Der Betrag übersteigt die noch abrufbaren Mittel für {module}/{today.year} "
                      f"({format_eur(max(available, 0))}).")
    _refuse_while_unspent_overdue(grant, module)
    months = connection.execute(_DRAWDOWN_PERIOD, {"programme_id": grant.programme_id}).scalar_one()
    drawdown = Drawdown(grant_id=grant.id, module_code=module, budget_year=today.year, status=DrawdownStatus.REQUESTED,
                        amount_requested_cents=amount_cents, purpose=purpose, period_start=today,
                        period_end=add_months(today, months) - timedelta(days=1), requested_at=clock.now(),
                        requested_by_id=actor.id)
    db.session.add(drawdown)
    db.session.flush()
    ledger.post(grant.id, "drawdown.request", [
        Transfer(accounts[(AccountKind.REQUESTED, module, today.year)],
                 accounts[(AccountKind.AVAILABLE, module, today.year)], amount_cents)],
                value_date=today, source_type="drawdown", source_id=drawdown.id, description=f"Mittelabruf {module}")
    audit.record("drawdown.request", "drawdown", drawdown.id, after=_drawdown_snapshot(drawdown), actor=actor,
                 kommune_id=grant.kommune_id)
    return drawdown


def _refuse_while_unspent_overdue(grant: Grant, module: str) -> None:
    """ANBest-G Nr. 1.4: no new money for a module while earlier payments of it stay unspent past their need
    period (decision and reason in docs/budgets.md, "Unspent money blocks new drawdowns")."""
    if monitoring.has_overdue_unspent(grant.id, module):  # two sums; the figures only for the refusal
        cents, oldest = monitoring.overdue_unspent(grant, module)
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
    ensure_grant_access(actor, drawdown.grant)
    new_status = DRAWDOWN.check(drawdown.status, action, actor)
    before = _drawdown_snapshot(drawdown)
    module, year, requested = drawdown.module_code, drawdown.budget_year, drawdown.amount_requested_cents
    accounts = ledger.accounts_of(drawdown.grant_id)
    available_id = accounts[(AccountKind.AVAILABLE, module, year)]
    reason = (reason or "").strip()
    if action == "approve":
        amount = requested if amount_cents is None else amount_cents
        if not 0 < amount <= requested:
            raise ValidationFailed.field("amount", f"Der genehmigte Betrag muss zwischen 0,01 € und dem beantragten "
                                                   f"Betrag ({format_eur(requested)}) liegen.")
        ledger.balance(available_id, lock=True)
        balances = ledger.balances_of(drawdown.grant_id)
        approved_line = -balances.get((AccountKind.BUDGET, module, year), 0)
        used = balances.get((AccountKind.APPROVED, module, year), 0) + balances.get((AccountKind.PAID, module, year), 0)
        if used + amount > approved_line:
            raise ValidationFailed.field("amount", f"Genehmigte und ausgezahlte Abrufe würden die Bewilligung für "
                                                   f"{module}/{year} ({format_eur(approved_line)}) übersteigen.")
        if amount < requested and not reason:
            raise ValidationFailed.field("reason", "Bitte die Kürzung begründen; die Begründung wird dem "
                                                   "Zuwendungsempfänger mitgeteilt.")
        transfers = [Transfer(accounts[(AccountKind.APPROVED, module, year)],
                              accounts[(AccountKind.REQUESTED, module, year)], amount),
                     Transfer(available_id, accounts[(AccountKind.REQUESTED, module, year)], requested - amount)]
        drawdown.amount_approved_cents = amount
    else:
        if action == "reject" and not reason:
            raise ValidationFailed.field("reason", "Bitte die Ablehnung begründen.")
        transfers = [Transfer(available_id, accounts[(AccountKind.REQUESTED, module, year)], requested)]
    if len(reason) > limits.PURPOSE:
        raise ValidationFailed.field("reason", f"Die Begründung ist zu lang (höchstens {limits.PURPOSE} Zeichen).")
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
    ensure_grant_access(actor, drawdown.grant)
    new_status = DRAWDOWN.check(drawdown.status, "pay", actor)
    if four_eyes_bar(drawdown, actor):
        raise Forbidden("Vier-Augen-Prinzip: Wer einen Mittelabruf genehmigt hat, darf ihn nicht auch auszahlen; "
                        "bitte eine zweite Person der Finanzabteilung auszahlen lassen.")
    reference = (reference or "").strip()
    errors: dict[str, list[str]] = {}
    if not reference or len(reference) > limits.PAYMENT_REFERENCE:
        errors["reference"] = [PAYMENT_REFERENCE_MESSAGE]
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
                [Transfer(accounts[(AccountKind.PAID, module, year)], accounts[(AccountKind.APPROVED, module, year)],
                          amount)],
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


def drawdowns_page_select(user, *, statuses: Sequence[DrawdownStatus] | None = None, grant_id: int | None = None):
    """``drawdowns_select`` for the paged list: the grant and its recipient in the same query (issue #19).

    The list shows each row's grant reference and recipient; loaded lazily that was one query per grant
    and recipient on the page, so the page cost grew with the rows the journal had made visible.
    """
    return (drawdowns_select(user, statuses=statuses, grant_id=grant_id)
            .outerjoin(Kommune, Kommune.id == Grant.kommune_id)
            .outerjoin(Organisation, Organisation.id == Grant.organisation_id)
            .options(contains_eager(Drawdown.grant).contains_eager(Grant.kommune),
                     contains_eager(Drawdown.grant).contains_eager(Grant.organisation)))


def recent_drawdowns(grant: Grant, limit: int) -> tuple[list[Drawdown], int]:
    """The ``limit`` newest drawdowns of ``grant`` and how many it has in all (index-only count).

    The budget page of a grant shows only these; the older ones are in the drawdown list filtered to the
    grant (paged), instead of all of them folded into the page, which grew with the journal (issue #19).
    """
    newest = list(db.session.scalars(select(Drawdown).where(Drawdown.grant_id == grant.id)
                                      .order_by(Drawdown.id.desc()).limit(limit)))
    total = len(newest) if len(newest) < limit else db.session.scalar(
        select(func.count()).select_from(Drawdown).where(Drawdown.grant_id == grant.id))
    return newest, total

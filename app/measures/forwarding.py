"""Weiterleitung (VV Nr. 12 zu § 44 LHO): forwarding contracts, the grant authority's consent, payments
to the provider and the provider's proof.

A payment to a provider is booked as an expense of the Kommune's grant through budgets' public
``record_expense`` (the same checks as any expense: module approved for the year, period, voucher not
booked twice, entry still open). Nothing else is booked: the provider is not a second recipient in the
ledger, so the forwarded money is counted once (``verify_ledger`` stays clean). The contract's
``paid_cents`` (payments whose expense was not reversed) is checked against its amount under the
contract's row lock, in the transaction that books.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select

from ..auth.models import Role
from ..auth.permissions import ensure_kommune_access
from ..budgets.models import Expense, Grant, RecipientKind
from ..budgets.services import grants_visible_to, record_expense
from ..platform import audit, clock
from ..platform.database import lock_for_update, sum_cents
from ..platform.errors import Conflict, NotFound, ValidationFailed
from ..platform.extensions import db
from ..platform.formatting import format_date
from ..platform.money import format_eur
from ..reference.models import Organisation
from . import services
from .models import ContractStatus, ForwardingContract, FundingSource, MeasureStatus, ProofLine, ProviderPayment
from .workflow import CONTRACT, PROOF

MAX_PROOF_LINES = 500  # lines of a provider's account in one proof
# budgets' field names of an expense -> the payment form's
PAYMENT_FIELDS = {"expense_date": "payment_date", "amount": "amount", "voucher_ref": "voucher_ref",
                  "module": "payment_date"}


def contracts_select(user) -> Select:
    """The contracts ``user`` may see: a Kommune its own, a provider those with it, the ministry's roles all."""
    statement = select(ForwardingContract).order_by(ForwardingContract.id.desc())
    if user.role is Role.KOMMUNE:
        return statement.where(ForwardingContract.kommune_id == user.kommune_id)
    if user.role is Role.ORGANISATION:
        return statement.where(ForwardingContract.organisation_id == user.organisation_id)
    if user.role in (Role.PROGRAMME_ADMIN, Role.FINANCE, Role.AUDITOR):
        return statement
    return statement.where(False)


def get_contract(user, contract_id: int, *, lock: bool = False) -> ForwardingContract:
    statement = select(ForwardingContract).where(ForwardingContract.id == contract_id)
    contract = db.session.scalar(lock_for_update(statement) if lock else statement)
    if contract is None or user.role is Role.REVIEWER:
        raise NotFound("Weiterleitungsvertrag nicht gefunden.")
    ensure_kommune_access(user, contract.kommune_id, "Weiterleitungsvertrag")
    if user.role is Role.ORGANISATION and user.organisation_id != contract.organisation_id:
        raise NotFound("Weiterleitungsvertrag nicht gefunden.")
    return contract


def _snapshot(contract: ForwardingContract) -> dict:
    return {"measure_id": contract.measure_id, "organisation_id": contract.organisation_id,
            "amount_cents": contract.amount_cents, "start_date": contract.start_date, "end_date": contract.end_date,
            "side_conditions": contract.side_conditions, "status": contract.status}


def request_contract(actor, data: Mapping[str, Any], *, synthetic: bool = False) -> ForwardingContract:
    """The Kommune asks for consent to forward ``amount`` of a programme-funded measure to a course provider.

    The open contracts of a measure (requested or consented) stay within its cost plan, checked under
    the measure's row lock.
    """
    measure = services.get_measure(actor, data["measure_id"], lock=True)
    if measure.funding_source is not FundingSource.PROGRAMME or measure.status is MeasureStatus.CANCELLED:
        raise ValidationFailed.field("measure_id", "Weiterleiten lassen sich nur Mittel laufender oder geplanter "
                                                   "Maßnahmen dieses Programms.")
    organisation = db.session.get(Organisation, data["organisation_id"])
    if organisation is None or services.provider_profile(organisation.id) is None:
        raise ValidationFailed.field("organisation_id", "Dieser Kursträger ist nicht eingetragen.")
    committed = db.session.scalar(select(sum_cents(ForwardingContract.amount_cents)).where(
        ForwardingContract.measure_id == measure.id, ForwardingContract.status.in_(services.OPEN_CONTRACTS)))
    if committed + data["amount_cents"] > measure.cost_plan_cents:
        raise ValidationFailed.field("amount", (
            f"Der Betrag übersteigt den Kostenplan der Maßnahme: {format_eur(measure.cost_plan_cents)}, davon "
            f"{format_eur(committed)} bereits weitergeleitet oder beantragt."))
    duplicate = db.session.scalar(select(ForwardingContract.id).where(
        ForwardingContract.measure_id == measure.id, ForwardingContract.organisation_id == organisation.id))
    if duplicate is not None:
        raise ValidationFailed.field("organisation_id", f"Mit diesem Träger gibt es für die Maßnahme bereits den "
                                                        f"Vertrag Nr. {duplicate}.")
    contract = ForwardingContract(
        measure_id=measure.id, organisation_id=organisation.id, kommune_id=measure.kommune_id,
        amount_cents=data["amount_cents"], paid_cents=0, start_date=data["start_date"], end_date=data["end_date"],
        side_conditions=organisation.side_conditions, status=ContractStatus.REQUESTED, synthetic=synthetic,
        created_at=clock.now())
    db.session.add(contract)
    db.session.flush()
    audit.record("forwarding.request", "forwarding_contract", contract.id, after=_snapshot(contract), actor=actor,
                 kommune_id=contract.kommune_id)
    return contract


def decide(contract: ForwardingContract, action: str, actor, *, reason: str = "") -> ForwardingContract:
    """Consent, refuse (with a reason) or withdraw (the Kommune) a requested contract."""
    if action not in ("consent", "refuse", "withdraw"):
        raise NotFound("Unbekannte Aktion.")
    new_status = CONTRACT.check(contract.status, action, actor)
    if action == "refuse" and not reason.strip():
        raise ValidationFailed.field("reason", "Bitte die Versagung begründen.")
    before = contract.status
    contract.status, contract.decision_reason = new_status, reason.strip()
    audit.record(f"forwarding.{action}", "forwarding_contract", contract.id, before={"status": before},
                 after={"status": new_status, "reason": contract.decision_reason}, actor=actor,
                 kommune_id=contract.kommune_id)
    return contract


def kommune_grant(actor) -> Grant:
    """The Kommune's grant of the programme, against which its forwarded payments are booked."""
    grants = [g for g in grants_visible_to(actor) if g.recipient_kind is RecipientKind.KOMMUNE]
    if not grants:
        raise ValidationFailed.field("amount", "Für Ihre Kommune gibt es noch keine Zuwendung.")
    return grants[0]


def pay(contract: ForwardingContract, actor, data: Mapping[str, Any]) -> ProviderPayment:
    """Book a payment to the provider as the Kommune's expense; the contract's amount is the limit."""
    CONTRACT.check(contract.status, "pay", actor)
    db.session.execute(lock_for_update(select(ForwardingContract.id).where(ForwardingContract.id == contract.id)))
    db.session.refresh(contract)  # paid_cents as of now, under the contract's row lock
    remaining = contract.amount_cents - contract.paid_cents
    if data["amount_cents"] <= 0 or data["amount_cents"] > remaining:
        raise ValidationFailed.field("amount", f"Der Betrag muss größer als 0 sein und darf den offenen Rest des "
                                               f"Vertrags ({format_eur(remaining)}) nicht übersteigen.")
    number = len(contract.payments) + 1
    voucher = data.get("voucher_ref") or f"WL-{contract.id}-{number}"
    try:
        expense = record_expense(
            kommune_grant(actor), actor=actor, module=contract.measure.module_code,
            expense_date=data["payment_date"], amount_cents=data["amount_cents"], voucher_ref=voucher,
            measure_id=contract.measure_id,
            description=f"Weiterleitung an {contract.organisation.name}: {contract.measure.title}"[:300])
    except ValidationFailed as failed:
        errors: dict[str, list[str]] = {}
        for field, messages in failed.errors.items():
            errors.setdefault(PAYMENT_FIELDS.get(field, "amount"), []).extend(messages)
        raise ValidationFailed(failed.detail, errors=errors) from None
    payment = ProviderPayment(contract_id=contract.id, expense_id=expense.id, amount_cents=data["amount_cents"],
                              payment_date=data["payment_date"], created_at=clock.now())
    db.session.add(payment)
    db.session.flush()
    audit.record("forwarding.payment", "forwarding_contract", contract.id,
                 after={"amount_cents": payment.amount_cents, "payment_date": format_date(payment.payment_date),
                        "expense_id": expense.id}, actor=actor, kommune_id=contract.kommune_id)
    return payment


def proof(contract: ForwardingContract, action: str, actor, data: Mapping[str, Any]) -> ForwardingContract:
    """The provider submits its proof (own expenses, text); the Kommune accepts it or returns it with a note."""
    if action not in ("submit", "accept", "return"):
        raise NotFound("Unbekannte Aktion.")
    if contract.status is not ContractStatus.CONSENTED:
        raise Conflict(f"Nachweise gibt es nur zu Verträgen mit Zustimmung (Stand: {contract.status.label}).")
    new_status = PROOF.check(contract.proof_status, action, actor)
    before = {"proof_status": contract.proof_status}
    if action == "submit":
        lines = data.get("lines") or []
        if len(lines) > MAX_PROOF_LINES:
            raise ValidationFailed.field("lines", f"Höchstens {MAX_PROOF_LINES} Positionen je Nachweis.")
        itemised = sum(line["amount_cents"] for line in lines)
        if lines and itemised != data["proof_expenses_cents"]:
            raise ValidationFailed.field("expenses", f"Die Positionen ergeben {format_eur(itemised)}, angegeben sind "
                                                     f"{format_eur(data['proof_expenses_cents'])}.")
        contract.proof_expenses_cents = data["proof_expenses_cents"]
        contract.proof_text = data.get("proof_text", "")
        contract.proof_lines = []
        db.session.flush()  # a new submission replaces the lines: the old ones go before the new take their positions
        contract.proof_lines = [ProofLine(position=n, expense_date=line["expense_date"],
                                          description=line["description"], voucher_ref=line.get("voucher_ref", ""),
                                          amount_cents=line["amount_cents"]) for n, line in enumerate(lines, start=1)]
    else:
        if action == "return" and not (data.get("reason") or "").strip():
            raise ValidationFailed.field("reason", "Bitte angeben, was am Nachweis fehlt.")
        contract.proof_note = (data.get("reason") or "").strip()
    contract.proof_status = new_status
    audit.record(f"forwarding.proof.{action}", "forwarding_contract", contract.id, before=before,
                 after={"proof_status": new_status, "proof_expenses_cents": contract.proof_expenses_cents,
                        "lines": len(contract.proof_lines), "note": contract.proof_note}, actor=actor,
                 kommune_id=contract.kommune_id)
    return contract


def forwarded_by_provider(grant: Grant) -> list[dict]:
    """Per provider: the forwarded amount booked (eligible expenses) against ``grant``, for the proof of use."""
    rows = db.session.execute(
        select(Organisation.name, ForwardingContract.side_conditions, sum_cents(ProviderPayment.amount_cents))
        .select_from(ProviderPayment).join(ForwardingContract).join(Organisation)
        .join(Expense, Expense.id == ProviderPayment.expense_id)
        .where(Expense.grant_id == grant.id, Expense.eligible)
        .group_by(Organisation.name, ForwardingContract.side_conditions).order_by(Organisation.name))
    return [{"provider": name, "side_conditions": side, "amount_cents": cents} for name, side, cents in rows]

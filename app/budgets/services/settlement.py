"""Proof of use (Verwendungsnachweis), its check (Aberkennung) and the final decision (Schlussbescheid).

The reclaim it may open, its interest and repayments: ``reclaims``.

Rules (see docs/budgets.md):
* final grant = min(approved total, grant earned on the eligible expenses), a module recognised up to its
  approved amount plus the programme's overrun allowance (``final_grant.settle``; budget years are no cap);
  overpaid = paid - final grant. A negative value is the final payment (Schlusszahlung) due: the decision
  orders it as approved payment orders, one per module owed, that finance pays like any drawdown.
* The overpaid principal is taken from the **latest** payments first (the reading most favourable to
  the recipient: interest runs from the later value dates). Interest (§ 49a Abs. 3 VwVfG) runs on it
  from each payment's value date, 5 points above the Basiszinssatz, act/365, computed by
  ``interest.compute_interest_on_balance``; repayments reduce the principal first, then interest.
* § 49a Abs. 4 VwVfG (programme setting ``interest_on_unused_drawdowns``): money paid out and used only
  after its drawdown period bears interest from the day after the period until the day of use (FIFO per
  module, ``interest.unused_drawdown_movements``); the part the reclaim takes back is left out (it bears
  Abs. 3 interest from the payment day). Fixed and booked by the final decision, claimed with the reclaim
  (a reclaim may then have no principal).
* Each repayment books the § 49a Abs. 3 interest accrued up to its value date; the reclaim closes when
  principal and all interest are paid in full.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from ...platform import audit, clock, limits
from ...platform.errors import Conflict, ValidationFailed
from ...platform.events import emit
from ...platform.extensions import db
from ...platform.formatting import format_decimal
from ...platform.money import format_eur, split_largest_remainder
from .. import ledger
from ..core.final_grant import ModuleSettlement
from ..ledger import Transfer
from ..models import (
    AccountKind,
    Drawdown,
    DrawdownKind,
    DrawdownStatus,
    Expense,
    Grant,
    ProofOfUse,
    ProofStatus,
    Reclaim,
)
from ..notices import SETTLEMENT, tell_recipient
from ..schemas import INELIGIBLE_REASON
from ..workflow import PROOF
from .booking import booking_of, reverse_bookings
from .common import locked_row, stated_reason
from .grants import ensure_grant_access, proof_of
from .hearings import conclude_hearing
from .outcome import intended_outcome
from .reclaims import open_reclaim

# A reclaim is due within this many days of the final decision (the notice names the day).
RECLAIM_PAYMENT_DAYS = 30


def submit_proof(grant: Grant, *, narrative: str, confirmed: bool, actor) -> ProofOfUse:
    """The recipient submits its proof of use after the last expense date; the expense list is the ledger's."""
    ensure_grant_access(actor, grant)
    proof = proof_of(grant)
    PROOF.check(proof.status if proof else None, "submit", actor)
    errors: dict[str, list[str]] = {}
    if clock.today() <= grant.last_expense_date:
        errors["date"] = [f"Der Verwendungsnachweis kann erst nach dem letzten Ausgabetag "
                          f"({grant.last_expense_date:%d.%m.%Y}) eingereicht werden."]
    narrative = (narrative or "").strip()
    if not narrative:
        errors["narrative"] = ["Bitte den Sachbericht eingeben."]
    elif len(narrative) > limits.DESCRIPTION:
        errors["narrative"] = [f"Der Sachbericht ist zu lang (höchstens {format_decimal(limits.DESCRIPTION, 0)} "
                               "Zeichen)."]
    if confirmed is not True:
        errors["confirmed"] = ["Bitte die Richtigkeit und Vollständigkeit der Angaben bestätigen."]
    if errors:
        raise ValidationFailed("Der Verwendungsnachweis ist unvollständig.", errors=errors)
    balances = ledger.balances_of(grant.id)
    count = db.session.scalar(select(db.func.count()).select_from(Expense).where(
        Expense.grant_id == grant.id, Expense.eligible.is_(True))) or 0
    total = sum(cents for (kind, _m, _y), cents in balances.items() if kind == AccountKind.EXPENSES)
    proof = ProofOfUse(grant_id=grant.id, status=ProofStatus.SUBMITTED, narrative=narrative, expense_count=count,
                       expense_total_cents=total, submitted_at=clock.now(), submitted_by_id=actor.id)
    db.session.add(proof)
    db.session.flush()
    audit.record("proof.submit", "proof_of_use", proof.id, after={"expenses": count, "total_cents": total},
                 actor=actor, kommune_id=grant.kommune_id)
    return proof


def mark_ineligible(expense: Expense, *, reason: str, actor) -> Expense:
    """Proof-of-use check: take one expense out (reversal of its share of the journal)."""
    grant = db.session.get(Grant, expense.grant_id)
    ensure_grant_access(actor, grant)
    proof = proof_of(grant)
    PROOF.check(proof.status if proof else None, "mark_ineligible", actor)
    reason = stated_reason(reason, INELIGIBLE_REASON)
    expense = locked_row(Expense, expense.id)
    if expense.reversed_at is not None:
        raise Conflict("Die Ausgabe wurde vom Zuwendungsempfänger storniert.")
    if not expense.eligible:
        raise Conflict("Die Ausgabe ist bereits als nicht förderfähig markiert.")
    journals = reverse_bookings(grant, [booking_of(expense)], kind="expense.ineligible", source_type="expense",
                                 source_id=expense.id,
                                 description=f"Aberkennung Ausgabe {expense.voucher_ref or expense.id}")
    expense.eligible, expense.ineligible_reason = False, reason
    expense.ineligible_journal_id = journals[expense.journal_id]
    db.session.flush()
    audit.record("expense.ineligible", "expense", expense.id, before={"eligible": True},
                 after={"eligible": False, "reason": reason}, actor=actor, kommune_id=grant.kommune_id)
    return expense


def decide_final(grant: Grant, *, actor, points: Decimal = Decimal("5"), day_count: str = "act/365") -> ProofOfUse:
    """Schlussbescheid: fix the final grant (``final_grant.settle``); reclaim overpaid money, order the rest.

    Paid more than the final grant: a reclaim with § 49a interest opens, refused (409) until the recipient was
    heard on these figures (``hearings``). Paid less: payment orders for the
    difference, one per module owed (``DrawdownKind.FINAL_PAYMENT``, approved), go to finance's queue. The
    recipient is told.
    """
    ensure_grant_access(actor, grant)
    proof = proof_of(grant)
    PROOF.check(proof.status if proof else None, "decide", actor)
    open_drawdowns = db.session.scalar(select(db.func.count()).select_from(Drawdown).where(
        Drawdown.grant_id == grant.id, Drawdown.status.in_([DrawdownStatus.REQUESTED, DrawdownStatus.APPROVED])))
    if open_drawdowns:
        raise Conflict(f"Es sind noch {open_drawdowns} Mittelabrufe offen; bitte zuerst entscheiden oder auszahlen.")
    today, outcome = clock.today(), intended_outcome(grant, day_count=day_count)
    if outcome.takes_money_back:
        conclude_hearing(grant, proof, outcome, actor=actor)  # 409 until the recipient was heard (§ 28 VwVfG)
    modules, final, paid, principal = outcome.modules, outcome.final, outcome.paid, outcome.principal
    unused_points, unused_cents = outcome.unused_points, outcome.unused_cents
    proof.status, proof.decided_at, proof.decided_by_id = ProofStatus.DECIDED, clock.now(), actor.id
    proof.final_grant_cents, proof.paid_cents, proof.overpaid_cents = final, paid, paid - final
    proof.decision_lines = [module.as_dict() for module in modules]
    db.session.flush()
    reclaim = None
    if principal or unused_cents:
        reclaim = open_reclaim(grant, proof, principal, points=points, day_count=day_count,
                                unused=(unused_points, today, unused_cents) if unused_cents else None)
    orders = _order_final_payment(grant, modules, final - paid, actor) if final > paid else []
    audit.record("proof.decide", "proof_of_use", proof.id,
                 after={"final_grant_cents": final, "paid_cents": paid, "overpaid_cents": paid - final,
                        "final_payment_orders": [order.id for order in orders]},
                 actor=actor, kommune_id=grant.kommune_id)
    _tell_final_decision(grant, proof, reclaim)
    emit("proof.decide", proof=proof, actor=actor)  # Schlussbescheid, Rückforderungsbescheid (app.documents.hooks)
    return proof


def _order_final_payment(grant: Grant, modules: list[ModuleSettlement], due: int, actor) -> list[Drawdown]:
    """Approved payment orders (Schlusszahlung) for ``due`` cents, one per module the decision still owes.

    Module m is owed its final amount less what it was paid; where another module was paid more than its
    final amount, the excess is taken from the owed modules in proportion (largest remainder), so the orders
    add up to ``due``. Each order is booked on the module's latest budget year: the Land pays it from its
    current budget, and so each module ends paid exactly at its final amount where none was overpaid.
    """
    owed = {m.module: m.final_cents - m.paid_cents for m in modules if m.final_cents > m.paid_cents}
    cuts = split_largest_remainder(sum(owed.values()) - due, list(owed.values()), tie_break=list(owed))
    years = {m.module: max(m.years) for m in modules}
    today, now = clock.today(), clock.now()
    orders = []
    for (module, cents), cut in zip(owed.items(), cuts, strict=True):
        if cents - cut <= 0:
            continue
        order = Drawdown(grant_id=grant.id, module_code=module, budget_year=years[module],
                         status=DrawdownStatus.APPROVED, kind=DrawdownKind.FINAL_PAYMENT,
                         amount_requested_cents=cents - cut, amount_approved_cents=cents - cut,
                         purpose=f"Schlusszahlung laut Schlussbescheid zur Zuwendung {grant.reference}",
                         period_start=today, period_end=today, requested_at=now, requested_by_id=actor.id,
                         decided_at=now, decided_by_id=actor.id)
        db.session.add(order)
        orders.append(order)
    db.session.flush()
    accounts = ledger.accounts_of(grant.id)
    ledger.post(grant.id, "drawdown.final_payment", [
        Transfer(accounts[(AccountKind.APPROVED, o.module_code, o.budget_year)],
                 accounts[(AccountKind.AVAILABLE, o.module_code, o.budget_year)], o.amount_approved_cents)
        for o in orders],
        value_date=today, source_type="proof_of_use", source_id=proof_of(grant).id,
        description=f"Schlusszahlung {grant.reference}")
    for order in orders:
        audit.record("drawdown.final_payment", "drawdown", order.id, actor=actor, kommune_id=grant.kommune_id,
                     after={"module": order.module_code, "year": order.budget_year,
                            "approved_cents": order.amount_approved_cents})
    return orders


def final_payment_orders(grant: Grant) -> list[Drawdown]:
    """The final payment orders of the grant's final decision (empty when nothing was due)."""
    return list(db.session.scalars(select(Drawdown).where(
        Drawdown.grant_id == grant.id, Drawdown.kind == DrawdownKind.FINAL_PAYMENT).order_by(Drawdown.id)))


def _tell_final_decision(grant: Grant, proof: ProofOfUse, reclaim: Reclaim | None) -> None:
    lines = [f"für die Zuwendung {grant.reference} ist der Schlussbescheid ergangen: Die Zuwendung wird "
             f"endgültig auf {format_eur(proof.final_grant_cents)} festgesetzt; ausgezahlt wurden "
             f"{format_eur(proof.paid_cents)}."]
    if proof.overpaid_cents < 0:
        lines.append(f"Der Restbetrag von {format_eur(-proof.overpaid_cents)} (Schlusszahlung) wird je Baustein zur "
                     "Zahlung angewiesen; Sie erhalten Nachricht, sobald er ausgezahlt ist.")
    if reclaim is not None:
        due_day = clock.today() + timedelta(days=RECLAIM_PAYMENT_DAYS)
        if reclaim.principal_cents:
            lines.append(f"Überzahlt wurden {format_eur(reclaim.principal_cents)}. Dieser Betrag wird "
                         "zurückgefordert und ist nach § 49a Abs. 3 VwVfG ab der Auszahlung mit 5 Prozentpunkten "
                         "über dem Basiszinssatz zu verzinsen.")
        if reclaim.unused_interest_cents:
            lines.append(f"Für nicht fristgerecht verwendete Mittel werden Zinsen nach § 49a Abs. 4 VwVfG von "
                         f"{format_eur(reclaim.unused_interest_cents)} festgesetzt.")
        lines.append(f"Bitte zahlen Sie bis zum {due_day:%d.%m.%Y}; der Betrag mit den Zinsen bis zum Zahltag "
                     "steht auf der Seite der Rückforderung.")
    link = (f"/budgets/rueckforderungen/{reclaim.id}" if reclaim
            else f"/budgets/zuwendungen/{grant.id}/verwendungsnachweis")
    tell_recipient(grant, SETTLEMENT, subject=f"Schlussbescheid zur Zuwendung {grant.reference}", lines=lines,
                   link=link, dedup_key=f"budgets.final_decision:{proof.id}")

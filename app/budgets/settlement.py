"""Proof of use (Verwendungsnachweis), final decision (Schlussbescheid), reclaim with interest, repayments.

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

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import select

from ..auth.models import Role
from ..platform import audit, clock
from ..platform.database import sum_cents
from ..platform.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from ..platform.events import emit
from ..platform.extensions import db
from ..platform.money import format_eur, split_largest_remainder
from . import ledger
from .final_grant import LineFigures, ModuleSettlement, final_grant, settle
from .interest import (
    BalanceInterestResult,
    BaseRateError,
    DrawnPayment,
    compute_interest_on_balance,
    format_calculation_lines,
    load_base_rates,
    unused_drawdown_movements,
)
from .ledger import Transfer
from .models import (
    GRANT_LEVEL,
    AccountKind,
    Drawdown,
    DrawdownKind,
    DrawdownStatus,
    Expense,
    Grant,
    ProofOfUse,
    ProofStatus,
    Reclaim,
    ReclaimStatus,
    Repayment,
)
from .notices import SETTLEMENT, tell_recipient
from .services import ensure_grant_access, proof_of

K = AccountKind
_ADMIN, _RECIPIENTS = frozenset({Role.PROGRAMME_ADMIN}), frozenset({Role.KOMMUNE, Role.ORGANISATION})
# The proof-of-use workflow; None is "not yet submitted".
PROOF_TRANSITIONS: dict[tuple[ProofStatus | None, str], tuple[ProofStatus, frozenset[Role]]] = {
    (None, "submit"): (ProofStatus.SUBMITTED, _RECIPIENTS),
    (ProofStatus.SUBMITTED, "mark_ineligible"): (ProofStatus.SUBMITTED, _ADMIN),
    (ProofStatus.SUBMITTED, "decide"): (ProofStatus.DECIDED, _ADMIN),
}
RECLAIM_TRANSITIONS = {(ReclaimStatus.OPEN, "repay"): (None, frozenset({Role.FINANCE}))}
_LABELS = {"submit": "einreichen", "mark_ineligible": "Ausgabe aberkennen", "decide": "Schlussbescheid erlassen",
           "repay": "Rückzahlung buchen"}


def _check(table: dict, status, action: str, actor, status_label: str) -> None:
    roles_for_action = set().union(*(roles for (_s, a), (_n, roles) in table.items() if a == action))
    if actor.role not in roles_for_action:
        raise Forbidden("Sie haben keine Berechtigung für diese Aktion.")
    rule = table.get((status, action))
    if rule is None:
        raise InvalidTransition(_LABELS[action], status.value if status else "none", status_label)
    if actor.role not in rule[1]:
        raise Forbidden("Sie haben keine Berechtigung für diese Aktion.")


def _proof_label(proof: ProofOfUse | None) -> str:
    return proof.status.label if proof else "nicht eingereicht"


def ensure_proof_in_review(grant: Grant, actor) -> ProofOfUse:
    ensure_grant_access(actor, grant)
    proof = proof_of(grant)
    _check(PROOF_TRANSITIONS, proof.status if proof else None, "mark_ineligible", actor, _proof_label(proof))
    return proof


def submit_proof(grant: Grant, *, narrative: str, confirmed: bool, actor) -> ProofOfUse:
    """The recipient submits its proof of use after the last expense date; the expense list is the ledger's."""
    ensure_grant_access(actor, grant)
    proof = proof_of(grant)
    _check(PROOF_TRANSITIONS, proof.status if proof else None, "submit", actor, _proof_label(proof))
    errors: dict[str, list[str]] = {}
    if clock.today() <= grant.last_expense_date:
        errors["date"] = [f"Der Verwendungsnachweis kann erst nach dem letzten Ausgabetag "
                          f"({grant.last_expense_date:%d.%m.%Y}) eingereicht werden."]
    narrative = (narrative or "").strip()
    if not narrative:
        errors["narrative"] = ["Bitte den Sachbericht eingeben."]
    elif len(narrative) > 20000:
        errors["narrative"] = ["Der Sachbericht ist zu lang (höchstens 20.000 Zeichen)."]
    if confirmed is not True:
        errors["confirmed"] = ["Bitte die Richtigkeit und Vollständigkeit der Angaben bestätigen."]
    if errors:
        raise ValidationFailed("Der Verwendungsnachweis ist unvollständig.", errors=errors)
    balances = ledger.balances_of(grant.id)
    count = db.session.scalar(select(db.func.count()).select_from(Expense).where(
        Expense.grant_id == grant.id, Expense.eligible.is_(True))) or 0
    total = sum(cents for (kind, _m, _y), cents in balances.items() if kind == K.EXPENSES)
    proof = ProofOfUse(grant_id=grant.id, status=ProofStatus.SUBMITTED, narrative=narrative, expense_count=count,
                       expense_total_cents=total, submitted_at=clock.now(), submitted_by_id=actor.id)
    db.session.add(proof)
    db.session.flush()
    audit.record("proof.submit", "proof_of_use", proof.id, after={"expenses": count, "total_cents": total},
                 actor=actor, kommune_id=grant.kommune_id)
    return proof


def settlement_modules(grant: Grant) -> list[ModuleSettlement]:
    """The final decision's calculation per module from the balances (a preview until it is decided)."""
    balances = ledger.balances_of(grant.id)
    keys = sorted({(m, y) for (_k, m, y) in balances if (m, y) != GRANT_LEVEL})
    lines = [LineFigures(module, year, approved_cents=-balances.get((K.BUDGET, module, year), 0),
                         expenses_cents=balances.get((K.EXPENSES, module, year), 0),
                         earned_cents=-balances.get((K.EARNED, module, year), 0),
                         paid_cents=balances.get((K.PAID, module, year), 0)) for module, year in keys]
    return settle(lines, grant.programme.line_overrun_percent)


def settlement_lines(grant: Grant) -> list[dict]:
    """``settlement_modules`` as the dicts a decision stores and pages show."""
    return [module.as_dict() for module in settlement_modules(grant)]


# A reclaim is due within this many days of the final decision (the notice names the day).
RECLAIM_PAYMENT_DAYS = 30


@dataclass(frozen=True)
class Outcome:
    """What a final decision today would fix: per module, the final grant, paid, the reclaim, § 49a Abs. 4 interest."""

    modules: list[ModuleSettlement]
    final: int
    paid: int
    principal: int  # overpaid money to reclaim
    unused_points: str | None
    unused_cents: int  # § 49a Abs. 4 interest up to today

    @property
    def takes_money_back(self) -> bool:
        """A reclaim would open: the recipient must be heard first (app/budgets/hearings.py)."""
        return bool(self.principal or self.unused_cents)


def intended_outcome(grant: Grant, *, day_count: str = "act/365") -> Outcome:
    """The final decision's figures as of today (a preview for the hearing, fixed by ``decide_final``)."""
    modules = settlement_modules(grant)
    final = final_grant(modules)
    paid = sum(module.paid_cents for module in modules)
    principal = max(paid - final, 0)
    unused_points = unused_interest_points(grant)
    try:
        unused_cents = unused_interest_cents(grant, until=clock.today(), points=unused_points, day_count=day_count,
                                             principal=principal)
    except BaseRateError as exc:
        raise ValidationFailed.field("date", str(exc)) from None
    return Outcome(modules, final, paid, principal, unused_points, unused_cents)


def decide_final(grant: Grant, *, actor, points: Decimal = Decimal("5"), day_count: str = "act/365") -> ProofOfUse:
    """Schlussbescheid: fix the final grant (``final_grant.settle``); reclaim overpaid money, order the rest.

    Paid more than the final grant: a reclaim with § 49a interest opens, refused (409) until the recipient was
    heard on these figures (``hearings``). Paid less: payment orders for the
    difference, one per module owed (``DrawdownKind.FINAL_PAYMENT``, approved), go to finance's queue. The
    recipient is told.
    """
    ensure_grant_access(actor, grant)
    proof = proof_of(grant)
    _check(PROOF_TRANSITIONS, proof.status if proof else None, "decide", actor, _proof_label(proof))
    open_drawdowns = db.session.scalar(select(db.func.count()).select_from(Drawdown).where(
        Drawdown.grant_id == grant.id, Drawdown.status.in_([DrawdownStatus.REQUESTED, DrawdownStatus.APPROVED])))
    if open_drawdowns:
        raise Conflict(f"Es sind noch {open_drawdowns} Mittelabrufe offen; bitte zuerst entscheiden oder auszahlen.")
    today, outcome = clock.today(), intended_outcome(grant, day_count=day_count)
    if outcome.takes_money_back:
        from .hearings import conclude_hearing  # a cycle at import time: hearings reads this module's figures

        conclude_hearing(grant, proof, outcome, actor=actor)  # 409 until the recipient was heard (§ 28 VwVfG)
    modules, final, paid, principal = outcome.modules, outcome.final, outcome.paid, outcome.principal
    unused_points, unused_cents = outcome.unused_points, outcome.unused_cents
    proof.status, proof.decided_at, proof.decided_by_id = ProofStatus.DECIDED, clock.now(), actor.id
    proof.final_grant_cents, proof.paid_cents, proof.overpaid_cents = final, paid, paid - final
    proof.decision_lines = [module.as_dict() for module in modules]
    db.session.flush()
    reclaim = None
    if principal or unused_cents:
        reclaim = _open_reclaim(grant, proof, principal, points=points, day_count=day_count,
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
        Transfer(accounts[(K.APPROVED, o.module_code, o.budget_year)],
                 accounts[(K.AVAILABLE, o.module_code, o.budget_year)], o.amount_approved_cents) for o in orders],
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


def reclaimed_from(grant_id: int, principal: int) -> list[tuple[int, date, int]]:
    """``(drawdown id, value date, cents)``: the overpaid principal assigned to the latest payments first."""
    payments = db.session.execute(select(Drawdown.id, Drawdown.value_date, Drawdown.amount_approved_cents).where(
        Drawdown.grant_id == grant_id, Drawdown.status == DrawdownStatus.PAID)
        .order_by(Drawdown.value_date.desc(), Drawdown.id.desc())).all()
    taken, rest = [], principal
    for drawdown_id, value_date, cents in payments:
        if rest <= 0:
            break
        take = min(rest, cents)
        taken.append((drawdown_id, value_date, take))
        rest -= take
    return taken


def _open_reclaim(grant: Grant, proof: ProofOfUse, principal: int, *, points: Decimal, day_count: str,
                  unused: tuple[str, date, int] | None) -> Reclaim:
    """Open the reclaim; ``unused`` is (points, interest end, cents) of the § 49a Abs. 4 interest, if any."""
    sources = [[value_date.isoformat(), take] for _id, value_date, take in reclaimed_from(grant.id, principal)]
    unused_points, unused_until, unused_cents = unused or (None, None, 0)
    reclaim = Reclaim(grant_id=grant.id, proof_id=proof.id, status=ReclaimStatus.OPEN, principal_cents=principal,
                      principal_sources=sorted(sources), points=str(points), day_count=day_count,
                      interest_booked_cents=0, principal_repaid_cents=0, interest_repaid_cents=0,
                      unused_interest_points=unused_points, unused_interest_until=unused_until,
                      unused_interest_cents=unused_cents, created_at=clock.now())
    db.session.add(reclaim)
    db.session.flush()
    accounts = ledger.ensure_accounts(grant.id, *GRANT_LEVEL)
    module, year = GRANT_LEVEL
    ledger.post(grant.id, "reclaim", [
        Transfer(accounts[(K.RECLAIM_RECEIVABLE, module, year)], accounts[(K.RECLAIMED, module, year)], principal),
        Transfer(accounts[(K.INTEREST_RECEIVABLE, module, year)], accounts[(K.INTEREST_INCOME, module, year)],
                 unused_cents)],
        value_date=clock.today(), source_type="reclaim", source_id=reclaim.id,
        description=f"Rückforderung {grant.reference}")
    audit.record("reclaim.open", "reclaim", reclaim.id,
                 after={"principal_cents": principal, "sources": sources, "unused_interest_cents": unused_cents},
                 kommune_id=grant.kommune_id)
    return reclaim


@dataclass(frozen=True)
class UnusedInterest:
    """§ 49a Abs. 4 interest on one paid drawdown's money used only after its drawdown period."""

    drawdown_id: int
    module: str
    value_date: date
    period_end: date
    cents: int
    result: BalanceInterestResult


def _grant_used_by_module(grant: Grant) -> dict[str, list[tuple[date, int]]]:
    """Per module, ``(day, cents)`` of grant money used: the grant earned on each day's eligible expenses.

    Earned follows the ledger's rounding rule per module and budget year (rate x cumulative expenses,
    rounded half up), so the uses of a line add up to its booked grant earned.
    """
    rows = db.session.execute(
        select(Expense.module_code, Expense.budget_year, Expense.expense_date, sum_cents(Expense.amount_cents))
        .where(Expense.grant_id == grant.id, Expense.eligible.is_(True))
        .group_by(Expense.module_code, Expense.budget_year, Expense.expense_date)
        .order_by(Expense.module_code, Expense.budget_year, Expense.expense_date))
    uses: dict[str, list[tuple[date, int]]] = defaultdict(list)
    spent: dict[tuple[str, int], int] = defaultdict(int)
    for module, year, day, cents in rows:
        before = spent[(module, year)]
        spent[(module, year)] = before + cents
        uses[module].append((day, ledger.earned_for(before + cents, grant.funding_rate_bp)
                             - ledger.earned_for(before, grant.funding_rate_bp)))
    return uses


def unused_interest(grant: Grant, *, until: date, points: Decimal, day_count: str, principal: int
                    ) -> list[UnusedInterest]:
    """§ 49a Abs. 4 interest per paid drawdown up to ``until`` (exclusive; the final decision day).

    ``principal`` is the reclaimed overpayment; its part of each payment (latest first, as the reclaim
    assigns it) is left out because it bears § 49a Abs. 3 interest from the payment day.
    """
    excluded = {drawdown_id: take for drawdown_id, _day, take in reclaimed_from(grant.id, principal)}
    payments: dict[str, list[DrawnPayment]] = defaultdict(list)
    details = {}
    for drawdown_id, module, value_date, period_end, cents in db.session.execute(
            select(Drawdown.id, Drawdown.module_code, Drawdown.value_date, Drawdown.period_end,
                   Drawdown.amount_approved_cents)
            .where(Drawdown.grant_id == grant.id, Drawdown.status == DrawdownStatus.PAID,
                   Drawdown.kind == DrawdownKind.REQUEST)  # a final payment is paid for money already used
            .order_by(Drawdown.value_date, Drawdown.id)):
        payments[module].append(DrawnPayment(drawdown_id, value_date, period_end, cents,
                                             excluded.get(drawdown_id, 0)))
        details[drawdown_id] = (module, value_date, period_end, cents)
    uses = _grant_used_by_module(grant)
    result = []
    for module, module_payments in sorted(payments.items()):
        for drawdown_id, movements in unused_drawdown_movements(module_payments, uses.get(module, []),
                                                                until).items():
            interest = compute_interest_on_balance(movements, until, points=points, table=_table(),
                                                   day_count=day_count)
            result.append(UnusedInterest(drawdown_id, *details[drawdown_id], interest))
    return sorted(result, key=lambda item: (item.value_date, item.drawdown_id))


def unused_interest_points(grant: Grant) -> str | None:
    """The points over the base rate of the § 49a Abs. 4 interest, None when the programme charges none."""
    programme = grant.programme
    return programme.unused_drawdown_interest_points if programme.interest_on_unused_drawdowns else None


def unused_interest_cents(grant: Grant, *, until: date, points: str | None, day_count: str, principal: int) -> int:
    """The § 49a Abs. 4 interest a final decision on ``until`` fixes (0 without ``points``); BaseRateError."""
    if points is None:
        return 0
    return sum(item.result.interest_cents for item in unused_interest(
        grant, until=until, points=Decimal(points), day_count=day_count, principal=principal))


def reclaim_unused_interest(reclaim: Reclaim) -> list[UnusedInterest]:
    """The § 49a Abs. 4 calculation the reclaim's final decision fixed (empty when not charged)."""
    if reclaim.unused_interest_points is None:
        return []
    return unused_interest(reclaim.grant, until=reclaim.unused_interest_until,
                           points=Decimal(reclaim.unused_interest_points), day_count=reclaim.day_count,
                           principal=reclaim.principal_cents)


def unused_interest_lines(items: list[UnusedInterest]) -> list[str]:
    """German calculation lines per drawdown for the decision document."""
    lines = []
    for item in items:
        lines.append(f"Mittelabruf {item.drawdown_id} ({item.module}), {format_eur(item.cents)} ausgezahlt am "
                     f"{item.value_date:%d.%m.%Y}, Bedarfszeitraum bis {item.period_end:%d.%m.%Y}:")
        lines += format_calculation_lines(item.result, basis="§ 49a Abs. 4 VwVfG (nicht fristgerecht verwendet)")
    return lines


@lru_cache(maxsize=1)
def _table():
    return load_base_rates()


def reclaim_interest(reclaim: Reclaim, until: date, *, extra_principal_repaid: tuple[date, int] | None = None
                     ) -> BalanceInterestResult:
    """Interest on the outstanding principal up to ``until`` (exclusive), repayments reducing the principal."""
    movements = [(date.fromisoformat(day), cents) for day, cents in reclaim.principal_sources]
    movements += [(r.value_date, -r.principal_cents) for r in reclaim.repayments if r.principal_cents]
    if extra_principal_repaid and extra_principal_repaid[1]:
        movements.append((extra_principal_repaid[0], -extra_principal_repaid[1]))
    if not movements:  # only § 49a Abs. 4 interest is claimed: no principal bears interest
        movements = [(until, 0)]
    return compute_interest_on_balance(movements, until, points=Decimal(reclaim.points), table=_table(),
                                       day_count=reclaim.day_count)


def interest_until(reclaim: Reclaim, until: date) -> tuple[BalanceInterestResult | None, str | None]:
    """For pages: the calculation, or a German message when the Basiszinssatz table does not reach ``until``."""
    try:
        return reclaim_interest(reclaim, until), None
    except (BaseRateError, ValueError) as exc:
        return None, str(exc)


def get_reclaim(user, reclaim_id: int) -> Reclaim:
    reclaim = db.session.get(Reclaim, reclaim_id)
    if reclaim is None:
        raise NotFound("Rückforderung nicht gefunden.")
    ensure_grant_access(user, reclaim.grant)
    return reclaim


def reclaim_of(grant: Grant) -> Reclaim | None:
    return db.session.scalar(select(Reclaim).where(Reclaim.grant_id == grant.id))


def record_repayment(reclaim: Reclaim, *, amount_cents: int, value_date: date, reference: str, actor) -> Repayment:
    """Book a repayment: interest accrued to its value date is charged, then principal first, then interest."""
    ensure_grant_access(actor, reclaim.grant)
    _check(RECLAIM_TRANSITIONS, reclaim.status, "repay", actor, reclaim.status.label)
    errors: dict[str, list[str]] = {}
    known = [date.fromisoformat(day) for day, _c in reclaim.principal_sources]
    known += [r.value_date for r in reclaim.repayments]
    earliest = max(known) if known else reclaim.unused_interest_until  # only Abs. 4 interest: the decision day
    if value_date < earliest:
        errors["value_date"] = [f"Die Wertstellung darf nicht vor dem {earliest:%d.%m.%Y} liegen."]
    elif value_date > clock.today():
        errors["value_date"] = ["Die Wertstellung darf nicht in der Zukunft liegen."]
    if amount_cents <= 0:
        errors["amount"] = ["Der Betrag muss größer als 0 sein."]
    reference = (reference or "").strip()
    if len(reference) > 80:
        errors["reference"] = ["Die Referenz ist zu lang (höchstens 80 Zeichen)."]
    if errors:
        raise ValidationFailed("Die Rückzahlung ist unvollständig oder unzulässig.", errors=errors)
    try:
        accrued = reclaim_interest(reclaim, value_date).interest_cents
    except BaseRateError as exc:
        raise ValidationFailed.field("value_date", str(exc)) from None
    outstanding_principal = reclaim.principal_cents - reclaim.principal_repaid_cents
    outstanding_interest = accrued + reclaim.unused_interest_cents - reclaim.interest_repaid_cents
    if amount_cents > outstanding_principal + outstanding_interest:
        raise ValidationFailed.field("amount", f"Der Betrag übersteigt die offene Forderung am {value_date:%d.%m.%Y} "
                                               f"({format_eur(outstanding_principal + outstanding_interest)}).")
    principal_part = min(amount_cents, outstanding_principal)
    interest_part = amount_cents - principal_part
    accounts = ledger.accounts_of(reclaim.grant_id)
    module, year = GRANT_LEVEL
    journal_id = ledger.post(reclaim.grant_id, "repayment", [
        Transfer(accounts[(K.INTEREST_RECEIVABLE, module, year)], accounts[(K.INTEREST_INCOME, module, year)],
                 accrued - reclaim.interest_booked_cents),
        Transfer(accounts[(K.REPAID, module, year)], accounts[(K.RECLAIM_RECEIVABLE, module, year)], principal_part),
        Transfer(accounts[(K.REPAID, module, year)], accounts[(K.INTEREST_RECEIVABLE, module, year)], interest_part)],
        value_date=value_date, source_type="reclaim", source_id=reclaim.id, description=f"Rückzahlung {reference}")
    repayment = Repayment(reclaim=reclaim, value_date=value_date, amount_cents=amount_cents,
                          principal_cents=principal_part, interest_cents=interest_part, reference=reference,
                          journal_id=journal_id, created_at=clock.now())
    db.session.add(repayment)
    reclaim.interest_booked_cents = accrued
    reclaim.principal_repaid_cents += principal_part
    reclaim.interest_repaid_cents += interest_part
    if (reclaim.principal_repaid_cents == reclaim.principal_cents
            and reclaim.interest_repaid_cents == accrued + reclaim.unused_interest_cents):
        reclaim.status, reclaim.closed_at = ReclaimStatus.CLOSED, clock.now()
    db.session.flush()
    audit.record("reclaim.repayment", "reclaim", reclaim.id,
                 after={"amount_cents": amount_cents, "principal_cents": principal_part,
                        "interest_cents": interest_part, "status": reclaim.status}, actor=actor,
                 kommune_id=reclaim.grant.kommune_id)
    return repayment


@dataclass(frozen=True)
class ReclaimStatement:
    """What a reclaim page or API answer shows for a repayment on ``as_of``."""

    as_of: date
    interest: BalanceInterestResult | None  # § 49a Abs. 3 accrued to as_of (None: not computable)
    message: str | None  # why it is not computable (German)
    lines: list[str]  # the Abs. 3 calculation, line by line
    unused: list[UnusedInterest]  # the Abs. 4 calculation the final decision fixed, per drawdown
    unused_lines: list[str]
    amount_due: int | None  # principal plus all interest outstanding if repaid on as_of


def reclaim_statement(reclaim: Reclaim, as_of: date) -> ReclaimStatement:
    result, message = interest_until(reclaim, as_of)
    unused = reclaim_unused_interest(reclaim)
    due = None
    if result is not None:
        due = (reclaim.principal_cents - reclaim.principal_repaid_cents + result.interest_cents
               + reclaim.unused_interest_cents - reclaim.interest_repaid_cents)
    return ReclaimStatement(as_of, result, message, format_calculation_lines(result) if result else [],
                            unused, unused_interest_lines(unused), due)

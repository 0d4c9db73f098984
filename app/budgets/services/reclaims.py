"""Reclaims (Rückforderung) after a final decision: the overpaid principal with § 49a Abs. 3 VwVfG interest,
the § 49a Abs. 4 interest on money used late, repayments (principal first, then interest), statements."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import select

from ...platform import audit, clock, limits
from ...platform.database import sum_cents
from ...platform.errors import ValidationFailed
from ...platform.extensions import db
from ...platform.money import format_eur
from .. import ledger
from ..core.interest import (
    BalanceInterestResult,
    BaseRateError,
    DrawnPayment,
    compute_interest_on_balance,
    format_calculation_lines,
    load_base_rates,
    unused_drawdown_movements,
)
from ..core.posting import earned_increment
from ..ledger import Transfer
from ..models import (
    GRANT_LEVEL,
    AccountKind,
    Drawdown,
    DrawdownKind,
    DrawdownStatus,
    Expense,
    Grant,
    ProofOfUse,
    Reclaim,
    ReclaimStatus,
    Repayment,
)
from ..workflow import RECLAIM
from .grants import ensure_grant_access, of_visible_grant


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


def open_reclaim(grant: Grant, proof: ProofOfUse, principal: int, *, points: Decimal, day_count: str,
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
        Transfer(accounts[(AccountKind.RECLAIM_RECEIVABLE, module, year)],
                 accounts[(AccountKind.RECLAIMED, module, year)], principal),
        Transfer(accounts[(AccountKind.INTEREST_RECEIVABLE, module, year)],
                 accounts[(AccountKind.INTEREST_INCOME, module, year)], unused_cents)],
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
        uses[module].append((day, earned_increment(before, cents, grant.funding_rate_bp)))
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
    return of_visible_grant(user, Reclaim, reclaim_id, "Rückforderung nicht gefunden.")


def reclaim_of(grant: Grant) -> Reclaim | None:
    return db.session.scalar(select(Reclaim).where(Reclaim.grant_id == grant.id))


def record_repayment(reclaim: Reclaim, *, amount_cents: int, value_date: date, reference: str, actor) -> Repayment:
    """Book a repayment: interest accrued to its value date is charged, then principal first, then interest."""
    ensure_grant_access(actor, reclaim.grant)
    RECLAIM.check(reclaim.status, "repay", actor)
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
    if len(reference) > limits.PAYMENT_REFERENCE:
        errors["reference"] = [f"Die Referenz ist zu lang (höchstens {limits.PAYMENT_REFERENCE} Zeichen)."]
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
        Transfer(accounts[(AccountKind.INTEREST_RECEIVABLE, module, year)],
                 accounts[(AccountKind.INTEREST_INCOME, module, year)], accrued - reclaim.interest_booked_cents),
        Transfer(accounts[(AccountKind.REPAID, module, year)],
                 accounts[(AccountKind.RECLAIM_RECEIVABLE, module, year)], principal_part),
        Transfer(accounts[(AccountKind.REPAID, module, year)],
                 accounts[(AccountKind.INTEREST_RECEIVABLE, module, year)], interest_part)],
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

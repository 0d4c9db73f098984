"""What the budget jobs compute beyond the status: money drawn and not spent per payment, and the
stored nightly at-risk flags with what changed since the last night.

* ``unspent_by_payment``: the grant earned on a module covers its payments oldest first (the money
  drawn first is spent first); what is left of each payment is drawn and not spent. The sum is
  ``status.Figures.drawn_not_spent`` of the module.
* ``drawdown_context``: what finance needs beside a drawdown to decide it: the recipient's figures for
  the module and its earlier payments of that module with the part of each still unspent.
* ``overdue_unspent``: the rule for new drawdowns (docs/budgets.md, ANBest-G Nr. 1.4): what of the
  module's earlier payments is still unspent although its need period has ended; a new request for
  the module is refused while it is more than 0. ``has_overdue_unspent`` answers the same yes/no with
  two sums and no rows (the booking's check, issue #19); the figures are read only for the refusal.
* ``refresh_risk_flags``: stores the forecast of each grant (``GrantRiskFlag``) and returns the
  grants that became at risk and those that recovered while their expense period still runs (a
  grant whose period ended is no longer "at risk", but it has not recovered either).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, select, tuple_

from ..platform import audit, clock
from ..platform.database import sum_cents
from ..platform.extensions import db
from .models import (
    AccountKind,
    Drawdown,
    DrawdownStatus,
    Grant,
    GrantLine,
    GrantRiskFlag,
    LedgerAccount,
    LedgerBalance,
)
from .status import Figures, GrantStatus, status_for


def unspent_by_payment(amounts: Sequence[int], earned: int) -> list[int]:
    """Per payment (oldest first, cents) the part not covered by ``earned`` (cents) of the same module."""
    cover = max(earned, 0)
    unspent = []
    for amount in amounts:
        used = min(amount, cover)
        cover -= used
        unspent.append(amount - used)
    return unspent


@dataclass
class EarlierPayment:
    drawdown: Drawdown
    unspent: int  # cents of this payment not yet covered by the grant earned on the module
    period_over: bool  # its need period has ended


@dataclass
class DrawdownContext:
    figures: Figures  # the recipient's figures for the drawdown's module, all budget years
    line_approved: int  # the approved amount of the drawdown's own line (module and budget year)
    earlier: list[EarlierPayment]  # the module's other paid drawdowns, oldest payment first


def _payments(grant: Grant, module: str) -> tuple[Figures, list[EarlierPayment]]:
    """The module's figures and its paid drawdowns, oldest value date first, with what each has unspent."""
    figures = status_for([grant], with_forecast=False)[0].modules.get(module, Figures())
    paid = list(db.session.scalars(select(Drawdown).where(
        Drawdown.grant_id == grant.id, Drawdown.module_code == module,
        Drawdown.status == DrawdownStatus.PAID).order_by(Drawdown.value_date, Drawdown.id)))
    unspent = unspent_by_payment([p.amount_approved_cents or 0 for p in paid], figures.earned)
    today = clock.today()
    return figures, [EarlierPayment(p, cents, p.period_end < today) for p, cents in zip(paid, unspent, strict=True)]


def drawdown_context(drawdown: Drawdown) -> DrawdownContext:
    """The recipient's balance on the drawdown's module and its other payments with what is still unspent."""
    figures, payments = _payments(drawdown.grant, drawdown.module_code)
    line_approved = db.session.scalar(select(GrantLine.approved_cents).where(
        GrantLine.grant_id == drawdown.grant_id, GrantLine.module_code == drawdown.module_code,
        GrantLine.budget_year == drawdown.budget_year)) or 0
    return DrawdownContext(figures, line_approved, [p for p in payments if p.drawdown.id != drawdown.id])


def overdue_unspent(grant: Grant, module: str) -> tuple[int, Drawdown | None]:
    """Cents of the module's payments still unspent after their need period ended, and the oldest such payment."""
    overdue = [p for p in _payments(grant, module)[1] if p.period_over and p.unspent > 0]
    return sum(p.unspent for p in overdue), (overdue[0].drawdown if overdue else None)


# has_overdue_unspent: payments are covered oldest first (value date, id), so payment i is unspent in part exactly
# when the payments up to and including it exceed the module's earned grant (P_i > max(earned, 0), amount > 0).
# The cumulative sums grow with i, so some overdue payment is unspent exactly when the *last* overdue payment
# (of a positive amount) is: compare the payments up to it with the earned grant.
_PAID_OF_MODULE = (Drawdown.grant_id == bindparam("grant_id"), Drawdown.module_code == bindparam("module"),
                   Drawdown.status == DrawdownStatus.PAID)
_LAST_OVERDUE = (select(Drawdown.value_date, Drawdown.id)
                 .where(*_PAID_OF_MODULE, Drawdown.period_end < bindparam("today"), Drawdown.amount_approved_cents > 0)
                 .order_by(Drawdown.value_date.desc(), Drawdown.id.desc()).limit(1).subquery())
_PAID_UP_TO_LAST_OVERDUE = (select(sum_cents(Drawdown.amount_approved_cents))
                            .join(_LAST_OVERDUE, tuple_(Drawdown.value_date, Drawdown.id)
                                  <= tuple_(_LAST_OVERDUE.c.value_date, _LAST_OVERDUE.c.id))
                            .where(*_PAID_OF_MODULE))
_EARNED_OF_MODULE = (select(sum_cents(LedgerBalance.balance_cents))
                     .join(LedgerAccount, LedgerAccount.id == LedgerBalance.account_id)
                     .where(LedgerAccount.grant_id == bindparam("grant_id"),
                            LedgerAccount.module_code == bindparam("module"),
                            LedgerAccount.kind == AccountKind.EARNED))


def has_overdue_unspent(grant_id: int, module: str) -> bool:
    """Whether ``overdue_unspent(grant, module)`` is more than 0, from two sums (no status, no ORM rows)."""
    connection = db.session.connection()
    paid = connection.execute(_PAID_UP_TO_LAST_OVERDUE,
                              {"grant_id": grant_id, "module": module, "today": clock.today()}).scalar_one()
    if paid <= 0:
        return False
    earned = -connection.execute(_EARNED_OF_MODULE, {"grant_id": grant_id, "module": module}).scalar_one()
    return paid > max(earned, 0)


@dataclass
class RiskChanges:
    new: list[GrantStatus] = field(default_factory=list)
    recovered: list[GrantStatus] = field(default_factory=list)
    at_risk: int = 0


def refresh_risk_flags(statuses: Sequence[GrantStatus], *, day: date, actor_label: str) -> RiskChanges:
    """Store tonight's forecast per grant; return what changed against the stored flags (audited once)."""
    stored = {flag.grant_id: flag for flag in db.session.scalars(select(GrantRiskFlag))}
    changes = RiskChanges()
    for status in statuses:
        flag = stored.get(status.grant_id)
        was_at_risk = flag is not None and flag.at_risk
        if status.at_risk and not was_at_risk:
            changes.new.append(status)
        elif was_at_risk and not status.at_risk and day <= status.last_expense_date:
            changes.recovered.append(status)
        if flag is None:
            flag = GrantRiskFlag(grant_id=status.grant_id)
            db.session.add(flag)
        flag.at_risk_since = (flag.at_risk_since if was_at_risk else day) if status.at_risk else None
        flag.at_risk = status.at_risk
        flag.projected_earned_cents = status.projected_earned
        flag.approved_cents = status.total.approved
        flag.checked_on = day
        changes.at_risk += status.at_risk
    db.session.flush()
    if changes.new or changes.recovered:
        audit.record("budget.risk_flags", "grant_risk_flags", None, actor_label=actor_label,
                     after={"new": [s.grant_id for s in changes.new],
                            "recovered": [s.grant_id for s in changes.recovered], "at_risk": changes.at_risk})
    return changes

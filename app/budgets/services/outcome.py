"""What a final decision today would fix: per module and in total (a preview for the proof-of-use page and the
hearing; ``settlement.decide_final`` fixes it)."""

from __future__ import annotations

from dataclasses import dataclass

from ...platform import clock
from ...platform.errors import ValidationFailed
from .. import ledger
from ..core.final_grant import LineFigures, ModuleSettlement, final_grant, settle
from ..core.interest import BaseRateError
from ..models import GRANT_LEVEL, AccountKind, Grant
from .reclaims import unused_interest_cents, unused_interest_points


def line_figures(grant_id: int) -> list[LineFigures]:
    """Each (module, budget year) line of the grant as booked in the ledger: approved, eligible expenses, grant
    earned, paid (read only; the final decision's input and the interim proof's figures, app.results)."""
    balances = ledger.balances_of(grant_id)
    keys = sorted({(m, y) for (_k, m, y) in balances if (m, y) != GRANT_LEVEL})
    return [LineFigures(module, year, approved_cents=-balances.get((AccountKind.BUDGET, module, year), 0),
                        expenses_cents=balances.get((AccountKind.EXPENSES, module, year), 0),
                        earned_cents=-balances.get((AccountKind.EARNED, module, year), 0),
                        paid_cents=balances.get((AccountKind.PAID, module, year), 0)) for module, year in keys]


def settlement_modules(grant: Grant) -> list[ModuleSettlement]:
    """The final decision's calculation per module from the balances (a preview until it is decided)."""
    return settle(line_figures(grant.id), grant.programme.line_overrun_percent)


def settlement_lines(grant: Grant) -> list[dict]:
    """``settlement_modules`` as the dicts a decision stores and pages show."""
    return [module.as_dict() for module in settlement_modules(grant)]


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
        """A reclaim would open: the recipient must be heard first (``hearings``)."""
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

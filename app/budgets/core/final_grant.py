"""The final grant (endgültige Festsetzung) of a final decision, per module: a pure calculation, no database.

Rule (docs/budgets.md "Final grant"; ANBest-G Nr. 1.2 and the programme's free planning until 30.06.2023):

* per module, the grant earned on the eligible expenses (rate x expenses, as booked) is recognised up to the
  module's approved amount plus ``overrun_percent`` of it (the allowance, rounded down to the cent);
* the final grant is the smaller of the approved total and the sum recognised: a module's overrun counts only
  as far as other modules save as much;
* budget years are the Land's cash planning, not a cap: the lines of a module are added up over its years;
* a module with a cap on its eligible costs (``caps``: the grant share of the cap, e.g. F6 positions left
  unfilled, docs/f6.md) is recognised at most up to it;
* where the recognised sum exceeds the approved total, the excess is taken from the overrunning modules in
  proportion to their overrun (largest remainder, ties by module code), so that the modules' final amounts add
  up to the final grant exactly and none is below its earned-and-approved share.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ...platform.money import split_largest_remainder


@dataclass(frozen=True)
class LineFigures:
    """One (module, year) line as booked: approved, eligible expenses, grant earned, paid (cents)."""

    module: str
    year: int
    approved_cents: int
    expenses_cents: int
    earned_cents: int
    paid_cents: int


@dataclass(frozen=True)
class ModuleSettlement:
    """One module of the final decision (cents); ``years`` lists the budget years it had lines in."""

    module: str
    years: tuple[int, ...]
    approved_cents: int
    expenses_cents: int
    earned_cents: int
    allowed_cents: int  # approved + overrun allowance: the most this module can be recognised at
    recognised_cents: int  # min(earned, allowed)
    final_cents: int  # recognised, less its share of the excess over the approved total
    paid_cents: int
    cap_cents: int | None = None  # the grant share of a cap on the eligible costs (None: no cap)

    def as_dict(self) -> dict:
        return {"module": self.module, "years": list(self.years), "approved_cents": self.approved_cents,
                "expenses_cents": self.expenses_cents, "earned_cents": self.earned_cents,
                "allowed_cents": self.allowed_cents, "recognised_cents": self.recognised_cents,
                "final_cents": self.final_cents, "paid_cents": self.paid_cents, "cap_cents": self.cap_cents}


def settle(lines: Iterable[LineFigures], overrun_percent: int,
           caps: Mapping[str, int] | None = None) -> list[ModuleSettlement]:
    """The modules of the final decision; their ``final_cents`` add up to the final grant.

    ``caps``: module -> the most (grant share, cents) it can be recognised at beside its allowance.
    """
    caps = caps or {}
    if not 0 <= overrun_percent <= 100:
        raise ValueError("overrun_percent must be between 0 and 100")
    sums: dict[str, list[int]] = {}
    years: dict[str, set[int]] = {}
    for line in lines:
        figures = sums.setdefault(line.module, [0, 0, 0, 0])
        figures[0] += line.approved_cents
        figures[1] += line.expenses_cents
        figures[2] += line.earned_cents
        figures[3] += line.paid_cents
        years.setdefault(line.module, set()).add(line.year)
    modules = sorted(sums)
    allowed = {m: sums[m][0] + sums[m][0] * overrun_percent // 100 for m in modules}
    recognised = {m: max(min(sums[m][2], allowed[m], caps.get(m, allowed[m])), 0) for m in modules}
    approved_total = sum(sums[m][0] for m in modules)
    excess = sum(recognised.values()) - approved_total
    cuts = dict.fromkeys(modules, 0)
    if excess > 0:
        overruns = [max(recognised[m] - sums[m][0], 0) for m in modules]
        cuts = dict(zip(modules, split_largest_remainder(excess, overruns, tie_break=modules), strict=True))
    return [ModuleSettlement(m, tuple(sorted(years[m])), sums[m][0], sums[m][1], sums[m][2], allowed[m],
                             recognised[m], recognised[m] - cuts[m], sums[m][3], caps.get(m)) for m in modules]


def final_grant(modules: Iterable[ModuleSettlement]) -> int:
    return sum(module.final_cents for module in modules)

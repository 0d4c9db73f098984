"""Pure core of the results report: counts in, rows per Kommune and quarter and the state-wide total out.

No database, no Flask. Facts are plain tuples, so property tests can feed any combination:

* ``entries``: (ags, year, quarter, module, gender, entered) — new entrants per module (app.grants);
* ``reached``: (ags, year, quarter, gender, new_people) — people reached for the first time in the
  quarter in any module (the Kommune's own figure, docs/results.md "Die Zählregel");
* ``targets``: {ags: size of the target group}.

People reached are the sum of ``new_people``, never the sum of module entries: a person in F1 and F2
is one entry in each module but one person reached.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from ..platform.money import percent

GENDERS = ("female", "male", "diverse", "not_stated")


def _genders() -> dict[str, int]:
    return dict.fromkeys(GENDERS, 0)


@dataclass
class Figures:
    """Entries per module and people reached by gender, for one Kommune (and quarter) or the whole state."""

    ags: str
    kommune: str
    year: int | None = None
    quarter: int | None = None
    entered: dict[str, int] = field(default_factory=dict)  # module -> new entrants
    reached_by_gender: dict[str, int] = field(default_factory=_genders)
    target: int | None = None
    reached_with_target: int = 0  # the reach rate's numerator: people of Kommunen that have a target figure

    @property
    def entries(self) -> int:
        return sum(self.entered.values())

    @property
    def reached(self) -> int:
        return sum(self.reached_by_gender.values())

    @property
    def share_women(self) -> Decimal | None:
        return percent(self.reached_by_gender["female"], self.reached)

    @property
    def share_men(self) -> Decimal | None:
        return percent(self.reached_by_gender["male"], self.reached)

    @property
    def reach_rate(self) -> Decimal | None:
        return percent(self.reached_with_target, self.target) if self.target else None

    def add(self, other: Figures) -> None:
        for module, count in other.entered.items():
            self.entered[module] = self.entered.get(module, 0) + count
        for gender, count in other.reached_by_gender.items():
            self.reached_by_gender[gender] += count


@dataclass
class Report:
    modules: list[str]
    quarters: list[Figures]  # per Kommune and quarter, in order of AGS, year, quarter
    kommunen: list[Figures]  # per Kommune (every Kommune with counts or a target), in order of AGS
    total: Figures  # state-wide: the sum of the Kommunen


def new_people_errors(new_people: Mapping[str, int], entered: Mapping[str, int]) -> dict[str, str]:
    """{gender: message} where more people are reported as newly reached than entered any module in the
    quarter (every newly reached person entered at least one module in that quarter)."""
    return {gender: f"Mehr neu erreichte Personen ({count}) als Eintritte in allen Bausteinen dieses Quartals "
                    f"({entered.get(gender, 0)})."
            for gender, count in new_people.items() if count > entered.get(gender, 0)}


def build(entries: Iterable[tuple], reached: Iterable[tuple], targets: Mapping[str, int],
          names: Mapping[str, str]) -> Report:
    """The report from the facts (see the module docstring); unknown AGS are shown by their code."""
    quarters: dict[tuple[str, int, int], Figures] = {}
    modules: set[str] = set()

    def quarter_of(ags: str, year: int, quarter: int) -> Figures:
        return quarters.setdefault((ags, year, quarter), Figures(ags, names.get(ags, ags), year, quarter))

    for ags, year, quarter, module, _gender, count in entries:
        row = quarter_of(ags, year, quarter)
        row.entered[module] = row.entered.get(module, 0) + count
        modules.add(module)
    for ags, year, quarter, gender, count in reached:
        quarter_of(ags, year, quarter).reached_by_gender[gender] += count
    kommunen: dict[str, Figures] = {ags: Figures(ags, names.get(ags, ags), target=people)
                                    for ags, people in targets.items()}
    for key in sorted(quarters):
        row = quarters[key]
        kommunen.setdefault(row.ags, Figures(row.ags, row.kommune)).add(row)
    total = Figures("", "NRW")
    for row in kommunen.values():
        if row.target:
            row.reached_with_target = row.reached
            total.target = (total.target or 0) + row.target
            total.reached_with_target += row.reached
        total.add(row)
    return Report(sorted(modules), [quarters[k] for k in sorted(quarters)],
                  [kommunen[a] for a in sorted(kommunen)], total)

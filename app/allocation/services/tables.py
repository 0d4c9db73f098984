"""The version's table (sorted on the server), its chain of redistributions, and the German explanation of a
ceiling."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ...auth.permissions import scope_kommune_id
from ...platform.errors import NotFound
from ...platform.formatting import format_date
from ...platform.money import format_eur
from .. import distribution
from ..keydata import gemeinde_records
from ..models import AllocationVersion, Ceiling
from ..parameters import Parameters


@dataclass
class TableRow:
    ags: str
    name: str
    regierungsbezirk: str
    population: int
    area_hundredths: int
    share: Fraction
    exact_quota_cents: Fraction
    ceiling_cents: int
    given_back_cents: int
    received_cents: int


SORT_KEYS = {
    "ags": lambda r: r.ags, "name": lambda r: r.name.casefold(),
    "regierungsbezirk": lambda r: (r.regierungsbezirk, r.ags),
    "population": lambda r: r.population, "area": lambda r: r.area_hundredths, "share": lambda r: r.share,
    "quota": lambda r: r.exact_quota_cents, "ceiling": lambda r: r.ceiling_cents,
}


def table_rows(version: AllocationVersion, actor, *, sort: str = "ags", descending: bool = False) -> list[TableRow]:
    """The version's rows with the Kommune figures of its key data set, sorted on the server."""
    totals: dict[str, list[int]] = {}
    if version.key_dataset is not None:
        for row in version.key_dataset.gemeinde_rows:
            entry = totals.setdefault(row.kreis_ags, [0, 0])
            entry[0] += row.population
            entry[1] += row.area_hundredths
    scope = scope_kommune_id(actor)
    rows = [
        TableRow(c.kommune.ags, c.kommune.display_name, c.kommune.regierungsbezirk,
                 totals.get(c.kommune.ags, [0, 0])[0], totals.get(c.kommune.ags, [0, 0])[1],
                 Fraction(c.key_share), Fraction(c.exact_quota), c.ceiling_cents, c.given_back_cents,
                 c.received_cents)
        for c in version.ceilings if scope is None or c.kommune_id == scope
    ]
    rows.sort(key=SORT_KEYS.get(sort, SORT_KEYS["ags"]), reverse=descending)
    return rows


def version_chain(version: AllocationVersion) -> list[AllocationVersion]:
    """The version and its ancestors, oldest (the computed split) first."""
    chain = [version]
    while chain[-1].parent is not None and len(chain) < 1000:
        chain.append(chain[-1].parent)
    return list(reversed(chain))


def explain(version: AllocationVersion, ceiling: Ceiling) -> list[tuple[str, str]]:
    """German steps from the key data to this Kommune's ceiling, including any redistributions."""
    chain = version_chain(version)
    root = chain[0]
    ags = ceiling.kommune.ags
    root_ceiling = next((c for c in root.ceilings if c.kommune_id == ceiling.kommune_id), None)
    if root.key_dataset is None or root_ceiling is None:
        raise NotFound("Für diese Version gibt es keine Herleitung.")
    params = Parameters.from_json(root.parameters)
    records = gemeinde_records(root.key_dataset)
    key = distribution.flueag_key(records, population_weight=params.population_weight,
                                  area_weight=params.area_weight, cap=params.cap)
    row = distribution.CeilingRow(ags, Fraction(root_ceiling.key_share), Fraction(root_ceiling.exact_quota),
                                  root_ceiling.ceiling_cents)
    steps = distribution.explain_ceiling(
        ags, records, key, Fraction(root_ceiling.key_share), root.pool_cents, row,
        population_weight=params.population_weight, area_weight=params.area_weight, cap=params.cap,
        gemeinde_to_kommune={r["ags"]: r["kreis_ags"] for r in records})
    dataset = root.key_dataset
    steps.insert(0, ("Datengrundlage", f"{dataset.label}, Stichtag {format_date(dataset.reference_date)}"))
    if root.secondary_dataset is not None:
        steps.insert(1, ("Zweiter Faktor", f"{root.secondary_dataset.label}, Gewicht "
                                           f"{distribution.format_number(params.secondary_weight * 100, 2)} %"))
    for later in chain[1:]:
        mine = next((c for c in later.ceilings if c.kommune_id == ceiling.kommune_id), None)
        if mine is None:
            continue
        steps.append((f"Umverteilung (Version {later.number}): Rückgabe", format_eur(-mine.given_back_cents)))
        steps.append((f"Umverteilung (Version {later.number}): Zuteilung aus freigewordenen Mitteln",
                      format_eur(mine.received_cents)))
        steps.append((f"Zuwendungshöchstgrenze in Version {later.number}", format_eur(mine.ceiling_cents)))
    return steps

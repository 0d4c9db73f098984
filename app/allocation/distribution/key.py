"""§ 3 Abs. 1 FlüAG NRW: the Gemeinde key, the Kommune shares, and the optional second factor."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .checks import DistributionError, exact, field_of, sorted_shares, whole


@dataclass(frozen=True, slots=True)
class KeyDetail:
    """One Gemeinde's way through § 3 Abs. 1 FlüAG NRW."""

    ags: str
    population: int
    area: Fraction
    population_share: Fraction
    area_share: Fraction
    uncapped_key: Fraction  # weighted sum before the cap
    key: Fraction  # final key after the cap and the spreading of the cut-off amounts
    capped: bool  # True: key == cap × population_share


def flueag_key_details(
    gemeinden: Iterable[Any],
    *,
    population_weight: Fraction | Decimal | int = Fraction(9, 10),
    area_weight: Fraction | Decimal | int = Fraction(1, 10),
    cap: Fraction | Decimal | int = Fraction(5, 4),
) -> dict[str, KeyDetail]:
    """The key of every Gemeinde with its intermediate values, sorted by AGS.

    ``gemeinden``: records (mappings or objects) with ``ags``, ``population`` (int) and ``area``
    (km² as Fraction, Decimal, int or decimal string). See ``flueag_key`` for the rule.
    """
    w_pop = exact(population_weight, "Gewicht Bevölkerung")
    w_area = exact(area_weight, "Gewicht Fläche")
    cap_factor = exact(cap, "Kappungsgrenze")
    if w_pop <= 0 or w_area < 0 or w_pop + w_area != 1:
        raise DistributionError(
            "Die Gewichte müssen zusammen 1 ergeben; Bevölkerung > 0, Fläche ≥ 0 "
            f"(erhalten: {w_pop} und {w_area})."
        )
    if cap_factor < 1:
        raise DistributionError(
            f"Die Kappungsgrenze {cap_factor} ist unerfüllbar: liegt sie unter 1 (100 % des "
            "Bevölkerungsanteils), können die Schlüssel zusammen nicht 1 ergeben."
        )

    rows: list[tuple[str, int, Fraction]] = []
    seen: set[str] = set()
    for record in gemeinden:
        ags = str(field_of(record, "ags")).strip()
        if not ags:
            raise DistributionError(f"Datensatz ohne AGS: {record!r}")
        if ags in seen:
            raise DistributionError(f"AGS {ags} kommt mehrfach vor.")
        seen.add(ags)
        population = whole(field_of(record, "population"), f"Bevölkerung {ags}")
        area = exact(field_of(record, "area"), f"Fläche {ags}")
        if area < 0:
            raise DistributionError(f"Fläche {ags}: {area} ist negativ.")
        rows.append((ags, population, area))
    rows.sort(key=lambda row: row[0])

    total_population = sum(row[1] for row in rows)
    if total_population == 0:
        raise DistributionError("Mindestens eine Gemeinde muss eine positive Bevölkerung haben.")
    total_area = sum((row[2] for row in rows), Fraction(0))
    if total_area == 0 and w_area != 0:
        raise DistributionError("Die Gesamtfläche ist 0: der Flächenanteil ist nicht bestimmbar.")

    pop_share = {ags: Fraction(pop, total_population) for ags, pop, _ in rows}
    area_share = {ags: (area / total_area if total_area else Fraction(0)) for ags, _, area in rows}
    uncapped = {ags: w_pop * pop_share[ags] + w_area * area_share[ags] for ags, _, _ in rows}
    limit = {ags: cap_factor * pop_share[ags] for ags, _, _ in rows}

    # Spreading the cut-off amount in proportion to the keys multiplies every uncapped key by the
    # same factor, so the uncapped keys stay proportional to their uncapped values. The loop runs
    # at most once per Gemeinde: the factor only grows, and no capped Gemeinde is ever released.
    key = dict(uncapped)
    capped: set[str] = set()
    while over := [ags for ags in key if ags not in capped and key[ags] > limit[ags]]:
        capped.update(over)
        fixed = sum((limit[ags] for ags in capped), Fraction(0))
        free = sum((uncapped[ags] for ags in key if ags not in capped), Fraction(0))
        if free == 0:  # impossible for cap >= 1 and a positive population weight
            raise AssertionError("no uncapped Gemeinde left to take the cut-off amount")
        factor = (1 - fixed) / free
        key = {ags: limit[ags] if ags in capped else uncapped[ags] * factor for ags in key}

    if sum(key.values(), Fraction(0)) != 1:  # the invariant this module promises
        raise AssertionError("keys do not sum to 1")
    return {
        ags: KeyDetail(
            ags, pop, area, pop_share[ags], area_share[ags], uncapped[ags], key[ags], capped=ags in capped
        )
        for ags, pop, area in rows
    }


def flueag_key(
    gemeinden: Iterable[Any],
    *,
    population_weight: Fraction | Decimal | int = Fraction(9, 10),
    area_weight: Fraction | Decimal | int = Fraction(1, 10),
    cap: Fraction | Decimal | int = Fraction(5, 4),
) -> dict[str, Fraction]:
    """§ 3 Abs. 1 FlüAG NRW: the key of every Gemeinde (8-digit AGS -> Fraction), summing to 1.

    The key is population_weight × population share + area_weight × area share, and at most
    ``cap`` × population share. The cut-off amount goes to the uncapped Gemeinden in proportion
    to their keys, repeated until none is over its cap.

    Feasibility: the caps add up to ``cap`` × 1. So ``cap`` < 1 can never be met and raises
    ``DistributionError``. With ``cap`` == 1 every key equals the population share. With
    ``cap`` ≥ 1 at least one Gemeinde always stays uncapped, so "everything capped" cannot occur.
    A Gemeinde with population 0 gets the key 0 (its cap is 0).

    Raises ``DistributionError`` (a ValueError) for a missing field, a float, a negative value, a
    duplicate AGS, no positive population, a total area of 0 (when the area weight is > 0), or
    weights that are not positive / do not sum to 1.
    """
    details = flueag_key_details(
        gemeinden, population_weight=population_weight, area_weight=area_weight, cap=cap
    )
    return {ags: detail.key for ags, detail in details.items()}


def kommune_shares(
    gemeinde_keys: Mapping[str, Fraction], gemeinde_to_kommune: Mapping[str, str]
) -> dict[str, Fraction]:
    """Each Kreis / kreisfreie Stadt (5-digit AGS) gets the sum of its Gemeinden's keys; sorted by AGS.

    Every Gemeinde in ``gemeinde_keys`` must appear in ``gemeinde_to_kommune``. Extra entries in
    the mapping are ignored.
    """
    totals: dict[str, Fraction] = {}
    for ags, share in sorted_shares(gemeinde_keys, "Schlüssel"):
        if ags not in gemeinde_to_kommune:
            raise DistributionError(f"Gemeinde {ags} ist keiner Kommune zugeordnet.")
        kommune = str(gemeinde_to_kommune[ags])
        totals[kommune] = totals.get(kommune, Fraction(0)) + share
    return dict(sorted(totals.items()))


def combine_factors(
    primary: Mapping[str, Fraction], secondary_counts: Mapping[str, int], secondary_weight: Fraction
) -> dict[str, Fraction]:
    """(1 − w) × primary share + w × share of ``secondary_counts`` (e.g. Geduldete/Gestattete).

    ``primary`` must sum to 1, so the result does too. With w = 0 the second factor is switched
    off: ``primary`` comes back unchanged and ``secondary_counts`` is not looked at, because the
    second dataset may not exist at all. With w > 0 both must have the same keys and the counts
    must not all be 0. Sorted by AGS.
    """
    weight = exact(secondary_weight, "Gewicht des zweiten Faktors")
    if not 0 <= weight <= 1:
        raise DistributionError(
            f"Das Gewicht des zweiten Faktors muss zwischen 0 und 1 liegen (erhalten: {weight})."
        )
    items = sorted_shares(primary, "Anteil")
    if sum((share for _, share in items), Fraction(0)) != 1:
        raise DistributionError("Die Anteile des ersten Faktors müssen zusammen genau 1 ergeben.")
    if weight == 0:
        return dict(items)
    if set(secondary_counts) != {ags for ags, _ in items}:
        missing = sorted({ags for ags, _ in items} - set(secondary_counts))
        extra = sorted(set(secondary_counts) - {ags for ags, _ in items})
        raise DistributionError(
            f"Die Schlüssel beider Faktoren stimmen nicht überein (fehlend: {missing}, überzählig: {extra})."
        )
    counts = {ags: whole(count, f"Anzahl {ags}") for ags, count in secondary_counts.items()}
    total = sum(counts.values())
    if total == 0:
        raise DistributionError("Der zweite Faktor hat nur Nullen: sein Anteil ist nicht bestimmbar.")
    return {ags: (1 - weight) * share + weight * Fraction(counts[ags], total) for ags, share in items}

"""Distribution key and exact ceilings for the Bausteine F1–F4, and the F6 positions.

Pure arithmetic, no database and no Flask. Every share is a ``fractions.Fraction``, every result an
integer number of cents (or half positions). ``float`` never appears: a float input is rejected.

* ``flueag_key``: the Gemeinde key of **§ 3 Abs. 1 FlüAG NRW**. Key = 90 % × population share +
  10 % × area share. The rise that the area share causes is capped at 25 % above the
  population-only key (key ≤ 1.25 × population share). What is cut off is spread over the other,
  uncapped Gemeinden in proportion to their keys, repeated while that pushes another Gemeinde
  over its cap. The keys sum to exactly 1.
* ``kommune_shares``: the share of a Kreis / kreisfreie Stadt is the sum of its Gemeinden's keys.
* ``combine_factors``: the optional second factor, e.g. the local number of Geduldete and
  Gestattete (configurable, because the public record is silent on it).
* ``split_pool``: the Zuwendungshöchstgrenzen (grant ceilings) in whole cents.
* ``redistribute``: spreads released money by share, each recipient up to its cap.
* ``apportion_positions``: the F6 Teilhabemanagement positions in half steps.
* ``explain_ceiling``: how one ceiling was computed, as German steps for people to read.

**Rounding rule.** Each result is rounded once, at the end, by Hare-Niemeyer (largest
remainder), the rule of ``app.money.split_largest_remainder``, here in integers only. Every
recipient first gets the integer part of its exact quota. The units still missing go one each to the largest fractional
remainders.

**Tie-break.** Equal remainders go by AGS ascending. The AGS is compared as a string. Every AGS
in one call has the same number of digits (5 for a Kommune, 8 for a Gemeinde), so string order
is numeric order.

As a result, the parts sum exactly to the total, and each part is less than one unit away from
its exact quota. The order of the input never changes a single cent: everything is sorted by AGS
first.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from numbers import Rational
from operator import itemgetter
from typing import Any

from app.platform.money import format_eur, split_largest_remainder

__all__ = [
    "CeilingRow",
    "DistributionError",
    "KeyDetail",
    "Redistribution",
    "apportion_positions",
    "combine_factors",
    "explain_ceiling",
    "flueag_key",
    "flueag_key_details",
    "kommune_shares",
    "redistribute",
    "split_pool",
]


class DistributionError(ValueError):
    """Invalid input to a distribution. The message is German and names the offending record."""


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


class CeilingRow(tuple):
    """One recipient's ceiling: its share, its exact quota in cents and the rounded ceiling.

    ``CeilingRow(ags, share, exact_quota_cents, ceiling_cents)``. The exact quota is kept as an
    integer numerator over the split's common denominator and becomes a ``Fraction`` only when
    read (``exact_quota_cents``): building 100,000 reduced Fractions cost more than the whole
    split. An immutable tuple underneath; rows are equal when their four values are equal.
    """

    __slots__ = ()

    def __new__(cls, ags: str, share: Fraction, exact_quota_cents: Fraction | int, ceiling_cents: int) -> CeilingRow:
        quota = Fraction(exact_quota_cents)
        return tuple.__new__(cls, (ags, share, ceiling_cents, quota.numerator, quota.denominator))

    @classmethod
    def lazy(cls, ags: str, share: Fraction, numerator: int, denominator: int, ceiling_cents: int) -> CeilingRow:
        """A row from an unreduced quota numerator/denominator (no Fraction is built)."""
        return tuple.__new__(cls, (ags, share, ceiling_cents, numerator, denominator))

    ags = property(itemgetter(0))
    share = property(itemgetter(1))
    ceiling_cents = property(itemgetter(2))

    @property
    def exact_quota_cents(self) -> Fraction:
        return Fraction(self[3], self[4])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CeilingRow):
            return NotImplemented
        return self[:3] == other[:3] and self[3] * other[4] == other[3] * self[4]

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash((self[0], self[1], self[2], self.exact_quota_cents))

    def __repr__(self) -> str:
        return (f"CeilingRow(ags={self.ags!r}, share={self.share!r}, "
                f"exact_quota_cents={self.exact_quota_cents!r}, ceiling_cents={self.ceiling_cents!r})")

    def __reduce__(self):
        return (CeilingRow, (self.ags, self.share, self.exact_quota_cents, self.ceiling_cents))


@dataclass(frozen=True, slots=True)
class Redistribution:
    """What ``redistribute`` gave each recipient, and what nobody could take (every cap reached)."""

    amounts: dict[str, int]
    undistributed_cents: int


# --------------------------------------------------------------------------- input checking


def _exact(value: Any, what: str) -> Fraction:
    """An exact rational number from int, Fraction, Decimal or a decimal string; never from float."""
    if type(value) is Fraction:  # the hot path of large splits: skip the ABC checks below
        return value
    if isinstance(value, bool) or isinstance(value, float):
        raise DistributionError(f"{what}: {value!r} ist keine exakte Zahl (float ist nicht erlaubt).")
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except ArithmeticError:
            raise DistributionError(f"{what}: {value!r} ist keine Zahl.") from None
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise DistributionError(f"{what}: {value!r} ist keine endliche Zahl.")
        return Fraction(value)
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, Rational):
        return Fraction(value.numerator, value.denominator)
    raise DistributionError(f"{what}: {value!r} ist keine Zahl.")


def _field(record: Any, name: str) -> Any:
    if isinstance(record, Mapping):
        if name in record:
            return record[name]
    elif hasattr(record, name):
        return getattr(record, name)
    raise DistributionError(f"Datensatz ohne Feld {name!r}: {record!r}")


def _whole(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DistributionError(f"{what}: {value!r} ist keine ganze Zahl.")
    if value < 0:
        raise DistributionError(f"{what}: {value} ist negativ.")
    return value


def _shares(shares: Mapping[str, Any], what: str = "Anteil", *, check_sign: bool = True) -> list[tuple[str, Fraction]]:
    """The shares as (ags, Fraction) pairs sorted by AGS; negative shares are rejected.

    ``check_sign=False`` is for callers that check the sign themselves, on integer weights.
    """
    if all(type(ags) is str and type(value) is Fraction for ags, value in shares.items()):
        # Hot path of large splits: a Mapping has distinct str keys already.
        items = sorted(shares.items(), key=itemgetter(0))
        if check_sign:
            _refuse_negative(items, what)
        return items
    items = []
    for ags, value in shares.items():
        share = value if type(value) is Fraction else _exact(value, f"{what} {ags}")
        if share.numerator < 0:  # cheaper than a Fraction comparison; the denominator is positive
            raise DistributionError(f"{what} {ags}: {value} ist negativ.")
        items.append((str(ags), share))
    items.sort(key=itemgetter(0))
    if len({ags for ags, _ in items}) != len(items):
        raise DistributionError(f"{what}: AGS doppelt vergeben.")
    return items


def _refuse_negative(items: Sequence[tuple[str, Fraction]], what: str) -> None:
    for ags, value in items:
        if value < 0:
            raise DistributionError(f"{what} {ags}: {value} ist negativ.")


def _integer_weights(values: Sequence[Fraction]) -> list[int]:
    """Scale the fractions by their common denominator: same proportions, integer weights.

    Hot path of large splits: the split then works on integers only (see ``_largest_remainder``),
    and no Fraction is built per row.
    """
    if not values:
        return []
    denominators = {v.denominator for v in values}
    denominator = math.lcm(*denominators)
    if len(denominators) == 1:
        return [v.numerator for v in values]
    return [v.numerator * (denominator // v.denominator) for v in values]


def _largest_remainder(total: int, weights: list[int], codes: list[str]) -> tuple[list[int], int]:
    """``app.money.split_largest_remainder`` on integer weights, ties by ``codes``; returns (parts, Σ weights)."""
    weight_sum = sum(weights)
    if weight_sum == 0 and total:
        raise DistributionError("Alle Anteile sind 0: der Betrag kann nicht verteilt werden.")
    return split_largest_remainder(total, weights, codes), weight_sum


# --------------------------------------------------------------------------- § 3 FlüAG NRW


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
    w_pop = _exact(population_weight, "Gewicht Bevölkerung")
    w_area = _exact(area_weight, "Gewicht Fläche")
    cap_factor = _exact(cap, "Kappungsgrenze")
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
        ags = str(_field(record, "ags")).strip()
        if not ags:
            raise DistributionError(f"Datensatz ohne AGS: {record!r}")
        if ags in seen:
            raise DistributionError(f"AGS {ags} kommt mehrfach vor.")
        seen.add(ags)
        population = _whole(_field(record, "population"), f"Bevölkerung {ags}")
        area = _exact(_field(record, "area"), f"Fläche {ags}")
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
    for ags, share in _shares(gemeinde_keys, "Schlüssel"):
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
    weight = _exact(secondary_weight, "Gewicht des zweiten Faktors")
    if not 0 <= weight <= 1:
        raise DistributionError(
            f"Das Gewicht des zweiten Faktors muss zwischen 0 und 1 liegen (erhalten: {weight})."
        )
    items = _shares(primary, "Anteil")
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
    counts = {ags: _whole(count, f"Anzahl {ags}") for ags, count in secondary_counts.items()}
    total = sum(counts.values())
    if total == 0:
        raise DistributionError("Der zweite Faktor hat nur Nullen: sein Anteil ist nicht bestimmbar.")
    return {ags: (1 - weight) * share + weight * Fraction(counts[ags], total) for ags, share in items}


# --------------------------------------------------------------------------- money


@contextmanager
def _collector_paused(size: int):
    """Pause the cyclic garbage collector while a large split builds its rows.

    The split allocates two objects per recipient and creates no reference cycles; for 100,000
    recipients the collector's repeated scans of them cost about a third of the time. Small
    splits leave the collector alone. It is switched back on only if it was on before.
    """
    if size < 10_000 or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def split_pool(pool_cents: int, shares: Mapping[str, Fraction]) -> list[CeilingRow]:
    """Split ``pool_cents`` into whole-cent ceilings in proportion to ``shares``, sorted by AGS.

    Exact quota = pool × share / Σ shares, which is pool × share when the shares sum to 1, as keys
    from this module do. Rounding: largest remainder; ties go by AGS ascending. The ceilings sum to
    the pool exactly, each is less than one cent from its exact quota, and a zero share gets 0.
    """
    pool = _whole(pool_cents, "Fördertopf (Cent)")
    with _collector_paused(len(shares)):
        return _split_pool(pool, shares)


def _split_pool(pool: int, shares: Mapping[str, Fraction]) -> list[CeilingRow]:
    items = _shares(shares, check_sign=False)
    if not items:
        if pool:
            raise DistributionError("Ein positiver Fördertopf braucht mindestens einen Empfänger.")
        return []
    codes = [ags for ags, _ in items]
    weights = _integer_weights([share for _, share in items])
    if min(weights) < 0:  # the common denominator is positive: the sign of the share
        _refuse_negative(items, "Anteil")
    if sum(weights) == 0:
        if pool:
            raise DistributionError("Alle Anteile sind 0: der Fördertopf kann nicht verteilt werden.")
        return [CeilingRow.lazy(ags, share, 0, 1, 0) for ags, share in items]
    ceilings, total_weight = _largest_remainder(pool, weights, codes)
    new = tuple.__new__  # CeilingRow.lazy without the call overhead (100,000 rows in the bench)
    return [
        new(CeilingRow, (ags, share, ceiling, pool * weight, total_weight))
        for (ags, share), weight, ceiling in zip(items, weights, ceilings, strict=True)
    ]


def redistribute(
    released_cents: int, shares: Mapping[str, Fraction], caps: Mapping[str, int | None]
) -> Redistribution:
    """Spread released money over the recipients by share, none above its cap (None = no cap).

    ``caps[ags]`` is the most this call may give that recipient (e.g. its headroom up to a limit).
    It works like water filling. Every recipient that would get at least its cap gets exactly its
    cap, and what is left is spread again by share over the others. This repeats until nobody is
    over. Only the last step is rounded (largest remainder, ties by AGS ascending). An exact quota
    ≤ an integer cap never rounds above that cap. Recipients with share 0 get nothing. When every
    recipient with a positive share is at its cap, the rest is ``undistributed_cents``. So
    Σ amounts + undistributed == released. ``shares`` and ``caps`` need the same keys.
    """
    released = _whole(released_cents, "Freigewordene Mittel (Cent)")
    items = _shares(shares)
    if set(caps) != {ags for ags, _ in items}:
        raise DistributionError("Anteile und Obergrenzen müssen dieselben Empfänger haben.")
    limit = {ags: None if caps[ags] is None else _whole(caps[ags], f"Obergrenze {ags}") for ags, _ in items}
    weight = dict(zip((ags for ags, _ in items), _integer_weights([s for _, s in items]), strict=True))

    amounts = {ags: 0 for ags, _ in items}
    open_ = [ags for ags, _ in items if weight[ags] > 0]
    rest = released
    while open_ and rest:
        open_weight = sum(weight[ags] for ags in open_)
        # exact quota rest × w / W ≥ cap  <=>  rest × w ≥ cap × W  (integers only)
        full = [a for a in open_ if limit[a] is not None and rest * weight[a] >= limit[a] * open_weight]
        if not full:
            parts, _ = _largest_remainder(rest, [weight[a] for a in open_], open_)
            amounts.update(zip(open_, parts, strict=True))
            rest = 0
            break
        for ags in full:
            amounts[ags] = limit[ags]
            rest -= limit[ags]
        done = set(full)
        open_ = [ags for ags in open_ if ags not in done]
    return Redistribution(amounts, rest)


# --------------------------------------------------------------------------- F6 positions


def apportion_positions(
    total_positions_halves: int,
    counts: Mapping[str, int],
    *,
    per_position: int = 100,
    minimum_halves: int = 1,
) -> dict[str, int]:
    """F6 Teilhabemanagement: split positions, counted in half positions, by target-group count.

    Each participating Kommune (count > 0) gets at least ``minimum_halves``. A Kommune with
    count 0 gets 0. The minimum is a floor, not a base amount. A Kommune whose proportional quota
    is below the minimum gets exactly the minimum. The remaining halves go to the others in
    proportion to their counts (repeated until no quota is below the minimum) and are rounded by
    largest remainder (ties by AGS ascending). The result mirrors the guideline "one position per
    ``per_position`` Geduldete, at least half a position". With ``per_position`` = 100 and counts
    of 1000, 250 and 30, a total of 26 halves gives exactly 20, 5 and 1. More counts never give
    fewer halves.

    ``per_position`` states the guideline rate. The total is fixed, so the rate only scales every
    quota by the same factor and cancels out. It must be a positive integer.

    Raises ``DistributionError`` (ValueError) if the minimums exceed the total (participating
    Kommunen × ``minimum_halves`` > ``total_positions_halves``). Then nothing is apportioned:
    either raise the total or lower the minimum. It also raises for positions but no participating
    Kommune, and for negative or non-integer input. The sum always equals the total.
    """
    total = _whole(total_positions_halves, "Stellen (halbe)")
    minimum = _whole(minimum_halves, "Mindestausstattung (halbe Stellen)")
    if _whole(per_position, "Personen je Stelle") == 0:
        raise DistributionError("Personen je Stelle muss positiv sein.")
    ordered = sorted((str(ags), _whole(count, f"Anzahl {ags}")) for ags, count in counts.items())
    result = {ags: 0 for ags, _ in ordered}
    count = dict(ordered)
    participants = [ags for ags, c in ordered if c > 0]
    if not participants:
        if total:
            raise DistributionError("Keine Kommune mit Zielgruppe: die Stellen können nicht verteilt werden.")
        return result
    if len(participants) * minimum > total:
        raise DistributionError(
            f"Die Mindestausstattung ({len(participants)} Kommunen × {minimum} halbe Stellen = "
            f"{len(participants) * minimum}) übersteigt die {total} verfügbaren halben Stellen."
        )

    floored: list[str] = []
    free = participants
    while True:
        rest = total - minimum * len(floored)
        free_count = sum(count[ags] for ags in free)
        # quota rest × c / C < minimum  <=>  rest × c < minimum × C
        below = [ags for ags in free if rest * count[ags] < minimum * free_count]
        if not below:
            break
        floored += below
        done = set(below)
        free = [ags for ags in free if ags not in done]
    for ags in floored:
        result[ags] = minimum
    parts, _ = _largest_remainder(rest, [count[ags] for ags in free], free)
    result.update(zip(free, parts, strict=True))
    return result


# --------------------------------------------------------------------------- explanation


def _de(value: Fraction | int, places: int) -> str:
    """German number: 1234567.891 -> "1.234.567,89" (rounded half up, for display only)."""
    value = Fraction(value)
    with localcontext() as ctx:
        ctx.prec = 80
        number = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
            Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
        )
    text = f"{number:,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


format_number = _de  # public name for the pages: German number, rounded for display only


def _pct(value: Fraction) -> str:
    return f"{_de(value * 100, 6)} %"


def explain_ceiling(
    ags: str,
    gemeinde_rows: Iterable[Any],
    key: Mapping[str, Fraction],
    kommune_share: Fraction,
    pool_cents: int,
    ceiling_row: CeilingRow,
    *,
    population_weight: Fraction = Fraction(9, 10),
    area_weight: Fraction = Fraction(1, 10),
    cap: Fraction = Fraction(5, 4),
    gemeinde_to_kommune: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """How the ceiling of Kommune ``ags`` came about, as German (label, value) steps.

    ``gemeinde_rows`` are *all* Gemeinden, because the shares need the NRW totals. ``key`` is the
    result of ``flueag_key``. The Kommune's Gemeinden are those that ``gemeinde_to_kommune`` maps to
    ``ags``, or by default those whose AGS starts with it. If ``kommune_share`` differs from the
    sum of the Gemeinde keys, a second factor was applied, and that is shown. Values are
    formatted the German way and rounded for display only.
    """
    if ceiling_row.ags != ags:
        raise DistributionError(f"Die Zeile gehört zu {ceiling_row.ags}, nicht zu {ags}.")
    if ceiling_row.share != kommune_share:
        raise DistributionError(f"Der Anteil in der Zeile passt nicht zum Anteil der Kommune {ags}.")
    details = flueag_key_details(
        gemeinde_rows, population_weight=population_weight, area_weight=area_weight, cap=cap
    )

    def belongs(gemeinde: str) -> bool:
        if gemeinde_to_kommune is not None:
            return str(gemeinde_to_kommune.get(gemeinde, "")) == ags
        return gemeinde.startswith(ags)

    members = [d for d in details.values() if belongs(d.ags)]
    if not members:
        raise DistributionError(f"Keine Gemeinde gehört zur Kommune {ags}.")
    missing = [d.ags for d in members if d.ags not in key]
    if missing:
        raise DistributionError(f"Für die Gemeinden {', '.join(missing)} fehlt der Schlüssel.")

    population = sum(d.population for d in members)
    total_population = sum(d.population for d in details.values())
    area = sum((d.area for d in members), Fraction(0))
    total_area = sum((d.area for d in details.values()), Fraction(0))
    pop_share = sum((d.population_share for d in members), Fraction(0))
    area_share = sum((d.area_share for d in members), Fraction(0))
    uncapped = sum((d.uncapped_key for d in members), Fraction(0))
    key_sum = sum((Fraction(key[d.ags]) for d in members), Fraction(0))
    capped = [d.ags for d in members if d.capped]
    # § 3 Abs. 1 FlüAG: what capped Gemeinden elsewhere lose is spread over the uncapped ones by their keys
    after_own_cap = sum((d.key if d.capped else d.uncapped_key for d in members), Fraction(0))
    capped_in_nrw = sum(1 for d in details.values() if d.capped)
    spread = key_sum - after_own_cap

    if capped:
        cap_text = (
            f"ja: {len(capped)} von {len(members)} Gemeinden auf {_de(cap * 100, 2)} % "
            f"gekappt ({', '.join(capped)})"
        )
    else:
        cap_text = "nein: keine Gemeinde über der Kappungsgrenze"
    share_text = _pct(kommune_share)
    if kommune_share != key_sum:
        share_text += " (mit zweitem Faktor gewichtet)"

    exact = ceiling_row.exact_quota_cents
    floor_cents = exact.numerator // exact.denominator
    remainder = exact - floor_cents
    if remainder == 0:
        rounding = "keine Rundung nötig (exakter Betrag in ganzen Cent)"
    elif ceiling_row.ceiling_cents > floor_cents:
        rounding = f"Rest {_de(remainder, 6)} Cent: +1 Cent aufgerundet (größter Rest, Gleichstand nach AGS)"
    else:
        rounding = f"Rest {_de(remainder, 6)} Cent: abgerundet (Rest nicht unter den größten)"

    return [
        ("Kommune (AGS)", ags),
        ("Gemeinden", str(len(members))),
        ("Bevölkerung (Kommune / NRW)", f"{_de(population, 0)} / {_de(total_population, 0)}"),
        ("Bevölkerungsanteil", _pct(pop_share)),
        ("Fläche (Kommune / NRW)", f"{_de(area, 2)} km² / {_de(total_area, 2)} km²"),
        ("Flächenanteil", _pct(area_share)),
        (
            f"Schlüssel ohne Kappung ({_de(population_weight * 100, 0)} % Bevölkerung + "
            f"{_de(area_weight * 100, 0)} % Fläche)",
            _pct(uncapped),
        ),
        (f"Kappung (höchstens {_de(cap * 100, 2)} % des Bevölkerungsanteils)", cap_text),
        (
            "Umlage der gekappten Anteile",
            f"{'+' if spread >= 0 else '−'}{_pct(abs(spread))}: was {_de(capped_in_nrw, 0)} gekappte Gemeinden in NRW "
            "über der Grenze hätten, wird auf die übrigen Gemeinden nach ihrem Schlüssel umgelegt "
            "(wiederholt, bis keine mehr über der Grenze liegt)" if capped_in_nrw else "keine: keine Gemeinde gekappt",
        ),
        ("Schlüssel nach Kappung und Umlage (§ 3 Abs. 1 FlüAG NRW)", _pct(key_sum)),
        ("Anteil der Kommune", share_text),
        ("Fördertopf", format_eur(pool_cents)),
        ("Exakter Anteil am Fördertopf", f"{_de(exact / 100, 6)} €"),
        ("Rundung", rounding),
        ("Zuwendungshöchstgrenze", format_eur(ceiling_row.ceiling_cents)),
    ]

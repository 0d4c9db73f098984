"""Input checks and integer helpers shared by the distribution functions (exact numbers only, never float)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from numbers import Rational
from operator import itemgetter
from typing import Any

from app.platform.money import split_largest_remainder


class DistributionError(ValueError):
    """Invalid input to a distribution. The message is German and names the offending record."""


def exact(value: Any, what: str) -> Fraction:
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


def field_of(record: Any, name: str) -> Any:
    if isinstance(record, Mapping):
        if name in record:
            return record[name]
    elif hasattr(record, name):
        return getattr(record, name)
    raise DistributionError(f"Datensatz ohne Feld {name!r}: {record!r}")


def whole(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DistributionError(f"{what}: {value!r} ist keine ganze Zahl.")
    if value < 0:
        raise DistributionError(f"{what}: {value} ist negativ.")
    return value


def sorted_shares(shares: Mapping[str, Any], what: str = "Anteil", *,
                  check_sign: bool = True) -> list[tuple[str, Fraction]]:
    """The shares as (ags, Fraction) pairs sorted by AGS; negative shares are rejected.

    ``check_sign=False`` is for callers that check the sign themselves, on integer weights.
    """
    if all(type(ags) is str and type(value) is Fraction for ags, value in shares.items()):
        # Hot path of large splits: a Mapping has distinct str keys already.
        items = sorted(shares.items(), key=itemgetter(0))
        if check_sign:
            refuse_negative(items, what)
        return items
    items = []
    for ags, value in shares.items():
        share = value if type(value) is Fraction else exact(value, f"{what} {ags}")
        if share.numerator < 0:  # cheaper than a Fraction comparison; the denominator is positive
            raise DistributionError(f"{what} {ags}: {value} ist negativ.")
        items.append((str(ags), share))
    items.sort(key=itemgetter(0))
    if len({ags for ags, _ in items}) != len(items):
        raise DistributionError(f"{what}: AGS doppelt vergeben.")
    return items


def refuse_negative(items: Sequence[tuple[str, Fraction]], what: str) -> None:
    for ags, value in items:
        if value < 0:
            raise DistributionError(f"{what} {ags}: {value} ist negativ.")


def integer_weights(values: Sequence[Fraction]) -> list[int]:
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


def largest_remainder(total: int, weights: list[int], codes: list[str]) -> tuple[list[int], int]:
    """``app.money.split_largest_remainder`` on integer weights, ties by ``codes``; returns (parts, Σ weights)."""
    weight_sum = sum(weights)
    if weight_sum == 0 and total:
        raise DistributionError("Alle Anteile sind 0: der Betrag kann nicht verteilt werden.")
    return split_largest_remainder(total, weights, codes), weight_sum

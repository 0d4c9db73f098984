"""Money: the pool split into whole-cent ceilings, and the redistribution of released money up to caps."""

from __future__ import annotations

import gc
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from operator import itemgetter

from .checks import (
    DistributionError,
    integer_weights,
    largest_remainder,
    refuse_negative,
    sorted_shares,
    whole,
)


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
    pool = whole(pool_cents, "Fördertopf (Cent)")
    with _collector_paused(len(shares)):
        return _split_pool(pool, shares)


def _split_pool(pool: int, shares: Mapping[str, Fraction]) -> list[CeilingRow]:
    items = sorted_shares(shares, check_sign=False)
    if not items:
        if pool:
            raise DistributionError("Ein positiver Fördertopf braucht mindestens einen Empfänger.")
        return []
    codes = [ags for ags, _ in items]
    weights = integer_weights([share for _, share in items])
    if min(weights) < 0:  # the common denominator is positive: the sign of the share
        refuse_negative(items, "Anteil")
    if sum(weights) == 0:
        if pool:
            raise DistributionError("Alle Anteile sind 0: der Fördertopf kann nicht verteilt werden.")
        return [CeilingRow.lazy(ags, share, 0, 1, 0) for ags, share in items]
    ceilings, total_weight = largest_remainder(pool, weights, codes)
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
    released = whole(released_cents, "Freigewordene Mittel (Cent)")
    items = sorted_shares(shares)
    if set(caps) != {ags for ags, _ in items}:
        raise DistributionError("Anteile und Obergrenzen müssen dieselben Empfänger haben.")
    limit = {ags: None if caps[ags] is None else whole(caps[ags], f"Obergrenze {ags}") for ags, _ in items}
    weight = dict(zip((ags for ags, _ in items), integer_weights([s for _, s in items]), strict=True))

    amounts = {ags: 0 for ags, _ in items}
    open_ = [ags for ags, _ in items if weight[ags] > 0]
    rest = released
    while open_ and rest:
        open_weight = sum(weight[ags] for ags in open_)
        # exact quota rest × w / W ≥ cap  <=>  rest × w ≥ cap × W  (integers only)
        full = [a for a in open_ if limit[a] is not None and rest * weight[a] >= limit[a] * open_weight]
        if not full:
            parts, _ = largest_remainder(rest, [weight[a] for a in open_], open_)
            amounts.update(zip(open_, parts, strict=True))
            rest = 0
            break
        for ags in full:
            amounts[ags] = limit[ags]
            rest -= limit[ags]
        done = set(full)
        open_ = [ags for ags in open_ if ags not in done]
    return Redistribution(amounts, rest)

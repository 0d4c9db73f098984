"""The ranking of the sketches of a call.

Ranking (:func:`rank`)
    Ordered by: higher mean score, then higher median, then lower requested amount, then earlier
    submission (``submission_seq``, smaller = earlier), then ``id`` (ascending). Sketches without a
    score come last (same tie-breaks), as does a missing median among equal means. Ids are
    unique, so the order is total and does not depend on the input order; positions are 1..n.
    A score must be >= 0 with at most 2 decimals (as :func:`aggregate` produces it): the
    knapsack works on integer points (score x 100). Requested amounts are positive cents.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .scoring import Aggregate, to_fraction


@dataclass(frozen=True)
class RankItem:
    """A sketch to rank: mean score (``None`` = not reviewed), median, amount, submission order."""

    id: str
    score: Decimal | None
    requested_cents: int
    submission_seq: int
    groups: frozenset[str] = frozenset()
    median: Decimal | None = None

    def __post_init__(self) -> None:
        if isinstance(self.requested_cents, bool) or not isinstance(self.requested_cents, int):
            raise TypeError(f"{self.id}: requested_cents must be int")
        if self.requested_cents <= 0:
            raise ValueError(f"Skizze {self.id}: der beantragte Betrag muss positiv sein.")
        if isinstance(self.submission_seq, bool) or not isinstance(self.submission_seq, int):
            raise TypeError(f"{self.id}: submission_seq must be int")
        if self.score is not None:
            exact = to_fraction(self.score, "score")
            if exact < 0 or (exact * 100).denominator != 1:
                raise ValueError(f"Skizze {self.id}: Punktzahl ≥ 0 mit höchstens zwei Nachkommastellen.")
            object.__setattr__(self, "score", Decimal(self.score).quantize(Decimal("0.01")))
        if self.median is not None:
            to_fraction(self.median, "median")
        object.__setattr__(self, "groups", frozenset(self.groups))

    @classmethod
    def from_aggregate(
        cls,
        id: str,
        agg: Aggregate,
        requested_cents: int,
        submission_seq: int,
        groups: Iterable[str] = (),
    ) -> RankItem:
        """Build from an :class:`Aggregate` (mean and median)."""
        return cls(id, agg.mean, requested_cents, submission_seq, frozenset(groups), agg.median)


@dataclass(frozen=True)
class Ranked:
    """A sketch at its rank position (1 = best)."""

    position: int
    item: RankItem

    @property
    def id(self) -> str:
        """The sketch id."""
        return self.item.id

    @property
    def score(self) -> Decimal | None:
        """The mean score used for ranking."""
        return self.item.score

    @property
    def requested_cents(self) -> int:
        """The requested amount in cents."""
        return self.item.requested_cents

    @property
    def groups(self) -> frozenset[str]:
        """Groups (region, target group, ...) the sketch carries."""
        return self.item.groups


def _rank_key(item: RankItem) -> tuple[object, ...]:
    score = item.score
    median = item.median
    return (
        score is None,
        -score if score is not None else 0,
        median is None,
        -median if median is not None else 0,
        item.requested_cents,
        item.submission_seq,
        item.id,
    )


def rank(items: Sequence[RankItem]) -> list[Ranked]:
    """Rank the sketches: mean desc, median desc, amount asc, submission asc, id asc; unscored last."""
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise ValueError("Skizzen-IDs sind nicht eindeutig.")
    ordered = sorted(items, key=_rank_key)
    return [Ranked(position, item) for position, item in enumerate(ordered, start=1)]

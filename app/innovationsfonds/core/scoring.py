"""Review scores and their aggregate per sketch (exact; rounded once, 2 places half up).

Review score (:func:`review_score`)
    Each mark is normalised to 0..1 over its criterion's scale: ``(mark - min) / (max - min)``.
    The score is the weighted mean of the normalised marks times 100. ``None`` means "not
    applicable": the criterion is left out and the weights are renormalised over the others
    (never counted as 0). At most one criterion per review may be "not applicable" (the rule of
    the call); every criterion must be marked (``None`` explicitly), no unknown keys, marks must
    be integers inside the scale. Result: 0..100, 2 places, half up.

Aggregate (:func:`aggregate`)
    Over the review scores of one sketch: count, mean, median (mean of the two middle values for
    an even count), **population** standard deviation (the reviews are the whole population of
    judgements on the sketch, not a sample; defined for one review: 0), min, max and the spread
    ``max - min``. ``discrepancy`` is set when the spread is **strictly greater** than the
    threshold (the measure is the range of the individual scores; it is compared exactly, before
    rounding). Mean, median, standard deviation are rounded to 2 places half up; min, max and
    spread are exact. No scores: count 0, every figure ``None``, no discrepancy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import isqrt, lcm


def to_fraction(value: Decimal | int, what: str) -> Fraction:
    """Exact value of a Decimal or int; rejects float, bool, NaN and infinity."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{what} must be Decimal or int, not {type(value).__name__}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{what} must be finite")
    return Fraction(value)


def _round2(value: Fraction) -> Decimal:
    """Round an exact value to 2 places, half up (away from zero at .5)."""
    hundredths = value * 100
    magnitude = abs(hundredths)
    rounded = (2 * magnitude.numerator + magnitude.denominator) // (2 * magnitude.denominator)
    return Decimal(-rounded if hundredths < 0 else rounded).scaleb(-2)


def _sqrt_round2(variance: Fraction) -> Decimal:
    """sqrt(variance) rounded to 2 places half up, exactly (integer square roots only)."""
    scaled = variance * 10_000  # (100 * sd)^2
    # round(sqrt(x)) half up = floor(sqrt(x) + 1/2) = (floor(sqrt(4x)) + 1) // 2
    four = 4 * scaled
    root = isqrt(four.numerator // four.denominator)
    return Decimal((root + 1) // 2).scaleb(-2)


def integer_points(score: Decimal) -> int:
    """A score with at most two decimals as integer points (score x 100)."""
    return int(score * 100)


# ---------------------------------------------------------------------------------------------
# review score


@dataclass(frozen=True)
class Criterion:
    """One assessment criterion of a call: a key, a positive weight and an integer scale."""

    key: str
    weight: Decimal | int
    scale_min: int = 0
    scale_max: int = 10

    def __post_init__(self) -> None:
        if to_fraction(self.weight, f"weight of {self.key!r}") <= 0:
            raise ValueError(f"Kriterium {self.key!r}: das Gewicht muss positiv sein.")
        for bound in (self.scale_min, self.scale_max):
            if isinstance(bound, bool) or not isinstance(bound, int):
                raise TypeError(f"scale of {self.key!r} must be integers")
        if self.scale_max <= self.scale_min:
            raise ValueError(f"Kriterium {self.key!r}: die Skala braucht max > min.")


def review_score(criteria: Sequence[Criterion], marks: Mapping[str, int | None]) -> Decimal:
    """Weighted score 0..100 of one review (2 places, half up); see the module docstring."""
    if not criteria:
        raise ValueError("Keine Kriterien angegeben.")
    keys = [c.key for c in criteria]
    if len(set(keys)) != len(keys):
        raise ValueError("Kriterien-Schlüssel sind nicht eindeutig.")
    unknown = sorted(set(marks) - set(keys))
    if unknown:
        raise ValueError(f"Unbekannte Kriterien: {', '.join(unknown)}.")
    weighted = Fraction(0)
    weight_sum = Fraction(0)
    not_applicable = []
    for criterion in criteria:
        if criterion.key not in marks:
            raise ValueError(f"Kriterium {criterion.key!r} ist nicht bewertet.")
        mark = marks[criterion.key]
        if mark is None:
            not_applicable.append(criterion.key)
            continue
        if isinstance(mark, bool) or not isinstance(mark, int):
            raise TypeError(f"Kriterium {criterion.key!r}: die Note muss eine ganze Zahl sein.")
        if not criterion.scale_min <= mark <= criterion.scale_max:
            raise ValueError(
                f"Kriterium {criterion.key!r}: Note {mark} liegt außerhalb der Skala "
                f"{criterion.scale_min}–{criterion.scale_max}."
            )
        weight = Fraction(criterion.weight)
        weighted += weight * Fraction(mark - criterion.scale_min, criterion.scale_max - criterion.scale_min)
        weight_sum += weight
    if len(not_applicable) > 1:
        raise ValueError(
            "Höchstens ein Kriterium darf als „nicht zutreffend“ markiert werden "
            f"(markiert: {', '.join(not_applicable)})."
        )
    if weight_sum == 0:
        raise ValueError("Mindestens ein Kriterium muss bewertet werden.")
    return _round2(weighted / weight_sum * 100)


# ---------------------------------------------------------------------------------------------
# aggregate


@dataclass(frozen=True)
class Aggregate:
    """Figures over the review scores of one sketch (``None`` when there are no scores)."""

    count: int
    mean: Decimal | None
    median: Decimal | None
    stdev: Decimal | None  # population standard deviation
    minimum: Decimal | None
    maximum: Decimal | None
    spread: Decimal | None  # maximum - minimum
    discrepancy: bool


def _scaled(exact: Sequence[Fraction]) -> tuple[list[int], int]:
    """The values as integers over one common denominator: (numerators, denominator). Sums of integers
    instead of fractions (which reduce by a gcd at every step): the same exact results, much faster."""
    denominator = 1
    for value in exact:
        denominator = lcm(denominator, value.denominator)
    return [value.numerator * (denominator // value.denominator) for value in exact], denominator


def _moments(scaled: Sequence[int], denominator: int) -> tuple[Fraction, Fraction]:
    n, total = len(scaled), sum(scaled)
    return (Fraction(total, n * denominator),
            Fraction(n * sum(x * x for x in scaled) - total * total, n * n * denominator * denominator))


def mean_and_variance(scores: Sequence[Decimal]) -> tuple[Fraction, Fraction]:
    """Exact mean and population variance of at least one score (variance = (n·Σx² − (Σx)²) / n²)."""
    if not scores:
        raise ValueError("mean_and_variance needs at least one score")
    return _moments(*_scaled([to_fraction(s, "score") for s in scores]))


def aggregate(scores: Sequence[Decimal], discrepancy_threshold: Decimal) -> Aggregate:
    """Mean, median, population standard deviation, range; flag a spread above the threshold."""
    threshold = to_fraction(discrepancy_threshold, "discrepancy_threshold")
    if threshold < 0:
        raise ValueError("discrepancy_threshold must not be negative")
    if not scores:
        return Aggregate(0, None, None, None, None, None, None, False)
    scaled, denominator = _scaled([to_fraction(s, "score") for s in scores])
    mean, variance = _moments(scaled, denominator)
    ordered = sorted(scaled)
    n = len(ordered)
    middle = n // 2
    median = (Fraction(ordered[middle], denominator) if n % 2
              else Fraction(ordered[middle - 1] + ordered[middle], 2 * denominator))
    lowest = min(scores)
    highest = max(scores)
    spread = Fraction(ordered[-1] - ordered[0], denominator)
    return Aggregate(
        count=n,
        mean=_round2(mean),
        median=_round2(median),
        stdev=_sqrt_round2(variance),
        minimum=Decimal(lowest),
        maximum=Decimal(highest),
        spread=Decimal(highest) - Decimal(lowest),
        discrepancy=spread > threshold,
    )

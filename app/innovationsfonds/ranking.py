"""Innovationsfonds (F5): review scores, aggregates, ranking and selection of sketches.

Pure functions, no database, no Flask, no ``float`` anywhere. Money is integer cents; scores
are exact (``Fraction`` inside) and rounded once, at the end, to ``Decimal`` with 2 places,
**half up** (kaufmännisch, ``ROUND_HALF_UP``; scores are never negative).

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

Ranking (:func:`rank`)
    Ordered by: higher mean score, then higher median, then lower requested amount, then earlier
    submission (``submission_seq``, smaller = earlier), then ``id`` (ascending). Sketches without a
    score come last (same tie-breaks), as does a missing median among equal means. Ids are
    unique, so the order is total and does not depend on the input order; positions are 1..n.
    A score must be >= 0 with at most 2 decimals (as :func:`aggregate` produces it): the
    knapsack works on integer points (score x 100). Requested amounts are positive cents.

Eligibility (all selections)
    A sketch without a score is never selected (reason ``no_score``), nor one whose score is below
    ``min_score`` (``below_min_score``; a score equal to ``min_score`` is eligible).

Group minimums (``group_minimums={"women": 3}``)
    "At least k selected sketches carrying group g"; a sketch may carry several groups and then
    counts for each. ``k = 0`` is ignored. If a minimum cannot be met, :class:`GroupMinimumError`
    is raised, naming the groups.

Funding line (:func:`funding_line`)
    1. Reservation (only with group minimums): one pass down the ranking; a sketch is taken when it
       carries a group whose minimum is not yet met and it fits the money left. (Greedy in rank
       order: if this pass leaves a minimum unmet the error is raised even where another choice
       could meet it; :func:`max_score` is exact.)
    2. The line: down the ranking over the eligible sketches not yet taken. ``stop``: take each
       sketch that fits; the first that does not fit ends the line (``exceeds_budget``; those
       after it: ``after_stop``). ``skip``: a sketch that does not fit is skipped
       (``exceeds_budget``) and the line goes on.

Maximum score (:func:`max_score`)
    Exact 0/1 knapsack: maximise the sum of the scores (as integer points, score x 100) within the
    budget, honouring the group minimums. Among sets with equal total score: the lower total cost;
    then, comparing the two sets down the ranking, the set containing the better-ranked sketch at
    the first position where they differ. Sketches requesting more than the whole budget are
    skipped (``exceeds_budget``), the other unselected eligible ones get ``not_optimal``.
    Algorithm (all integer arithmetic, no approximation anywhere):
    1. Group minimums: a cheapest cover of the minimums (exact, see ``_cover``) decides
       feasibility; if it costs more than the budget, :class:`GroupMinimumError` names the
       minimums and that cost.
    2. Bound: Lagrangian relaxation of budget and minimums, ``r* = P/C`` from the LP (Dantzig)
       solution, integer multipliers per group by bisection on the LP counts; every quantity is
       scaled by C. Lower bound: the best of greedy solutions (by ratio, rank, cost; reserving
       for the minimums first; the cover filled up greedily), raised whenever the DP reaches a
       better feasible state.
    3. Reduction (Dembo-Hammer): sketches the bound proves in or out of every optimal set are
       fixed.
    4. Sparse DP over score for the rest: per group-count vector (capped at the minimums) the list
       of Pareto-optimal (cost, score) states, i.e. the minimum cost of each reachable score.
       Sketches far from the critical ratio are processed first. A state is dropped when its
       bound is strictly below a known feasible score, when it is strictly dominated in its
       vector, or when even the cheapest remaining carriers could not complete its minimums.
       Exact (cost, score) ties between two states are settled by the set comparison above, so
       every optimal set survives and the tie-breaks are exact.
    Complexity: O(n log n) for steps 1-3 (plus O(rounds x groups x log(points) x n log n) for the
    multipliers), the DP O(n_free x V x F): n_free sketches left after the reduction,
    V = prod(k_g + 1) group-count vectors (at most ``MAX_GROUP_STATES``), F <= min(2^n_free, sum of
    points) states per vector. Measured (bench/bench_innovationsfonds.py): 93 sketches in
    milliseconds; 10,000 sketches in well under a second, a few seconds with two binding group
    minimums. Worst case: scores proportional to the requested amounts (a subset-sum instance,
    where the bound prunes nothing): 93 such sketches take about half a minute. ``max_states``
    turns a run that grows too large into :class:`SelectionTooLargeError`. The cyclic garbage
    collector is paused during the DP (the states are acyclic tuples) and restored afterwards.

Waiting list, promotion (:func:`waiting_list`, :func:`promote`)
    The waiting list holds the eligible sketches (score >= ``min_score``) that are neither
    selected nor withdrawn, in rank order. After a withdrawal the freed money goes down the
    waiting list in rank order with the line rule of ``mode``: ``stop`` promotes each sketch that
    fits and ends at the first that does not (the result equals running the stop line again
    without the withdrawn sketch, when there are no group minimums); ``skip`` promotes every
    sketch that fits while money remains. Sketches already selected are never dropped. With group
    minimums a group that lost its minimum is first replenished from the waiting list (rank
    order, first fitting).
"""

from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import isqrt
from operator import itemgetter
from typing import Literal

from app.platform.money import format_eur

Mode = Literal["stop", "skip"]
Method = Literal["funding_line_stop", "funding_line_skip", "max_score"]
SkipReason = Literal["no_score", "below_min_score", "withdrawn", "exceeds_budget", "after_stop", "not_optimal"]

MAX_GROUP_STATES = 100_000  # limit on prod(k_g + 1) for max_score with group minimums

def N_(text: str) -> str:  # noqa: N802 - the gettext convention (pybabel keyword), as app.errors.N_ (no Flask here)
    """Marks a German text for the catalogue; pages translate it where they show it (``views``)."""
    return text


SKIP_REASON_TEXT: dict[str, str] = {
    "no_score": N_("keine Bewertung"),
    "below_min_score": N_("unter der Mindestpunktzahl"),
    "withdrawn": N_("zurückgezogen"),
    "exceeds_budget": N_("passt nicht mehr in das verbleibende Budget"),
    "after_stop": N_("Förderlinie endete vorher"),
    "not_optimal": N_("nicht Teil der punktbesten Auswahl"),
}

METHOD_TEXT: dict[str, str] = {
    "funding_line_stop": N_("Förderlinie (endet beim ersten nicht passenden Vorhaben)"),
    "funding_line_skip": N_("Förderlinie (nicht passende Vorhaben werden übersprungen)"),
    "max_score": N_("Punktmaximierung (höchste Gesamtpunktzahl im Budget)"),
}


class GroupMinimumError(ValueError):
    """A group minimum cannot be met; ``groups`` names them. The message is German."""

    def __init__(self, message: str, groups: Iterable[str]) -> None:
        super().__init__(message)
        self.groups = tuple(sorted(groups))


class SelectionTooLargeError(ValueError):
    """The exact optimisation would exceed the caller's ``max_states``; the message is German."""


# ---------------------------------------------------------------------------------------------
# exact helpers


def _fraction(value: Decimal | int, what: str) -> Fraction:
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


def _points(score: Decimal) -> int:
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
        if _fraction(self.weight, f"weight of {self.key!r}") <= 0:
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


def aggregate(scores: Sequence[Decimal], discrepancy_threshold: Decimal) -> Aggregate:
    """Mean, median, population standard deviation, range; flag a spread above the threshold."""
    threshold = _fraction(discrepancy_threshold, "discrepancy_threshold")
    if threshold < 0:
        raise ValueError("discrepancy_threshold must not be negative")
    exact = [_fraction(s, "score") for s in scores]
    if not exact:
        return Aggregate(0, None, None, None, None, None, None, False)
    n = len(exact)
    ordered = sorted(exact)
    mean = sum(exact, Fraction(0)) / n
    middle = n // 2
    median = ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    variance = sum(((s - mean) ** 2 for s in exact), Fraction(0)) / n
    lowest = min(scores)
    highest = max(scores)
    spread = ordered[-1] - ordered[0]
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


# ---------------------------------------------------------------------------------------------
# ranking


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
            exact = _fraction(self.score, "score")
            if exact < 0 or (exact * 100).denominator != 1:
                raise ValueError(f"Skizze {self.id}: Punktzahl ≥ 0 mit höchstens zwei Nachkommastellen.")
            object.__setattr__(self, "score", Decimal(self.score).quantize(Decimal("0.01")))
        if self.median is not None:
            _fraction(self.median, "median")
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


# ---------------------------------------------------------------------------------------------
# selections


@dataclass(frozen=True)
class Skipped:
    """An unselected sketch and why (a :data:`SkipReason`; German text in ``SKIP_REASON_TEXT``)."""

    id: str
    reason: str


@dataclass(frozen=True)
class Selection:
    """The result of a selection rule; ``selected`` in rank order, ``skipped`` all the others."""

    method: str
    selected: tuple[str, ...]
    total_cents: int
    score_total: Decimal
    skipped: tuple[Skipped, ...]
    budget_cents: int
    budget_left: int
    min_score: Decimal | None = None
    withdrawn: tuple[str, ...] = ()

    @property
    def selected_set(self) -> frozenset[str]:
        """The selected ids as a set."""
        return frozenset(self.selected)


@dataclass(frozen=True)
class Comparison:
    """Difference between two selections (``a - b``) with a short German explanation."""

    only_in_a: tuple[str, ...]
    only_in_b: tuple[str, ...]
    in_both: tuple[str, ...]
    total_difference_cents: int
    score_difference: Decimal
    explanation: str


def _check_budget(budget_cents: int) -> None:
    if isinstance(budget_cents, bool) or not isinstance(budget_cents, int):
        raise TypeError("budget_cents must be int")
    if budget_cents < 0:
        raise ValueError("Das Budget darf nicht negativ sein.")


def _check_ranked(ranked: Sequence[Ranked]) -> list[Ranked]:
    ordered = sorted(ranked, key=lambda r: r.position)
    ids = [r.id for r in ordered]
    if len(set(ids)) != len(ids):
        raise ValueError("Skizzen-IDs sind nicht eindeutig.")
    return ordered


def _clean_minimums(group_minimums: Mapping[str, int] | None) -> dict[str, int]:
    result: dict[str, int] = {}
    for group, minimum in (group_minimums or {}).items():
        if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0:
            raise ValueError(f"Gruppe {group!r}: die Mindestzahl muss eine ganze Zahl ≥ 0 sein.")
        if minimum:
            result[group] = minimum
    return result


def _ineligible(r: Ranked, min_score: Decimal | None) -> str | None:
    if r.score is None:
        return "no_score"
    if min_score is not None and r.score < min_score:
        return "below_min_score"
    return None


def _selection(
    method: str,
    ranked: list[Ranked],
    chosen: set[str],
    reasons: Mapping[str, str],
    budget_cents: int,
    min_score: Decimal | None,
    withdrawn: tuple[str, ...] = (),
) -> Selection:
    selected = tuple(r.id for r in ranked if r.id in chosen)
    total = sum(r.requested_cents for r in ranked if r.id in chosen)
    score_total = sum((r.score for r in ranked if r.id in chosen and r.score is not None), Decimal("0.00"))
    skipped = tuple(Skipped(r.id, reasons.get(r.id, "not_optimal")) for r in ranked if r.id not in chosen)
    if total > budget_cents:  # cannot happen; a guard for the invariant
        raise AssertionError("selection exceeds the budget")
    return Selection(
        method,
        selected,
        total,
        score_total,
        skipped,
        budget_cents,
        budget_cents - total,
        min_score,
        withdrawn,
    )


def _unmet_message(unmet: Mapping[str, int], how: str) -> str:
    parts = ", ".join(f"{g}: {k} fehlen" for g, k in sorted(unmet.items()))
    return f"Mindestzahl je Gruppe nicht erreichbar ({how}): {parts}."


def _run_line(
    candidates: list[Ranked],
    taken: set[str],
    money_left: int,
    mode: Mode,
    minimums: Mapping[str, int],
    reasons: dict[str, str],
) -> None:
    """Reservation for unmet group minimums, then the line; updates ``taken`` and ``reasons``."""
    if mode not in ("stop", "skip"):
        raise ValueError("mode must be 'stop' or 'skip'")
    need = {g: k for g, k in minimums.items()}
    by_id = {r.id: r for r in candidates}
    for chosen_id in taken:
        chosen = by_id.get(chosen_id)
        for g in chosen.groups if chosen is not None else ():
            if need.get(g, 0) > 0:
                need[g] -= 1
    if any(need.values()):
        for r in candidates:
            if r.id in taken or not any(need.get(g, 0) > 0 for g in r.groups):
                continue
            if r.requested_cents <= money_left:
                taken.add(r.id)
                money_left -= r.requested_cents
                for g in r.groups:
                    if need.get(g, 0) > 0:
                        need[g] -= 1
        unmet = {g: k for g, k in need.items() if k > 0}
        if unmet:
            raise GroupMinimumError(_unmet_message(unmet, "Vorabauswahl in Rangfolge"), unmet)
    stopped = False
    for r in candidates:
        if r.id in taken:
            continue
        if stopped:
            reasons[r.id] = "after_stop"
        elif r.requested_cents <= money_left:
            taken.add(r.id)
            money_left -= r.requested_cents
        else:
            reasons[r.id] = "exceeds_budget"
            stopped = mode == "stop"


def funding_line(
    ranked: Sequence[Ranked],
    budget_cents: int,
    *,
    mode: Mode,
    min_score: Decimal | None = None,
    group_minimums: Mapping[str, int] | None = None,
) -> Selection:
    """Go down the ranking within the budget (``stop`` or ``skip``); see the module docstring."""
    _check_budget(budget_cents)
    ordered = _check_ranked(ranked)
    minimums = _clean_minimums(group_minimums)
    reasons: dict[str, str] = {}
    candidates = []
    for r in ordered:
        reason = _ineligible(r, min_score)
        if reason:
            reasons[r.id] = reason
        else:
            candidates.append(r)
    _check_carriers(candidates, minimums)
    taken: set[str] = set()
    _run_line(candidates, taken, budget_cents, mode, minimums, reasons)
    return _selection(f"funding_line_{mode}", ordered, taken, reasons, budget_cents, min_score)


def _check_carriers(candidates: Sequence[Ranked], minimums: Mapping[str, int]) -> None:
    short = {}
    for group, minimum in minimums.items():
        carriers = sum(1 for r in candidates if group in r.groups)
        if carriers < minimum:
            short[group] = minimum - carriers
    if short:
        raise GroupMinimumError(_unmet_message(short, "zu wenige förderfähige Skizzen der Gruppe"), short)


def max_score(
    ranked: Sequence[Ranked],
    budget_cents: int,
    *,
    min_score: Decimal | None = None,
    group_minimums: Mapping[str, int] | None = None,
    max_states: int | None = None,
) -> Selection:
    """The set with the highest total score within the budget (exact); see the module docstring.

    ``max_states`` (optional) caps the number of live DP states: beyond it
    :class:`SelectionTooLargeError` is raised instead of computing on (never an inexact answer).
    """
    _check_budget(budget_cents)
    ordered = _check_ranked(ranked)
    minimums = _clean_minimums(group_minimums)
    reasons: dict[str, str] = {}
    candidates = []
    for r in ordered:
        reason = _ineligible(r, min_score)
        if reason:
            reasons[r.id] = reason
        elif r.requested_cents > budget_cents:
            reasons[r.id] = "exceeds_budget"
        else:
            candidates.append(r)
    _check_carriers(candidates, minimums)
    group_names = sorted(minimums)
    items = [
        _KItem(
            _points(r.score) if r.score is not None else 0,
            r.requested_cents,
            tuple(i for i, g in enumerate(group_names) if g in r.groups),
        )
        for r in candidates
    ]
    collecting = gc.isenabled()
    gc.disable()  # millions of small acyclic tuples: the cyclic collector would only rescan them
    try:
        chosen = _knapsack(items, budget_cents, [minimums[g] for g in group_names], max_states)
    except _Infeasible as exc:
        wanted = ", ".join(f"{g} ≥ {minimums[g]}" for g in group_names)
        cost = "" if exc.cover_cost is None else f"; die günstigste Erfüllung kostet {format_eur(exc.cover_cost)}"
        raise GroupMinimumError(
            f"Keine Auswahl im Budget von {format_eur(budget_cents)} erfüllt alle Mindestzahlen ({wanted}{cost}).",
            minimums,
        ) from None
    finally:
        if collecting:
            gc.enable()
    taken = {candidates[i].id for i in chosen}
    return _selection("max_score", ordered, taken, reasons, budget_cents, min_score)


# ---------------------------------------------------------------------------------------------
# exact knapsack core


_State = tuple[int, int, int, object]  # cost, points, C*points - P*cost, node = (index, parent node)
_cost = itemgetter(0)


@dataclass(frozen=True)
class _KItem:
    points: int
    cost: int
    groups: tuple[int, ...]  # indices into the list of groups with a minimum


def _greedy(
    order: Sequence[int], items: Sequence[_KItem], budget: int, caps: Sequence[int]
) -> tuple[int, list[int]] | None:
    """A feasible solution: reserve for unmet minimums along ``order``, then fill; None if unmet."""
    need = list(caps)
    left = budget
    chosen: list[int] = []
    taken = set()
    if any(need):
        for i in order:
            item = items[i]
            if any(need[g] > 0 for g in item.groups) and item.cost <= left:
                chosen.append(i)
                taken.add(i)
                left -= item.cost
                for g in item.groups:
                    if need[g] > 0:
                        need[g] -= 1
        if any(need):
            return None
    for i in order:
        if i not in taken and items[i].cost <= left:
            chosen.append(i)
            left -= items[i].cost
    return sum(items[i].points for i in chosen), chosen


def _ratio_order(points: Sequence[int], items: Sequence[_KItem]) -> list[int]:
    """Indices by points/cost descending (ties by index), exactly.

    floor(p * M / c) with M > max(c)^2 keeps distinct ratios apart and equal ones together.
    """
    scale = max((it.cost for it in items), default=1) ** 2 + 1
    keys = [-(p * scale // it.cost) for p, it in zip(points, items, strict=True)]
    return sorted(range(len(items)), key=keys.__getitem__)  # stable: ties by index


def _dantzig(points: Sequence[int], items: Sequence[_KItem], budget: int) -> tuple[list[int], int, int, int]:
    """LP relaxation: (ratio order, break position, P, C) with the multiplier r* = P / C (0 / 1 if all fit)."""
    order = _ratio_order(points, items)
    spent = 0
    for position, i in enumerate(order):
        if spent + items[i].cost > budget:
            return order, position, points[i], items[i].cost
        spent += items[i].cost
    return order, len(order), 0, 1


def _group_multipliers(items: Sequence[_KItem], budget: int, caps: Sequence[int]) -> list[int]:
    """Integer multipliers (points per carried group) for the group minimums in the LP bound.

    Any multipliers >= 0 give a valid bound; these approximately minimise the Lagrangian dual
    (coordinate-wise bisection on the subgradient: LP count of carriers minus the minimum), which
    makes the bound see the minimums. Deterministic; O(rounds x groups x log(max points) x n log n).
    """
    lam = [0] * len(caps)
    high = 2 * max((it.points for it in items), default=0) + 1
    base = [it.points for it in items]
    signatures = [it.groups for it in items]
    distinct = set(signatures)

    def lp_count_short(g: int) -> bool:
        extra = {sig: sum(lam[h] for h in sig) for sig in distinct}
        points = [p + extra[sig] for p, sig in zip(base, signatures, strict=True)]
        order, brk, _p, _c = _dantzig(points, items, budget)
        count = sum(1 for i in order[:brk] if g in signatures[i])
        return count < caps[g]  # the dual still falls when lam[g] grows

    tolerance = 1  # the bound is valid for any multiplier, but a close one prunes far more
    for _round in range(2 if len(caps) > 1 else 1):
        for g in range(len(caps)):
            lam[g] = 0
            if not lp_count_short(g):
                continue
            lam[g] = high
            if lp_count_short(g):
                continue
            low, top = 0, high  # short at low, not short at top
            while top - low > tolerance:
                lam[g] = (low + top) // 2
                if lp_count_short(g):
                    low = lam[g]
                else:
                    top = lam[g]
            lam[g] = top
    return lam


class _Infeasible(Exception):
    """The group minimums cannot be met within the budget; ``cover_cost``: their cheapest cost."""

    def __init__(self, cover_cost: int | None) -> None:
        super().__init__(cover_cost)
        self.cover_cost = cover_cost


class _Counts:
    """Group-count vectors as mixed-radix codes, each digit capped at its group's minimum."""

    def __init__(self, caps: Sequence[int]) -> None:
        self.caps = list(caps)
        self.radix = []
        size = 1
        for cap in caps:
            self.radix.append(size)
            size *= cap + 1
        if size > MAX_GROUP_STATES:
            raise ValueError(f"Zu viele Kombinationen von Gruppen-Mindestzahlen ({size} > {MAX_GROUP_STATES}).")
        self.full = sum(cap * mult for cap, mult in zip(caps, self.radix, strict=True))
        self._cache: dict[tuple[int, tuple[int, ...]], int] = {}

    def digit(self, code: int, g: int) -> int:
        """The (capped) count of group ``g`` in ``code``."""
        return (code // self.radix[g]) % (self.caps[g] + 1)

    def advance(self, code: int, groups: tuple[int, ...]) -> int:
        """The code after adding an item carrying ``groups``."""
        key = (code, groups)
        found = self._cache.get(key)
        if found is None:
            found = code
            for g in groups:
                if self.digit(code, g) < self.caps[g]:
                    found += self.radix[g]
            self._cache[key] = found
        return found


def _cover(items: Sequence[_KItem], counts: _Counts) -> list[int] | None:
    """A cheapest set meeting every group minimum (ignoring scores); None if there is none.

    Exact. Within a class of items carrying the same groups a cheapest cover uses the cheapest
    ones, at most max(k_g) of them. Items carrying two or more groups go through a sparse DP over
    the count codes they reach; each single-group class then adds its cheapest missing items.
    O(R x m) for R reached codes and m multi-group candidates (for two groups R <= max k + 1).
    """
    classes: dict[tuple[int, ...], list[int]] = {}
    for i, item in enumerate(items):
        if item.groups:
            classes.setdefault(item.groups, []).append(i)
    overlap: list[int] = []
    singles: dict[int, list[int]] = {}
    for signature, members in classes.items():
        members.sort(key=lambda i: (items[i].cost, i))
        cheapest = members[: max(counts.caps[g] for g in signature)]
        if len(signature) == 1:
            singles[signature[0]] = cheapest
        else:
            overlap += cheapest
    best: dict[int, tuple[int, tuple[int, object] | None]] = {0: (0, None)}
    for i in sorted(overlap):
        for code, (cost, node) in list(best.items()):
            target = counts.advance(code, items[i].groups)
            if target != code and (target not in best or cost + items[i].cost < best[target][0]):
                best[target] = (cost + items[i].cost, (i, node))
    result: tuple[int, list[int]] | None = None
    for code in sorted(best):
        cost, node = best[code]
        picks = _members(node)
        for g, cap in enumerate(counts.caps):
            missing = cap - counts.digit(code, g)
            single = singles.get(g, [])
            if missing > len(single):
                break
            picks += single[:missing]
            cost += sum(items[i].cost for i in single[:missing])
        else:
            if result is None or cost < result[0]:
                result = (cost, picks)
    return None if result is None else result[1]


def _fill(start: Sequence[int], order: Sequence[int], items: Sequence[_KItem], budget: int) -> tuple[int, list[int]]:
    """Complete ``start`` greedily along ``order``: every item that still fits."""
    chosen = list(start)
    taken = set(chosen)
    left = budget - sum(items[i].cost for i in chosen)
    for i in order:
        if i not in taken and items[i].cost <= left:
            chosen.append(i)
            left -= items[i].cost
    return sum(items[i].points for i in chosen), chosen


class _Reserve:
    """Per group, the costs of the not yet processed carriers, cheapest first.

    ``need(code)`` is a lower bound on what completing the group minimums from ``code`` still
    costs (for each group the cheapest missing carriers; the maximum over groups). A state whose
    cost plus this exceeds the budget can never become feasible.
    """

    def __init__(self, items: Sequence[_KItem], pending: Sequence[int], counts: _Counts) -> None:
        self.counts = counts
        self.costs = [sorted(items[i].cost for i in pending if g in items[i].groups) for g in range(len(counts.caps))]
        self._prefix: list[list[int]] = []
        self._cache: dict[int, int | None] = {}
        self._refresh()

    def _refresh(self) -> None:
        self._prefix = []
        for g, costs in enumerate(self.costs):
            prefix = [0]
            for cost in costs[: self.counts.caps[g]]:
                prefix.append(prefix[-1] + cost)
            self._prefix.append(prefix)
        self._cache = {}

    def remove(self, item: _KItem) -> None:
        """The item has been processed: it is no longer available for later states."""
        for g in item.groups:
            costs = self.costs[g]
            del costs[bisect_left(costs, item.cost)]
        if item.groups:
            self._refresh()

    def need(self, code: int) -> int | None:
        """Lower bound on the cost still needed for the minimums; None if they are out of reach."""
        if code in self._cache:
            return self._cache[code]
        needed: int | None = 0
        for g, prefix in enumerate(self._prefix):
            missing = self.counts.caps[g] - self.counts.digit(code, g)
            if missing >= len(prefix):
                needed = None
                break
            needed = max(needed, prefix[missing])  # type: ignore[type-var]
        self._cache[code] = needed
        return needed


def _knapsack(items: Sequence[_KItem], budget: int, caps: Sequence[int], max_states: int | None = None) -> list[int]:
    """Indices (rank order) of the optimal set; raises _Infeasible when the minimums cannot be met.

    ``items`` are in rank order (best first), each with cost <= budget. See the module docstring
    for the objective and tie-breaks.
    """
    n = len(items)
    counts = _Counts(caps)
    full = counts.full

    # feasibility and feasible solutions (lower bounds): a cheapest cover, greedy reservations
    cover: list[int] = []
    if caps:
        found_cover = _cover(items, counts)
        if found_cover is None:
            raise _Infeasible(None)
        cover_cost = sum(items[i].cost for i in found_cover)
        if cover_cost > budget:
            raise _Infeasible(cover_cost)
        cover = found_cover

    # Lagrangian bound: multipliers lam_g (group minimums) and r* = P / C (budget), everything
    # scaled by C. For a state (cost c, points s, capped group counts d_g) and remaining items R:
    #   C x best completion <= C*s - P*c + P*B + C*sum_g lam_g*(d_g - k_g) + sum_R max(0, e_i),
    #   e_i = C*(p_i + sum of lam_g over its groups) - P*c_i.
    lam = _group_multipliers(items, budget, caps) if caps else []
    adjusted = [it.points + sum(lam[g] for g in it.groups) for it in items]
    _order, _brk, mult_p, mult_c = _dantzig(adjusted, items, budget)
    raw = [mult_c * it.points - mult_p * it.cost for it in items]
    reduced = [mult_c * adjusted[i] - mult_p * it.cost for i, it in enumerate(items)]
    penalty_cache: dict[int, int] = {}

    def penalty(code: int) -> int:
        found = penalty_cache.get(code)
        if found is None:
            found = mult_c * sum(lam[g] * (counts.digit(code, g) - caps[g]) for g in range(len(caps)))
            penalty_cache[code] = found
        return found

    lower: int | None = None
    orders: list[Sequence[int]] = [_ratio_order([it.points for it in items], items), range(n)]
    if caps:
        orders += [_ratio_order(adjusted, items), sorted(range(n), key=lambda i: (items[i].cost, i))]
    for order in orders:
        for found in (_greedy(order, items, budget, caps), _fill(cover, order, items, budget) if caps else None):
            if found is not None and (lower is None or found[0] > lower):
                lower = found[0]
    assert lower is not None  # the cover (or the empty set) is feasible

    # Dembo-Hammer reduction: fix what the bound decides against the known solution
    bound_all = mult_p * budget + penalty(0) + sum(e for e in reduced if e > 0)
    target = mult_c * lower
    fixed_in: list[int] = []
    free: list[int] = []
    for i, e in enumerate(reduced):
        if e <= 0 and bound_all + e < target:
            continue  # every set containing i scores below a known solution: fixed out
        if e > 0 and bound_all - e < target:
            fixed_in.append(i)  # every set without i scores below a known solution
        else:
            free.append(i)

    base_cost = sum(items[i].cost for i in fixed_in)
    base_points = sum(items[i].points for i in fixed_in)
    code = 0
    node: tuple[int, object] | None = None
    for i in fixed_in:
        code = counts.advance(code, items[i].groups)
        node = (i, node)
    if base_cost > budget:  # cannot happen with a valid lower bound
        raise AssertionError("fixed items exceed the budget")

    # Far-from-critical sketches first: the bound settles them at once and the frontier stays
    # small until the few close calls at the end. Exact (cost, score) ties are resolved by
    # comparing the two sets (see _better_set), which does not depend on the processing order.
    process = sorted(free, key=lambda i: (-abs(reduced[i]), i))
    remaining = [0] * (len(process) + 1)  # remaining[k]: sum of positive reduced profits after k
    for k in range(len(process) - 1, -1, -1):
        remaining[k] = remaining[k + 1] + max(0, reduced[process[k]])
    reserve = _Reserve(items, process, counts) if caps else None

    def room(code: int) -> int:
        """Highest cost a state in ``code`` may have and still meet the minimums (-1: none)."""
        if reserve is None:
            return budget
        need = reserve.need(code)
        return -1 if need is None else budget - need

    # frontier per group-count code: (cost, points, C*points - P*cost, node), cost and points ascending
    start_value = mult_c * base_points - mult_p * base_cost
    frontiers: dict[int, list[_State]] = {code: [(base_cost, base_points, start_value, node)]}
    for k, i in enumerate(process):
        item = items[i]
        ci, pi, di = item.cost, item.points, raw[i]
        if reserve is not None:
            reserve.remove(item)
        threshold = mult_c * lower - mult_p * budget - remaining[k + 1]
        incoming: dict[int, list[tuple[bool, list[_State]]]] = {}
        for src, states in frontiers.items():
            dst = counts.advance(src, item.groups)
            keep_threshold = threshold - penalty(src)
            keep_cut = bisect_right(states, room(src), key=_cost)
            keep = [st for st in states[:keep_cut] if st[2] >= keep_threshold]
            take_threshold = threshold - penalty(dst) - di
            take_cut = bisect_right(states, min(budget, room(dst)) - ci, key=_cost)
            take = [(c + ci, s + pi, v + di, (i, nd)) for c, s, v, nd in states[:take_cut] if v >= take_threshold]
            if keep:
                incoming.setdefault(src, []).append((False, keep))
            if take:
                incoming.setdefault(dst, []).append((True, take))
        frontiers = {dst: _merge(lists) for dst, lists in incoming.items()}
        if max_states is not None and sum(len(states) for states in frontiers.values()) > max_states:
            raise SelectionTooLargeError(
                f"Die exakte Punktmaximierung überschreitet {max_states} Zwischenstände "
                f"(nach {k + 1} von {len(process)} offenen Skizzen)."
            )
        reached = frontiers.get(full)
        if reached and reached[-1][1] > lower:
            lower = reached[-1][1]  # every state is a feasible selection: a better lower bound

    final = frontiers.get(full)
    if not final:  # cannot happen: the cover is feasible and its completion survives the bound
        raise AssertionError("no feasible state left")
    return sorted(_members(final[-1][3]))


def _members(node: object) -> list[int]:
    out = []
    while node is not None:
        idx, node = node  # type: ignore[misc]
        out.append(idx)
    return out


def _better_set(a: object, b: object) -> bool:
    """True if set ``a`` contains the better-ranked item where the two sets first differ."""
    sa, sb = set(_members(a)), set(_members(b))
    diff = sa ^ sb
    return min(diff) in sa if diff else False


def _merge(lists: list[tuple[bool, list[_State]]]) -> list[_State]:
    """Pareto frontier of the union: cost ascending, points strictly ascending, ties resolved."""
    if len(lists) == 1:
        return lists[0][1]
    if len(lists) == 2:
        first, second = lists[0][1], lists[1][1]
        out: list[_State] = []
        append = out.append
        best = -1
        i = j = 0
        n1, n2 = len(first), len(second)
        while i < n1 and j < n2:
            a = first[i]
            b = second[j]
            if b[0] < a[0] or (b[0] == a[0] and (b[1] > a[1] or (b[1] == a[1] and _better_set(b[3], a[3])))):
                if b[1] > best:
                    append(b)
                    best = b[1]
                j += 1
            else:
                if a[1] > best:
                    append(a)
                    best = a[1]
                i += 1
        for rest in (first[i:], second[j:]):
            for st in rest:
                if st[1] > best:
                    append(st)
                    best = st[1]
        return out
    # several lists meet in one (capped) group code: sort, then resolve exact ties
    merged = sorted((st for _take, states in lists for st in states), key=lambda st: (st[0], -st[1]))
    out = []
    best = -1
    for st in merged:
        if st[1] > best:
            out.append(st)
            best = st[1]
        elif out and out[-1][0] == st[0] and out[-1][1] == st[1] and _better_set(st[3], out[-1][3]):
            out[-1] = st
    return out


# ---------------------------------------------------------------------------------------------
# comparison, waiting list, promotion


def _points_text(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _count_text(n: int) -> str:
    return "1 Skizze" if n == 1 else f"{n} Skizzen"


def compare(a: Selection, b: Selection, label: Callable[[str], str] = str) -> Comparison:
    """What differs between two selections, with a short German explanation (A minus B); ``label`` names a
    sketch id in the text (the sketch number instead of the database id)."""
    set_a, set_b = a.selected_set, b.selected_set
    only_a = tuple(i for i in a.selected if i not in set_b)
    only_b = tuple(i for i in b.selected if i not in set_a)
    both = tuple(i for i in a.selected if i in set_b)
    total_diff = a.total_cents - b.total_cents
    score_diff = a.score_total - b.score_total
    label_a = METHOD_TEXT.get(a.method, a.method)
    label_b = METHOD_TEXT.get(b.method, b.method)
    lines = [
        f"A – {label_a}: {_count_text(len(a.selected))}, {format_eur(a.total_cents)}, "
        f"{_points_text(a.score_total)} Punkte.",
        f"B – {label_b}: {_count_text(len(b.selected))}, {format_eur(b.total_cents)}, "
        f"{_points_text(b.score_total)} Punkte.",
    ]
    if not only_a and not only_b:
        lines.append("Beide Verfahren wählen dieselben Skizzen.")
    else:
        lines.append(f"Nur in A: {', '.join(map(label, only_a)) or '–'}. "
                     f"Nur in B: {', '.join(map(label, only_b)) or '–'}.")
        sign_cents = "+" if total_diff > 0 else ("−" if total_diff < 0 else "±")
        sign_score = "+" if score_diff > 0 else ("−" if score_diff < 0 else "±")
        lines.append(
            f"A gegenüber B: {sign_cents}{format_eur(abs(total_diff))} Fördersumme, "
            f"{sign_score}{_points_text(abs(score_diff))} Punkte."
        )
    return Comparison(only_a, only_b, both, total_diff, score_diff, " ".join(lines))


def waiting_list(ranked: Sequence[Ranked], selection: Selection, min_score: Decimal | None = None) -> list[Ranked]:
    """Eligible sketches neither selected nor withdrawn, in rank order.

    ``min_score=None`` uses the selection's own ``min_score``.
    """
    threshold = selection.min_score if min_score is None else min_score
    excluded = selection.selected_set | set(selection.withdrawn)
    return [r for r in _check_ranked(ranked) if r.id not in excluded and _ineligible(r, threshold) is None]


def promote(
    ranked: Sequence[Ranked],
    selection: Selection,
    withdrawn_id: str,
    budget_cents: int,
    mode: Mode,
    *,
    min_score: Decimal | None = None,
    group_minimums: Mapping[str, int] | None = None,
) -> Selection:
    """Withdraw a selected sketch and move waiting sketches up (see the module docstring).

    ``min_score=None`` uses the selection's own ``min_score``. Already selected sketches stay.
    """
    _check_budget(budget_cents)
    if withdrawn_id not in selection.selected_set:
        raise ValueError(f"Skizze {withdrawn_id} ist nicht ausgewählt.")
    ordered = _check_ranked(ranked)
    threshold = selection.min_score if min_score is None else min_score
    minimums = _clean_minimums(group_minimums)
    withdrawn = (*selection.withdrawn, withdrawn_id)
    by_id = {r.id: r for r in ordered}
    missing = [i for i in selection.selected if i not in by_id]
    if missing:
        raise ValueError(f"Ausgewählte Skizzen fehlen in der Rangfolge: {', '.join(missing)}.")
    taken = {i for i in selection.selected if i != withdrawn_id}
    money_left = budget_cents - sum(by_id[i].requested_cents for i in taken)
    if money_left < 0:
        raise ValueError("Die verbleibende Auswahl übersteigt das Budget.")
    reasons: dict[str, str] = {i: "withdrawn" for i in withdrawn}
    for r in ordered:
        reason = _ineligible(r, threshold)
        if reason and r.id not in reasons:
            reasons[r.id] = reason
    for skipped in selection.skipped:  # keep earlier reasons unless the line revisits the sketch
        reasons.setdefault(skipped.id, skipped.reason)
    waiting = [by_id[i] for i in taken] + waiting_list(ordered, selection, threshold)
    waiting = [r for r in waiting if r.id != withdrawn_id]
    waiting.sort(key=lambda r: r.position)
    for r in waiting:
        if r.id not in taken:
            reasons.pop(r.id, None)
    _run_line(waiting, taken, money_left, mode, minimums, reasons)
    return _selection(selection.method, ordered, taken, reasons, budget_cents, threshold, withdrawn)

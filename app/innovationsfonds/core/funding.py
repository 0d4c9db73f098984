"""The selections of sketches within a budget, the waiting list and promotion after a withdrawal.

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
    The exact algorithm is :mod:`.knapsack`.

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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from app.platform.money import format_eur

from .knapsack import Infeasible, Item, knapsack
from .ranking import Ranked
from .scoring import integer_points

Mode = Literal["stop", "skip"]
Method = Literal["funding_line_stop", "funding_line_skip", "max_score"]
SkipReason = Literal["no_score", "below_min_score", "withdrawn", "exceeds_budget", "after_stop", "not_optimal"]


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
    ordered, minimums, candidates, reasons = _candidates(ranked, budget_cents, min_score, group_minimums)
    taken: set[str] = set()
    _run_line(candidates, taken, budget_cents, mode, minimums, reasons)
    return _selection(f"funding_line_{mode}", ordered, taken, reasons, budget_cents, min_score)


def _candidates(ranked: Sequence[Ranked], budget_cents: int, min_score: Decimal | None,
                group_minimums: Mapping[str, int] | None, *, whole_budget: bool = False):
    """(ranking, minimums, eligible candidates, reasons of the others) after the input checks; with
    ``whole_budget`` a sketch requesting more than the whole budget is no candidate (``exceeds_budget``)."""
    _check_budget(budget_cents)
    ordered = _check_ranked(ranked)
    minimums = _clean_minimums(group_minimums)
    reasons: dict[str, str] = {}
    candidates = []
    for r in ordered:
        reason = _ineligible(r, min_score)
        if reason:
            reasons[r.id] = reason
        elif whole_budget and r.requested_cents > budget_cents:
            reasons[r.id] = "exceeds_budget"
        else:
            candidates.append(r)
    _check_carriers(candidates, minimums)
    return ordered, minimums, candidates, reasons


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
    ordered, minimums, candidates, reasons = _candidates(ranked, budget_cents, min_score, group_minimums,
                                                         whole_budget=True)
    group_names = sorted(minimums)
    items = [
        Item(
            integer_points(r.score) if r.score is not None else 0,
            r.requested_cents,
            tuple(i for i, g in enumerate(group_names) if g in r.groups),
        )
        for r in candidates
    ]
    collecting = gc.isenabled()
    gc.disable()  # millions of small acyclic tuples: the cyclic collector would only rescan them
    try:
        chosen = knapsack(items, budget_cents, [minimums[g] for g in group_names], max_states)
    except Infeasible as exc:
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

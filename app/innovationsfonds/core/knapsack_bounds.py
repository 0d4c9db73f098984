"""Feasible solutions and bounds for the exact knapsack (:mod:`.knapsack`): the items, group-count vectors,
a cheapest cover of the group minimums, greedy solutions (lower bounds) and the LP/Lagrangian pieces of the
upper bound. All integer arithmetic."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_GROUP_STATES = 100_000  # limit on prod(k_g + 1) for max_score with group minimums


@dataclass(frozen=True)
class Item:
    points: int
    cost: int
    groups: tuple[int, ...]  # indices into the list of groups with a minimum


def greedy(
    order: Sequence[int], items: Sequence[Item], budget: int, caps: Sequence[int]
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


def ratio_order(points: Sequence[int], items: Sequence[Item]) -> list[int]:
    """Indices by points/cost descending (ties by index), exactly.

    floor(p * M / c) with M > max(c)^2 keeps distinct ratios apart and equal ones together.
    """
    scale = max((it.cost for it in items), default=1) ** 2 + 1
    keys = [-(p * scale // it.cost) for p, it in zip(points, items, strict=True)]
    return sorted(range(len(items)), key=keys.__getitem__)  # stable: ties by index


def dantzig(points: Sequence[int], items: Sequence[Item], budget: int) -> tuple[list[int], int, int, int]:
    """LP relaxation: (ratio order, break position, P, C) with the multiplier r* = P / C (0 / 1 if all fit)."""
    order = ratio_order(points, items)
    spent = 0
    for position, i in enumerate(order):
        if spent + items[i].cost > budget:
            return order, position, points[i], items[i].cost
        spent += items[i].cost
    return order, len(order), 0, 1


def group_multipliers(items: Sequence[Item], budget: int, caps: Sequence[int]) -> list[int]:
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
        order, brk, _p, _c = dantzig(points, items, budget)
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


class Infeasible(Exception):
    """The group minimums cannot be met within the budget; ``cover_cost``: their cheapest cost."""

    def __init__(self, cover_cost: int | None) -> None:
        super().__init__(cover_cost)
        self.cover_cost = cover_cost


class Counts:
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


def cheapest_cover(items: Sequence[Item], counts: Counts) -> list[int] | None:
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
        picks = node_members(node)
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


def fill(start: Sequence[int], order: Sequence[int], items: Sequence[Item], budget: int) -> tuple[int, list[int]]:
    """Complete ``start`` greedily along ``order``: every item that still fits."""
    chosen = list(start)
    taken = set(chosen)
    left = budget - sum(items[i].cost for i in chosen)
    for i in order:
        if i not in taken and items[i].cost <= left:
            chosen.append(i)
            left -= items[i].cost
    return sum(items[i].points for i in chosen), chosen


def node_members(node: object) -> list[int]:
    """The item indices of a DP node (a linked list (index, parent))."""
    out = []
    while node is not None:
        idx, node = node  # type: ignore[misc]
        out.append(idx)
    return out

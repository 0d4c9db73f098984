"""The exact 0/1 knapsack with group minimums behind the maximum-score selection (``funding.max_score``).

The objective: maximise the sum of the points (score x 100) within the budget, honouring the group
minimums; among sets with equal points the lower total cost; then, comparing the two sets down the
ranking, the set containing the better-ranked item at the first position where they differ.

Algorithm (all integer arithmetic, no approximation anywhere):
    1. Group minimums: a cheapest cover of the minimums (exact, see ``knapsack_bounds.cheapest_cover``) decides
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
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from operator import itemgetter

from .knapsack_bounds import (
    Counts,
    Infeasible,
    Item,
    cheapest_cover,
    dantzig,
    fill,
    greedy,
    group_multipliers,
    node_members,
    ratio_order,
)


class SelectionTooLargeError(ValueError):
    """The exact optimisation would exceed the caller's ``max_states``; the message is German."""


_State = tuple[int, int, int, object]  # cost, points, C*points - P*cost, node = (index, parent node)
_cost = itemgetter(0)


class _Reserve:
    """Per group, the costs of the not yet processed carriers, cheapest first.

    ``need(code)`` is a lower bound on what completing the group minimums from ``code`` still
    costs (for each group the cheapest missing carriers; the maximum over groups). A state whose
    cost plus this exceeds the budget can never become feasible.
    """

    def __init__(self, items: Sequence[Item], pending: Sequence[int], counts: Counts) -> None:
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

    def remove(self, item: Item) -> None:
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


def knapsack(items: Sequence[Item], budget: int, caps: Sequence[int], max_states: int | None = None) -> list[int]:
    """Indices (rank order) of the optimal set; raises Infeasible when the minimums cannot be met.

    ``items`` are in rank order (best first), each with cost <= budget. See the module docstring
    for the objective and tie-breaks.
    """
    n = len(items)
    counts = Counts(caps)
    full = counts.full

    # feasibility and feasible solutions (lower bounds): a cheapest cover, greedy reservations
    cover: list[int] = []
    if caps:
        found_cover = cheapest_cover(items, counts)
        if found_cover is None:
            raise Infeasible(None)
        cover_cost = sum(items[i].cost for i in found_cover)
        if cover_cost > budget:
            raise Infeasible(cover_cost)
        cover = found_cover

    # Lagrangian bound: multipliers lam_g (group minimums) and r* = P / C (budget), everything
    # scaled by C. For a state (cost c, points s, capped group counts d_g) and remaining items R:
    #   C x best completion <= C*s - P*c + P*B + C*sum_g lam_g*(d_g - k_g) + sum_R max(0, e_i),
    #   e_i = C*(p_i + sum of lam_g over its groups) - P*c_i.
    lam = group_multipliers(items, budget, caps) if caps else []
    adjusted = [it.points + sum(lam[g] for g in it.groups) for it in items]
    _order, _brk, mult_p, mult_c = dantzig(adjusted, items, budget)
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
    orders: list[Sequence[int]] = [ratio_order([it.points for it in items], items), range(n)]
    if caps:
        orders += [ratio_order(adjusted, items), sorted(range(n), key=lambda i: (items[i].cost, i))]
    for order in orders:
        for found in (greedy(order, items, budget, caps), fill(cover, order, items, budget) if caps else None):
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
    return sorted(node_members(final[-1][3]))


def _better_set(a: object, b: object) -> bool:
    """True if set ``a`` contains the better-ranked item where the two sets first differ."""
    sa, sb = set(node_members(a)), set(node_members(b))
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

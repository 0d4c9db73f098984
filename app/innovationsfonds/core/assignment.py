"""Innovationsfonds (F5): assign reviewers to sketches, evenly, around conflicts of interest.

Rules of :func:`assign_reviewers`:

* Every sketch gets exactly ``per_sketch`` distinct reviewers, none of them with a declared
  conflict (``(sketch_id, reviewer_id)`` in ``conflicts``).
* ``existing`` (manual adjustments, earlier assignments) is kept as it is; it counts towards the
  sketch's ``per_sketch`` and towards the reviewer's load. An existing assignment that is
  conflicted, names an unknown reviewer or sketch, or exceeds ``per_sketch`` raises ``ValueError``.
* A sketch with fewer than ``per_sketch`` non-conflicted reviewers raises :class:`AssignmentError`
  naming the sketch(es); nothing is assigned then.
* Loads (number of sketches per reviewer, over all ``reviewer_ids``, existing included) are as even
  as possible: the result minimises ``max - min`` of the loads (so ``max - min <= 1`` wherever
  that is feasible at all), and also the largest load and the sum of squared loads.

Method: greedy start, then exact repair.
1. Sketches with the fewest eligible reviewers first (then by id); each takes the least-loaded
   eligible reviewers (ties by reviewer id).
2. Repair: while some reviewer ``u`` can hand one sketch to a reviewer ``v`` with
   ``load(v) <= load(u) - 2`` along an alternating path (``u`` leaves sketch s1, ``r1`` joins s1
   and leaves s2, ..., ``v`` joins the last sketch; found by breadth-first search), do it; ``u``
   is taken from the most loaded down (ties by id) and ``v`` is the least loaded reachable (ties
   by id). Each step lowers the sum of squared loads, so it ends. The reviewer-load vectors of a
   bipartite assignment form an M-convex set, and a point of an M-convex set admitting no such
   step is decreasingly minimal (Frank & Murota): it minimises the maximum and maximises the
   minimum at once, hence ``max - min``.

Deterministic: ids are sorted internally (they must be mutually comparable, e.g. all ``str``); the
result maps each sketch, in the order given, to its reviewers sorted by id. Complexity: the greedy
is O(S x R log R); each repair step is one BFS, O(S x R), and there are at most O(sum of squared
loads) steps (in practice a handful).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import Any, TypeVar

SketchId = TypeVar("SketchId", bound=Hashable)
ReviewerId = TypeVar("ReviewerId", bound=Hashable)


class AssignmentError(ValueError):
    """Some sketches have fewer non-conflicted reviewers than required (``sketch_ids`` names them)."""

    def __init__(self, message: str, sketch_ids: Sequence[Any]) -> None:
        super().__init__(message)
        self.sketch_ids = tuple(sketch_ids)


def assign_reviewers(
    sketch_ids: Sequence[SketchId],
    reviewer_ids: Sequence[ReviewerId],
    per_sketch: int,
    conflicts: Collection[tuple[SketchId, ReviewerId]],
    existing: Mapping[SketchId, Collection[ReviewerId]] | None = None,
) -> dict[SketchId, list[ReviewerId]]:
    """Give every sketch ``per_sketch`` non-conflicted reviewers with loads as even as possible."""
    if isinstance(per_sketch, bool) or not isinstance(per_sketch, int) or per_sketch < 1:
        raise ValueError("per_sketch must be a positive integer")
    if len(set(sketch_ids)) != len(sketch_ids):
        raise ValueError("Skizzen-IDs sind nicht eindeutig.")
    if len(set(reviewer_ids)) != len(reviewer_ids):
        raise ValueError("Gutachter-IDs sind nicht eindeutig.")
    sketches = sorted(sketch_ids)  # type: ignore[type-var]
    reviewers = sorted(reviewer_ids)  # type: ignore[type-var]
    reviewer_set = set(reviewers)
    conflict_set = set(conflicts)

    fixed: dict[SketchId, set[ReviewerId]] = {s: set() for s in sketches}
    for sketch, assigned in (existing or {}).items():
        if sketch not in fixed:
            raise ValueError(f"Bestehende Zuordnung für unbekannte Skizze {sketch!r}.")
        for reviewer in assigned:
            if reviewer not in reviewer_set:
                raise ValueError(f"Skizze {sketch!r}: unbekannte(r) Gutachter(in) {reviewer!r}.")
            if (sketch, reviewer) in conflict_set:
                raise ValueError(f"Skizze {sketch!r}: bestehende Zuordnung {reviewer!r} ist befangen.")
        fixed[sketch] = set(assigned)
        if len(fixed[sketch]) > per_sketch:
            raise ValueError(f"Skizze {sketch!r}: mehr als {per_sketch} bestehende Zuordnungen.")

    eligible = {s: [r for r in reviewers if (s, r) not in conflict_set and r not in fixed[s]] for s in sketches}
    need = {s: per_sketch - len(fixed[s]) for s in sketches}
    short = [s for s in sketches if len(eligible[s]) < need[s]]
    if short:
        details = "; ".join(
            f"Skizze {s}: {len(eligible[s]) + len(fixed[s])} ohne Interessenkonflikt, {per_sketch} nötig" for s in short
        )
        raise AssignmentError(f"Zu wenige Gutachtende ohne Interessenkonflikt – {details}.", short)

    load = {r: 0 for r in reviewers}
    for assigned in fixed.values():
        for r in assigned:
            load[r] += 1

    free: dict[SketchId, set[ReviewerId]] = {s: set() for s in sketches}
    for s in sorted(sketches, key=lambda s: len(eligible[s])):  # stable: ties by sketch id
        for r in sorted(eligible[s], key=lambda r: load[r])[: need[s]]:  # stable: ties by id
            free[s].add(r)
            load[r] += 1

    _repair(sketches, reviewers, eligible, free, load)
    return {s: sorted(fixed[s] | free[s]) for s in sketch_ids}  # type: ignore[type-var]


def _repair(
    sketches: list[Any],
    reviewers: list[Any],
    eligible: dict[Any, list[Any]],
    free: dict[Any, set[Any]],
    load: dict[Any, int],
) -> None:
    """Move single sketches along alternating paths from heavy to light reviewers until none helps."""
    while True:
        lowest = min(load.values(), default=0)
        moved = False
        for u in sorted(reviewers, key=lambda r: -load[r]):  # stable: ties by id
            if load[u] - lowest < 2:
                break
            path = _find_path(u, sketches, eligible, free, load)
            if path is not None:
                for sketch, leaving, joining in path:
                    free[sketch].remove(leaving)
                    free[sketch].add(joining)
                load[u] -= 1
                load[path[-1][2]] += 1
                moved = True
                break
        if not moved:
            return


def _find_path(
    u: Any,
    sketches: list[Any],
    eligible: dict[Any, list[Any]],
    free: dict[Any, set[Any]],
    load: dict[Any, int],
) -> list[tuple[Any, Any, Any]] | None:
    """BFS from ``u``; the path (sketch, leaving, joining)* to the lightest reachable reviewer."""
    by_reviewer: dict[Any, list[Any]] = {}
    for s in sketches:
        for r in free[s]:
            by_reviewer.setdefault(r, []).append(s)
    reached_from: dict[Any, tuple[Any, Any]] = {}  # reviewer -> (sketch joined, reviewer leaving)
    seen_sketch: set[Any] = set()
    seen_reviewer = {u}
    queue = deque([u])
    while queue:
        r = queue.popleft()
        for s in by_reviewer.get(r, ()):  # sketches in id order
            if s in seen_sketch:
                continue
            seen_sketch.add(s)
            for joiner in eligible[s]:  # reviewers in id order
                if joiner in seen_reviewer or joiner in free[s]:
                    continue
                seen_reviewer.add(joiner)
                reached_from[joiner] = (s, r)
                queue.append(joiner)
    targets = [r for r in reached_from if load[r] <= load[u] - 2]
    if not targets:
        return None
    v = min(targets, key=lambda r: (load[r], r))
    path = []
    current = v
    while current != u:
        sketch, leaving = reached_from[current]
        path.append((sketch, leaving, current))
        current = leaving
    path.reverse()
    return path

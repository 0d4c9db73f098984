"""Reviewer assignment: validity, balance (against brute force), conflicts, fixed assignments."""

from __future__ import annotations

import random
from itertools import combinations, product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.innovationsfonds.core.assignment import AssignmentError, assign_reviewers

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def loads(result, reviewers):
    count = {r: 0 for r in reviewers}
    for assigned in result.values():
        for r in assigned:
            count[r] += 1
    return count


def check_valid(result, sketches, reviewers, per_sketch, conflicts, existing=None):
    assert list(result) == list(sketches)
    for s, assigned in result.items():
        assert len(assigned) == per_sketch
        assert len(set(assigned)) == per_sketch
        assert assigned == sorted(assigned)
        assert set(assigned) <= set(reviewers)
        assert not any((s, r) in conflicts for r in assigned)
        assert set((existing or {}).get(s, ())) <= set(assigned)


def test_simple_balanced_and_deterministic():
    sketches = [f"S{k:02d}" for k in range(10)]
    result = assign_reviewers(sketches, ["A", "B", "C", "D"], 3, set())
    check_valid(result, sketches, "ABCD", 3, set())
    assert sorted(loads(result, "ABCD").values()) == [7, 7, 8, 8]
    assert result == assign_reviewers(list(reversed(sketches)), ["D", "C", "B", "A"], 3, set()) | {}


def test_error_names_the_sketch():
    conflicts = {("S2", "A"), ("S2", "B")}
    with pytest.raises(AssignmentError, match="S2") as info:
        assign_reviewers(["S1", "S2"], ["A", "B", "C"], 2, conflicts)
    assert info.value.sketch_ids == ("S2",)
    with pytest.raises(AssignmentError):
        assign_reviewers(["S1"], ["A", "B"], 3, set())


def test_existing_validation():
    with pytest.raises(ValueError, match="befangen"):
        assign_reviewers(["S1"], ["A", "B"], 1, {("S1", "A")}, {"S1": {"A"}})
    with pytest.raises(ValueError):
        assign_reviewers(["S1"], ["A", "B"], 1, set(), {"S1": {"A", "B"}})
    with pytest.raises(ValueError):
        assign_reviewers(["S1"], ["A", "B"], 1, set(), {"S9": {"A"}})
    with pytest.raises(ValueError):
        assign_reviewers(["S1"], ["A", "B"], 1, set(), {"S1": {"Z"}})
    with pytest.raises(ValueError):
        assign_reviewers(["S1", "S1"], ["A", "B"], 1, set())


def test_repair_improves_the_greedy_start():
    # Greedy: S2 -> D (only choice); S0 -> B (B, C tie, id); S1 -> B (B, D tie, id): B carries 2.
    # The repair moves S0 from B to C; A is conflicted everywhere, so width 1 is the optimum.
    conflicts = {("S0", "A"), ("S0", "D"), ("S1", "A"), ("S1", "C"), ("S2", "A"), ("S2", "B"), ("S2", "C")}
    result = assign_reviewers(["S0", "S1", "S2"], ["A", "B", "C", "D"], 1, conflicts)
    assert result == {"S0": ["C"], "S1": ["B"], "S2": ["D"]}
    # a fixed assignment is never moved by the repair
    fixed = assign_reviewers(["S0", "S1", "S2"], ["A", "B", "C", "D"], 1, conflicts, {"S0": {"B"}})
    assert fixed == {"S0": ["B"], "S1": ["B"], "S2": ["D"]}  # S1 -> D would be just as even


def brute_best(sketches, reviewers, per_sketch, conflicts, existing):
    """Smallest possible (max - min) and sum of squares over all valid assignments."""
    options = []
    for s in sketches:
        fixed = set(existing.get(s, ()))
        pool = [r for r in reviewers if (s, r) not in conflicts and r not in fixed]
        options.append([tuple(sorted(fixed | set(c))) for c in combinations(pool, per_sketch - len(fixed))])
    best_width = best_squares = None
    for choice in product(*options):
        count = {r: 0 for r in reviewers}
        for assigned in choice:
            for r in assigned:
                count[r] += 1
        width = max(count.values()) - min(count.values())
        squares = sum(v * v for v in count.values())
        best_width = width if best_width is None else min(best_width, width)
        best_squares = squares if best_squares is None else min(best_squares, squares)
    return best_width, best_squares


@st.composite
def small_instances(draw):
    n_sketches = draw(st.integers(1, 5))
    n_reviewers = draw(st.integers(1, 5))
    per_sketch = draw(st.integers(1, min(3, n_reviewers)))
    sketches = [f"S{k}" for k in range(n_sketches)]
    reviewers = [f"R{k}" for k in range(n_reviewers)]
    pairs = [(s, r) for s in sketches for r in reviewers]
    conflicts = set(draw(st.lists(st.sampled_from(pairs), max_size=len(pairs) // 2, unique=True)))
    existing = {}
    for s in sketches:
        free = [r for r in reviewers if (s, r) not in conflicts]
        k = draw(st.integers(0, min(per_sketch, len(free), 1)))
        if k:
            existing[s] = {draw(st.sampled_from(free))}
    return sketches, reviewers, per_sketch, conflicts, existing


@SETTINGS
@given(small_instances())
def test_optimal_balance_against_brute_force(instance):
    sketches, reviewers, per_sketch, conflicts, existing = instance
    feasible = all(sum(1 for r in reviewers if (s, r) not in conflicts) >= per_sketch for s in sketches)
    if not feasible:
        with pytest.raises(AssignmentError):
            assign_reviewers(sketches, reviewers, per_sketch, conflicts, existing)
        return
    result = assign_reviewers(sketches, reviewers, per_sketch, conflicts, existing)
    check_valid(result, sketches, reviewers, per_sketch, conflicts, existing)
    count = loads(result, reviewers)
    width, squares = brute_best(sketches, reviewers, per_sketch, conflicts, existing)
    assert max(count.values()) - min(count.values()) == width
    assert sum(v * v for v in count.values()) == squares


@SETTINGS
@given(st.integers(1, 60), st.integers(1, 15), st.integers(1, 5), st.randoms(use_true_random=False))
def test_without_conflicts_loads_differ_by_at_most_one(n_sketches, n_reviewers, per_sketch, rnd):
    per_sketch = min(per_sketch, n_reviewers)
    sketches = [f"S{k:03d}" for k in range(n_sketches)]
    reviewers = [f"R{k:02d}" for k in range(n_reviewers)]
    result = assign_reviewers(sketches, reviewers, per_sketch, set())
    check_valid(result, sketches, reviewers, per_sketch, set())
    count = loads(result, reviewers)
    assert max(count.values()) - min(count.values()) <= 1
    shuffled_s, shuffled_r = list(sketches), list(reviewers)
    rnd.shuffle(shuffled_s)
    rnd.shuffle(shuffled_r)
    again = assign_reviewers(shuffled_s, shuffled_r, per_sketch, set())
    assert {s: again[s] for s in sketches} == result


@SETTINGS
@given(st.integers(0, 2**32 - 1))
def test_existing_assignments_kept(seed):
    rnd = random.Random(seed)
    sketches = [f"S{k:02d}" for k in range(20)]
    reviewers = [f"R{k}" for k in range(6)]
    conflicts = {(s, r) for s in sketches for r in reviewers if rnd.random() < 0.15}
    existing = {}
    for s in sketches[:8]:
        free = [r for r in reviewers if (s, r) not in conflicts]
        existing[s] = set(rnd.sample(free, min(len(free), rnd.randint(1, 3))))
    try:
        result = assign_reviewers(sketches, reviewers, 3, conflicts, existing)
    except AssignmentError as exc:
        assert exc.sketch_ids
        for s in exc.sketch_ids:
            assert sum(1 for r in reviewers if (s, r) not in conflicts) < 3
        return
    check_valid(result, sketches, reviewers, 3, conflicts, existing)


def test_realistic_call_93_sketches_12_reviewers():
    rnd = random.Random(2020)
    sketches = [f"IF-2020-{k:03d}" for k in range(1, 94)]
    reviewers = [f"SK{k:02d}" for k in range(1, 13)]
    conflicts = {(s, r) for s in sketches for r in reviewers if rnd.random() < 0.08}
    existing = {sketches[0]: {"SK01"} - {r for s, r in conflicts if s == sketches[0]}}
    result = assign_reviewers(sketches, reviewers, 3, conflicts, existing)
    check_valid(result, sketches, reviewers, 3, conflicts, existing)
    count = loads(result, reviewers)
    assert sum(count.values()) == 93 * 3
    assert max(count.values()) - min(count.values()) <= 1  # 279 / 12 = 23.25: loads 23 and 24
    assert sorted(set(count.values())) == [23, 24]
    assert result == assign_reviewers(sketches, reviewers, 3, conflicts, existing)

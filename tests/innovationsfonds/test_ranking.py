"""Innovationsfonds ranking and selection: examples and properties (pure, no database)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.innovationsfonds.core.comparison import compare
from app.innovationsfonds.core.funding import (
    GroupMinimumError,
    Selection,
    funding_line,
    max_score,
    promote,
    waiting_list,
)
from app.innovationsfonds.core.knapsack import SelectionTooLargeError
from app.innovationsfonds.core.ranking import Ranked, RankItem, rank
from app.innovationsfonds.core.scoring import Criterion, aggregate, review_score

D = Decimal
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GROUPS = ("frauen", "koeln", "muenster")


# ------------------------------------------------------------------------------------------------
# review score


CRITERIA = [
    Criterion("innovation", D("0.4"), 0, 10),
    Criterion("zielgruppe", D("0.3"), 1, 5),
    Criterion("nachhaltigkeit", 2, 0, 3),
    Criterion("wirtschaftlichkeit", D("1.5"), 0, 100),
]


def test_review_score_extremes_and_value():
    assert review_score(
        CRITERIA, {"innovation": 10, "zielgruppe": 5, "nachhaltigkeit": 3, "wirtschaftlichkeit": 100}
    ) == D("100.00")
    assert review_score(
        CRITERIA, {"innovation": 0, "zielgruppe": 1, "nachhaltigkeit": 0, "wirtschaftlichkeit": 0}
    ) == D("0.00")
    # (0.4*0.5 + 0.3*0.5 + 2*(1/3) + 1.5*0.5) / 4.2 * 100 = 1.7666../4.2*100 = 42.0634..
    marks = {"innovation": 5, "zielgruppe": 3, "nachhaltigkeit": 1, "wirtschaftlichkeit": 50}
    assert review_score(CRITERIA, marks) == D("42.06")


def test_review_score_rounds_half_up():
    # 1/800 * 100 = 0.125 exactly: half up gives 0.13 (banker's rounding would give 0.12)
    assert review_score([Criterion("x", 1, 0, 800)], {"x": 1}) == D("0.13")
    assert review_score([Criterion("x", 1, 0, 800)], {"x": 3}) == D("0.38")


def test_review_score_not_applicable_renormalises():
    with_na = review_score(
        CRITERIA, {"innovation": 8, "zielgruppe": 2, "nachhaltigkeit": None, "wirtschaftlichkeit": 70}
    )
    without = review_score(
        [c for c in CRITERIA if c.key != "nachhaltigkeit"],
        {"innovation": 8, "zielgruppe": 2, "wirtschaftlichkeit": 70},
    )
    assert with_na == without
    # N/A is not 0: the same marks with nachhaltigkeit = 0 score lower
    assert (
        review_score(CRITERIA, {"innovation": 8, "zielgruppe": 2, "nachhaltigkeit": 0, "wirtschaftlichkeit": 70})
        < with_na
    )


@pytest.mark.parametrize(
    "marks, message",
    [
        ({"innovation": None, "zielgruppe": None, "nachhaltigkeit": 1, "wirtschaftlichkeit": 1}, "Höchstens"),
        ({"innovation": 11, "zielgruppe": 1, "nachhaltigkeit": 1, "wirtschaftlichkeit": 1}, "außerhalb"),
        ({"innovation": 1, "zielgruppe": 0, "nachhaltigkeit": 1, "wirtschaftlichkeit": 1}, "außerhalb"),
        ({"innovation": 1, "zielgruppe": 1, "nachhaltigkeit": 1}, "nicht bewertet"),
        (
            {"innovation": 1, "zielgruppe": 1, "nachhaltigkeit": 1, "wirtschaftlichkeit": 1, "x": 1},
            "Unbekannt",
        ),
    ],
)
def test_review_score_rejects(marks, message):
    with pytest.raises(ValueError, match=message):
        review_score(CRITERIA, marks)


def test_review_score_rejects_float_and_bad_criteria():
    with pytest.raises(TypeError):
        review_score(CRITERIA, {"innovation": 1.0, "zielgruppe": 1, "nachhaltigkeit": 1, "wirtschaftlichkeit": 1})
    with pytest.raises(TypeError):
        Criterion("x", 0.5, 0, 10)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Criterion("x", 0, 0, 10)
    with pytest.raises(ValueError):
        Criterion("x", 1, 5, 5)
    with pytest.raises(ValueError):
        review_score([Criterion("x", 1)], {"x": None})


@st.composite
def criteria_and_marks(draw):
    n = draw(st.integers(1, 6))
    criteria = []
    marks: dict[str, int | None] = {}
    for k in range(n):
        low = draw(st.integers(-3, 3))
        high = low + draw(st.integers(1, 12))
        weight = D(draw(st.integers(1, 500))).scaleb(-draw(st.integers(0, 2)))
        criteria.append(Criterion(f"c{k}", weight, low, high))
        marks[f"c{k}"] = draw(st.integers(low, high))
    return criteria, marks


@SETTINGS
@given(criteria_and_marks(), st.data())
def test_review_score_bounded_and_na_equals_dropping_the_criterion(cm, data):
    criteria, marks = cm
    score = review_score(criteria, marks)
    assert D(0) <= score <= D(100)
    assert score == score.quantize(D("0.01"))
    if len(criteria) > 1:
        dropped = data.draw(st.sampled_from([c.key for c in criteria]))
        with_na = dict(marks, **{dropped: None})
        others = [c for c in criteria if c.key != dropped]
        assert review_score(criteria, with_na) == review_score(others, {k: v for k, v in marks.items() if k != dropped})


# ------------------------------------------------------------------------------------------------
# aggregate


def test_aggregate_population_stdev_median_and_discrepancy():
    agg = aggregate([D("70.00"), D("90.00"), D("80.00")], D("20"))
    assert (agg.count, agg.mean, agg.median) == (3, D("80.00"), D("80.00"))
    assert agg.stdev == D("8.16")  # population: sqrt(200/3); the sample figure would be 10.00
    assert (agg.minimum, agg.maximum, agg.spread) == (D("70.00"), D("90.00"), D("20.00"))
    assert agg.discrepancy is False  # spread equal to the threshold is not a discrepancy
    assert aggregate([D("70.00"), D("90.01")], D("20")).discrepancy is True
    even = aggregate([D("10"), D("20"), D("30"), D("41.01")], D("50"))
    assert even.median == D("25.00")
    assert even.mean == D("25.25")  # 101.01 / 4 = 25.2525 -> 25.25


def test_aggregate_mean_rounds_half_up_and_empty():
    assert aggregate([D("0.01"), D("0.00")], D(1)).mean == D("0.01")  # 0.005 -> 0.01
    assert aggregate([D("70.00")], D(1)).stdev == D("0.00")
    empty = aggregate([], D(10))
    assert empty.count == 0 and empty.mean is None and empty.median is None and not empty.discrepancy


@SETTINGS
@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=8))
def test_aggregate_exact_rounding(points):
    scores = [D(p).scaleb(-2) for p in points]
    agg = aggregate(scores, D(15))
    exact = [Fraction(p, 100) for p in points]
    mean = sum(exact) / len(exact)
    variance = sum((x - mean) ** 2 for x in exact) / len(exact)
    half = Fraction(1, 200)
    assert Fraction(agg.mean) - half <= mean < Fraction(agg.mean) + half
    sd = Fraction(agg.stdev)
    assert max(sd - half, Fraction(0)) ** 2 <= variance < (sd + half) ** 2
    assert agg.discrepancy == (max(exact) - min(exact) > 15)


def _aggregate_by_fractions(scores, threshold):
    """The aggregate as first written (sums of fractions), the reference for the integer version."""
    from app.innovationsfonds.core.scoring import Aggregate, _round2, _sqrt_round2

    exact = [Fraction(s) for s in scores]
    if not exact:
        return Aggregate(0, None, None, None, None, None, None, False)
    n, ordered = len(exact), sorted(exact)
    mean = sum(exact, Fraction(0)) / n
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    variance = sum(((s - mean) ** 2 for s in exact), Fraction(0)) / n
    return Aggregate(n, _round2(mean), _round2(median), _sqrt_round2(variance), Decimal(min(scores)),
                     Decimal(max(scores)), Decimal(max(scores)) - Decimal(min(scores)),
                     ordered[-1] - ordered[0] > Fraction(threshold))


MIXED = st.builds(lambda value, places: D(value).scaleb(-places), st.integers(0, 100_000), st.integers(0, 4))


@SETTINGS
@given(st.lists(MIXED, max_size=12), MIXED)
def test_aggregate_over_integers_equals_the_sums_of_fractions(scores, threshold):
    """Issue #20: the aggregate sums integers over a common denominator; the figures are exactly those of the
    straightforward sums of fractions, also for scores of different precision."""
    assert repr(aggregate(scores, threshold)) == repr(_aggregate_by_fractions(scores, threshold))


# ------------------------------------------------------------------------------------------------
# ranking


def test_rank_tie_breaks():
    items = [
        RankItem("e", D("80"), 100, 5, median=D("80")),
        RankItem("d", D("80"), 100, 5, median=D("80")),  # same as e: id decides
        RankItem("c", D("80"), 100, 1, median=D("80")),  # earlier submission
        RankItem("b", D("80"), 50, 9, median=D("80")),  # lower amount
        RankItem("a", D("80"), 900, 9, median=D("85")),  # higher median
        RankItem("z", D("80.01"), 900, 9, median=D("10")),  # higher mean
        RankItem("y", None, 1, 0),  # unscored: last
    ]
    assert [r.id for r in rank(items)] == ["z", "a", "b", "c", "d", "e", "y"]
    assert [r.position for r in rank(items)] == list(range(1, 8))


def test_rank_item_validation():
    with pytest.raises(ValueError):
        RankItem("x", D("80.001"), 100, 1)
    with pytest.raises(ValueError):
        RankItem("x", D("80"), 0, 1)
    with pytest.raises(TypeError):
        RankItem("x", 80.0, 100, 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        rank([RankItem("x", D(1), 1, 1), RankItem("x", D(2), 1, 2)])


@st.composite
def rank_items(draw, max_size=12, tie_heavy=None):
    n = draw(st.integers(0, max_size))
    heavy = draw(st.booleans()) if tie_heavy is None else tie_heavy
    items = []
    for k in range(n):
        if heavy:
            score = draw(st.one_of(st.none(), st.integers(0, 6).map(lambda p: D(p * 50).scaleb(-2))))
            cost = draw(st.integers(1, 6)) * 10
        else:
            score = draw(st.one_of(st.none(), st.integers(0, 10_000).map(lambda p: D(p).scaleb(-2))))
            cost = draw(st.integers(1, 120))
        median = draw(st.one_of(st.none(), st.integers(0, 100).map(D)))
        groups = frozenset(draw(st.lists(st.sampled_from(GROUPS), max_size=2)))
        items.append(RankItem(f"S{k:02d}", score, cost, draw(st.integers(0, 5)), groups, median))
    return items


@SETTINGS
@given(rank_items(), st.randoms(use_true_random=False))
def test_rank_is_a_permutation_independent_of_input_order(items, rnd):
    ranked = rank(items)
    assert sorted(r.id for r in ranked) == sorted(i.id for i in items)
    assert [r.position for r in ranked] == list(range(1, len(items) + 1))
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert rank(shuffled) == ranked
    scores = [r.score for r in ranked]
    scored = [s for s in scores if s is not None]
    assert scored == sorted(scored, reverse=True)
    assert scores == scored + [None] * (len(scores) - len(scored))


# ------------------------------------------------------------------------------------------------
# selections


def brute_force(ranked: list[Ranked], budget: int, min_score=None, minimums=None):
    """Reference: enumerate every subset; same objective and tie-breaks as max_score."""
    minimums = {g: k for g, k in (minimums or {}).items() if k}
    elig = [
        r
        for r in ranked
        if r.score is not None and (min_score is None or r.score >= min_score) and r.requested_cents <= budget
    ]
    best = None
    for mask in range(1 << len(elig)):
        chosen = [r for k, r in enumerate(elig) if mask >> k & 1]
        cost = sum(r.requested_cents for r in chosen)
        if cost > budget:
            continue
        if any(sum(1 for r in chosen if g in r.groups) < k for g, k in minimums.items()):
            continue
        key = (
            -sum(r.score for r in chosen),
            cost,
            tuple(0 if mask >> k & 1 else 1 for k in range(len(elig))),
        )
        if best is None or key < best[0]:
            best = (key, tuple(r.id for r in chosen))
    return None if best is None else best[1]


budgets = st.integers(0, 400)
min_scores = st.one_of(st.none(), st.integers(0, 100).map(D))


def group_counts(selection: Selection, ranked: list[Ranked]) -> dict[str, int]:
    by_id = {r.id: r for r in ranked}
    return {g: sum(1 for i in selection.selected if g in by_id[i].groups) for g in GROUPS}


def check_selection(selection: Selection, ranked: list[Ranked], budget: int, min_score) -> None:
    by_id = {r.id: r for r in ranked}
    assert selection.total_cents == sum(by_id[i].requested_cents for i in selection.selected)
    assert selection.total_cents <= budget
    assert selection.budget_left == budget - selection.total_cents
    assert list(selection.selected) == sorted(selection.selected, key=lambda i: by_id[i].position)
    assert selection.score_total == sum((by_id[i].score for i in selection.selected), D(0))
    for i in selection.selected:
        assert by_id[i].score is not None
        assert min_score is None or by_id[i].score >= min_score
    assert {s.id for s in selection.skipped} | set(selection.selected) == set(by_id)
    assert not {s.id for s in selection.skipped} & set(selection.selected)


@SETTINGS
@given(rank_items(), budgets, min_scores)
def test_max_score_equals_brute_force(items, budget, min_score):
    ranked = rank(items)
    selection = max_score(ranked, budget, min_score=min_score)
    check_selection(selection, ranked, budget, min_score)
    assert selection.selected == brute_force(ranked, budget, min_score)


@SETTINGS
@given(rank_items(), budgets, min_scores, st.dictionaries(st.sampled_from(GROUPS), st.integers(0, 3), max_size=3))
def test_max_score_group_minimums_exact(items, budget, min_score, minimums):
    ranked = rank(items)
    expected = brute_force(ranked, budget, min_score, minimums)
    if expected is None:
        with pytest.raises(GroupMinimumError):
            max_score(ranked, budget, min_score=min_score, group_minimums=minimums)
        return
    selection = max_score(ranked, budget, min_score=min_score, group_minimums=minimums)
    check_selection(selection, ranked, budget, min_score)
    assert selection.selected == expected
    counts = group_counts(selection, ranked)
    assert all(counts[g] >= k for g, k in minimums.items())


@SETTINGS
@given(rank_items(), budgets, min_scores)
def test_funding_lines_valid_and_not_better_than_knapsack(items, budget, min_score):
    ranked = rank(items)
    best = max_score(ranked, budget, min_score=min_score)
    for mode in ("stop", "skip"):
        line = funding_line(ranked, budget, mode=mode, min_score=min_score)
        check_selection(line, ranked, budget, min_score)
        assert best.score_total >= line.score_total
    skip = funding_line(ranked, budget, mode="skip", min_score=min_score)
    stop = funding_line(ranked, budget, mode="stop", min_score=min_score)
    assert set(stop.selected) <= set(skip.selected)
    # skip mode is saturated: nothing eligible left that still fits
    for r in waiting_list(ranked, skip, min_score):
        assert r.requested_cents > skip.budget_left


@SETTINGS
@given(
    rank_items(),
    budgets,
    min_scores,
    st.dictionaries(st.sampled_from(GROUPS), st.integers(0, 3), max_size=3),
    st.sampled_from(["stop", "skip"]),
)
def test_funding_line_group_minimums(items, budget, min_score, minimums, mode):
    ranked = rank(items)
    try:
        line = funding_line(ranked, budget, mode=mode, min_score=min_score, group_minimums=minimums)
    except GroupMinimumError as exc:
        assert exc.groups
        return
    check_selection(line, ranked, budget, min_score)
    counts = group_counts(line, ranked)
    assert all(counts[g] >= k for g, k in minimums.items())


def _items(*rows):
    return rank(
        [RankItem(i, D(s) if s is not None else None, c, n, frozenset(g)) for n, (i, s, c, g) in enumerate(rows)]
    )


def test_funding_line_modes_example():
    ranked = _items(
        ("A", "90", 60, ()),
        ("B", "80", 50, ()),
        ("C", "70", 30, ()),
        ("D", "60", 10, ()),
        ("E", "40", 5, ()),
        ("F", None, 1, ()),
    )
    stop = funding_line(ranked, 100, mode="stop", min_score=D(50))
    assert stop.selected == ("A",)
    assert dict((s.id, s.reason) for s in stop.skipped) == {
        "B": "exceeds_budget",
        "C": "after_stop",
        "D": "after_stop",
        "E": "below_min_score",
        "F": "no_score",
    }
    skip = funding_line(ranked, 100, mode="skip", min_score=D(50))
    assert skip.selected == ("A", "C", "D") and skip.budget_left == 0
    best = max_score(ranked, 100, min_score=D(50))
    assert best.selected == ("A", "C", "D")  # 220 points; B+C+D would be 210
    assert max_score(ranked, 100).selected == ("B", "C", "D", "E")  # without min_score: 250 points
    assert max_score(ranked, 105).selected == ("A", "C", "D", "E")


def test_max_score_tie_breaks():
    # equal score: the cheaper set wins
    ranked = _items(("A", "50", 40, ()), ("B", "25", 10, ()), ("C", "25", 20, ()))
    assert max_score(ranked, 40).selected == ("B", "C")  # 50 points for 30 instead of 40
    # equal score and cost: the set with the better-ranked sketch at the first difference wins
    ranked = _items(("A", "50", 20, ()), ("B", "30", 10, ()), ("C", "20", 10, ()), ("D", "50", 20, ()))
    assert [r.id for r in ranked] == ["A", "D", "B", "C"]
    assert max_score(ranked, 20).selected == ("A",)
    assert max_score(ranked, 40).selected == ("A", "D")


def test_group_minimum_reservation_and_errors():
    ranked = _items(
        ("A", "90", 50, ()), ("B", "80", 50, ()), ("C", "50", 20, ("frauen",)), ("D", "40", 20, ("frauen",))
    )
    line = funding_line(ranked, 100, mode="stop", group_minimums={"frauen": 1})
    assert line.selected == ("A", "C")  # C reserved first, then the line: B no longer fits
    best = max_score(ranked, 100, group_minimums={"frauen": 2})
    assert best.selected == ("A", "C", "D")
    with pytest.raises(GroupMinimumError, match="frauen"):
        max_score(ranked, 100, group_minimums={"frauen": 3})
    with pytest.raises(GroupMinimumError, match="frauen"):
        funding_line(ranked, 30, mode="skip", group_minimums={"frauen": 2})
    with pytest.raises(GroupMinimumError):
        max_score(ranked, 30, group_minimums={"frauen": 2})


def test_compare_and_explanation():
    ranked = _items(("A", "90", 60, ()), ("B", "80", 50, ()), ("C", "70", 30, ()), ("D", "60", 10, ()))
    a = funding_line(ranked, 100, mode="stop")
    b = max_score(ranked, 100)
    result = compare(a, b)
    assert result.only_in_a == () and result.only_in_b == ("C", "D")
    assert result.in_both == ("A",)
    assert result.total_difference_cents == 60 - 100
    assert result.score_difference == D("-130.00")
    assert "Nur in B: C, D" in result.explanation and "1 Skizze" in result.explanation
    assert "dieselben" in compare(b, b).explanation


@SETTINGS
@given(rank_items(), budgets, min_scores, st.data())
def test_promote_stop_equals_rerun_and_skip_keeps_selection(items, budget, min_score, data):
    ranked = rank(items)
    stop = funding_line(ranked, budget, mode="stop", min_score=min_score)
    if stop.selected:
        gone = data.draw(st.sampled_from(stop.selected))
        promoted = promote(ranked, stop, gone, budget, "stop")
        rest = [r.item for r in ranked if r.id != gone]
        rerun = funding_line(rank(rest), budget, mode="stop", min_score=min_score)
        assert promoted.selected == rerun.selected
        assert promoted.withdrawn == (gone,)
        check_selection(promoted, ranked, budget, min_score)
    for selection in (
        funding_line(ranked, budget, mode="skip", min_score=min_score),
        max_score(ranked, budget, min_score=min_score),
    ):
        if not selection.selected:
            continue
        gone = data.draw(st.sampled_from(selection.selected))
        promoted = promote(ranked, selection, gone, budget, "skip")
        check_selection(promoted, ranked, budget, min_score)
        assert set(selection.selected) - {gone} <= set(promoted.selected)
        assert gone not in promoted.selected
        waiting = waiting_list(ranked, promoted)
        assert gone not in {r.id for r in waiting}
        assert all(r.requested_cents > promoted.budget_left for r in waiting)


def test_waiting_list_and_promote_example():
    ranked = _items(
        ("A", "90", 60, ()), ("B", "80", 50, ()), ("C", "70", 30, ()), ("D", "60", 10, ()), ("E", "40", 5, ())
    )
    stop = funding_line(ranked, 100, mode="stop", min_score=D(50))
    assert [r.id for r in waiting_list(ranked, stop)] == ["B", "C", "D"]
    assert [r.id for r in waiting_list(ranked, stop, D(0))] == ["B", "C", "D", "E"]
    after = promote(ranked, stop, "A", 100, "stop")
    assert after.selected == ("B", "C", "D") and after.withdrawn == ("A",)
    again = promote(ranked, after, "C", 100, "skip")
    assert again.selected == ("B", "D") and again.withdrawn == ("A", "C")  # E is below min_score
    assert {s.id: s.reason for s in again.skipped}["A"] == "withdrawn"
    with pytest.raises(ValueError):
        promote(ranked, again, "A", 100, "stop")


def test_min_score_and_budget_validation():
    ranked = _items(("A", "90", 60, ()))
    with pytest.raises(ValueError):
        funding_line(ranked, -1, mode="stop")
    with pytest.raises(ValueError):
        funding_line(ranked, 10, mode="other")  # type: ignore[arg-type]
    assert funding_line(ranked, 100, mode="stop", min_score=D("90.00")).selected == ("A",)
    assert funding_line(ranked, 100, mode="stop", min_score=D("90.01")).selected == ()


def test_knapsack_realistic_call_matches_dp():
    """93 sketches, 5 Mio. EUR: the exact result equals a plain min-cost-per-score DP.

    Whole-point scores keep the reference DP small (a 2-decimal reference takes ~30 s).
    """
    import random

    rnd = random.Random(2020)
    items = [
        RankItem(f"S{k:03d}", D(rnd.randint(30, 98)), rnd.randint(20_000, 500_000) * 100, k, frozenset())
        for k in range(93)
    ]
    ranked = rank(items)
    budget = 5_000_000 * 100
    best = max_score(ranked, budget)
    assert best.total_cents <= budget
    # plain DP over score (min cost per reachable score) for the optimum value
    inf = budget + 1
    cost = {0: 0}
    for r in ranked:
        p = int(r.score * 100)
        for s, c in list(cost.items()):
            if c + r.requested_cents <= budget and cost.get(s + p, inf) > c + r.requested_cents:
                cost[s + p] = c + r.requested_cents
    optimum = max(cost)
    assert int(best.score_total * 100) == optimum
    assert best.total_cents == cost[optimum]
    for mode in ("stop", "skip"):
        assert best.score_total >= funding_line(ranked, budget, mode=mode).score_total


def test_infeasible_minimums_name_the_cheapest_cover():
    ranked = _items(
        ("A", "90", 50_000, ("frauen",)), ("B", "80", 40_000, ("frauen", "owl")), ("C", "70", 30_000, ("owl",))
    )
    with pytest.raises(GroupMinimumError, match="günstigste Erfüllung kostet 1.200,00") as info:
        max_score(ranked, 119_999, group_minimums={"frauen": 2, "owl": 2})
    assert info.value.groups == ("frauen", "owl")
    assert max_score(ranked, 120_000, group_minimums={"frauen": 2, "owl": 2}).selected == ("A", "B", "C")
    assert max_score(ranked, 70_000, group_minimums={"frauen": 1, "owl": 1}).selected == ("B", "C")


def test_max_states_raises_instead_of_running_on():
    # scores proportional to the amounts: the bound prunes nothing (a subset-sum instance)
    items = [
        RankItem(f"S{k:02d}", D(cost // 50).scaleb(-2), cost * 100, k)
        for k, cost in enumerate(range(20_011, 500_000, 17_389))
    ]
    with pytest.raises(SelectionTooLargeError):
        max_score(rank(items), 50_000_000, max_states=50)
    assert max_score(rank(items), 50_000_000).total_cents <= 50_000_000

"""Tests for app.allocation.distribution: § 3 FlüAG NRW key, exact ceilings, redistribution, F6 positions."""

from __future__ import annotations

import csv
import random
from decimal import ROUND_FLOOR, Decimal, localcontext
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.allocation.distribution import (
    CeilingRow,
    DistributionError,
    apportion_positions,
    combine_factors,
    explain_ceiling,
    flueag_key,
    flueag_key_details,
    kommune_shares,
    redistribute,
    split_pool,
)
from app.platform.money import format_eur

ROOT = Path(__file__).resolve().parents[2]
DATA_CANDIDATES = [
    ROOT / "app" / "reference" / "data" / "nrw_gemeinden.csv",
    ROOT.parent / "shared" / "data" / "nrw_gemeinden.csv",
    Path("/work/shared/data/nrw_gemeinden.csv"),
]
POOL_CENTS = 4_500_000_000
CAPS = [Fraction(1), Fraction(5, 4), Fraction(3, 2), Fraction(2), Fraction(10)]

# --------------------------------------------------------------------------- strategies


@st.composite
def gemeinden(draw: st.DrawFn, min_size: int = 1, max_size: int = 20) -> list[dict]:
    """Gemeinde records with unique 8-digit AGS, at least one positive population and area."""
    codes = draw(st.lists(st.integers(0, 999_999), min_size=min_size, max_size=max_size, unique=True))
    population = st.one_of(st.just(0), st.integers(1, 1_100_000))
    area = st.one_of(st.just(Decimal(0)), st.integers(1, 100_000).map(lambda c: Decimal(c).scaleb(-2)))
    rows = [{"ags": f"05{code:06d}", "population": draw(population), "area": draw(area)} for code in codes]
    assume(any(r["population"] for r in rows) and any(r["area"] for r in rows))
    return rows


@st.composite
def share_maps(draw: st.DrawFn, min_size: int = 1, max_size: int = 30, allow_zero: bool = True) -> dict:
    """5-digit AGS -> Fraction shares summing to 1 (from integer weights)."""
    codes = draw(st.lists(st.integers(0, 99_999), min_size=min_size, max_size=max_size, unique=True))
    low = 0 if allow_zero else 1
    weights = [draw(st.integers(low, 10**6)) for _ in codes]
    assume(sum(weights) > 0)
    return {f"{code:05d}": Fraction(w, sum(weights)) for code, w in zip(codes, weights, strict=True)}


def shuffled(mapping: dict, seed: int) -> dict:
    items = list(mapping.items())
    random.Random(seed).shuffle(items)
    return dict(items)


def raw_key(rows: list[dict]) -> dict[str, Fraction]:
    """0.9 × population share + 0.1 × area share, computed here without the module."""
    total_pop = sum(r["population"] for r in rows)
    total_area = sum(Fraction(r["area"]) for r in rows)
    return {
        r["ags"]: Fraction(9, 10) * Fraction(r["population"], total_pop)
        + Fraction(1, 10) * Fraction(r["area"]) / total_area
        for r in rows
    }


# --------------------------------------------------------------------------- § 3 FlüAG NRW


@settings(deadline=None)
@given(rows=gemeinden(), cap=st.sampled_from(CAPS))
def test_keys_sum_to_one_and_never_exceed_the_cap(rows: list[dict], cap: Fraction) -> None:
    keys = flueag_key(rows, cap=cap)
    total_pop = sum(r["population"] for r in rows)
    assert sum(keys.values()) == 1
    assert list(keys) == sorted(keys)
    for r in rows:
        assert 0 <= keys[r["ags"]] <= cap * Fraction(r["population"], total_pop)


@settings(deadline=None)
@given(rows=gemeinden(), cap=st.sampled_from(CAPS))
def test_key_is_the_capped_proportional_spread(rows: list[dict], cap: Fraction) -> None:
    """Fixed point of the rule: key = min(cap × population share, s × uncapped key) for one s ≥ 1."""
    keys = flueag_key(rows, cap=cap)
    raw = raw_key(rows)
    total_pop = sum(r["population"] for r in rows)
    limit = {r["ags"]: cap * Fraction(r["population"], total_pop) for r in rows}
    free = [ags for ags in keys if keys[ags] < limit[ags] and raw[ags] > 0]
    if not free:  # every key sits at its cap: then the caps alone sum to 1, so cap == 1
        assert all(keys[ags] == limit[ags] for ags in keys)
        return
    scale = keys[free[0]] / raw[free[0]]
    assert scale >= 1
    for ags in keys:
        assert keys[ags] == min(limit[ags], scale * raw[ags])


@settings(deadline=None)
@given(rows=gemeinden(), seed=st.integers())
def test_key_does_not_depend_on_input_order(rows: list[dict], seed: int) -> None:
    other = rows[:]
    random.Random(seed).shuffle(other)
    assert flueag_key(other) == flueag_key(rows)


@settings(deadline=None)
@given(rows=gemeinden())
def test_cap_of_one_gives_the_population_share(rows: list[dict]) -> None:
    total_pop = sum(r["population"] for r in rows)
    assert flueag_key(rows, cap=1) == {
        r["ags"]: Fraction(r["population"], total_pop) for r in sorted(rows, key=lambda r: r["ags"])
    }


@given(pops=st.lists(st.integers(1, 10**6), min_size=1, max_size=15), density=st.integers(1, 5000))
def test_area_proportional_to_population_changes_nothing(pops: list[int], density: int) -> None:
    rows = [{"ags": f"05{i:06d}", "population": p, "area": Fraction(p, density)} for i, p in enumerate(pops)]
    assert flueag_key(rows) == {r["ags"]: Fraction(r["population"], sum(pops)) for r in rows}


def test_worked_example_one_round() -> None:
    rows = [
        {"ags": "05000001", "population": 80, "area": Decimal("20")},
        {"ags": "05000002", "population": 20, "area": Decimal("80")},
    ]
    # uncapped: 0.72 + 0.02 = 0.74 and 0.18 + 0.08 = 0.26 > 1.25 × 0.2 = 0.25 -> capped
    assert flueag_key(rows) == {"05000001": Fraction(3, 4), "05000002": Fraction(1, 4)}


def test_worked_example_cascade() -> None:
    """Spreading A's cut-off pushes B over its cap: the rule repeats."""
    rows = [
        {"ags": "05000001", "population": 10, "area": 60},  # 0.09 + 0.06 = 0.15 > 0.125
        {"ags": "05000002", "population": 10, "area": 32},  # 0.122; × 0.875/0.85 = 0.1256 > 0.125
        {"ags": "05000003", "population": 80, "area": 8},  # 0.728
    ]
    details = flueag_key_details(rows)
    assert {a: d.key for a, d in details.items()} == {
        "05000001": Fraction(1, 8),
        "05000002": Fraction(1, 8),
        "05000003": Fraction(3, 4),
    }
    assert [d.capped for d in details.values()] == [True, True, False]
    assert details["05000002"].uncapped_key == Fraction(122, 1000)


def test_zero_population_gets_zero_key() -> None:
    rows = [
        {"ags": "05000001", "population": 0, "area": Decimal("500.00")},
        {"ags": "05000002", "population": 1000, "area": Decimal("10.00")},
    ]
    assert flueag_key(rows) == {"05000001": 0, "05000002": 1}


def test_records_may_be_objects() -> None:
    class Row:
        def __init__(self, ags: str, population: int, area: str) -> None:
            self.ags, self.population, self.area = ags, population, area

    keys = flueag_key([Row("05000002", 20, "80"), Row("05000001", 80, "20")])
    assert keys == {"05000001": Fraction(3, 4), "05000002": Fraction(1, 4)}


@pytest.mark.parametrize(
    ("rows", "kwargs", "message"),
    [
        (
            [{"ags": "1", "population": 1, "area": 1}, {"ags": "1", "population": 2, "area": 1}],
            {},
            "mehrfach",
        ),
        ([{"ags": "1", "population": -1, "area": 1}], {}, "negativ"),
        ([{"ags": "1", "population": 1, "area": Decimal("-0.01")}], {}, "negativ"),
        ([{"ags": "1", "population": 1.0, "area": 1}], {}, "ganze Zahl"),
        ([{"ags": "1", "population": 1, "area": 1.5}], {}, "float"),
        ([{"ags": "1", "population": 1, "area": Decimal("NaN")}], {}, "endliche"),
        ([{"ags": "1", "population": 0, "area": 1}], {}, "positive Bevölkerung"),
        ([], {}, "positive Bevölkerung"),
        ([{"ags": "1", "population": 1, "area": 0}], {}, "Gesamtfläche"),
        ([{"ags": "1", "population": 1}], {}, "'area'"),
        ([{"ags": "1", "population": 1, "area": 1}], {"cap": Fraction(99, 100)}, "unerfüllbar"),
        ([{"ags": "1", "population": 1, "area": 1}], {"area_weight": Fraction(2, 10)}, "Gewichte"),
        ([{"ags": "1", "population": 1, "area": 1}], {"population_weight": 0, "area_weight": 1}, "Gewichte"),
    ],
)
def test_invalid_key_input_is_rejected(rows: list, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        flueag_key(rows, **kwargs)


def test_errors_are_value_errors_of_one_domain_type() -> None:
    assert issubclass(DistributionError, ValueError)
    with pytest.raises(DistributionError):
        split_pool(1, {})


def test_zero_total_area_is_fine_without_area_weight() -> None:
    rows = [{"ags": "1", "population": 1, "area": 0}, {"ags": "2", "population": 3, "area": 0}]
    assert flueag_key(rows, population_weight=1, area_weight=0) == {"1": Fraction(1, 4), "2": Fraction(3, 4)}


# --------------------------------------------------------------------------- Kommune shares, second factor


@settings(deadline=None)
@given(rows=gemeinden(max_size=30))
def test_kommune_share_is_the_sum_of_its_gemeinden(rows: list[dict]) -> None:
    keys = flueag_key(rows)
    mapping = {ags: ags[:5] for ags in keys}
    shares = kommune_shares(keys, mapping)
    assert sum(shares.values()) == 1
    assert list(shares) == sorted(shares)
    for kommune, share in shares.items():
        assert share == sum(k for ags, k in keys.items() if ags.startswith(kommune))


def test_unmapped_gemeinde_is_rejected() -> None:
    with pytest.raises(ValueError, match="05000002"):
        kommune_shares({"05000001": Fraction(1, 2), "05000002": Fraction(1, 2)}, {"05000001": "05000"})


@given(primary=share_maps(), data=st.data())
def test_combine_factors(primary: dict, data: st.DataObject) -> None:
    counts = {ags: data.draw(st.integers(0, 5000)) for ags in primary}
    assume(sum(counts.values()) > 0)
    weight = data.draw(st.fractions(0, 1, max_denominator=100))
    combined = combine_factors(primary, counts, weight)
    assert sum(combined.values()) == 1
    total = sum(counts.values())
    for ags in primary:
        assert combined[ags] == (1 - weight) * primary[ags] + weight * Fraction(counts[ags], total)
    assert combine_factors(primary, counts, Fraction(1)) == {a: Fraction(c, total) for a, c in counts.items()}


def test_combine_factors_weight_zero_returns_primary_unchanged() -> None:
    primary = {"05111": Fraction(1, 3), "05112": Fraction(2, 3)}
    assert combine_factors(primary, {"05111": 5, "05112": 1}, Fraction(0)) == primary
    assert combine_factors(primary, {}, Fraction(0)) == primary  # the second dataset may not exist


@pytest.mark.parametrize(
    ("counts", "weight", "message"),
    [
        ({"05111": 1}, Fraction(1, 2), "fehlend"),
        ({"05111": 1, "05112": 1, "05113": 1}, Fraction(1, 2), "überzählig"),
        ({"05111": 0, "05112": 0}, Fraction(1, 2), "nur Nullen"),
        ({"05111": -1, "05112": 2}, Fraction(1, 2), "negativ"),
        ({"05111": 1, "05112": 1}, Fraction(3, 2), "zwischen 0 und 1"),
        ({"05111": 1, "05112": 1}, 0.5, "float"),
    ],
)
def test_combine_factors_rejects(counts: dict, weight: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        combine_factors({"05111": Fraction(1, 3), "05112": Fraction(2, 3)}, counts, weight)  # type: ignore[arg-type]


def test_combine_factors_needs_primary_summing_to_one() -> None:
    with pytest.raises(ValueError, match="genau 1"):
        combine_factors({"05111": Fraction(1, 3)}, {"05111": 1}, Fraction(1, 2))


# --------------------------------------------------------------------------- split_pool


@given(shares=share_maps(max_size=60), pool=st.integers(0, 10**11), seed=st.integers())
def test_split_is_exact_close_and_order_free(shares: dict, pool: int, seed: int) -> None:
    rows = split_pool(pool, shares)
    assert [r.ags for r in rows] == sorted(shares)
    assert sum(r.ceiling_cents for r in rows) == pool
    for r in rows:
        assert r.share == shares[r.ags]
        assert r.exact_quota_cents == pool * shares[r.ags]  # shares sum to 1
        assert abs(r.ceiling_cents - r.exact_quota_cents) < 1
        if r.share == 0:
            assert r.ceiling_cents == 0
    assert split_pool(pool, shuffled(shares, seed)) == rows


@given(shares=share_maps(max_size=40), pool=st.integers(0, 10**9))
def test_split_normalises_weights_that_do_not_sum_to_one(shares: dict, pool: int) -> None:
    doubled = {ags: 2 * s for ags, s in shares.items()}
    assert [r.ceiling_cents for r in split_pool(pool, doubled)] == [
        r.ceiling_cents for r in split_pool(pool, shares)
    ]


@given(ags=st.integers(0, 99_999).map(lambda i: f"{i:05d}"), pool=st.integers(0, 10**12))
def test_one_recipient_gets_everything(ags: str, pool: int) -> None:
    assert split_pool(pool, {ags: Fraction(1, 7)}) == [CeilingRow(ags, Fraction(1, 7), Fraction(pool), pool)]


@given(n=st.integers(1, 60), data=st.data())
def test_ties_go_to_the_lowest_ags(n: int, data: st.DataObject) -> None:
    """Equal shares, pool = k × n + r: the r lowest AGS get one cent more; works for pool < n too."""
    kommune = st.integers(0, 99_999).map(lambda i: f"{i:05d}")
    codes = data.draw(st.lists(kommune, min_size=n, max_size=n, unique=True))
    pool = data.draw(st.integers(0, 5 * n))
    shares = shuffled({ags: Fraction(1, n) for ags in codes}, data.draw(st.integers()))
    rows = split_pool(pool, shares)
    base, extra = divmod(pool, n)
    assert [r.ceiling_cents for r in rows] == [base + 1] * extra + [base] * (n - extra)
    assert [r.ags for r in rows] == sorted(codes)


def test_pool_smaller_than_recipients_follows_remainders() -> None:
    shares = {"05111": Fraction(5, 10), "05112": Fraction(3, 10), "05113": Fraction(2, 10)}
    assert [r.ceiling_cents for r in split_pool(1, shares)] == [1, 0, 0]
    assert [r.ceiling_cents for r in split_pool(2, shares)] == [1, 1, 0]  # 1.0 / 0.6 / 0.4


@pytest.mark.parametrize(
    ("pool", "shares", "message"),
    [
        (100, {}, "mindestens einen"),
        (100, {"05111": Fraction(0)}, "Alle Anteile sind 0"),
        (-1, {"05111": Fraction(1)}, "negativ"),
        (True, {"05111": Fraction(1)}, "ganze Zahl"),
        (100, {"05111": 0.5}, "float"),
        (100, {"05111": Fraction(-1, 2), "05112": Fraction(3, 2)}, "negativ"),
    ],
)
def test_split_rejects(pool: object, shares: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        split_pool(pool, shares)  # type: ignore[arg-type]


def test_split_of_nothing() -> None:
    assert split_pool(0, {}) == []
    assert split_pool(0, {"05111": Fraction(0)}) == [CeilingRow("05111", Fraction(0), Fraction(0), 0)]


# --------------------------------------------------------------------------- redistribute


@given(shares=share_maps(max_size=25), released=st.integers(0, 10**8), data=st.data())
def test_redistribute_respects_caps_and_conserves_money(
    shares: dict, released: int, data: st.DataObject
) -> None:
    caps = {ags: data.draw(st.one_of(st.none(), st.integers(0, 10**7))) for ags in shares}
    result = redistribute(released, shuffled(shares, data.draw(st.integers())), caps)
    amounts = result.amounts
    assert list(amounts) == sorted(shares)
    assert sum(amounts.values()) + result.undistributed_cents == released
    assert result.undistributed_cents >= 0
    positive = [ags for ags in shares if shares[ags] > 0]
    for ags in shares:
        assert amounts[ags] >= 0
        if caps[ags] is not None:
            assert amounts[ags] <= caps[ags]
        if shares[ags] == 0:
            assert amounts[ags] == 0
    if result.undistributed_cents:
        assert all(caps[ags] is not None and amounts[ags] == caps[ags] for ags in positive)
    # by share: nobody got more, relative to its share, than one who is still below its cap (± 1 cent)
    below = [ags for ags in positive if caps[ags] is None or amounts[ags] < caps[ags]]
    for i in below:
        for j in positive:
            assert (amounts[j] - 1) * shares[i] < (amounts[i] + 1) * shares[j]
    assert redistribute(released, shares, caps) == result


@given(shares=share_maps(max_size=25), released=st.integers(0, 10**9))
def test_redistribute_without_caps_is_the_plain_split(shares: dict, released: int) -> None:
    result = redistribute(released, shares, dict.fromkeys(shares))
    assert result.undistributed_cents == 0
    assert result.amounts == {r.ags: r.ceiling_cents for r in split_pool(released, shares)}


def test_redistribute_worked_example() -> None:
    shares = {"05111": Fraction(1, 2), "05112": Fraction(1, 4), "05113": Fraction(1, 4)}
    result = redistribute(1000, shares, {"05111": 100, "05112": None, "05113": 50})
    # 05111 capped at 100; 900 split 450/450; 05113 capped at 50; 05112 takes the rest
    assert result.amounts == {"05111": 100, "05112": 850, "05113": 50}
    assert result.undistributed_cents == 0


def test_redistribute_returns_what_nobody_can_take() -> None:
    shares = {"05111": Fraction(1, 2), "05112": Fraction(1, 2), "05113": Fraction(0)}
    result = redistribute(1000, shares, {"05111": 100, "05112": 200, "05113": None})
    assert result.amounts == {"05111": 100, "05112": 200, "05113": 0}
    assert result.undistributed_cents == 700
    assert redistribute(5, {"05111": Fraction(0)}, {"05111": None}).undistributed_cents == 5


@pytest.mark.parametrize(
    ("caps", "message"),
    [
        ({"05111": 1}, "dieselben"),
        ({"05111": 1, "05112": -1}, "negativ"),
        ({"05111": 1, "05112": 1.0}, "ganze"),
    ],
)
def test_redistribute_rejects(caps: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        redistribute(10, {"05111": Fraction(1, 2), "05112": Fraction(1, 2)}, caps)


# --------------------------------------------------------------------------- F6 positions


@given(
    counts=st.dictionaries(
        st.integers(0, 99_999).map(lambda i: f"{i:05d}"), st.integers(0, 5000), min_size=1, max_size=53
    ),
    minimum=st.integers(0, 3),
    spare=st.integers(0, 300),
)
def test_positions_sum_to_total_and_respect_minimums(counts: dict, minimum: int, spare: int) -> None:
    participants = [ags for ags, c in counts.items() if c > 0]
    assume(participants)
    total = len(participants) * minimum + spare
    halves = apportion_positions(total, counts, minimum_halves=minimum)
    assert list(halves) == sorted(counts)
    assert sum(halves.values()) == total
    for ags, count in counts.items():
        assert halves[ags] >= minimum if count > 0 else halves[ags] == 0
    for a in counts:  # more target group never means fewer halves
        for b in counts:
            if counts[a] > counts[b]:
                assert halves[a] >= halves[b]


@given(counts=st.dictionaries(st.from_regex(r"05[0-9]{3}", fullmatch=True), st.integers(1, 5000), min_size=1))
def test_positions_minimums_exceeding_total_raise(counts: dict) -> None:
    with pytest.raises(ValueError, match="übersteigt"):
        apportion_positions(len(counts) - 1, counts)


def test_positions_follow_the_guideline() -> None:
    """One position per 100, at least half a position: 1000 -> 10, 250 -> 2.5, 30 -> 0.5 positions."""
    counts = {"05111": 1000, "05112": 250, "05113": 30, "05114": 0}
    assert apportion_positions(26, counts) == {"05111": 20, "05112": 5, "05113": 1, "05114": 0}


def test_positions_ties_go_to_the_lowest_ags() -> None:
    counts = {"05113": 7, "05111": 7, "05112": 7}
    assert apportion_positions(5, counts) == {"05111": 2, "05112": 2, "05113": 1}
    assert apportion_positions(4, counts) == {"05111": 2, "05112": 1, "05113": 1}


def test_positions_minimum_is_a_floor_not_a_base() -> None:
    # exact quotas 9.9 and 0.1 halves: the small one is raised to 1, the big one keeps 9
    assert apportion_positions(10, {"05111": 99, "05112": 1}) == {"05111": 9, "05112": 1}


@pytest.mark.parametrize(
    ("total", "counts", "kwargs", "message"),
    [
        (3, {"05111": 0}, {}, "Keine Kommune"),
        (1, {"05111": -1}, {}, "negativ"),
        (1, {"05111": 1}, {"per_position": 0}, "positiv"),
        (1.5, {"05111": 1}, {}, "ganze Zahl"),
    ],
)
def test_positions_reject(total: object, counts: dict, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        apportion_positions(total, counts, **kwargs)  # type: ignore[arg-type]


def test_no_positions_for_nobody() -> None:
    assert apportion_positions(0, {"05111": 0}) == {"05111": 0}


# --------------------------------------------------------------------------- real data


def _read_real_gemeinden() -> list[dict]:
    path = next((p for p in DATA_CANDIDATES if p.is_file()), None)
    assert path is not None, f"nrw_gemeinden.csv not found in {DATA_CANDIDATES}"
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            {
                "ags": row["ags"],
                "kreis_ags": row["kreis_ags"],
                "population": int(row["population"]),
                "area": Decimal(row["area_km2"]),
            }
            for row in csv.DictReader(handle)
        ]


@pytest.fixture(scope="module")
def real() -> dict:
    rows = _read_real_gemeinden()
    keys = flueag_key(rows)
    shares = kommune_shares(keys, {r["ags"]: r["kreis_ags"] for r in rows})
    return {"rows": rows, "keys": keys, "shares": shares, "ceilings": split_pool(POOL_CENTS, shares)}


def _independent_ceilings(rows: list[dict], pool: int) -> tuple[dict[str, Decimal], dict[str, int]]:
    """Same rule, other method: Decimal at 90 digits; the cap level found by sorting thresholds."""
    with localcontext() as ctx:
        ctx.prec = 90
        population = {r["ags"]: Decimal(r["population"]) for r in rows}
        area = {r["ags"]: r["area"] for r in rows}
        total_pop, total_area = sum(population.values()), sum(area.values())
        cap = Decimal("1.25")
        limit = {a: cap * population[a] / total_pop for a in population}
        raw = {a: (9 * population[a] / total_pop + area[a] / total_area) / 10 for a in population}
        # Gemeinde a is capped once the common factor s exceeds limit / raw; sort by that threshold
        threshold = sorted(population, key=lambda a: limit[a] / raw[a])
        for k in range(len(threshold)):
            capped, free = threshold[:k], threshold[k:]
            factor = (1 - sum(limit[a] for a in capped)) / sum(raw[a] for a in free)
            if limit[free[0]] >= factor * raw[free[0]]:
                break
        key = {a: min(limit[a], factor * raw[a]) for a in population}
        kreis = {r["ags"]: r["kreis_ags"] for r in rows}
        share: dict[str, Decimal] = {}
        for a, value in key.items():
            share[kreis[a]] = share.get(kreis[a], Decimal(0)) + value
        quota = {k: pool * s for k, s in share.items()}
        floor = {k: int(q.to_integral_value(rounding=ROUND_FLOOR)) for k, q in quota.items()}
        missing = pool - sum(floor.values())
        winners = sorted(quota, key=lambda k: (floor[k] - quota[k], k))[:missing]
        return key, {k: floor[k] + (k in winners) for k in sorted(quota)}


def test_real_data_53_kommunen_exact(real: dict) -> None:
    assert len(real["rows"]) == 396
    assert sum(real["keys"].values()) == 1
    assert len(real["shares"]) == 53
    assert sum(real["shares"].values()) == 1
    ceilings = real["ceilings"]
    assert len(ceilings) == 53
    assert sum(r.ceiling_cents for r in ceilings) == POOL_CENTS
    assert all(abs(r.ceiling_cents - r.exact_quota_cents) < 1 for r in ceilings)
    details = flueag_key_details(real["rows"])
    assert sum(d.capped for d in details.values()) > 0  # the cap matters for the real data


def test_real_data_agrees_with_independent_decimal_computation(real: dict) -> None:
    keys, ceilings = _independent_ceilings(real["rows"], POOL_CENTS)
    with localcontext() as ctx:
        ctx.prec = 90
        for ags, key in real["keys"].items():
            assert abs(Decimal(key.numerator) / Decimal(key.denominator) - keys[ags]) < Decimal("1e-70")
    assert {r.ags: r.ceiling_cents for r in real["ceilings"]} == ceilings


def test_real_data_order_free(real: dict) -> None:
    rows = real["rows"][::-1]
    keys = flueag_key(rows)
    shares = kommune_shares(shuffled(keys, 7), {r["ags"]: r["kreis_ags"] for r in rows})
    assert split_pool(POOL_CENTS, shuffled(shares, 11)) == real["ceilings"]


# --------------------------------------------------------------------------- explanation


@pytest.mark.parametrize(("ags", "capped"), [("05315", False), ("05958", True)])
def test_explain_ceiling(real: dict, ags: str, capped: bool) -> None:
    row = next(r for r in real["ceilings"] if r.ags == ags)
    steps = explain_ceiling(ags, real["rows"], real["keys"], real["shares"][ags], POOL_CENTS, row)
    labels = [label for label, _ in steps]
    assert labels[0] == "Kommune (AGS)"
    needed_steps = ["Bevölkerungsanteil", "Flächenanteil", "Schlüssel ohne Kappung", "Kappung"]
    needed_steps += ["Anteil der Kommune", "Exakter Anteil", "Rundung", "Zuwendungshöchstgrenze"]
    for needed in needed_steps:
        assert any(label.startswith(needed) for label in labels), needed
    values = dict(steps)
    assert values["Zuwendungshöchstgrenze"] == format_eur(row.ceiling_cents)
    assert values["Fördertopf"] == format_eur(POOL_CENTS)
    assert values["Bevölkerungsanteil"].endswith(" %") and "," in values["Bevölkerungsanteil"]
    cap_value = next(v for label, v in steps if label.startswith("Kappung"))
    assert cap_value.startswith("ja" if capped else "nein")
    assert "Cent" in values["Rundung"]


def test_explain_ceiling_shows_second_factor_and_checks_the_row(real: dict) -> None:
    counts = {ags: 100 for ags in real["shares"]}
    shares = combine_factors(real["shares"], counts, Fraction(1, 2))
    row = next(r for r in split_pool(POOL_CENTS, shares) if r.ags == "05315")
    steps = dict(explain_ceiling("05315", real["rows"], real["keys"], shares["05315"], POOL_CENTS, row))
    assert "zweitem Faktor" in steps["Anteil der Kommune"]
    with pytest.raises(ValueError, match="gehört zu"):
        explain_ceiling("05111", real["rows"], real["keys"], shares["05315"], POOL_CENTS, row)
    with pytest.raises(ValueError, match="passt nicht"):
        explain_ceiling("05315", real["rows"], real["keys"], real["shares"]["05315"], POOL_CENTS, row)


def test_explain_ceiling_names_the_spreading_of_capped_shares(real: dict) -> None:
    """Issue #21.6: Köln is not capped, yet its key rises from the uncapped 5,57 % to 5,62 %: the step that
    spreads other Gemeinden's capped share is named with its amount, so the steps add up."""
    row = next(r for r in real["ceilings"] if r.ags == "05315")
    steps = dict(explain_ceiling("05315", real["rows"], real["keys"], real["shares"]["05315"], POOL_CENTS, row))
    spread = steps["Umlage der gekappten Anteile"]
    assert spread.startswith("+") and "gekappte Gemeinden in NRW" in spread
    uncapped = next(v for k, v in steps.items() if k.startswith("Schlüssel ohne Kappung"))
    final = steps["Schlüssel nach Kappung und Umlage (§ 3 Abs. 1 FlüAG NRW)"]

    def number(text: str) -> Fraction:
        return Fraction(text.split(" %")[0].lstrip("+").replace(".", "").replace(",", "."))

    assert abs(number(uncapped) + number(spread) - number(final)) <= Fraction(2, 10**6)  # display rounding

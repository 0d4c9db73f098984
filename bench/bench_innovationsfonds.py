"""Benchmark of the Innovationsfonds core: scoring, aggregation, ranking, selection.

Standalone: ``python bench/bench_innovationsfonds.py [--sketches 10000] [--repeat 5] [--seed 2020]``.

Synthetic, seeded data (integers only, no float): every sketch has a latent quality 2..9; each of
its 3 reviews marks 5 weighted criteria (scale 0..10) around that quality, one review in ten marks
one criterion "not applicable". Requested amounts 20,000–500,000 EUR in whole euros; 30 % of the
sketches carry the group "frauen", 20 % "owl" (a region). Budget 5,000,000.00 EUR.

Times are the median CPU time of ``--repeat`` runs (``time.process_time``); memory is the tracemalloc peak
of one extra run (tracemalloc slows the code, so it is measured separately). Prints a Markdown
table.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.innovationsfonds.core.funding import Selection, funding_line, max_score  # noqa: E402
from app.innovationsfonds.core.ranking import Ranked, RankItem, rank  # noqa: E402
from app.innovationsfonds.core.scoring import Criterion, aggregate, review_score  # noqa: E402

BUDGET_CENTS = 5_000_000 * 100
CRITERIA = [
    Criterion("innovation", 30),
    Criterion("zielgruppe", 25),
    Criterion("umsetzung", 20),
    Criterion("nachhaltigkeit", 15),
    Criterion("wirtschaftlichkeit", 10),
]
THRESHOLD = Decimal("25")


def make_data(n: int, seed: int) -> tuple[list[list[dict[str, int | None]]], list[tuple[int, frozenset[str]]]]:
    """Marks of 3 reviews per sketch, and (requested cents, groups) per sketch."""
    rnd = random.Random(seed)
    reviews = []
    meta = []
    for _ in range(n):
        quality = rnd.randint(2, 9)
        sketch_reviews = []
        for _ in range(3):
            marks: dict[str, int | None] = {c.key: min(10, max(0, quality + rnd.randint(-2, 2))) for c in CRITERIA}
            if rnd.randint(1, 10) == 1:
                marks[rnd.choice(CRITERIA).key] = None
            sketch_reviews.append(marks)
        reviews.append(sketch_reviews)
        groups = frozenset(g for g, percent in (("frauen", 30), ("owl", 20)) if rnd.randint(1, 100) <= percent)
        meta.append((rnd.randint(20_000, 500_000) * 100, groups))
    return reviews, meta


def score_all(reviews: list[list[dict[str, int | None]]], meta: list[tuple[int, frozenset[str]]]) -> list[RankItem]:
    """Review scores and aggregates for every sketch, as rank items."""
    items = []
    for k, (sketch_reviews, (cents, groups)) in enumerate(zip(reviews, meta, strict=True)):
        agg = aggregate([review_score(CRITERIA, marks) for marks in sketch_reviews], THRESHOLD)
        items.append(RankItem.from_aggregate(f"IF-{k:05d}", agg, cents, k, groups))
    return items


def measure(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median CPU time of the process in seconds over ``repeat`` runs (pure Python work: judged by CPU time,
    not by the wall clock that other processes on the shared cores stretch), and the last result."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.process_time()
        result = fn()
        times.append(time.process_time() - start)
    return statistics.median(times), result


def peak_mib(fn: Callable[[], Any]) -> float:
    """tracemalloc peak of one run, in MiB (reported as a string-free number for the table)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


Row = tuple[str, str, float, float | None, str]


def knapsack_row(label: str, ranked: list[Ranked], minimums: dict[str, int], repeat: int) -> tuple[Row, Selection]:
    """Time (median) and tracemalloc peak of max_score, with the group counts reached."""
    t, best = measure(lambda: max_score(ranked, BUDGET_CENTS, group_minimums=minimums), repeat)
    memory = peak_mib(lambda: max_score(ranked, BUDGET_CENTS, group_minimums=minimums))
    by_id = {r.id: r for r in ranked}
    counts = ", ".join(f"{g} {sum(1 for i in best.selected if g in by_id[i].groups)}" for g in ("frauen", "owl"))
    vectors = 1
    for k in minimums.values():
        vectors *= k + 1
    complexity = "O(n log n) + O(n_free x V x F)" + (f", V = {vectors}" if minimums else "")
    return (label, f"{len(best.selected)} selected ({counts})", t, memory, complexity), best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sketches", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args()

    reviews, meta = make_data(args.sketches, args.seed)
    rows: list[Row] = []
    t, items = measure(lambda: score_all(reviews, meta), args.repeat)
    rows.append(("review scores + aggregates", f"{3 * args.sketches} reviews", t, None, "O(reviews x criteria)"))
    t, ranked = measure(lambda: rank(items), args.repeat)
    rows.append(("ranking", f"{args.sketches} sketches", t, None, "O(n log n)"))
    for mode in ("stop", "skip"):
        t, line = measure(lambda mode=mode: funding_line(ranked, BUDGET_CENTS, mode=mode), args.repeat)
        rows.append((f"funding line ({mode})", f"{len(line.selected)} selected", t, None, "O(n)"))
    line_minimums = {"frauen": 8, "owl": 5}
    t, line = measure(
        lambda: funding_line(ranked, BUDGET_CENTS, mode="skip", group_minimums=line_minimums), args.repeat
    )
    rows.append(("funding line (skip), minimums frauen 8, owl 5", f"{len(line.selected)} selected", t, None, "O(n)"))

    row, best = knapsack_row("knapsack (exact)", ranked, {}, args.repeat)
    rows.append(row)
    row, _ = knapsack_row(
        "knapsack, minimums frauen 10, owl 5 (not binding)", ranked, {"frauen": 10, "owl": 5}, args.repeat
    )
    rows.append(row)
    binding = {"frauen": 60, "owl": 40}
    row, grouped = knapsack_row("knapsack, minimums frauen 60, owl 40 (binding)", ranked, binding, args.repeat)
    rows.append(row)
    real = rank(score_all(*make_data(93, args.seed)))
    row, _ = knapsack_row("knapsack, 93 sketches (size of the real call)", real, {}, args.repeat)
    rows.append(row)

    print(
        f"Innovationsfonds core: {args.sketches} sketches, budget 5.000.000,00 EUR, seed {args.seed}, "
        f"median of {args.repeat} runs, Python {sys.version.split()[0]}\n"
    )
    print("| step | size / result | median time | tracemalloc peak | complexity |")
    print("|---|---|---:|---:|---|")
    for name, size, seconds, mib, complexity in rows:
        memory_text = f"{mib:.1f} MiB" if mib is not None else "–"
        print(f"| {name} | {size} | {seconds * 1000:.1f} ms | {memory_text} | {complexity} |")
    line_skip = funding_line(ranked, BUDGET_CENTS, mode="skip")
    print(
        f"\nTotal score: funding line (skip) {line_skip.score_total} for {len(line_skip.selected)} sketches; "
        f"knapsack {best.score_total}; knapsack with binding minimums {grouped.score_total}."
    )


if __name__ == "__main__":
    main()

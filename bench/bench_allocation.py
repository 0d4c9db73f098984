"""Benchmark of app.allocation.distribution: FlüAG key, ceilings, a 100,000-recipient split.

Run from the repository root:  python bench/bench_allocation.py [--repeat 7] [--seed 2019]

Each case runs ``--repeat`` times; the table gives the CPU time of the process (``time.process_time``:
the work is pure Python, so CPU time is what it costs, whatever else runs on the shared cores) as
median, min and max, and the wall-clock median beside it. The verdict is decided on the CPU median.
Peak memory of the 100k split is measured separately with tracemalloc, because tracing slows the code
down. The output is a Markdown table that can go into bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.allocation.distribution import flueag_key, kommune_shares, split_pool  # noqa: E402
from app.platform.money import split_largest_remainder  # noqa: E402

DATA_CANDIDATES = [
    ROOT / "app" / "reference" / "data" / "nrw_gemeinden.csv",
    ROOT.parent / "shared" / "data" / "nrw_gemeinden.csv",
    Path("/work/shared/data/nrw_gemeinden.csv"),
]
POOL_CENTS = 4_500_000_000
TARGET_SECONDS = 1.0


def load_gemeinden() -> list[dict[str, Any]]:
    path = next((p for p in DATA_CANDIDATES if p.is_file()), None)
    if path is None:
        sys.exit(f"nrw_gemeinden.csv not found in {[str(p) for p in DATA_CANDIDATES]}")
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


def synthetic_shares(n: int, seed: int) -> dict[str, Fraction]:
    """n recipients with random integer counts 1..10,000; shares = count / total (one denominator)."""
    rng = random.Random(seed)
    counts = [rng.randint(1, 10_000) for _ in range(n)]
    total = sum(counts)
    codes = [f"{i:08d}" for i in range(n)]
    rng.shuffle(codes)  # input order is not AGS order
    return {code: Fraction(count, total) for code, count in zip(codes, counts, strict=True)}


def time_it(func: Callable[[], object], repeat: int) -> tuple[list[float], list[float]]:
    """(CPU seconds, wall seconds) per run."""
    cpu, wall = [], []
    for _ in range(repeat):
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        func()
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started_wall)
    return cpu, wall


def peak_memory(func: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="repetitions per case (default 7)")
    parser.add_argument("--seed", type=int, default=2019, help="seed of the synthetic recipients")
    parser.add_argument("--size", type=int, default=100_000, help="synthetic recipients (default 100,000)")
    args = parser.parse_args()

    rows = load_gemeinden()
    mapping = {r["ags"]: r["kreis_ags"] for r in rows}
    keys = flueag_key(rows)
    shares53 = kommune_shares(keys, mapping)
    big = synthetic_shares(args.size, args.seed)
    big_sorted = sorted(big.items())
    big_weights = [share.numerator for _, share in big_sorted]  # one common denominator
    big_codes = [code for code, _ in big_sorted]

    rows_big = split_pool(POOL_CENTS, big)
    assert sum(r.ceiling_cents for r in rows_big) == POOL_CENTS

    cases: list[tuple[str, Callable[[], object], int]] = [
        (f"flueag_key, {len(rows)} Gemeinden (real, 31.12.2019)", lambda: flueag_key(rows), args.repeat),
        (
            f"key + kommune_shares + split_pool, {len(shares53)} Kommunen",
            lambda: split_pool(POOL_CENTS, kommune_shares(flueag_key(rows), mapping)),
            args.repeat,
        ),
        (f"split_pool, {len(shares53)} Kommunen", lambda: split_pool(POOL_CENTS, shares53), args.repeat),
        (f"split_pool, {args.size:,} synthetic recipients", lambda: split_pool(POOL_CENTS, big), args.repeat),
        (
            f"app.platform.money.split_largest_remainder (for comparison), {args.size:,} int weights",
            lambda: split_largest_remainder(POOL_CENTS, big_weights, big_codes),
            args.repeat,
        ),
    ]

    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    print(f"Python {platform.python_version()} on {machine}")
    print(f"repetitions: {args.repeat}; pool: {POOL_CENTS:,} cents; seed: {args.seed}; "
          f"load average {os.getloadavg()[0]:.2f}\n")
    print("| case | CPU median ms | CPU min ms | CPU max ms | wall median ms |")
    print("|---|---:|---:|---:|---:|")
    medians = {}
    for name, func, repeat in cases:
        runs, wall = time_it(func, repeat)
        medians[name] = statistics.median(runs)
        print(f"| {name} | {fmt_ms(medians[name])} | {fmt_ms(min(runs))} | {fmt_ms(max(runs))} "
              f"| {fmt_ms(statistics.median(wall))} |")

    peak = peak_memory(lambda: split_pool(POOL_CENTS, big))
    print(f"\nPeak traced memory of split_pool for {args.size:,} recipients: {peak / 2**20:,.1f} MiB")
    big_median = medians[cases[3][0]]
    helper_median = medians[cases[4][0]]
    verdict = "met" if big_median < TARGET_SECONDS else "missed"
    print(f"Target < {TARGET_SECONDS:.0f} s for the {args.size:,} split: {verdict} ({big_median:.2f} s CPU)")
    print(f"split_pool vs. app.money.split_largest_remainder alone: {big_median / helper_median:.2f}x")
    print("(split_pool works on integer weights over one common denominator and builds its exact-quota")
    print(" Fractions lazily.)")


if __name__ == "__main__":
    main()

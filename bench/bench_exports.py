"""Benchmark: the export writers alone (``csv_chunks``, ``xlsx_chunks``), rows/s by wall and CPU time.

Run from the repository root:  python bench/bench_exports.py [--rows 200000]

The rows have the expense export's columns (date, module, money, rate, voucher, description, eligibility,
reason) and are generated in memory, so the figure is the writer's cost without the database: the
CPU-time rate is the one to compare on a loaded machine (wall time shares the cores with everything else).
First chunk: time until the writer yields its first bytes (CSV: BOM and header; XLSX: only after the last row).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.platform.web.exports import Column, csv_chunks, xlsx_chunks  # noqa: E402

COLUMNS = [Column("Datum", "date"), Column("Baustein"), Column("Betrag", "money"), Column("Pauschale"),
           Column("Beleg"), Column("Beschreibung"), Column("Förderfähig"), Column("Grund")]


def rows(count: int):
    start = date(2021, 1, 4)
    for i in range(count):
        yield (start + timedelta(days=i % 700), f"F{i % 3 + 1}", 1000 + i % 90_000, "", f"B-{i}",
               "Honorar (synthetisch)", "ja", "")


def measure(writer, count: int) -> tuple[float, float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    first, size = None, 0
    for chunk in writer(COLUMNS, rows(count)):
        if first is None:
            first = time.perf_counter() - wall
        size += len(chunk)
    return first, time.perf_counter() - wall, time.process_time() - cpu, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    print(f"{args.rows:,} rows; load {os.getloadavg()[0]:.1f}")
    print("| writer | first chunk | wall s | CPU s | rows/s (wall) | rows/s (CPU) | size |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, writer in (("CSV", csv_chunks), ("XLSX", xlsx_chunks)):
        first, wall, cpu, size = measure(writer, args.rows)
        print(f"| {name} | {first * 1000:.0f} ms | {wall:.2f} | {cpu:.2f} | {args.rows / wall:,.0f} | "
              f"{args.rows / cpu:,.0f} | {size / 2**20:.1f} MiB |")


if __name__ == "__main__":
    main()

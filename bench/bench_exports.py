"""Benchmark: the export writers alone (``csv_chunks``, ``xlsx_chunks``), rows/s by wall and CPU time.

Run from the repository root:  python bench/bench_exports.py [--rows 200000] [--rounds 3] [--wide]

The rows have the expense export's columns (date, module, money, rate, voucher, description, eligibility,
reason; ``--wide``: 10 columns with int, money, date, percent and a datetime, every other text empty) and
are generated in memory, so the figure is the writer's cost without the database: the CPU-time rate is the one to
compare on a loaded machine (wall time shares the cores with everything else).
First chunk: time until the writer yields its first bytes (CSV: BOM and header; XLSX: the ZIP's fixed members
and the sheet's start, written by app/platform/web/xlsx.py before the first row is read).
The writers alternate within each of ``--rounds`` rounds, so a change in the machine's load hits both alike;
every round is printed, then the median of each column per writer.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.platform.web.exports import Column, csv_chunks, xlsx_chunks  # noqa: E402

COLUMNS = [Column("Datum", "date"), Column("Baustein"), Column("Betrag", "money"), Column("Pauschale"),
           Column("Beleg"), Column("Beschreibung"), Column("Förderfähig"), Column("Grund")]


# --wide: a 10-column row with every kind a money list has (id, Kommune, status, amounts, dates, a timestamp)
WIDE_COLUMNS = [Column("Nr.", "int"), Column("Kommune"), Column("Baustein"), Column("Status"),
                Column("Beantragt", "money"), Column("Bewilligt", "money"), Column("Datum", "date"),
                Column("Quote %", "percent"), Column("Geändert", "datetime"), Column("Bemerkung")]


def wide_rows(count: int):
    start, stamp = date(2021, 1, 4), datetime(2021, 1, 4, 9, 30, tzinfo=UTC)
    for i in range(count):
        yield (i, "Kreis Kleve", f"F{i % 3 + 1}", "bewilligt", 1_000_000 + i, 990_000 - i % 7_000,
               start + timedelta(days=i % 700), Decimal(i % 1000).scaleb(-1), stamp + timedelta(minutes=i),
               "synthetisch" if i % 2 else None)


def rows(count: int):
    start = date(2021, 1, 4)
    for i in range(count):
        yield (start + timedelta(days=i % 700), f"F{i % 3 + 1}", 1000 + i % 90_000, "", f"B-{i}",
               "Honorar (synthetisch)", "ja", "")


def measure(writer, count: int, wide: bool = False) -> tuple[float, float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    first, size = None, 0
    for chunk in writer(*((WIDE_COLUMNS, wide_rows(count)) if wide else (COLUMNS, rows(count)))):
        if first is None:
            first = time.perf_counter() - wall
        size += len(chunk)
    return first, time.perf_counter() - wall, time.process_time() - cpu, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--wide", action="store_true", help="10 columns: int, text, money, date, percent, datetime")
    args = parser.parse_args()
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.rows:,} rows of {10 if args.wide else 8} columns, {args.rounds} rounds; load {load}")
    print("| round | writer | first chunk | wall s | CPU s | rows/s (wall) | rows/s (CPU) | size |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    results: dict[str, list[tuple[float, float, float, int]]] = {"CSV": [], "XLSX": []}
    for round_ in range(1, args.rounds + 1):
        for name, writer in (("CSV", csv_chunks), ("XLSX", xlsx_chunks)):
            results[name].append(measure(writer, args.rows, args.wide))
            print(_line(str(round_), name, args.rows, *results[name][-1]))
    for name, runs in results.items():
        print(_line("median", name, args.rows, *(statistics.median(r[i] for r in runs) for i in range(4))))
    print(f"load afterwards {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def _line(round_: str, name: str, count: int, first: float, wall: float, cpu: float, size: float) -> str:
    return (f"| {round_} | {name} | {first * 1000:.1f} ms | {wall:.2f} | {cpu:.2f} | {count / wall:,.0f} | "
            f"{count / cpu:,.0f} | {size / 2**20:.1f} MiB |")


if __name__ == "__main__":
    main()

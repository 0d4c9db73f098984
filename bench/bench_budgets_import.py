"""Benchmark: expense CSV import throughput and peak memory (parse + validate + bulk insert + ledger).

Run from the repository root:  python bench/bench_budgets_import.py [--lines 20000 100000] [--database URL]

Default database: a fresh SQLite file in a temporary directory (WAL, BEGIN IMMEDIATE as in
production). ``--database postgresql+psycopg://postgres@127.0.0.1:5432/test`` measures PostgreSQL
(the schema is created in a fresh database ``bench_budgets_<random>``, dropped afterwards).
The sizes alternate: ``--repeat`` rounds each import every size once (the order reversed every other
round), so that the machine's load hits every size alike; wall time (perf_counter, commit included) and
CPU time of the process (process_time; the database server's CPU is not in it), medians. Then each size
once under tracemalloc for Python peak memory. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from app import create_app  # noqa: E402
from app.platform import clock  # noqa: E402
from app.platform.extensions import db  # noqa: E402


def csv_bytes(count: int) -> bytes:
    lines = ["datum;baustein;betrag;einheiten;pauschale;beleg;beschreibung"]
    start = date(2021, 1, 4)
    for i in range(count):
        day = start + timedelta(days=i % 700)
        if i % 5 == 0:
            lines.append(f"{day:%d.%m.%Y};F4;;{(i % 7) + 1},5;F4-UE;R-{i};Unterricht (synthetisch)")
        else:
            lines.append(f"{day:%d.%m.%Y};F{(i % 3) + 1};{(i % 900) + 10},{i % 100:02d};;;B-{i};Honorar (synthetisch)")
    return ("\n".join(lines) + "\n").encode()


def setup(url: str):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        from app.reference.services import load_programme, load_reference_data

        load_programme(app.config["PROGRAMME_FILE"])
        load_reference_data()
        db.session.commit()
    return app


def make_grant(number: int):
    from app.budgets.services import set_commitment
    from app.reference.services import get_programme, kommune_by_ags

    lines = {(m, y): 50_000_000_00 for m in ("F1", "F2", "F3", "F4") for y in (2021, 2022, 2023)}
    grant = set_commitment(programme_id=get_programme().id, source=f"bench:{number}", reference=f"B-{number}",
                           recipient_kind="kommune", kommune_id=kommune_by_ags("05315").id, funding_rate_bp=8000,
                           start_date=date(2020, 7, 1), last_expense_date=date(2023, 6, 30), lines=lines)
    db.session.commit()
    return grant


def run_import(app, count: int, number: int, data: bytes) -> tuple[float, float]:
    from app.auth.services import create_user
    from app.budgets.csv_import import open_upload
    from app.budgets.importing import import_now

    with app.app_context(), clock.freeze(date(2023, 6, 30)):
        grant = make_grant(number)
        user = create_user(email=f"bench{number}@test.nrw", name="Bench", password="Bench-Passwort-123",
                           role="kommune", kommune_ags="05315", actor_label="bench")
        db.session.commit()
        started, started_cpu = time.perf_counter(), time.process_time()
        import_now(grant, open_upload(data), actor=user, filename="bench.csv", today=clock.today())  # both passes
        db.session.commit()
        return time.perf_counter() - started, time.process_time() - started_cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--database", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cleanup = None
    if args.database and args.database.startswith("postgresql"):
        name = f"bench_budgets_{secrets.token_hex(4)}"
        admin = create_engine(args.database, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = args.database.rsplit("/", 1)[0] + "/" + name

        def cleanup():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        url = args.database or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = setup(url)
    print(f"Database: {url.split('://')[0]}")
    print(f"Median of {args.repeat} runs per size, sizes alternating (each into a fresh grant of the same "
          f"database); load average {os.getloadavg()[0]:.2f} at the start")
    print("| lines | wall s | CPU s | lines/s (wall) | Python peak memory |")
    print("|---:|---:|---:|---:|---:|")
    try:
        number = 0
        data = {count: csv_bytes(count) for count in args.lines}
        times: dict[int, list[tuple[float, float]]] = {count: [] for count in args.lines}
        for round_number in range(args.repeat):
            for count in (args.lines if round_number % 2 == 0 else list(reversed(args.lines))):
                number += 1
                times[count].append(run_import(app, count, number, data[count]))
        for count in args.lines:
            seconds = statistics.median(wall for wall, _cpu in times[count])
            cpu = statistics.median(c for _wall, c in times[count])
            number += 1
            tracemalloc.start()
            run_import(app, count, number, data[count])
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"| {count:,} | {seconds:.2f} | {cpu:.2f} | {count / seconds:,.0f} | {peak / 2**20:.1f} MiB |")
        print(f"load average {os.getloadavg()[0]:.2f} at the end")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if cleanup:
            cleanup()


if __name__ == "__main__":
    main()

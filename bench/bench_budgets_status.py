"""Benchmark: the state-wide budget status (53 Kommunen) with 10,000 vs 1,000,000 journal lines.

Run from the repository root:  python bench/bench_budgets_status.py [--sizes 10000 1000000] [--database URL]

For each size a fresh database is filled by ``app.benchdata.generator.seed`` (the generator behind
``durchstarten seed-bench``): one grant per Kommune through ``set_commitment``, drawdowns (requested,
approved, paid) and single expenses with their journals until ``size`` ledger entries exist, all
consistent with the ledger (``verify-ledger`` clean), balances and daily expense totals written once.
Measured (perf_counter, median of ``--repeat`` runs after one warm-up): ``status.status_for()``
(what the page and ``/api/v1/budgets/status`` compute) and the whole page ``GET /budgets/uebersicht``
through the test client. The status reads the balance table, so its time must not grow with the
journal (target: < 100 ms and at most 1.5 x the 10,000-line time).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from app import create_app  # noqa: E402
from app.platform import clock  # noqa: E402
from app.platform.extensions import db  # noqa: E402

TODAY = date(2022, 6, 15)


def fresh_url(base: str | None) -> tuple[str, object]:
    if base and base.startswith("postgresql"):
        name = f"bench_status_{secrets.token_hex(4)}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))

        def drop():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        return base.rsplit("/", 1)[0] + "/" + name, drop
    return f"sqlite:///{tempfile.mkdtemp()}/status.db", lambda: None


def build(app, size: int, seed_value: int) -> None:
    """53 Kommune grants and ``size`` ledger entries from the shared generator (ledger-consistent)."""
    from app.auth.services import create_user
    from app.benchdata.generator import seed

    with app.app_context():
        db.create_all()
        with clock.freeze(TODAY):
            seed(kommunen=53, lines=size, today=TODAY, seed_value=seed_value, app_config=app.config)
        create_user(email="finance@bench.nrw", name="Bench", password="Bench-Passwort-123", role="finance",
                    actor_label="bench")
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def measure(app, repeat: int) -> tuple[list[float], list[float], int]:
    from app.budgets import status

    with app.app_context(), clock.freeze(TODAY):
        status.status_for()
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            result = status.status_for()
            times.append(time.perf_counter() - started)
            db.session.rollback()
        count = len(result)
    client = app.test_client()
    page = client.get("/anmelden")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    client.post("/anmelden", data={"email": "finance@bench.nrw", "password": "Bench-Passwort-123",
                                   "csrf_token": token})
    page_times = []
    with clock.freeze(TODAY):
        assert client.get("/budgets/uebersicht").status_code == 200
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get("/budgets/uebersicht")
            page_times.append(time.perf_counter() - started)
            assert response.status_code == 200
    return times, page_times, count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--database", default=None)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    print(f"Database: {(args.database or 'sqlite').split(':')[0]}; median of {args.repeat} runs; "
          f"load average {os.getloadavg()[0]:.2f}")
    print("| journal lines | build s | status_for() ms median (min) | page /budgets/uebersicht ms median (min) "
          "| grants |")
    print("|---:|---:|---:|---:|---:|")
    results = {}
    for size in args.sizes:
        url, drop = fresh_url(args.database)
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
        try:
            started = time.perf_counter()
            build(app, size, 2020)
            built = time.perf_counter() - started
            core, page, count = measure(app, args.repeat)
            results[size] = (core, page)
            print(f"| {size:,} | {built:.1f} | {_ms(core)} | {_ms(page)} | {count} |")
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            drop()
    if len(results) >= 2:
        small, large = results[min(results)], results[max(results)]
        for label, pick in (("median", statistics.median), ("min", min)):
            print(f"\nratio largest/smallest ({label}): status_for {pick(large[0]) / pick(small[0]):.2f}, "
                  f"page {pick(large[1]) / pick(small[1]):.2f}")


def _ms(times: list[float]) -> str:
    """Median and minimum in ms; on shared cores the minimum is the closer estimate of the work itself."""
    return f"{statistics.median(times) * 1000:.1f} ({min(times) * 1000:.1f})"


if __name__ == "__main__":
    main()

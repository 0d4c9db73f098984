"""Benchmark: the state-wide budget status (53 Kommunen) with 10,000 vs 1,000,000 journal lines.

Run from the repository root:  python bench/bench_budgets_status.py [--sizes 10000 1000000] [--database URL]

For each size a fresh database is filled by ``app.benchdata.generator.seed`` (the generator behind
``durchstarten seed-bench``): one grant per Kommune through ``set_commitment``, drawdowns (requested,
approved, paid) and single expenses with their journals until ``size`` ledger entries exist, all
consistent with the ledger (``verify-ledger`` clean), balances and daily expense totals written once.
All sizes are built first and then measured in one process, alternating (``--repeat`` rounds, the
order of the sizes reversed every other round, after one warm-up each), so that the machine's load
hits every size alike: ``status.status_for()`` (what the page and ``/api/v1/budgets/status`` compute)
and the whole page ``GET /budgets/uebersicht`` through the test client, each in wall time
(``perf_counter``) and CPU time of the process (``process_time``; the database server's CPU is not in it).
The status reads the balance table, so its time must not grow with the journal (target: < 100 ms and
at most 1.5 x the 10,000-line time).
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


def login(app):
    client = app.test_client()
    page = client.get("/anmelden")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    client.post("/anmelden", data={"email": "finance@bench.nrw", "password": "Bench-Passwort-123",
                                   "csrf_token": token})
    return client


def once(app, client) -> tuple[float, float, float, float, int]:
    """One ``status_for()`` and one page: (wall, CPU) seconds of each, and the number of grants."""
    from app.budgets import status

    with app.app_context(), clock.freeze(TODAY):
        wall, cpu = time.perf_counter(), time.process_time()
        result = status.status_for()
        core = (time.perf_counter() - wall, time.process_time() - cpu)
        db.session.rollback()
    with clock.freeze(TODAY):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get("/budgets/uebersicht")
        page = (time.perf_counter() - wall, time.process_time() - cpu)
    assert response.status_code == 200
    return *core, *page, len(result)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--database", default=None)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    apps, drops, built = {}, [], {}
    try:
        for size in args.sizes:  # every size is built first, then measured alternately in this one process
            url, drop = fresh_url(args.database)
            drops.append(drop)
            apps[size] = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
            started = time.perf_counter()
            build(apps[size], size, 2020)
            built[size] = time.perf_counter() - started
        clients = {size: login(app) for size, app in apps.items()}
        samples: dict[int, list[tuple]] = {size: [] for size in apps}
        for size, app in apps.items():
            once(app, clients[size])  # warm-up
        loads = [os.getloadavg()[0]]
        for round_number in range(args.repeat):  # the order of the sizes alternates from round to round
            for size in (args.sizes if round_number % 2 == 0 else list(reversed(args.sizes))):
                samples[size].append(once(apps[size], clients[size]))
            loads.append(os.getloadavg()[0])
        print(f"Database: {(args.database or 'sqlite').split(':')[0]}; {args.repeat} rounds, sizes alternating "
              f"in one process; median (min); load average {min(loads):.2f}–{max(loads):.2f}")
        print("| journal lines | build s | status_for() wall ms | status_for() CPU ms | page wall ms | page CPU ms "
              "| grants |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for size in args.sizes:
            columns = list(zip(*samples[size], strict=True))
            print(f"| {size:,} | {built[size]:.1f} | " + " | ".join(_ms(list(c)) for c in columns[:4])
                  + f" | {columns[4][0]} |")
        if len(apps) >= 2:
            small = list(zip(*samples[min(apps)], strict=True))
            large = list(zip(*samples[max(apps)], strict=True))
            for label, pick in (("median", statistics.median), ("min", min)):
                print(f"\nratio largest/smallest ({label}): status_for wall {pick(large[0]) / pick(small[0]):.2f} "
                      f"CPU {pick(large[1]) / pick(small[1]):.2f}, page wall {pick(large[2]) / pick(small[2]):.2f} "
                      f"CPU {pick(large[3]) / pick(small[3]):.2f}")
    finally:
        for app in apps.values():
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        for drop in drops:
            drop()


def _ms(times: list[float]) -> str:
    """Median and minimum in ms; on shared cores the minimum is the closer estimate of the work itself."""
    return f"{statistics.median(times) * 1000:.1f} ({min(times) * 1000:.1f})"


if __name__ == "__main__":
    main()

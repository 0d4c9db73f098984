"""Profile the hot budget paths in-process: SQL statements per request and time per request.

Run from the repository root:  python bench/profile_budgets.py [--database URL] [--requests 200]
                                                                [--lines 20000] [--profile drawdown]

Fresh database with ``app.benchdata.generator.seed`` (53 grants), a Kommune user with an API
token; then, through the Flask test client (no HTTP server), ``--requests`` times each: ``/healthz`` (the
floor: routing and middleware only), ``/api/v1/me`` (the floor of an authenticated API read: token
lookup, flask-smorest, serialization, one statement), the Kommune's grant status (GET), one expense (POST), one
drawdown request with an Idempotency-Key (POST). Prints per scenario the SQL statements per
request (counted with a cursor event), the median/p95 wall time and the median CPU time of this
process per request with its ratio to ``/healthz`` (CPU time hardly depends on what else runs on
the machine, unlike wall time). ``--profile SCENARIO`` additionally prints a pyinstrument (or cProfile) profile
of that scenario.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402
from app.platform import clock  # noqa: E402
from app.platform.extensions import db  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from bench_http import TODAY, fresh_database, prepare  # noqa: E402

SCENARIOS = ("healthz", "me", "status", "expense", "drawdown")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default=None)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--profile", default=None, choices=SCENARIOS)
    parser.add_argument("--sql", action="store_true", help="print the SQL of one request per scenario")
    args = parser.parse_args()
    url, drop = fresh_database(args.database, "bench_profile")
    try:
        info = prepare(url, args.lines)
        app = create_app("default", {"SQLALCHEMY_DATABASE_URI": url})
        client = app.test_client()
        headers = {"Authorization": f"Bearer {info['secret']}"}
        grant = f"/api/v1/budgets/grants/{info['grant_id']}"
        statements = [0]
        seen: list[str] = []

        def count(_conn, _cursor, sql, *_rest):
            statements[0] += 1
            seen.append(" ".join(sql.split())[:160])

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", count)
        counter = [0]

        def call(scenario: str):
            counter[0] += 1
            if scenario == "healthz":
                return client.get("/healthz")
            if scenario == "me":
                return client.get("/api/v1/me", headers=headers)
            if scenario == "status":
                return client.get(grant, headers=headers)
            if scenario == "expense":
                return client.post(grant + "/expenses", headers=headers, json={
                    "module": "F1", "expense_date": "2022-06-01", "amount": "12.34", "voucher_ref": f"P-{counter[0]}"})
            return client.post(grant + "/drawdowns", headers={**headers, "Idempotency-Key": f"p-{counter[0]}"},
                               json={"module": "F1", "amount": "1.00", "purpose": "Profil"})

        print(f"Database: {url.split(':')[0].split('+')[0]}; {args.requests} requests per scenario, in-process")
        print("| scenario | SQL statements per request | median ms | p95 ms | CPU ms | CPU vs /healthz |")
        print("|---|---:|---:|---:|---:|---:|")
        floor = None
        with clock.freeze(TODAY):
            for scenario in SCENARIOS:
                for _ in range(5):
                    answer = call(scenario)
                    assert answer.status_code in (200, 201), (scenario, answer.get_data(as_text=True)[:300])
                if args.sql:
                    seen.clear()
                    call(scenario)
                    print(f"\n{scenario}:\n  " + "\n  ".join(seen) + "\n")
                statements[0] = 0
                times, cpu = [], []
                for _ in range(args.requests):
                    started, started_cpu = time.perf_counter(), time.process_time()
                    response = call(scenario)
                    times.append(time.perf_counter() - started)
                    cpu.append(time.process_time() - started_cpu)
                    assert response.status_code in (200, 201), response.get_data(as_text=True)
                times.sort()
                cpu_ms = statistics.median(cpu) * 1000
                floor = floor or cpu_ms
                print(f"| {scenario} | {statements[0] / args.requests:.1f} | {statistics.median(times) * 1000:.1f} | "
                      f"{times[int(len(times) * 0.95)] * 1000:.1f} | {cpu_ms:.2f} | {floor / cpu_ms:.0%} |")
            if args.profile:
                try:
                    from pyinstrument import Profiler
                except ImportError:  # pragma: no cover
                    import cProfile
                    import pstats

                    profile = cProfile.Profile()
                    profile.enable()
                    for _ in range(args.requests):
                        call(args.profile)
                    profile.disable()
                    pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
                else:
                    profiler = Profiler(interval=0.0005)
                    profiler.start()
                    for _ in range(args.requests):
                        call(args.profile)
                    profiler.stop()
                    print(profiler.output_text(unicode=False, color=False, show_all=False))
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()

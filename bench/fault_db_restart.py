"""Fault test: the PostgreSQL server restarted under load (a throwaway cluster, never the shared one).

Run from the repository root:  python bench/fault_db_restart.py [--seconds 24] [--down 4] [--threads 4]

Starts a private cluster (initdb, fsync off, a free port, as in STACK.md), fills a fresh database
with ``app.benchdata.generator.seed`` (53 grants, 20,000 ledger entries), starts
``gunicorn -w 2``, and runs ``--threads`` clients that alternately read the Kommune's budget status
and request a 1.00 EUR drawdown (each with its own Idempotency-Key). After 6 s the cluster is
stopped (``pg_ctl -m fast``), ``--down`` s later started again; gunicorn is not touched.

Reported per phase (before / database down / after): answers by status code, slowest request,
whether every error was ``application/problem+json`` (no HTML, no hang: client timeout 30 s),
the time from the restart to the first and to the last failed request, and afterwards that every
201 booked exactly one drawdown and ``verify_ledger`` is clean. PASS when: no request hangs, every
error is a 5xx problem+json, the service answers 2xx again within 5 s of the restart without
restarting gunicorn, and the ledger is consistent.
"""

from __future__ import annotations

import argparse
import os
import threading
import time

from bench_http import TODAY, prepare
from faultlib import Cluster, Server, fresh_database
from sqlalchemy import func, select

from app import create_app
from app.platform.extensions import db


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=24)
    parser.add_argument("--down", type=float, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--quiet-outage", action="store_true",
                        help="no requests while the database is down (pooled connections go stale unnoticed)")
    args = parser.parse_args()
    cluster = Cluster()
    server = None
    try:
        url, _drop = fresh_database(cluster.url, "bench_restart")
        info = prepare(url, 20_000)
        app = create_app("default", {"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            from app.budgets.models import Drawdown

            seeded = db.session.scalar(select(func.count()).select_from(Drawdown))
            db.session.remove()
            db.engine.dispose()
        server = Server(url, today=TODAY.isoformat())
        paused = threading.Event()
        records: list[tuple[float, str, int, float, str]] = []
        lock = threading.Lock()
        began = time.perf_counter()
        stop_at = began + args.seconds
        counter = [0]
        headers = {"Authorization": f"Bearer {info['secret']}"}
        grant = f"/api/v1/budgets/grants/{info['grant_id']}"

        def client() -> None:
            while time.perf_counter() < stop_at:
                if paused.is_set():
                    time.sleep(0.05)
                    continue
                with lock:
                    counter[0] += 1
                    number = counter[0]
                started = time.perf_counter()
                if number % 2:
                    kind, answer = "status", server.call("GET", grant, headers=headers, timeout=30)
                else:
                    kind, answer = "drawdown", server.call(
                        "POST", grant + "/drawdowns", {"module": "F1", "amount": "1.00", "purpose": "Neustart"},
                        {**headers, "Idempotency-Key": f"restart-{number}"}, timeout=30)
                status, _body, response_headers = answer
                with lock:
                    records.append((started - began, kind, status, time.perf_counter() - started,
                                    response_headers.get("Content-Type", "")))

        threads = [threading.Thread(target=client) for _ in range(args.threads)]
        for thread in threads:
            thread.start()
        time.sleep(6)
        if args.quiet_outage:
            paused.set()
            time.sleep(1)  # requests in flight finish
        stopped_at = time.perf_counter() - began
        cluster.stop("fast")
        time.sleep(args.down)
        cluster.start()
        restarted_at = time.perf_counter() - began
        paused.clear()
        for thread in threads:
            thread.join()
        load = os.getloadavg()[0]
    finally:
        if server is not None:
            server.stop()
    with app.app_context():
        from app.budgets.models import Drawdown
        from app.budgets.verify import verify_ledger

        drawdowns = db.session.scalar(select(func.count()).select_from(Drawdown)) - seeded
        problems = verify_ledger()
        db.session.remove()
        db.engine.dispose()
    cluster.destroy()

    phases = {"before": [], "database down": [], "after restart": []}
    for record in records:
        at = record[0]
        phase = "before" if at < stopped_at else "database down" if at < restarted_at else "after restart"
        phases[phase].append(record)
    failures = [r for r in records if r[2] >= 400 or r[2] == 0]
    bad_errors = [r for r in failures if r[2] < 500 or "application/problem+json" not in r[4]]
    after_failures = [r for r in failures if r[0] >= restarted_at]
    first_ok_after = min((r[0] for r in records if r[0] >= restarted_at and r[2] < 400), default=None)
    booked = sum(1 for r in records if r[1] == "drawdown" and r[2] == 201)
    print(f"{'Quiet outage (no requests while down). ' if args.quiet_outage else ''}"
          f"PostgreSQL throwaway cluster stopped at {stopped_at:.1f} s for {args.down:.0f} s, started again at "
          f"{restarted_at:.1f} s; gunicorn -w 2 untouched; {args.threads} clients; load average {load:.2f}")
    print("| phase | requests | answers | slowest ms |")
    print("|---|---:|---|---:|")
    for phase, items in phases.items():
        codes: dict[int, int] = {}
        for item in items:
            codes[item[2]] = codes.get(item[2], 0) + 1
        slowest = max((item[3] for item in items), default=0) * 1000
        print(f"| {phase} | {len(items)} | {dict(sorted(codes.items()))} | {slowest:.0f} |")
    recovery = None if first_ok_after is None else first_ok_after - restarted_at
    last_failure = max((r[0] for r in after_failures), default=None)
    last = "-" if last_failure is None else f"{last_failure - restarted_at:.2f} s"
    print(f"\nerrors that were not 5xx problem+json: {len(bad_errors)} {bad_errors[:3]}")
    print(f"first 2xx after the restart: {'never' if recovery is None else f'{recovery:.2f} s'}; failures after the "
          f"restart: {len(after_failures)} (last at {last} after it)")
    print(f"drawdowns answered 201: {booked}, booked: {drawdowns}; verify_ledger: "
          f"{'clean' if not problems else problems[:3]}")
    hung = [r for r in records if r[3] >= 29]
    ok = not bad_errors and not hung and recovery is not None and recovery < 5 and booked == drawdowns \
        and not problems
    print(f"result: {'PASS' if ok else 'FAIL'}")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()

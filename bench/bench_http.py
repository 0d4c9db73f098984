"""Benchmark: HTTP throughput and latency under ``gunicorn -w 2``, each scenario next to ``/healthz``.

Run from the repository root:  python bench/bench_http.py [--database URL] [--seconds 8] [--rounds 3]
                                                           [--threads 8] [--workers 2] [--lines 100000]

Prepares a fresh database (SQLite file, or a fresh PostgreSQL database ``bench_http_<random>`` that
is dropped afterwards) with ``app.benchdata.generator.seed`` (53 Kommune grants, ``--lines`` ledger
entries, consistent with the ledger), a Kommune user with an API token, and starts
``gunicorn -w N "app:create_app()"`` with ``FAKE_TODAY=2022-06-15``. Then, ``--rounds`` times in
turn, ``--threads`` client threads (one new connection per request, as gunicorn's sync workers
close them) run each scenario for ``--seconds``:

* ``healthz``: ``GET /healthz`` (the ceiling of the stack: routing, middleware, no database);
* ``status``: ``GET /api/v1/budgets/grants/<id>`` (the Kommune's budget status, read);
* ``expense``: ``POST /api/v1/budgets/grants/<id>/expenses`` (one expense of 12.34 EUR, write);
* ``drawdown``: ``POST /api/v1/budgets/grants/<id>/drawdowns`` (1.00 EUR with an Idempotency-Key).

Reports per scenario the median requests/s over the rounds with min-max, latency p50/p95/p99 over
all requests, the ratio to ``/healthz`` of the same rounds (targets: reads >= 50 %, writes >= 25 %),
status codes; afterwards it checks the booked counts and runs ``verify_ledger()``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from faultlib import GUNICORN, free_port, fresh_database  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from app import create_app  # noqa: E402
from app.platform import clock  # noqa: E402
from app.platform.extensions import db  # noqa: E402

TODAY = date(2022, 6, 15)
SCENARIOS = ("healthz", "status", "expense", "drawdown")
TARGETS = {"status": 0.50, "expense": 0.25, "drawdown": 0.25}


def prepare(url: str, lines: int) -> dict:
    """Schema, bench data, a Kommune user with a token; returns what the clients need."""
    from app.auth.services import create_token, create_user
    from app.benchdata.generator import seed
    from app.budgets.models import Grant

    app = create_app("default", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        with clock.freeze(TODAY):
            result = seed(kommunen=53, lines=lines, today=TODAY, app_config=app.config)
            grant = db.session.get(Grant, result.grant_ids[0])
            user = create_user(email="http@bench.nrw", name="Bench", password="Bench-Passwort-123", role="kommune",
                               kommune_ags=grant.kommune.ags, actor_label="bench")
            _token, secret = create_token(user, "bench")
        db.session.commit()
        info = {"grant_id": grant.id, "secret": secret, "entries": result.entries}
        db.session.remove()
        db.engine.dispose()
    return info


class Client:
    def __init__(self, port: int, info: dict) -> None:
        self.port, self.grant_id = port, info["grant_id"]
        self.headers = {"Authorization": f"Bearer {info['secret']}", "Content-Type": "application/json"}
        self.counter = 0
        self.lock = threading.Lock()

    def call(self, scenario: str) -> int:
        method, path, body, headers = "GET", "/healthz", None, {}
        grant = f"/api/v1/budgets/grants/{self.grant_id}"
        if scenario == "status":
            path, headers = grant, self.headers
        elif scenario == "expense":
            with self.lock:
                self.counter += 1
                number = self.counter
            method, path, headers = "POST", grant + "/expenses", self.headers
            body = {"module": "F1", "expense_date": "2022-06-01", "amount": "12.34",
                    "voucher_ref": f"HTTP-{number}"}  # one voucher each: the duplicate check refuses a repeated one
        elif scenario == "drawdown":
            with self.lock:
                self.counter += 1
                number = self.counter
            method, path = "POST", grant + "/drawdowns"
            headers = {**self.headers, "Idempotency-Key": f"bench-{number}"}
            body = {"module": "F1", "amount": "1.00", "purpose": "Bench"}
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status
        except OSError:
            return 0
        finally:
            conn.close()


def run(client: Client, scenario: str, threads: int, seconds: float) -> tuple[float, list[float], dict[int, int]]:
    latencies: list[float] = []
    codes: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker() -> None:
        mine, my_codes = [], {}
        while time.perf_counter() < stop:
            started = time.perf_counter()
            code = client.call(scenario)
            mine.append(time.perf_counter() - started)
            my_codes[code] = my_codes.get(code, 0) + 1
        with lock:
            latencies.extend(mine)
            for code, count in my_codes.items():
                codes[code] = codes.get(code, 0) + count

    began = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return len(latencies) / (time.perf_counter() - began), latencies, codes


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * share), len(ordered) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=SCENARIOS)
    args = parser.parse_args()
    url, drop = fresh_database(args.database, "bench_http")
    server = None
    try:
        info = prepare(url, args.lines)
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "FAKE_TODAY": TODAY.isoformat(),
               "DURCHSTARTEN_INSTANCE": tempfile.mkdtemp()}
        server = subprocess.Popen([GUNICORN, "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "--log-level",
                                   "warning", "app:create_app()"], cwd=ROOT, env=env)
        client = Client(port, info)
        for _ in range(200):
            if client.call("healthz") == 200:
                break
            time.sleep(0.1)
        for scenario in args.scenarios:  # warm-up: imports, caches, connection pools
            for _ in range(10):
                client.call(scenario)
        rates: dict[str, list[float]] = {s: [] for s in args.scenarios}
        latencies: dict[str, list[float]] = {s: [] for s in args.scenarios}
        codes: dict[str, dict[int, int]] = {s: {} for s in args.scenarios}
        loads = []
        for _round in range(args.rounds):
            for scenario in args.scenarios:
                rate, times, answered = run(client, scenario, args.threads, args.seconds)
                rates[scenario].append(rate)
                latencies[scenario] += times
                for code, count in answered.items():
                    codes[scenario][code] = codes[scenario].get(code, 0) + count
            loads.append(os.getloadavg()[0])
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    engine = url.split(":")[0].split("+")[0]
    print(f"Database: {engine}; gunicorn -w {args.workers}; {args.threads} client threads; {args.rounds} rounds x "
          f"{args.seconds:.0f} s per scenario; {info['entries']:,} ledger entries; load average (1 min) during the "
          f"rounds {min(loads):.2f}-{max(loads):.2f}")
    print("| scenario | req/s median (min-max) | p50 ms | p95 ms | p99 ms | vs /healthz | target | status codes |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    base = statistics.median(rates["healthz"]) if "healthz" in rates else None
    for scenario in args.scenarios:
        values, times = rates[scenario], latencies[scenario]
        ratio = statistics.median(values) / base if base else None
        target = TARGETS.get(scenario)
        verdict = "" if target is None or ratio is None else (
            f"≥ {target:.0%}: {'met' if ratio >= target else 'missed'}")
        print(f"| {scenario} | {statistics.median(values):,.1f} ({min(values):,.1f}-{max(values):,.1f}) | "
              f"{percentile(times, 0.5) * 1000:.1f} | {percentile(times, 0.95) * 1000:.1f} | "
              f"{percentile(times, 0.99) * 1000:.1f} | {'' if ratio is None else f'{ratio:.0%}'} | {verdict} | "
              f"{dict(sorted(codes[scenario].items()))} |")
    app = create_app("default", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from app.budgets.models import Drawdown, Expense
        from app.budgets.verify import verify_ledger

        booked = {"drawdowns": db.session.scalar(select(func.count()).select_from(Drawdown)),
                  "expenses": db.session.scalar(select(func.count()).select_from(Expense))}
        problems = verify_ledger()
        print(f"\nafterwards: {booked}; verify_ledger: {'clean' if not problems else problems[:3]}")
        db.session.remove()
        db.engine.dispose()
    drop()


if __name__ == "__main__":
    main()

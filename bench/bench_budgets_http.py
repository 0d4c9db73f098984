"""Benchmark: booking throughput over HTTP with gunicorn (drawdown requests and expenses via the API).

Run from the repository root:  python bench/bench_budgets_http.py [--workers 2] [--threads 8] [--seconds 10]
                                                                  [--database URL]

Prepares a fresh database (SQLite file by default, or a fresh PostgreSQL database) with one grant
and a Kommune token, starts ``gunicorn -w N "app:create_app()"`` with ``FAKE_TODAY=2021-05-01``, then
``--threads`` clients post for ``--seconds``: drawdown requests of 1.00 EUR (each with its own
Idempotency-Key) and single expenses, alternating. Reports requests/s and latency percentiles, then
checks that every drawdown booked once and ``verify_ledger()`` finds nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))  # the project's environment, activated or not

from app import create_app  # noqa: E402
from app.platform import clock  # noqa: E402
from app.platform.extensions import db  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(url: str) -> tuple[int, str]:
    from app.auth.services import create_token, create_user
    from app.budgets.services import set_commitment
    from app.reference.services import get_programme, kommune_by_ags, load_programme, load_reference_data

    app = create_app("default", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), clock.freeze(date(2021, 1, 4)):
        db.create_all()
        load_programme(app.config["PROGRAMME_FILE"])
        load_reference_data()
        grant = set_commitment(programme_id=get_programme().id, source="bench:http", reference="B-HTTP",
                               recipient_kind="kommune", kommune_id=kommune_by_ags("05315").id, funding_rate_bp=8000,
                               start_date=date(2020, 7, 1), last_expense_date=date(2023, 6, 30),
                               lines={("F1", 2021): 10_000_000_00})
        user = create_user(email="http@bench.nrw", name="Bench", password="Bench-Passwort-123", role="kommune",
                           kommune_ags="05315", actor_label="bench")
        _token, secret = create_token(user, "bench")
        db.session.commit()
        grant_id = grant.id
        db.session.remove()
        db.engine.dispose()
    return grant_id, secret


def post(base: str, path: str, body: dict, secret: str, key: str | None = None) -> int:
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - local server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    drop = None
    if args.database and args.database.startswith("postgresql"):
        name = f"bench_http_{secrets.token_hex(4)}"
        admin = create_engine(args.database, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = args.database.rsplit("/", 1)[0] + "/" + name

        def drop():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/http.db"
    grant_id, secret = prepare(url)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "FAKE_TODAY": "2021-05-01",
           "DURCHSTARTEN_INSTANCE": tempfile.mkdtemp()}
    server = subprocess.Popen([GUNICORN, "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "--log-level",
                               "warning", "app:create_app()"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310 - local server
                break
            except OSError:
                time.sleep(0.1)
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        lock = threading.Lock()
        stop = time.perf_counter() + args.seconds

        def client(number: int) -> None:
            count = 0
            while time.perf_counter() < stop:
                count += 1
                started = time.perf_counter()
                if count % 2:
                    code = post(base, f"/api/v1/budgets/grants/{grant_id}/drawdowns",
                                {"module": "F1", "amount": "1.00", "purpose": "bench"}, secret,
                                key=f"t{number}-{count}")
                else:
                    code = post(base, f"/api/v1/budgets/grants/{grant_id}/expenses",
                                {"module": "F1", "expense_date": "2021-04-01", "amount": "12.34"}, secret)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    statuses[code] = statuses.get(code, 0) + 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.threads)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(f"Database: {url.split(':')[0]}; gunicorn -w {args.workers}; {args.threads} client threads; "
          f"{args.seconds:.0f} s")
    print("| requests | requests/s | p50 ms | p95 ms | status codes |")
    print("|---:|---:|---:|---:|---|")
    print(f"| {len(latencies):,} | {len(latencies) / wall:,.0f} | {statistics.median(latencies) * 1000:.1f} | "
          f"{p95 * 1000:.1f} | {statuses} |")
    app = create_app("default", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from app.budgets.models import Drawdown, Expense
        from app.budgets.verify import verify_ledger

        drawdowns = db.session.scalar(select(func.count()).select_from(Drawdown))
        expenses = db.session.scalar(select(func.count()).select_from(Expense))
        problems = verify_ledger()
        print(f"booked: {drawdowns} drawdowns, {expenses} expenses; verify_ledger: "
              f"{'clean' if not problems else problems[:3]}")
        db.session.remove()
        db.engine.dispose()
    if drop:
        drop()


if __name__ == "__main__":
    main()

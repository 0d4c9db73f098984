"""Benchmark: exports and a large import under ``gunicorn -w 2`` with the scheduler building exports (issue #19).

Run from the repository root:
    python bench/bench_background.py [--database URL] [--lines 100000] [--import-lines 200000] [--direct-only]

Prepares a fresh database (SQLite file, or a fresh PostgreSQL database dropped afterwards) with
``app.benchdata.generator.seed`` (53 Kommune grants, ``--lines`` ledger entries), a programme
administrator and a Kommune user with an API token; starts ``gunicorn -w 2 "app:create_app()"`` and one
``durchstarten scheduler`` (``exports.build`` every 2 s). Then:

1. **import, quiet**: ``--import-lines`` expense lines into the first grant through
   ``POST /api/v1/budgets/grants/<id>/expenses/import`` (multipart): time and the worker's RSS.
2. **direct exports, quiet** (``EXPORT_BACKGROUND_ROWS`` is raised for this phase by a second gunicorn
   with the setting in its environment): the grant's expense export as CSV and XLSX
   (``/budgets/zuwendungen/<id>/ausgaben/export.csv|xlsx``): first byte, total, rows/s.
3. **under load**: four large exports asked for by the programme administrator (the offer page's token
   posted to ``/exporte``: expenses CSV and XLSX, the expense list's CSV and XLSX) and a second
   ``--import-lines`` import (another grant) at once; meanwhile ``/healthz`` and the start page ``/``
   are requested one after the other, each every 100 ms, until the exports are done. Reported: latency
   p50/p95/max of both, how long the exports took, the gunicorn workers' RSS (max during, after).
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_budgets_import import csv_bytes  # noqa: E402
from faultlib import Server, fresh_database  # noqa: E402

from app import create_app  # noqa: E402
from app.platform import clock  # noqa: E402
from app.platform.extensions import db  # noqa: E402

TODAY = date(2023, 6, 30)  # the bench CSV's lines are dated 2021-2022 and within the last expense date
PASSWORD = "Bench-Passwort-123"


def prepare(url: str, lines: int) -> dict:
    """Seed data, two grants with room for the bench CSV (bench_budgets_import.make_grant), the users."""
    from bench_budgets_import import make_grant

    from app.auth.services import create_token, create_user
    from app.benchdata.generator import seed

    app = create_app("default", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        with clock.freeze(TODAY):
            result = seed(kommunen=53, lines=lines, today=date(2022, 6, 15), app_config=app.config)
            db.session.commit()
            grants = [make_grant(number).id for number in (1, 2)]  # Kommune 05315, 50 M EUR per line
            create_user(email="admin@bench.nrw", name="Bench Admin", password=PASSWORD, role="programme_admin",
                        actor_label="bench")
            user = create_user(email="kommune@bench.nrw", name="Bench", password=PASSWORD, role="kommune",
                               kommune_ags="05315", actor_label="bench")
            secret = create_token(user, "bench")[1]
        db.session.commit()
        info = {"grants": grants, "secrets": [secret, secret], "entries": result.entries}
        db.session.remove()
        db.engine.dispose()
    return info


class Http:
    def __init__(self, port: int) -> None:
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, body=None, headers=None, timeout: float = 600):
        """(status, headers, body bytes, seconds to the first body byte, seconds in all)."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            first = response.read(1)
            first_byte = time.perf_counter() - started
            data = first + response.read()
            for value in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            return response.status, response.headers, data, first_byte, time.perf_counter() - started
        finally:
            conn.close()

    def login(self, email: str) -> None:
        page = self.request("GET", "/anmelden")[2].decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        self.form("/anmelden", {"email": email, "password": PASSWORD, "csrf_token": token})

    def form(self, path: str, data: dict):
        from urllib.parse import urlencode

        return self.request("POST", path, urlencode(data), {"Content-Type": "application/x-www-form-urlencoded"})


def import_csv(port: int, grant_id: int, secret: str, lines: int) -> tuple[int, float]:
    boundary = uuid.uuid4().hex
    payload = io.BytesIO()
    payload.write(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.csv"\r\n'
                  "Content-Type: text/csv\r\n\r\n".encode())
    payload.write(csv_bytes(lines))
    payload.write(f"\r\n--{boundary}--\r\n".encode())
    status, _h, body, _f, seconds = Http(port).request(
        "POST", f"/api/v1/budgets/grants/{grant_id}/expenses/import", payload.getvalue(),
        {"Authorization": f"Bearer {secret}", "Content-Type": f"multipart/form-data; boundary={boundary}"})
    if status != 201:
        print(f"import answered {status}: {body[:300]!r}", file=sys.stderr)
    return status, seconds


def worker_rss(server: Server) -> list[int]:
    """RSS (MiB) of the gunicorn workers."""
    sizes = []
    for pid in server.workers():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        sizes += [int(line.split()[1]) // 1024 for line in status.splitlines() if line.startswith("VmRSS:")]
    return sizes


def start_gunicorn(url: str, env: dict) -> Server:
    return Server(url, today=TODAY.isoformat(), timeout=600, env=env)


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(int(len(ordered) * 0.95), len(ordered) - 1)]
    return (f"{statistics.median(ordered) * 1000:.0f} / {p95 * 1000:.0f} / {ordered[-1] * 1000:.0f} ms "
            f"(n={len(ordered)}, {sum(v > 0.3 for v in ordered)} over 300 ms)")


def direct_exports(url: str, env: dict, grant: int, servers: list) -> None:
    """Phase 2: the grant's expense export streamed directly (threshold raised) as CSV and XLSX."""
    servers.append(start_gunicorn(url, {**env, "EXPORT_BACKGROUND_ROWS": "10000000"}))
    admin = Http(servers[-1].port)
    admin.login("admin@bench.nrw")
    print("\n2. Direct exports (quiet), expenses of the grant")
    print("| export | rows | first byte | total | rows/s |\n|---|---:|---:|---:|---:|")
    for fmt in ("csv", "xlsx"):
        path = f"/budgets/zuwendungen/{grant}/ausgaben/export.{fmt}"
        code, headers, body, first, total = admin.request("GET", path)
        if fmt == "csv":
            rows = body.count(b"\r\n") - 1
        else:  # rows of the (only) sheet, counted in its XML
            with zipfile.ZipFile(io.BytesIO(body)) as book:
                rows = book.read("xl/worksheets/sheet1.xml").count(b"<row ") - 1
        print(f"| {fmt.upper()} ({code}) | {rows:,} | {first * 1000:.0f} ms | {total:.2f} s | "
              f"{rows / total:,.0f} |")
    servers.pop().stop()


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the servers and drop the database
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default=None)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--import-lines", type=int, default=200_000)
    parser.add_argument("--skip-direct", action="store_true", help="leave out phase 2 (direct exports)")
    parser.add_argument("--direct-only", action="store_true", help="stop after phase 2 (direct exports)")
    args = parser.parse_args()
    url, drop = fresh_database(args.database, "bench_bg")
    servers: list[Server] = []
    scheduler = None
    try:
        started = time.perf_counter()
        info = prepare(url, args.lines)
        print(f"Seeded {info['entries']:,} ledger entries in {time.perf_counter() - started:.0f} s; "
              f"load {os.getloadavg()[0]:.1f}")
        env = {"UPLOAD_FOLDER": tempfile.mkdtemp(),  # shared by the workers and the scheduler (export files)
               "SCHEDULER_SCHEDULES": json.dumps({"exports.build": {"trigger": "interval", "seconds": 2}})}
        servers.append(start_gunicorn(url, env))
        port = servers[0].port
        grant, other = info["grants"]
        rss_before = worker_rss(servers[0])
        status, seconds = import_csv(port, grant, info["secrets"][0], args.import_lines)
        print(f"\n1. Import of {args.import_lines:,} lines (quiet): {status}, {seconds:.1f} s, "
              f"{args.import_lines / seconds:,.0f} lines/s; worker RSS before {rss_before} MiB, "
              f"after {worker_rss(servers[0])} MiB")

        if not args.skip_direct:
            direct_exports(url, env, grant, servers)
        if args.direct_only:
            return
        probe = Http(port)
        probe.login("admin@bench.nrw")
        health, page = [], []
        for _ in range(60):  # the same probes without background work, for comparison
            health.append(Http(port).request("GET", "/healthz")[4])
            page.append(probe.request("GET", "/")[4])
            time.sleep(0.1)
        print(f"\nQuiet (nothing else running): /healthz {summary(health)}; / {summary(page)}; "
              f"load {os.getloadavg()[0]:.1f}")

        scheduler_env = {**os.environ, **env, "DATABASE_URL": url, "FAKE_TODAY": TODAY.isoformat()}
        scheduler = subprocess.Popen([str(Path(sys.executable).parent / "durchstarten"), "scheduler"], cwd=ROOT,
                                     env=scheduler_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        admin = Http(port)
        admin.login("admin@bench.nrw")
        base = f"/budgets/zuwendungen/{grant}/ausgaben"
        queued = 0
        asked = time.perf_counter()
        for path in (f"{base}/export.csv", f"{base}/export.xlsx", f"{base}?export=csv", f"{base}?export=xlsx"):
            page = admin.request("GET", path)[2].decode()
            token = re.search(r'name="token" value="([^"]+)"', page)
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
            if token and csrf:
                queued += admin.form("/exporte", {"token": token.group(1),
                                                  "csrf_token": csrf.group(1)})[0] == 302
        print(f"\n3. Under load: {queued} background exports queued, import of {args.import_lines:,} lines started")
        imported: dict = {}
        loader = threading.Thread(target=lambda: imported.update(
            result=import_csv(port, other, info["secrets"][1], args.import_lines)))
        loader.start()
        health, page, rss_max = [], [], 0
        done_at = None
        while True:
            health.append(Http(port).request("GET", "/healthz")[4])
            page.append(probe.request("GET", "/")[4])
            rss_max = max([rss_max, *worker_rss(servers[0])])
            if len(health) % 20 == 0:
                listing = probe.request("GET", "/exporte")[2].decode()
                if done_at is None and listing.count("/datei") >= queued:
                    done_at = time.perf_counter() - asked
                if (done_at is not None and not loader.is_alive()) or time.perf_counter() - asked > 900:
                    break
            time.sleep(0.1)
        loader.join()
        time.sleep(2)
        print(f"exports done after {done_at or float('nan'):.0f} s; import {imported.get('result')}")
        print("| request | p50 / p95 / max |\n|---|---|")
        print(f"| /healthz | {summary(health)} |\n| / (start page, programme admin) | {summary(page)} |")
        print(f"gunicorn worker RSS: max during {rss_max} MiB, after {worker_rss(servers[0])} MiB; "
              f"load {os.getloadavg()[0]:.1f}")
    finally:
        stop(scheduler)
        for server in servers:
            server.stop()
        drop()


if __name__ == "__main__":
    main()

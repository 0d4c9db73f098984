"""The pages that still grew with the journal (issue #19): drawdown lists and the grant page, two seeded databases.

Unlike ``bench_crawl.py`` (fresh databases per run), this reads two databases seeded once by
``bench_crawl.build`` (53 Kommune grants, ``--small`` / ``--large`` journal lines, one user per role), so
that two checkouts can be measured alternately against the same data: ``--root`` imports the application
of another checkout (e.g. ``/work/main`` for "before"). Per (role, URL): median and minimum CPU
(``time.process_time``, the application's Python work) and wall ms over ``--repeat`` requests, the sizes
alternating; the growth is the ratio of the medians. ``--profile URL`` prints a cProfile of one page at the
large size instead; ``--sql`` prints each statement's count and time.

    python bench/bench_growth.py --small postgresql+psycopg://postgres@127.0.0.1:5432/growth_10k \
        --large postgresql+psycopg://postgres@127.0.0.1:5432/growth_1m [--root /work/main] [--repeat 15]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--small", required=True)
parser.add_argument("--large", required=True)
parser.add_argument("--root", default=str(Path(__file__).resolve().parents[1]))
parser.add_argument("--repeat", type=int, default=15)
parser.add_argument("--profile", default=None)
parser.add_argument("--sql", action="store_true")
args = parser.parse_args()
sys.path.insert(0, args.root)

from datetime import date  # noqa: E402

from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402
from app.platform import clock  # noqa: E402

TODAY = date(2022, 6, 15)  # as bench_budgets_status.TODAY, the seeding day
PASSWORD = "Bench-Passwort-123"
PAGES = [("programme_admin", "/budgets/mittelabrufe?status=requested"),
         ("programme_admin", "/budgets/mittelabrufe?status=approved"),
         ("programme_admin", "/budgets/mittelabrufe"),
         ("finance", "/budgets/mittelabrufe"),
         ("finance", "/budgets/mittelabrufe?status=paid"),
         ("kommune", "/budgets/mittelabrufe"),
         ("finance", "/budgets/zuwendungen/42"),
         ("programme_admin", "/budgets/zuwendungen/35"),
         ("kommune", "/budgets/zuwendungen/1")]


def login(app, role):
    client = app.test_client()
    page = client.get("/anmelden")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    client.post("/anmelden", data={"email": f"{role}@bench.nrw", "password": PASSWORD, "csrf_token": token})
    return client


def timed(client, url):
    cpu, wall = time.process_time(), time.perf_counter()
    response = client.get(url)
    response.get_data()
    assert response.status_code == 200, (url, response.status_code)
    return (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def main():
    apps = {name: create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": True})
            for name, url in (("small", args.small), ("large", args.large))}
    with clock.freeze(TODAY):
        clients = {(n, role): login(app, role) for n, app in apps.items() for role in {r for r, _ in PAGES}}
        if args.profile:
            role, url = args.profile.split(":", 1)
            client = clients["large", role]
            statements = []
            if args.sql:
                with apps["large"].app_context():
                    from app.platform.extensions import db
                    engine = db.engine

                @event.listens_for(engine, "before_cursor_execute")
                def before(conn, cursor, statement, parameters, context, executemany):
                    conn.info["t"] = time.perf_counter()

                @event.listens_for(engine, "after_cursor_execute")
                def after(conn, cursor, statement, parameters, context, executemany):
                    statements.append(((time.perf_counter() - conn.info["t"]) * 1000, statement))
            timed(client, url)
            statements.clear()
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(5):
                timed(client, url)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
            for ms, statement in statements[: len(statements) // 5]:
                print(f"{ms:8.2f} ms  {' '.join(statement.split())[:400]}")
            return
        for key in clients:
            for _, url in PAGES:
                if key[1] == _:
                    timed(clients[key], url)  # warm-up
        samples = {}
        loads = [os.getloadavg()[0]]
        for round_number in range(args.repeat):
            sizes = ("small", "large") if round_number % 2 == 0 else ("large", "small")
            for size in sizes:
                for role, url in PAGES:
                    samples.setdefault((size, role, url), []).append(timed(clients[size, role], url))
            loads.append(os.getloadavg()[0])
    print(f"Checkout {args.root}; load average {min(loads):.1f}–{max(loads):.1f}; {args.repeat} requests each")
    print("| role | URL | small: CPU / wall ms (min CPU) | large: CPU / wall ms (min CPU) | growth CPU | growth wall |")
    print("|---|---|---:|---:|---:|---:|")
    for role, url in PAGES:
        cells, cpu_med, wall_med = [], [], []
        for size in ("small", "large"):
            cpu, wall = zip(*samples[size, role, url], strict=True)
            cpu_med.append(statistics.median(cpu))
            wall_med.append(statistics.median(wall))
            cells.append(f"{cpu_med[-1]:.1f} / {wall_med[-1]:.1f} ({min(cpu):.1f})")
        print(f"| {role} | `{url}` | {cells[0]} | {cells[1]} | {cpu_med[1] / cpu_med[0]:.2f} | "
              f"{wall_med[1] / wall_med[0]:.2f} |")


if __name__ == "__main__":
    main()

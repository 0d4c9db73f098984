"""Start page and report timings per role with the demo data (target: < 300 ms each).

Seeds the demo into a fresh SQLite database (or reuses ``--instance DIR`` that already holds one),
logs in as each demo user with the test client, renders each page once to warm up, then N times,
and prints a Markdown table with the median and the slowest run.

    python bench/bench_pages.py [--day 2022-06-15] [--runs 15] [--instance DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PAGES = [
    ("koeln@demo.nrw", "Kommune", "/"),
    ("admin@demo.nrw", "Programmverwaltung", "/"),
    ("finanzen@demo.nrw", "Finanzen", "/"),
    ("pruefung@demo.nrw", "Prüfung", "/"),
    ("gutachter1@demo.nrw", "Gutachter/in", "/"),
    ("traeger@demo.nrw", "Träger", "/"),
    ("admin@demo.nrw", "Programmverwaltung", "/auswertungen"),
    ("admin@demo.nrw", "Programmverwaltung", "/karte?mass=gefaehrdet"),
    ("finanzen@demo.nrw", "Finanzen", "/budgets/mittelabrufe"),
    ("pruefung@demo.nrw", "Prüfung", "/audit"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--day", default="2022-06-15")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--instance", default=None)
    options = parser.parse_args()
    instance = options.instance or tempfile.mkdtemp(prefix="bench-pages-")
    os.environ["DURCHSTARTEN_INSTANCE"] = instance
    os.environ["FAKE_TODAY"] = options.day

    from app import create_app
    from app.demo import DEMO_PASSWORD, seed_demo
    from app.platform.extensions import db

    app = create_app()
    with app.app_context():
        if not (Path(instance) / "durchstarten.db").exists() or options.instance is None:
            from flask_migrate import upgrade

            upgrade()
            started = time.perf_counter()
            seed_demo(options.day)
            db.session.commit()
            print(f"Demo seeded for {options.day} in {time.perf_counter() - started:.1f} s ({instance})\n")
    print(f"Day {options.day}, SQLite, test client, {options.runs} warm runs per page\n")
    print(f"load average {os.getloadavg()[0]:.2f}; wall and CPU time of the process (the database is SQLite, "
          "in-process, so CPU time is the page's cost)\n")
    print("| Role | Page | Median ms | Max ms | CPU median ms | Status |")
    print("|---|---|---:|---:|---:|---|")
    for email, role, path in PAGES:
        client = app.test_client()
        login_page = client.get("/anmelden").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)
        client.post("/anmelden", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
        status = client.get(path).status_code  # warm-up
        timings, cpu = [], []
        for _ in range(options.runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            status = response.status_code
        print(f"| {role} | `{path}` | {statistics.median(timings):.0f} | {max(timings):.0f} "
              f"| {statistics.median(cpu):.0f} | {status} |")


if __name__ == "__main__":
    main()

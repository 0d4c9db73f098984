"""Every page and export of every role at several journal sizes, sizes alternated (issue #19).

For each ``--sizes`` value a fresh database gets 53 Kommune grants and that many ledger lines from the
generator behind ``durchstarten seed-bench`` plus one user per role (finance, programme administration,
audit, one Kommune). Each role's pages are found by crawling from ``/`` (links inside the site, at most
``--per-pattern`` URLs per path pattern with ids replaced, ``--limit`` per role), exports included (their
links are on the pages). Then ``--rounds`` rounds each request every URL once per size, the sizes
alternating inside the round, so that machine load hits every size alike.

Per request: wall time to the first byte (the test client returns once the first chunk is produced),
wall time to the last byte, and the process CPU time (``time.process_time``: the application's Python
work; the database server's CPU is not in it) *without* the time of full (generation 2) garbage
collections that happened to run during the request, which are counted separately: the bench process
holds ≥ 280,000 tracked objects (the apps, their sessions), so a full collection costs 150–250 ms CPU and
lands on whichever request crosses the collector's threshold. With the same URL order in every round it
landed on the same (role, URL) each round: that, not the page, was the "5.3x" of ``/auswertungen`` as
auditor at 100k (and the 0.17x as programme administration). The URL order is therefore shuffled per
round (seeded), and the collector's time is reported apart. Prints median / p95 per size and the growth factor of the
medians (largest / smallest size); writes the whole table to ``bench/results/crawl-<sizes>.md``.

    python bench/bench_crawl.py --database postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
        --sizes 10000 100000 [--rounds 5]
"""

from __future__ import annotations

import argparse
import gc
import html
import os
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_budgets_status import TODAY, fresh_url  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.platform import clock  # noqa: E402
from app.platform.extensions import db  # noqa: E402

PASSWORD = "Bench-Passwort-123"
ROLES = ("finance", "programme_admin", "auditor", "kommune")
SKIP = ("/static", "/abmelden", "/sprache", "/api/", "/konto/tokens")
HREF = re.compile(r'href="(/[^"#]*)"')


def build(app, size: int) -> float:
    from app.auth.services import create_user
    from app.benchdata.generator import seed
    from app.budgets.models import Grant
    from app.reference.models import Kommune

    started = time.perf_counter()
    with app.app_context():
        db.create_all()
        with clock.freeze(TODAY):
            seed(kommunen=53, lines=size, today=TODAY, seed_value=2020, app_config=app.config)
        ags = db.session.scalar(select(Kommune.ags).join(Grant, Grant.kommune_id == Kommune.id).limit(1))
        for role in ROLES:
            create_user(email=f"{role}@bench.nrw", name=f"Bench {role}", password=PASSWORD, role=role,
                        kommune_ags=ags if role == "kommune" else None, actor_label="bench")
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return time.perf_counter() - started


def login(app, role: str):
    client = app.test_client()
    page = client.get("/anmelden")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    client.post("/anmelden", data={"email": f"{role}@bench.nrw", "password": PASSWORD, "csrf_token": token})
    return client


def pattern(url: str) -> str:
    path, _, query = url.partition("?")
    keys = sorted(part.split("=")[0] for part in query.split("&") if part)
    return re.sub(r"\d+", "N", path) + "?" + "&".join(keys)


def crawl(client, limit: int, per_pattern: int) -> list[str]:
    """The role's pages reachable from ``/`` (GET links only), a few per path pattern."""
    seen, found, queue, patterns = {"/"}, [], ["/"], Counter()
    while queue and len(found) < limit:
        url = queue.pop(0)
        response = client.get(url)
        body = response.get_data()
        if response.status_code != 200:
            continue
        found.append(url)
        if not response.mimetype.startswith("text/html"):
            continue
        for href in HREF.findall(body.decode("utf-8", "replace")):
            href = html.unescape(href)
            if href in seen or href.startswith(SKIP) or "page=" in href:
                continue
            seen.add(href)
            if patterns[pattern(href)] < per_pattern:
                patterns[pattern(href)] += 1
                queue.append(href)
    return found


_COLLECTIONS: list[float] = []  # CPU time of each full collection during the current request
_STARTED: list[float] = []


def _collector(phase: str, info: dict) -> None:
    if info["generation"] != 2:
        return
    if phase == "start":
        _STARTED[:] = [time.process_time()]
    elif _STARTED:
        _COLLECTIONS.append(time.process_time() - _STARTED[0])


def timed(client, url: str) -> tuple[float, float, float, int, float]:
    """(first byte, total, CPU without full collections, bytes, CPU of full collections) of one GET."""
    _COLLECTIONS.clear()
    cpu, started = time.process_time(), time.perf_counter()
    response = client.get(url)
    first = time.perf_counter() - started
    body = response.get_data()
    spent, collected = time.process_time() - cpu, sum(_COLLECTIONS)
    return first, time.perf_counter() - started, spent - collected, len(body), collected


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--database", default=None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument("--per-pattern", type=int, default=2)
    args = parser.parse_args()
    apps, drops, clients, urls = {}, [], {}, {}
    print(f"Database: {(args.database or 'sqlite').split(':')[0]}; load average {os.getloadavg()[0]:.2f}")
    try:
        for size in args.sizes:
            url, drop = fresh_url(args.database)
            drops.append(drop)
            apps[size] = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": True})
            print(f"seeded {size:,} journal lines in {build(apps[size], size):.1f} s", flush=True)
        with clock.freeze(TODAY):
            for size, app in apps.items():
                for role in ROLES:
                    clients[size, role] = login(app, role)
                    urls[size, role] = crawl(clients[size, role], args.limit, args.per_pattern)
            keys = [(role, u) for role in ROLES for u in urls[args.sizes[0], role]
                    if all(u in urls[s, role] for s in args.sizes)]
            print(f"{len(keys)} (role, URL) pairs found at every size; {args.rounds} rounds", flush=True)
            samples: dict = defaultdict(list)
            gc.callbacks.append(_collector)
            for round_number in range(args.rounds):
                order = list(keys)
                random.Random(round_number).shuffle(order)  # periodic costs do not hit the same URL each round
                sizes = args.sizes if round_number % 2 == 0 else list(reversed(args.sizes))
                for size in sizes:  # alternating: every size once per round
                    for role, u in order:
                        samples[size, role, u].append(timed(clients[size, role], u))
            gc.callbacks.remove(_collector)
        report(args, keys, samples)
    finally:
        for app in apps.values():
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        for drop in drops:
            drop()


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report(args, keys, samples) -> None:
    sizes = args.sizes
    header = ("| role | URL | " + " | ".join(f"{s:,}: first byte / total / CPU ms (p95 total)" for s in sizes)
              + " | growth (total, median) | growth (CPU, median) |")
    lines = [header, "|---|---|" + "---:|" * (len(sizes) + 2)]
    rows = []
    collections = []
    for role, u in keys:
        cells, medians, cpus = [], [], []
        for size in sizes:
            first, total, cpu, _bytes, collected = zip(*samples[size, role, u], strict=True)
            medians.append(statistics.median(total))
            cpus.append(statistics.median(cpu))
            collections += [c for c in collected if c]
            cells.append(f"{statistics.median(first) * 1000:.0f} / {medians[-1] * 1000:.0f} / "
                         f"{cpus[-1] * 1000:.0f} ({_p95(total) * 1000:.0f})")
        rows.append((medians[-1], f"| {role} | `{u}` | " + " | ".join(cells)
                     + f" | {medians[-1] / medians[0]:.2f} | {cpus[-1] / max(cpus[0], 1e-4):.2f} |"))
    rows.sort(key=lambda item: -item[0])
    lines += [row for _m, row in rows]
    if collections:
        lines.append(f"\nfull garbage collections during requests (not in the CPU column): {len(collections)}, "
                     f"median {statistics.median(collections) * 1000:.0f} ms CPU each")
    table = "\n".join(lines)
    print(table)
    out = ROOT / "bench" / "results" / f"crawl-{'-'.join(str(s) for s in sizes)}.md"
    out.write_text(f"load average {os.getloadavg()}\n\n{table}\n", encoding="utf-8")
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

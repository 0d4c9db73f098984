"""Benchmark: memory (RSS) and time of one large expense CSV import through the API, as a worker sees it.

Run from the repository root:
    python bench/bench_import_memory.py [--lines 200000] [--database URL] [--root CHECKOUT]

Each measurement runs in a fresh Python process: it builds the app (SQLite file in a temporary
directory, or a fresh PostgreSQL database when ``--database postgresql+psycopg://…``), a grant and a
Kommune user, then POSTs the CSV as a multipart upload (``file``) to
``/api/v1/budgets/grants/<id>/expenses/import`` through the test client (the upload is spooled by Werkzeug as
in a worker). Reported: wall time of the request, RSS before it, peak RSS during it (``VmHWM`` after
resetting it through ``/proc/self/clear_refs``) and RSS afterwards. ``--root`` imports the application
from another checkout (e.g. ``/work/main`` for the "before" figure) with the same data.

Since issue #19 a file above ``IMPORT_BACKGROUND_LINES`` answers 202 and is imported by a background job: the
same process then runs the scheduler's ``background.run`` (as the scheduler process would) and the job's time
and peak RSS are reported in a second row. ``--sync`` raises the threshold, so the request imports the file
itself (both passes in the request: the memory of the two-pass import as a worker would see it).
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024  # MiB
    return 0


def child(root: str, url: str, lines: int, sync: bool) -> dict:
    # an editable install's finder would win over sys.path and import this checkout whatever --root says
    sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "__module__", "").startswith("__editable__")]
    sys.path.insert(0, root)
    sys.path.insert(1, str(HERE))
    importlib.import_module("app")  # first, from ``root``: bench_budgets_import puts this checkout on sys.path
    from datetime import date

    from bench_budgets_import import csv_bytes, make_grant, setup

    from app.auth.services import create_token, create_user
    from app.platform import clock
    from app.platform.extensions import db

    app = setup(url)
    if sync:
        app.config["IMPORT_BACKGROUND_LINES"] = 10**9
    data = csv_bytes(lines)
    with app.app_context(), clock.freeze(date(2023, 6, 30)):
        grant = make_grant(1)
        user = create_user(email="bench@test.nrw", name="Bench", password="Bench-Passwort-123", role="kommune",
                           kommune_ags="05315", actor_label="bench")
        db.session.commit()
        _token, secret = create_token(user, "bench")
        db.session.commit()
        grant_id = grant.id
        db.session.remove()
    import io

    client = app.test_client()
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak RSS (VmHWM)
    before = _status("VmRSS")
    with clock.freeze(date(2023, 6, 30)):
        started = time.perf_counter()
        response = client.post(f"/api/v1/budgets/grants/{grant_id}/expenses/import",
                               headers={"Authorization": f"Bearer {secret}"},
                               data={"file": (io.BytesIO(data), "bench.csv")}, content_type="multipart/form-data")
        seconds = time.perf_counter() - started
    del data
    result = {"status": response.status_code, "seconds": seconds, "rss_before": before, "rss_peak": _status("VmHWM"),
              "rss_after": _status("VmRSS"), "lines": lines}
    if response.status_code == 202:  # the background job, run here as the scheduler process runs it
        from app.scheduler.runner import execute

        Path("/proc/self/clear_refs").write_text("5")
        job_before = _status("VmRSS")
        with app.app_context(), clock.freeze(date(2023, 6, 30)):
            started = time.perf_counter()
            outcome = execute("background.run", trigger="manual")
            job_seconds = time.perf_counter() - started
            from app.platform.background import BackgroundJob

            job = db.session.scalars(db.select(BackgroundJob)).one()
            status = f"{job.status} {job.error or ''}".strip()
        result["job"] = {"status": status, "summary": outcome.summary, "seconds": job_seconds,
                         "rss_before": job_before, "rss_peak": _status("VmHWM"), "rss_after": _status("VmRSS")}
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--database", default=None)
    parser.add_argument("--root", default=str(HERE.parent))
    parser.add_argument("--sync", action="store_true", help="import in the request (threshold raised)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.root, args.url, args.lines, args.sync)))
        return
    from faultlib import fresh_database

    url, drop = fresh_database(args.database, "bench_import")
    try:
        out = subprocess.run([sys.executable, __file__, "--child", "--root", args.root, "--url", url,
                              "--lines", str(args.lines)] + (["--sync"] if args.sync else []),
                             capture_output=True, text=True, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        drop()
    print(f"Checkout: {args.root}; database: {url.split('://')[0]}")
    print("| lines | status | seconds | lines/s | RSS before | peak RSS | RSS after |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {result['lines']:,} | {result['status']} | {result['seconds']:.2f} | "
          f"{result['lines'] / result['seconds']:,.0f} | {result['rss_before']} MiB | {result['rss_peak']} MiB | "
          f"{result['rss_after']} MiB |")
    if "job" in result:
        job = result["job"]
        print(f"| background job | {job['status']} | {job['seconds']:.2f} | {result['lines'] / job['seconds']:,.0f} | "
              f"{job['rss_before']} MiB | {job['rss_peak']} MiB | {job['rss_after']} MiB |")
    print(f"load average: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()

"""Failover of the scheduler: two real ``durchstarten scheduler`` processes on one PostgreSQL database.

    python bench/scheduler_failover.py [--run 30] [--after 12] [--beat 2]

* creates a temporary database on 127.0.0.1 (TEST_POSTGRES_URL or postgres@127.0.0.1:5432), the schema
  with ``create_all``, and drops it at the end;
* starts process A, then B, with ``scheduler.heartbeat`` every ``--beat`` seconds (each run records its
  slot in ``job_runs``), production lease settings (30 s lease, renewed every 10 s, standby polls every 5 s);
* after ``--run`` seconds SIGKILLs the leader, measures when the other takes the lease and runs its
  first heartbeat, lets it run ``--after`` seconds more, then stops it with SIGTERM;
* checks: every slot from the first to the last ran exactly once (no duplicate, no gap), and each
  process ran only while it held the lease.
Bounded: everything is killed after at most run + 90 s.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _command() -> list[str]:
    found = shutil.which("durchstarten")
    return [found] if found else [sys.executable, "-m", "app.cli"]


def _create_schema(url: str) -> None:
    from app import create_app
    from app.platform.extensions import db

    app = create_app("default", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        db.engine.dispose()


def _lease(conn) -> tuple[str, datetime] | None:
    row = conn.execute(text("SELECT holder, expires_at FROM scheduler_leases WHERE name = 'scheduler'")).first()
    return (row.holder, row.expires_at) if row else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=float, default=30.0, help="seconds before the leader is killed")
    parser.add_argument("--after", type=float, default=12.0, help="seconds the survivor runs after taking over")
    parser.add_argument("--beat", type=int, default=2, help="heartbeat interval in seconds")
    args = parser.parse_args()

    name = f"ds_failover_{secrets.token_hex(4)}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    logs = Path(tempfile.mkdtemp(prefix="failover-"))
    processes: dict[str, subprocess.Popen] = {}
    deadline = time.monotonic() + args.run + 90
    try:
        _create_schema(url)
        env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT),
               "SCHEDULER_SCHEDULES": json.dumps({"scheduler.heartbeat": {"trigger": "interval",
                                                                          "seconds": args.beat}})}
        for holder in ("A", "B"):
            out = open(logs / f"{holder}.log", "w")  # noqa: SIM115 - closed with the process
            processes[holder] = subprocess.Popen([*_command(), "scheduler", "--holder-id", holder], cwd=ROOT,
                                                 env=env, stdout=out, stderr=subprocess.STDOUT)
            time.sleep(2.0)
        engine = create_engine(url)
        time.sleep(max(args.run - 4.0, 1.0))
        with engine.connect() as conn:
            leader, _expires = _lease(conn)
        survivor = "B" if leader == "A" else "A"
        processes[leader].send_signal(signal.SIGKILL)
        killed_at = datetime.now(UTC)
        kill_tick = time.monotonic()
        processes[leader].wait(10)

        takeover = None
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                holder, _expires = _lease(conn)
            if holder == survivor:
                takeover = time.monotonic() - kill_tick
                break
            time.sleep(0.2)
        if takeover is None:
            print("FAIL: no takeover within the time limit")
            return 1
        time.sleep(min(args.after, max(deadline - time.monotonic(), 0)))
        processes[survivor].send_signal(signal.SIGTERM)
        processes[survivor].wait(15)

        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT due_key, holder, started_at FROM job_runs WHERE job_name = 'scheduler.heartbeat' "
                "AND status = 'ok' ORDER BY due_key")).all()
            duplicates = conn.execute(text(
                "SELECT count(*) FROM (SELECT due_key FROM job_runs WHERE job_name = 'scheduler.heartbeat' "
                "GROUP BY due_key HAVING count(*) > 1) d")).scalar()
        engine.dispose()
        slots = [datetime.strptime(r.due_key, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) for r in rows]
        expected = []
        if slots:
            moment = slots[0]
            while moment <= slots[-1]:
                expected.append(moment)
                moment += timedelta(seconds=args.beat)
        missing = sorted(set(expected) - set(slots))
        survivor_rows = [r for r in rows if r.holder == survivor]
        first_survivor_run = min((r.started_at for r in survivor_rows), default=None)
        leader_rows = [r for r in rows if r.holder == leader]
        late = [r for r in leader_rows if r.started_at > killed_at]
        def lateness(row) -> float:
            slot = datetime.strptime(row.due_key, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            return (row.started_at - slot).total_seconds()

        caught_up = [r for r in survivor_rows if lateness(r) > args.beat]
        max_late = max((lateness(r) for r in caught_up), default=0.0)
        print(f"database: PostgreSQL {name} (127.0.0.1), heartbeat every {args.beat} s, "
              f"lease 30 s / renewal 10 s / standby poll 5 s")
        print(f"leader {leader} ran {len(leader_rows)} slots, SIGKILL at {killed_at:%H:%M:%S}")
        print(f"hand-over: {survivor} held the lease {takeover:.1f} s after the kill")
        if first_survivor_run is not None:
            print(f"first run by {survivor}: {(first_survivor_run - killed_at).total_seconds():.1f} s after the kill "
                  f"({len(caught_up)} slots due during the hand-over were run late, once each, "
                  f"at most {max_late:.1f} s late)")
        print(f"slots {len(slots)} from {slots[0]:%H:%M:%S} to {slots[-1]:%H:%M:%S}: "
              f"duplicates {duplicates}, missing {len(missing)}, runs by the dead leader after the kill {len(late)}")
        ok = duplicates == 0 and not missing and not late and len(survivor_rows) > 0
        print("RESULT:", "each slot ran exactly once" if ok else "FAILED")
        if not ok:
            print(f"logs in {logs}")
        return 0 if ok else 1
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait(10)
        with admin.connect() as conn:
            conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())

"""Bookings over HTTP against the raw-SQL floor of their own statements, side by side (issue #19).

Run from the repository root (PostgreSQL only):

    python bench/bench_booking_floor.py --database postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
        [--seconds 6] [--rounds 4] [--workers 2] [--threads 8] [--lines 100000] [--compare /tmp/main-export]

``--compare`` measures another checkout in the same rounds (before/after side by side): its own gunicorn and
the floor of its own statements (recorded by its own code), the four phases alternating in every round.

Prepares a fresh PostgreSQL database as ``bench_http.py`` does (bench data, a Kommune user with an API
token) and records, through the test client, the SQL statements one drawdown request (1.00 EUR with an
Idempotency-Key) sends: their exact text and parameters, as the application hands them to psycopg.

* **floor**: ``--workers`` threads, each with its own psycopg connection (as each gunicorn sync worker holds
  one), replay those statements one round trip each in one transaction and commit, with the ids a real
  booking would use (a new Idempotency-Key, the returned drawdown and journal ids in the journal, entries,
  audit entry and the stored answer). No Python framework, no ORM, no HTTP: what the database and the
  round trips cost.
* **http**: ``gunicorn -w <workers>`` with ``--threads`` client threads posting the same drawdown.

The two alternate within each round (the order reversed every other round) for ``--seconds`` each, so the
machine's load hits both alike. Reports per round and as the median: transactions/s of the floor and the CPU
of the replaying process per transaction (psycopg's share), bookings/s over HTTP and the CPU the gunicorn
workers spent per booking (from ``/proc``), the ratio (target: >= 0.8), statements per booking, the load
average; afterwards the booked counts and ``verify_ledger()``.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import psycopg  # noqa: E402
from bench_http import TODAY, Client, prepare, run  # noqa: E402
from faultlib import Server, fresh_database  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402

from app import create_app  # noqa: E402
from app.platform import clock  # noqa: E402
from app.platform.extensions import db  # noqa: E402


def record_statements(url: str, info: dict, key: str = "floor-record") -> list[tuple[str, object, bool]]:
    """(SQL, parameters, executemany) of one drawdown request, as sent to the driver."""
    app = create_app("default", {"SQLALCHEMY_DATABASE_URI": url})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {info['secret']}", "Idempotency-Key": key}
    seen: list[tuple[str, object, bool]] = []

    def keep(_conn, _cursor, statement, parameters, _context, executemany):
        seen.append((statement, parameters, executemany))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", keep)
        with clock.freeze(TODAY):
            answer = client.post(f"/api/v1/budgets/grants/{info['grant_id']}/drawdowns", headers=headers,
                                 json={"module": "F1", "amount": "1.00", "purpose": "Bench"})
        event.remove(db.engine, "before_cursor_execute", keep)
        assert answer.status_code == 201, answer.get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()
    return seen


def record_in(root: Path, url: str, info: dict) -> list[tuple[str, object, bool]]:
    """``record_statements`` of another checkout, run by its own bench file and ``app`` in a subprocess."""
    code = ("import json, pickle, sys; sys.path[:0] = [sys.argv[1], sys.argv[1] + '/bench']; "
            "from bench_booking_floor import record_statements; "
            "pickle.dump(record_statements(sys.argv[2], json.loads(sys.argv[3])), open(sys.argv[4], 'wb'))")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "statements.pickle"
        subprocess.run([sys.executable, "-c", code, str(root), url, json.dumps(info), str(out)], check=True, cwd=root)
        return pickle.loads(out.read_bytes())


def _table(statement: str) -> tuple[str, str]:
    words = statement.split()
    if words[0] == "INSERT":
        return "insert", words[2]
    if words[0] == "UPDATE":
        return "update", words[1]
    return words[0].lower(), ""


def replay(connection, statements, number: int) -> None:
    """One booking's statements in one transaction, with the ids a real booking would use."""
    ids: dict[str, object] = {}
    with connection.cursor() as cursor:
        for statement, parameters, many in statements:
            verb, table = _table(statement)
            if many:
                rows = [dict(row) for row in parameters]
                if table == "ledger_entries":
                    for row in rows:
                        row["journal_id"] = ids["journal"]
                cursor.executemany(statement, rows)
                continue
            values = dict(parameters or {})
            if verb == "insert" and table == "idempotency_keys":
                values["key"] = f"floor-{threading.get_ident()}-{number}"
            elif verb == "insert" and table == "ledger_journals":
                values["source_id"] = str(ids["drawdown"])
            elif verb == "insert" and table == "ledger_entries":
                values["journal_id"] = ids["journal"]
            elif verb == "insert" and table == "audit_entries":
                values["object_id"] = str(ids["drawdown"])
            elif verb == "update" and table == "idempotency_keys":
                values["reservation"] = ids["idempotency_keys"]
            cursor.execute(statement, values)
            if verb == "insert" and "RETURNING" in statement:
                returned = cursor.fetchone()[0]
                ids[{"drawdowns": "drawdown", "ledger_journals": "journal"}.get(table, table)] = returned
            elif verb == "select":
                cursor.fetchall()
    connection.commit()


def workers_cpu(server: Server) -> float:
    """CPU seconds (user + system) used so far by the gunicorn workers."""
    total = 0.0
    for pid in server.workers():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return total


def floor(dsn: str, statements, connections: int, seconds: float, counter: list[int]) -> float:
    """Transactions per second of ``connections`` threads replaying the booking."""
    done = [0] * connections
    stop = time.perf_counter() + seconds

    def worker(index: int) -> None:
        with psycopg.connect(dsn) as connection:
            while time.perf_counter() < stop:
                counter[0] += 1
                replay(connection, statements, counter[0] * 100 + index)
                done[index] += 1

    began = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(done) / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--compare", type=Path, default=None,
                        help="another checkout (e.g. an export of main): its gunicorn and the floor of its own "
                             "statements are measured in the same rounds, alternating with this one's")
    parser.add_argument("--show", action="store_true", help="print the recorded statements")
    args = parser.parse_args()
    url, drop = fresh_database(args.database, "bench_floor")
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    servers = []
    rows = []
    try:
        info = prepare(url, args.lines)
        versions = {}  # label -> (source tree, its statements); the other tree records first (its key is fixed)
        if args.compare is not None:
            versions[args.compare.name] = (args.compare.resolve(), record_in(args.compare.resolve(), url, info))
        versions["this"] = (ROOT, record_statements(url, info, key="floor-record-this"))
        if args.show:
            for label, (_root, statements) in versions.items():
                print(f"{label}:")
                for statement, parameters, many in statements:
                    print(("executemany " if many else "") + " ".join(statement.split()), parameters, "\n")
        counter = [0]
        for _root, statements in versions.values():
            floor(dsn, statements, 1, 0.5, counter)  # warm-up, and a check that the replay books
        client = None
        ports = {}
        for label, (root, _statements) in versions.items():
            server = Server(url, workers=args.workers, today=TODAY.isoformat(), root=root)
            servers.append(server)
            ports[label] = server
            client = client or Client(server.port, info)  # one client: its Idempotency-Keys never repeat
            client.port = server.port
            for _ in range(20):
                client.call("drawdown")
        phases = [(label, what) for label in versions for what in ("floor", "http")]
        for round_number in range(args.rounds):
            result = {label: {} for label in versions}
            for label, what in (phases if round_number % 2 == 0 else phases[::-1]):
                statements = versions[label][1]
                if what == "floor":
                    cpu = time.process_time()
                    result[label]["floor"] = floor(dsn, statements, args.workers, args.seconds, counter)
                    result[label]["floor_cpu"] = (time.process_time() - cpu) / (result[label]["floor"] * args.seconds)
                else:
                    server = ports[label]
                    client.port = server.port
                    cpu = workers_cpu(server)
                    rate, times, codes = run(client, "drawdown", args.threads, args.seconds)
                    result[label].update(http=rate, p50=statistics.median(times), codes=codes)
                    result[label]["http_cpu"] = (workers_cpu(server) - cpu) / max(sum(codes.values()), 1)
            rows.append((result, os.getloadavg()[0]))
    finally:
        for server in servers:
            server.stop()
    counts = ", ".join(f"{label} {len(statements)}" for label, (_root, statements) in versions.items())
    print(f"PostgreSQL; drawdown (1.00 EUR, Idempotency-Key); statements per booking + COMMIT: {counts}; "
          f"floor: {args.workers} connections; HTTP: gunicorn -w {args.workers}, {args.threads} client threads; "
          f"{args.seconds:.0f} s each, alternating; {info['entries']:,} ledger entries")
    print("| round | version | floor tx/s | floor client CPU ms/tx | HTTP bookings/s | HTTP p50 ms "
          "| app CPU ms/booking | HTTP / floor | status codes | load (1 min) |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---|---:|")
    for number, (result, load) in enumerate(rows, 1):
        for label, r in result.items():
            print(f"| {number} | {label} | {r['floor']:,.1f} | {r['floor_cpu'] * 1000:.2f} | {r['http']:,.1f} | "
                  f"{r['p50'] * 1000:.1f} | {r['http_cpu'] * 1000:.2f} | {r['http'] / r['floor']:.2f} "
                  f"| {dict(sorted(r['codes'].items()))} | {load:.2f} |")
    print()
    for label in versions:
        mine = [result[label] for result, _load in rows]
        ratios = [r["http"] / r["floor"] for r in mine]
        print(f"{label}: median floor {statistics.median(r['floor'] for r in mine):,.1f} tx/s, HTTP "
              f"{statistics.median(r['http'] for r in mine):,.1f} bookings/s, app CPU "
              f"{statistics.median(r['http_cpu'] for r in mine) * 1000:.2f} ms/booking, ratio "
              f"{statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f}); target >= 0.8")
    app = create_app("default", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from app.budgets.models import Drawdown
        from app.budgets.verify import verify_ledger

        booked = db.session.scalar(select(func.count()).select_from(Drawdown))
        problems = verify_ledger()
        print(f"afterwards: {booked:,} drawdowns; verify_ledger: {'clean' if not problems else problems[:3]}")
        db.session.remove()
        db.engine.dispose()
    drop()


if __name__ == "__main__":
    main()

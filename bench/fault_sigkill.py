"""Fault test: gunicorn workers SIGKILLed in the middle of a bulk CSV import and of payments.

Run from the repository root:  python bench/fault_sigkill.py [--database URL] [--lines 100000] [--payments 40]

1. **Import**: a Kommune posts a CSV of ``--lines`` expense lines; the workers are SIGKILLed while
   the import runs (PostgreSQL: as soon as ``INSERT INTO expenses`` is active in pg_stat_activity;
   SQLite: as soon as the WAL file grows, i.e. inside the write transaction), once per attempt in
   ``--delays`` (plus the write-detected attempt). After each kill: no import record, no expense,
   no journal of it; the retry of the same file succeeds (201, all lines); ``verify_ledger`` clean.
2. **Payments**: ``--payments`` approved drawdowns are paid one after another by a finance client
   while the workers are SIGKILLed every 50-400 ms. Afterwards each drawdown is either paid with
   exactly one pay journal or still approved with none; the unpaid ones are paid again (retry)
   and all end paid once; ``verify_ledger`` clean.
Prints a Markdown summary.
"""

from __future__ import annotations

import argparse
import os
import random
import threading
import time
from datetime import date
from pathlib import Path

from faultlib import Server, fresh_database
from sqlalchemy import func, select, text

from app import create_app
from app.platform import clock
from app.platform.extensions import db

TODAY = date(2022, 6, 15)


def csv_bytes(count: int) -> bytes:
    lines = ["datum;baustein;betrag;beleg;beschreibung"]
    for i in range(count):
        lines.append(f"{1 + i % 28:02d}.{1 + i % 5:02d}.2022;F{1 + i % 2};{1 + i % 400},{i % 100:02d};K-{i};Kill-Test")
    return ("\n".join(lines) + "\n").encode()


def prepare(url: str, payments: int) -> dict:
    from app.auth.services import create_token, create_user
    from app.budgets import services
    from app.reference.services import get_programme, kommune_by_ags

    app = create_app("default", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), clock.freeze(TODAY):
        db.create_all()
        from app.reference.services import load_programme, load_reference_data

        load_programme(app.config["PROGRAMME_FILE"])
        load_reference_data()
        kommune = kommune_by_ags("05315")
        grant = services.set_commitment(
            programme_id=get_programme().id, source="fault:05315", reference="FAULT-05315", recipient_kind="kommune",
            kommune_id=kommune.id, funding_rate_bp=8000, start_date=date(2020, 7, 1),
            last_expense_date=date(2023, 6, 30), lines={("F1", 2022): 900_000_000, ("F2", 2022): 900_000_000})
        user = create_user(email="k@fault.nrw", name="K", password="Fault-Passwort-123", role="kommune",
                           kommune_ags="05315", actor_label="fault")
        finance = create_user(email="f@fault.nrw", name="F", password="Fault-Passwort-123", role="finance",
                              actor_label="fault")
        ids = []
        for _ in range(payments):
            drawdown = services.request_drawdown(grant, module="F1", amount_cents=10_000, purpose="Fault", actor=user)
            services.decide_drawdown(drawdown, "approve", actor=finance)
            ids.append(drawdown.id)
        _t, kommune_secret = create_token(user, "fault")
        _t, finance_secret = create_token(finance, "fault")
        db.session.commit()
        info = {"grant_id": grant.id, "kommune": kommune_secret, "finance": finance_secret, "drawdowns": ids}
        db.session.remove()
        db.engine.dispose()
    return info


def counts(app) -> dict:
    from app.budgets.models import Drawdown, Expense, ExpenseImport, Journal
    from app.budgets.verify import verify_ledger

    with app.app_context():
        result = {
            "imports": db.session.scalar(select(func.count()).select_from(ExpenseImport)),
            "expenses": db.session.scalar(select(func.count()).select_from(Expense)),
            "import_journals": db.session.scalar(select(func.count()).select_from(Journal)
                                                 .where(Journal.source_type == "expense_import")),
            "paid": db.session.scalar(select(func.count()).select_from(Drawdown).where(Drawdown.status == "paid")),
            "pay_journals": db.session.scalar(select(func.count()).select_from(Journal)
                                              .where(Journal.kind == "drawdown.pay")),
            "verify": verify_ledger(),
        }
        db.session.remove()
    return result


def verdict(state: dict) -> str:
    return "clean" if not state["verify"] else f"DIRTY {state['verify'][:2]}"


def writing_started(url: str, wal_size: int) -> bool:
    if url.startswith("postgresql"):
        engine = db_engine(url)
        with engine.connect() as conn:
            return bool(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' "
                "AND (query ILIKE 'INSERT INTO expenses%' OR query ILIKE 'INSERT INTO ledger%')")).scalar())
    wal = Path(url.removeprefix("sqlite:///") + "-wal")
    # SQLite writes pages to the WAL while the transaction runs (cache spill): its mtime moves
    return wal.exists() and wal.stat().st_mtime_ns != wal_size


_engines: dict = {}


def db_engine(url: str):
    from sqlalchemy import create_engine

    if url not in _engines:
        _engines[url] = create_engine(url, isolation_level="AUTOCOMMIT")
    return _engines[url]


def import_attempt(server: Server, url: str, info: dict, data: bytes, delay: float | None) -> str:
    """Post the import, kill the workers after ``delay`` s (None: when writing is seen); returns what happened."""
    path = f"/api/v1/budgets/grants/{info['grant_id']}/expenses/import"
    headers = {"Authorization": f"Bearer {info['kommune']}", "Content-Type": "text/csv"}
    answer: list = []
    wal = Path(url.removeprefix("sqlite:///") + "-wal")
    wal_size = wal.stat().st_mtime_ns if not url.startswith("postgresql") and wal.exists() else 0
    thread = threading.Thread(target=lambda: answer.append(server.call("POST", path, raw=data, headers=headers,
                                                                          timeout=300)))
    started = time.perf_counter()
    thread.start()
    killed_at = None
    while thread.is_alive():
        elapsed = time.perf_counter() - started
        if (delay is not None and elapsed >= delay) or (delay is None and writing_started(url, wal_size)):
            server.kill_workers()
            killed_at = elapsed
            break
        time.sleep(0.01)
    thread.join()
    status = answer[0][0] if answer else None
    return f"killed at {killed_at:.2f} s" if killed_at is not None else f"finished before the kill ({status})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default=None)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--payments", type=int, default=40)
    parser.add_argument("--delays", type=float, nargs="*", default=[0.5, 2.0])
    args = parser.parse_args()
    url, drop = fresh_database(args.database, "bench_fault")
    info = prepare(url, args.payments)
    app = create_app("default", {"SQLALCHEMY_DATABASE_URI": url})
    # the worker itself imports (a larger file would be queued for the scheduler, which the kill does not hit)
    os.environ["IMPORT_BACKGROUND_LINES"] = str(10 * args.lines)
    server = Server(url, timeout=300)
    rows = []
    ok = True
    try:
        data = csv_bytes(args.lines)
        for delay in [*args.delays, None]:
            happened = import_attempt(server, url, info, data, delay)
            server.wait_ready()  # gunicorn restarts the workers
            after_kill = counts(app)
            clean = after_kill["imports"] == after_kill["expenses"] == after_kill["import_journals"] == 0
            clean = clean and not after_kill["verify"]
            ok &= clean or "finished" in happened
            status, body, _h = server.call("POST", f"/api/v1/budgets/grants/{info['grant_id']}/expenses/import",
                                           raw=data, headers={"Authorization": f"Bearer {info['kommune']}",
                                                              "Content-Type": "text/csv"}, timeout=300)
            after_retry = counts(app)
            retried = status == 201 and after_retry["expenses"] == args.lines and not after_retry["verify"]
            ok &= retried
            rows.append(f"| import {args.lines:,} lines, kill {'when writing' if delay is None else f'after {delay} s'}"
                        f" | {happened} | imports {after_kill['imports']}, expenses {after_kill['expenses']}, "
                        f"journals {after_kill['import_journals']}, verify {verdict(after_kill)}"
                        f" | {status}, expenses {after_retry['expenses']:,}, verify "
                        f"{verdict(after_retry)} |")
            # undo for the next attempt: a fresh grant state is simplest -> delete the import through SQL
            with app.app_context():
                db.session.execute(text("DELETE FROM expense_daily"))
                db.session.execute(text("DELETE FROM expenses"))
                db.session.execute(text("DELETE FROM expense_imports"))
                db.session.commit()
                db.session.remove()
            # the ledger still holds the retried import's journal: rebuild a consistent state
            _rebook_without_imports(app)
        # payments, each with a 60 % chance of a SIGKILL of the workers 0-60 ms after it was sent
        rng = random.Random(7)  # noqa: S311 - reproducible fault schedule
        kills = 0
        answers: dict[int, int] = {}
        finance = {"Authorization": f"Bearer {info['finance']}"}
        for drawdown_id in info["drawdowns"]:
            answer: list = []
            thread = threading.Thread(target=lambda d=drawdown_id, out=answer: out.append(server.call(
                "POST", f"/api/v1/budgets/drawdowns/{d}/pay",
                {"value_date": TODAY.isoformat(), "reference": f"KZ-{d}"}, finance, timeout=30)))
            thread.start()
            if rng.random() < 0.6:
                time.sleep(rng.uniform(0, 0.06))
                server.kill_workers()
                kills += 1
            thread.join()
            status = answer[0][0] if answer else 0
            answers[status] = answers.get(status, 0) + 1
            server.wait_ready()
        after_kills = counts(app)
        consistent = after_kills["paid"] == after_kills["pay_journals"] and not after_kills["verify"]
        retries: dict[int, int] = {}
        for drawdown_id in info["drawdowns"]:
            status, body, _h = server.call("GET", f"/api/v1/budgets/drawdowns/{drawdown_id}", headers=finance)
            if body and body.get("status") == "approved":
                status, _b, _h = server.call("POST", f"/api/v1/budgets/drawdowns/{drawdown_id}/pay",
                                             {"value_date": TODAY.isoformat(), "reference": f"KZ-{drawdown_id}"},
                                             finance)
                retries[status] = retries.get(status, 0) + 1
        final = counts(app)
        all_paid = final["paid"] == final["pay_journals"] == len(info["drawdowns"]) and not final["verify"]
        ok &= consistent and all_paid
        rows.append(f"| {len(info['drawdowns'])} payments, {kills} of them with a SIGKILL | answers {answers} | paid "
                    f"{after_kills['paid']}, pay journals {after_kills['pay_journals']}, verify "
                    f"{verdict(after_kills)} | retries {retries}; paid {final['paid']}, "
                    f"journals {final['pay_journals']}, verify {verdict(final)} |")
    finally:
        server.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        for engine in _engines.values():
            engine.dispose()
        drop()
    print(f"Database: {url.split(':')[0].split('+')[0]}; gunicorn -w 2; load average {os.getloadavg()[0]:.2f}")
    print("| fault | what happened | state after the kill | retry |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nresult: {'PASS' if ok else 'FAIL'}")
    raise SystemExit(0 if ok else 1)


def _rebook_without_imports(app) -> None:
    """Remove the import journals again and restore the balances from the remaining entries (test reset)."""
    with app.app_context():
        db.session.execute(text("DELETE FROM ledger_entries WHERE journal_id IN "
                                "(SELECT id FROM ledger_journals WHERE source_type = 'expense_import')"))
        db.session.execute(text("DELETE FROM ledger_journals WHERE source_type = 'expense_import'"))
        db.session.execute(text(
            "UPDATE ledger_balances SET balance_cents = "
            "(SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_entries WHERE debit_account_id = account_id) - "
            "(SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_entries WHERE credit_account_id = account_id)"))
        db.session.commit()
        db.session.remove()


if __name__ == "__main__":
    main()

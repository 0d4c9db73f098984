"""Benchmark: the state-wide budget status (53 Kommunen) with 10,000 vs 1,000,000 journal lines.

Run from the repository root:  python bench/bench_budgets_status.py [--sizes 10000 1000000] [--database URL]

For each size a fresh database gets one grant per Kommune (``set_commitment``), paid drawdowns and
daily expense totals, then ``size`` ledger entries generated with driver-level bulk inserts
(journals of 10 entries spread over all accounts) and the balance table recomputed from them once.
Measured (perf_counter, median of ``--repeat`` runs after one warm-up): ``status.status_for()``
(what the page and ``/api/v1/budgets/status`` compute) and the whole page ``GET /budgets/uebersicht``
through the test client. The status reads the balance table, so its time must not grow with the
journal (target: < 100 ms and at most 1.5 x the 10,000-line time).
"""

from __future__ import annotations

import argparse
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402

from app import clock, create_app  # noqa: E402
from app.extensions import db  # noqa: E402

TODAY = date(2022, 6, 15)


def fresh_url(base: str | None) -> tuple[str, object]:
    if base and base.startswith("postgresql"):
        name = f"bench_status_{secrets.token_hex(4)}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))

        def drop():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        return base.rsplit("/", 1)[0] + "/" + name, drop
    return f"sqlite:///{tempfile.mkdtemp()}/status.db", lambda: None


def build(app, size: int, rng: random.Random) -> None:
    from app.auth.services import create_user
    from app.budgets.models import Drawdown, DrawdownStatus, ExpenseDaily, LedgerAccount
    from app.budgets.services import set_commitment
    from app.reference.models import Kommune
    from app.reference.services import get_programme, load_programme, load_reference_data

    with app.app_context():
        db.create_all()
        load_programme(app.config["PROGRAMME_FILE"])
        load_reference_data()
        programme = get_programme()
        grants = []
        with clock.freeze(date(2020, 6, 1)):
            for kommune in db.session.scalars(select(Kommune).order_by(Kommune.ags)):
                lines = {(m, y): rng.randint(50_000, 500_000) * 100 for m in ("F1", "F2", "F3", "F4")
                         for y in (2020, 2021, 2022, 2023)}
                grants.append(set_commitment(
                    programme_id=programme.id, source=f"bench:{kommune.ags}", reference=f"B-{kommune.ags}",
                    recipient_kind="kommune", kommune_id=kommune.id, funding_rate_bp=8000,
                    start_date=date(2020, 7, 1), last_expense_date=date(2023, 6, 30), lines=lines))
        create_user(email="finance@bench.nrw", name="Bench", password="Bench-Passwort-123", role="finance",
                    actor_label="bench")
        now = clock.now()
        for grant in grants:
            for number in range(12):
                day = date(2020, 9, 1) + timedelta(days=60 * number)
                db.session.add(Drawdown(grant_id=grant.id, module_code="F1", budget_year=day.year,
                                        status=DrawdownStatus.PAID, amount_requested_cents=1_000_000,
                                        amount_approved_cents=1_000_000, purpose="bench", period_start=day,
                                        period_end=day + timedelta(days=60), requested_at=now, value_date=day))
            for offset in range(0, 700, 3):
                day = date(2020, 7, 1) + timedelta(days=offset)
                db.session.add(ExpenseDaily(grant_id=grant.id, module_code=f"F{offset % 4 + 1}", day=day,
                                            amount_cents=rng.randint(1_000, 500_000)))
        db.session.commit()
        accounts = list(db.session.scalars(select(LedgerAccount.id)))
        grant_of = dict(db.session.execute(select(LedgerAccount.id, LedgerAccount.grant_id)).all())
        connection = db.session.connection()
        raw = connection.connection.driver_connection
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        start_journal = 1_000_000
        journals, entries = [], []
        booked = now.replace(tzinfo=None).isoformat(sep=" ") if connection.dialect.name == "sqlite" else now
        for index in range(size):
            journal = start_journal + index // 10
            debit, credit = rng.sample(accounts, 2)
            if index % 10 == 0:
                journals.append((journal, grant_of[debit], "bench", "bench", "2021-01-01", booked, ""))
            entries.append((journal, debit, credit, rng.randint(1, 100_000)))
        cursor = raw.cursor()
        cursor.executemany("INSERT INTO ledger_journals (id, grant_id, kind, source_type, value_date, booked_at, "
                           f"description) VALUES ({', '.join([mark] * 7)})", journals)
        for chunk in range(0, len(entries), 200_000):
            cursor.executemany("INSERT INTO ledger_entries (journal_id, debit_account_id, credit_account_id, "
                               f"amount_cents) VALUES ({', '.join([mark] * 4)})", entries[chunk:chunk + 200_000])
        db.session.commit()
        db.session.execute(text(
            "UPDATE ledger_balances SET balance_cents = "
            "(SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_entries WHERE debit_account_id = account_id) - "
            "(SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_entries WHERE credit_account_id = account_id)"))
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def measure(app, repeat: int) -> tuple[float, float, int]:
    from app.budgets import status

    with app.app_context(), clock.freeze(TODAY):
        status.status_for()
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            result = status.status_for()
            times.append(time.perf_counter() - started)
            db.session.rollback()
        count = len(result)
    client = app.test_client()
    page = client.get("/anmelden")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    client.post("/anmelden", data={"email": "finance@bench.nrw", "password": "Bench-Passwort-123",
                                   "csrf_token": token})
    page_times = []
    with clock.freeze(TODAY):
        assert client.get("/budgets/uebersicht").status_code == 200
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get("/budgets/uebersicht")
            page_times.append(time.perf_counter() - started)
            assert response.status_code == 200
    return statistics.median(times), statistics.median(page_times), count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--database", default=None)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(2020)
    print(f"Database: {(args.database or 'sqlite').split(':')[0]}; median of {args.repeat} runs")
    print("| journal lines | build s | status_for() ms | page /budgets/uebersicht ms | grants |")
    print("|---:|---:|---:|---:|---:|")
    results = {}
    for size in args.sizes:
        url, drop = fresh_url(args.database)
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
        try:
            started = time.perf_counter()
            build(app, size, rng)
            built = time.perf_counter() - started
            core, page, count = measure(app, args.repeat)
            results[size] = (core, page)
            print(f"| {size:,} | {built:.1f} | {core * 1000:.1f} | {page * 1000:.1f} | {count} |")
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            drop()
    if len(results) >= 2:
        small, large = results[min(results)], results[max(results)]
        print(f"\nratio largest/smallest: status_for {large[0] / small[0]:.2f}, page {large[1] / small[1]:.2f}")


if __name__ == "__main__":
    main()

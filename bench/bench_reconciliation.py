"""The ledger check at one journal size: full recomputation and quick check, alternating (issue #19).

    python bench/bench_reconciliation.py 100000 [PostgreSQL URL] [--rounds 3] [--bookings 20]

Each round runs, in this order: the full recomputation; the quick check with no journal since (nothing to
check); ``--bookings`` expenses booked through ``services.record_expense`` into 3 of the 53 grants, then the
quick check (what it costs: the new journals and the touched grants). Prints wall and CPU time (the
process; the database server's CPU is not in it), the findings (must be 0) and the load average.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_budgets_status import TODAY, fresh_url  # noqa: E402

from app import create_app  # noqa: E402
from app.platform import clock  # noqa: E402
from app.platform.extensions import db  # noqa: E402


def book(grant_ids: list[int], count: int, start: int) -> None:
    from app.auth.models import Role
    from app.budgets.models import Grant
    from app.budgets.services import record_expense

    for number in range(count):
        grant = db.session.get(Grant, grant_ids[number % len(grant_ids)])
        actor = SimpleNamespace(id=None, email="bench", role=Role.KOMMUNE, kommune_id=grant.kommune_id,
                                organisation_id=None)
        record_expense(grant, actor=actor, module="F1", expense_date=date(2022, 6, 1), amount_cents=1234,
                       voucher_ref=f"R-{start + number}", description="Bench")
    db.session.commit()


def main() -> None:
    from app.benchdata.generator import seed
    from app.budgets import reconciliation

    parser = argparse.ArgumentParser()
    parser.add_argument("size", type=int)
    parser.add_argument("database", nargs="?", default=None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bookings", type=int, default=20)
    args = parser.parse_args()
    url, drop = fresh_url(args.database)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    print("| lines | check | wall ms | CPU ms | findings | load (1 min) |\n|---:|---|---:|---:|---:|---:|")
    try:
        with app.app_context():
            db.create_all()
            with clock.freeze(TODAY):
                result = seed(kommunen=53, lines=args.size, today=TODAY, seed_value=2020, app_config=app.config)
            db.session.commit()
            touched = result.grant_ids[:3]
            for round_number in range(args.rounds):
                for mode in ("full", "quick, no new journal", f"quick after {args.bookings} bookings in 3 grants"):
                    if mode.startswith("quick after"):
                        with clock.freeze(TODAY):
                            book(touched, args.bookings, round_number * args.bookings)
                    cpu, wall = time.process_time(), time.perf_counter()
                    with clock.freeze(TODAY):
                        check = reconciliation.run_check(full=mode == "full")
                    db.session.commit()
                    print(f"| {args.size:,} | {mode} | {1000 * (time.perf_counter() - wall):,.0f} | "
                          f"{1000 * (time.process_time() - cpu):,.0f} | {check.problem_count} | "
                          f"{os.getloadavg()[0]:.2f} |", flush=True)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()


if __name__ == "__main__":
    main()

"""The ledger check at one journal size: full recomputation and incremental check, alternating (issue #19).

    python bench/bench_reconciliation.py 100000 [PostgreSQL URL]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_budgets_status import TODAY, fresh_url  # noqa: E402

from app import create_app  # noqa: E402
from app.platform import clock  # noqa: E402
from app.platform.extensions import db  # noqa: E402


def main() -> None:
    from app.benchdata.generator import seed
    from app.budgets import reconciliation

    size = int(sys.argv[1])
    url, drop = fresh_url(sys.argv[2] if len(sys.argv) > 2 else None)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.app_context():
            db.create_all()
            with clock.freeze(TODAY):
                seed(kommunen=53, lines=size, today=TODAY, seed_value=2020, app_config=app.config)
            db.session.commit()
            for mode in ("full", "incremental") * 3:
                cpu, wall = time.process_time(), time.perf_counter()
                check = reconciliation.run_check(full=mode == "full")
                db.session.commit()
                print(size, mode, f"wall {1000 * (time.perf_counter() - wall):.0f} ms cpu "
                      f"{1000 * (time.process_time() - cpu):.0f} ms problems {check.problem_count}", flush=True)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()


if __name__ == "__main__":
    main()

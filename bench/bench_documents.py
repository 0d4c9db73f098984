"""Benchmark: issue and store all documents of a 53-Kommune settlement (issue 16).

Run from the repository root:  python bench/bench_documents.py [--database URL]

Two fresh databases, the same story for each of the 53 Kommunen (one grant through
``set_commitment``, a drawdown approved and paid, one expense, the proof of use and the final
decision, which reclaims the overpayment): once with ``ISSUE_DOCUMENTS`` off, once on. With it on,
each payment issues an Auszahlungsmitteilung and each final decision a Schlussbescheid and a
Rückforderungs- und Zinsbescheid (PDF/A, WeasyPrint), 159 documents. Reported: the wall time of the
payments and of the final decisions in both runs (the difference is what the documents cost), ms per
document, the stored bytes, and the peak memory (ru_maxrss) of the run with documents.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from faultlib import fresh_database  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.models import Role  # noqa: E402
from app.platform import clock  # noqa: E402
from app.platform.extensions import db  # noqa: E402


def run(base: str | None, documents: bool) -> dict:
    from app.budgets import hearings, services, settlement
    from app.documents.models import Document
    from app.reference.models import Kommune
    from app.reference.services import get_programme, load_programme, load_reference_data

    url, drop = fresh_database(base, "bench_documents")
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "ISSUE_DOCUMENTS": documents})
    try:
        with app.app_context():
            db.create_all()
            load_programme(app.config["PROGRAMME_FILE"])
            load_reference_data()
            db.session.commit()
            programme = get_programme()
            finance = SimpleNamespace(id=None, email="bench finance", role=Role.FINANCE, kommune_id=None,
                                      organisation_id=None)
            admin = SimpleNamespace(id=None, email="bench admin", role=Role.PROGRAMME_ADMIN, kommune_id=None,
                                    organisation_id=None)
            grants = []
            for kommune in db.session.query(Kommune).order_by(Kommune.ags):
                grants.append(services.set_commitment(
                    programme_id=programme.id, source=f"bench:{kommune.ags}", reference=f"ZB-BENCH-{kommune.ags}",
                    recipient_kind="kommune", kommune_id=kommune.id, funding_rate_bp=8000,
                    start_date=date(2020, 7, 1), last_expense_date=date(2022, 12, 31),
                    lines={("F1", 2022): 10_000_000, ("F2", 2022): 5_000_000}, actor=None))
            db.session.commit()
            started = time.perf_counter()
            with clock.freeze(date(2022, 3, 1)):
                for grant in grants:
                    owner = SimpleNamespace(id=None, email="bench kommune", role=Role.KOMMUNE,
                                            kommune_id=grant.kommune_id, organisation_id=None)
                    drawdown = services.request_drawdown(grant, module="F1", amount_cents=4_000_000,
                                                         purpose="Bedarf (Bench)", actor=owner)
                    services.decide_drawdown(drawdown, "approve", actor=finance)
                    services.pay_drawdown(drawdown, actor=finance, value_date=date(2022, 3, 3), reference="KZ")
                    services.record_expense(grant, actor=owner, module="F1", expense_date=date(2022, 2, 20),
                                            amount_cents=2_500_000)
            db.session.commit()
            payments = time.perf_counter() - started
            started = time.perf_counter()
            with clock.freeze(date(2023, 2, 1)):
                for grant in grants:
                    owner = SimpleNamespace(id=None, email="bench kommune", role=Role.KOMMUNE,
                                            kommune_id=grant.kommune_id, organisation_id=None)
                    settlement.submit_proof(grant, narrative="Bench", confirmed=True, actor=owner)
                    hearing = hearings.open_hearing(grant, actor=admin)  # each reclaims: Anhörung first
                    hearings.submit_comment(hearing, comment="Keine Einwände (Bench).", actor=owner)
                    settlement.decide_final(grant, actor=admin)
            db.session.commit()
            final = time.perf_counter() - started
            count = db.session.query(Document).count()
            stored = db.session.query(db.func.coalesce(db.func.sum(Document.size_bytes), 0)).scalar()
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()
    return {"payments_s": payments, "final_s": final, "documents": count, "bytes": int(stored),
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="PostgreSQL server URL (default: SQLite files)")
    args = parser.parse_args()
    without = run(args.database, documents=False)
    with_documents = run(args.database, documents=True)
    extra = (with_documents["payments_s"] + with_documents["final_s"]) - (without["payments_s"] + without["final_s"])
    print(f"53 Kommunen, {'PostgreSQL' if args.database else 'SQLite'}")
    print(f"without documents: payments {without['payments_s']:.1f} s, final decisions {without['final_s']:.1f} s, "
          f"peak RSS {without['maxrss_mb']:.0f} MB")
    print(f"with documents:    payments {with_documents['payments_s']:.1f} s, final decisions "
          f"{with_documents['final_s']:.1f} s, peak RSS {with_documents['maxrss_mb']:.0f} MB")
    print(f"documents: {with_documents['documents']}, stored {with_documents['bytes'] / 1024 / 1024:.1f} MiB "
          f"({with_documents['bytes'] // max(with_documents['documents'], 1) // 1024} KiB each), "
          f"cost {extra:.1f} s = {1000 * extra / max(with_documents['documents'], 1):.0f} ms per document")


if __name__ == "__main__":
    main()

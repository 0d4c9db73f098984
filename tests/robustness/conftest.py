"""Robustness fixtures: grants made through ``set_commitment`` and a race helper (threads, each
request in its own application context and database session)."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from app.platform.extensions import db
from app.reference.services import get_programme, kommune_by_ags


@pytest.fixture()
def make_grant(app):
    from app.budgets.services import set_commitment

    def factory(ags: str = "05315", lines=None, source: str | None = None):
        grant = set_commitment(programme_id=get_programme().id, source=source or f"robust:{ags}",
                               reference=f"R-{ags}", recipient_kind="kommune", kommune_id=kommune_by_ags(ags).id,
                               funding_rate_bp=8000, start_date=date(2020, 7, 1), last_expense_date=date(2023, 6, 30),
                               lines=dict(lines or {("F1", 2021): 1_000_000}))
        db.session.commit()
        return grant

    return factory


@pytest.fixture()
def race(app):
    """``race(count, request)``: run ``request(client, number)`` from ``count`` threads released together."""
    return lambda count, request: _race(app, count, request)


def _race(app, count: int, request) -> list:
    db.session.commit()  # the test holds no transaction (SQLite write lock) while the threads run
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(number: int) -> None:
        client = app.test_client()
        barrier.wait()
        results[number] = request(client, number)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results

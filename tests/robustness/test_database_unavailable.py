"""The database unreachable (restart, network, lock held too long): 503 problem+json with
Retry-After instead of a 500, nothing kept; pooled connections are checked at checkout."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import OperationalError

from app.platform import clock
from app.platform.extensions import db


def _down(*_args, **_kwargs):
    raise OperationalError("SELECT 1", {}, Exception("connection to server at 127.0.0.1 failed: Connection refused"))


def test_api_answers_503_problem_json_when_the_database_is_down(app, make_user, api, monkeypatch):
    from app.budgets import services

    client = api(make_user("finance"))
    monkeypatch.setattr(services, "grants_visible_to", _down)
    response = client.get("/api/v1/budgets/grants")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == "5"
    assert response.json["type"].endswith("/database-unavailable")


def test_a_write_interrupted_by_the_outage_keeps_nothing(app, make_user, api, monkeypatch):
    from app.budgets.models import Drawdown
    from app.budgets.services import set_commitment
    from app.reference.services import get_programme, kommune_by_ags

    grant = set_commitment(programme_id=get_programme().id, source="down:1", reference="DOWN-1",
                           recipient_kind="kommune", kommune_id=kommune_by_ags("05315").id, funding_rate_bp=8000,
                           start_date=date(2020, 7, 1), last_expense_date=date(2023, 6, 30),
                           lines={("F1", 2021): 100_000})
    db.session.commit()
    client = api(make_user("kommune"))
    import app.platform.audit as audit

    monkeypatch.setattr(audit, "record", _down)  # fails after the drawdown and its journal were flushed
    with clock.freeze(date(2021, 5, 1)):
        response = client.post(f"/api/v1/budgets/grants/{grant.id}/drawdowns",
                               json={"module": "F1", "amount": "10.00", "purpose": "x"},
                               headers={"Idempotency-Key": "down-1"})
    assert response.status_code == 503
    assert db.session.query(Drawdown).count() == 0


def test_page_answers_503_when_the_database_is_down(app, make_user, client, monkeypatch):
    from app.budgets import services

    client.login(make_user("kommune"))
    monkeypatch.setattr(services, "grants_visible_to", _down)
    response = client.get("/budgets/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"


def test_pooled_connections_are_pinged_at_checkout(app):
    if db.engine.dialect.name == "sqlite":
        pytest.skip("checked on the PostgreSQL engine")
    assert db.engine.pool._pre_ping is True

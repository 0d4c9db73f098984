"""GET requests must not take SQLite's write lock: the token/session lookup (the first statement of
a request) already begins the transaction, so the read-only mark has to be set before it."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from app.platform.extensions import db


@pytest.fixture()
def begins(app, engine_name):
    if engine_name != "sqlite":
        pytest.skip("BEGIN IMMEDIATE/DEFERRED is SQLite's")
    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_rest):
        if statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    yield seen
    event.remove(db.engine, "before_cursor_execute", listener)


def test_api_get_begins_deferred(app, make_user, api, begins):
    client = api(make_user("finance"))
    begins.clear()
    assert client.get("/api/v1/budgets/status").status_code == 200
    assert begins and set(begins) == {"BEGIN"}, begins


def test_page_get_begins_deferred(app, make_user, client, begins):
    client.login(make_user("finance"))
    begins.clear()
    assert client.get("/budgets/uebersicht").status_code == 200
    assert begins and set(begins) == {"BEGIN"}, begins


def test_api_post_still_begins_immediate(app, make_user, api, begins):
    client = api(make_user("kommune"))
    begins.clear()
    client.post("/api/v1/budgets/grants/1/drawdowns", json={"module": "F1", "amount": "1.00", "purpose": "x"})
    assert "BEGIN IMMEDIATE" in begins

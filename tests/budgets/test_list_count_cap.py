"""Issue #19: a list counts its selection only up to ``LIST_COUNT_CAP`` rows (the platform listing, shown on a
grant's expense list). Around the cap (N, N+1, N+2 rows): the summary, the pager, the exact count on request,
and the statements a page view sends."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import event, select

from app.budgets import services
from app.budgets.models import Expense
from app.budgets.views import expenses as expense_views
from app.platform import clock
from app.platform.extensions import db
from app.platform.web.listing import capped_count

DAY = date(2021, 5, 3)
CAP, PER_PAGE = 4, 2


@pytest.fixture()
def small_pages(app, monkeypatch):
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", CAP)
    monkeypatch.setattr(expense_views, "PAGE_SIZE", PER_PAGE)


def _grant_with_expenses(make_grant, kommune, count: int):
    grant = make_grant()
    with clock.freeze(DAY):
        for n in range(count):
            services.record_expense(grant, actor=kommune, module="F1", expense_date=date(2021, 4, 1 + n),
                                    amount_cents=100 + n, voucher_ref=f"B-{n + 1}")
    db.session.commit()
    return grant


def _page(client, grant, query: str = "") -> str:
    with clock.freeze(DAY):
        response = client.get(f"/budgets/zuwendungen/{grant.id}/ausgaben{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True).replace("&amp;", "&")


def _vouchers(page: str) -> list[str]:
    return re.findall(r"<td>(B-\d+)</td>", page)


def _summary(page: str) -> str:
    return re.sub(r"\s+", " ", re.search(r'<p class="list-summary">(.*?)</p>', page, re.S).group(1))


def _pager(page: str) -> str:
    found = re.search(r'<nav class="pager"[^>]*>(.*?)</nav>', page, re.S)
    return re.sub(r"\s+", " ", found.group(1)) if found else ""


def test_at_the_cap_the_count_is_exact(app, client, make_user, make_grant, small_pages):
    kommune = make_user("kommune")
    grant = _grant_with_expenses(make_grant, kommune, CAP)
    client.login(kommune)
    first, second = _page(client, grant), _page(client, grant, "?page=2")
    assert _vouchers(first) == ["B-1", "B-2"] and _vouchers(second) == ["B-3", "B-4"]
    assert _summary(first).startswith("1–2 von 4 Ausgaben") and "Gesamtzahl ermitteln" not in first
    assert "Export dieser Auswahl (4 Zeilen)" in _summary(first)
    assert "Seite 1 von 2" in _pager(first) and 'rel="next"' in _pager(first)
    assert "Seite 2 von 2" in _pager(second) and 'rel="next"' not in _pager(second)


@pytest.mark.parametrize("count", [CAP + 1, CAP + 2])
def test_above_the_cap_the_list_says_more_than_and_pages_on(app, client, make_user, make_grant, small_pages, count):
    kommune = make_user("kommune")
    grant = _grant_with_expenses(make_grant, kommune, count)
    client.login(kommune)
    first = _page(client, grant)
    assert _vouchers(first) == ["B-1", "B-2"]
    assert _summary(first).startswith(f"1–2 von mehr als {CAP} Ausgaben")
    assert "Export dieser Auswahl:" in _summary(first) and "Zeilen" not in _summary(first)
    assert re.search(r'<a href="[^"]*count=exact[^"]*" id="exact-count">Gesamtzahl ermitteln</a>', first)
    assert "Seite 1 von mindestens 3" in _pager(first) and "page=2" in _pager(first)
    second = _page(client, grant, "?page=2")  # its own rows already prove more than the cap
    assert _vouchers(second) == ["B-3", "B-4"] and "von mehr als 4" in _summary(second)
    assert 'rel="prev"' in _pager(second) and 'rel="next"' in _pager(second)
    last = _page(client, grant, "?page=3")  # the last page knows the total from its rows
    assert _vouchers(last) == [f"B-{n}" for n in range(5, count + 1)]
    assert _summary(last).startswith(f"5–{count} von {count} Ausgaben") and "Gesamtzahl ermitteln" not in last
    assert "Seite 3 von 3" in _pager(last) and 'rel="next"' not in _pager(last)


def test_the_exact_count_on_request_and_a_page_beyond_the_end(app, client, make_user, make_grant, small_pages):
    kommune = make_user("kommune")
    grant = _grant_with_expenses(make_grant, kommune, CAP + 2)
    client.login(kommune)
    exact = _page(client, grant, "?count=exact")
    assert _summary(exact).startswith("1–2 von 6 Ausgaben") and "Export dieser Auswahl (6 Zeilen)" in exact
    assert "Seite 1 von 3" in _pager(exact)
    assert re.search(r'href="[^"]*count=exact[^"]*page=2"', _pager(exact))  # paging keeps the exact count
    beyond = _page(client, grant, "?page=40")  # a stale link: the last page, counted exactly
    assert _vouchers(beyond) == ["B-5", "B-6"] and "Seite 3 von 3" in _pager(beyond)


def _statements(client, grant, query: str = "") -> list[str]:
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        _page(client, grant, query)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return [s for s in seen if re.search(r"FROM expenses\b", s)]


def test_a_page_view_reads_one_page_and_counts_at_most_the_cap(app, client, make_user, make_grant, small_pages):
    kommune = make_user("kommune")
    grant = _grant_with_expenses(make_grant, kommune, CAP + 2)
    client.login(kommune)
    _page(client, grant)  # warm-up: the session's user and settings
    first = _statements(client, grant)
    assert len(first) == 2  # the page (one row more than shown) and the capped count
    count = next(s for s in first if "count(" in s.lower())
    assert "LIMIT" in count.upper()
    assert len(_statements(client, grant, "?page=2")) == 1  # the page proves more than the cap: no count
    assert len(_statements(client, grant, "?page=3")) == 1  # the last page: its rows give the total
    exact = _statements(client, grant, "?count=exact")
    assert len(exact) == 2 and "LIMIT" not in next(s for s in exact if "count(" in s.lower()).upper()


def test_capped_count_reads_at_most_one_row_more_than_the_cap(app, make_user, make_grant):
    grant = _grant_with_expenses(make_grant, make_user("kommune"), 3)
    statement = select(Expense).where(Expense.grant_id == grant.id).order_by(Expense.id)
    assert [capped_count(db.session, statement, cap) for cap in (0, 1, 2, 3, 4)] == [1, 2, 3, 3, 3]

"""Issue #19: the grant page shows only its newest drawdowns, the list of one grant pages, and the drawdown
list reads each page in a fixed number of queries however many rows it shows; the spend chart's line
keeps at most one point per week (property tests)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event

from app.budgets import services
from app.budgets.spend_chart import _value_on, _week, weekly
from app.budgets.views.grants import RECENT_DRAWDOWNS
from app.platform import clock
from app.platform.extensions import db

DAY = date(2021, 5, 3)


def _request(grant, kommune, count: int, purpose: str = "Abruf") -> list[int]:
    with clock.freeze(DAY):
        made = [services.request_drawdown(grant, module="F1", amount_cents=10_000, purpose=f"{purpose} {n}",
                                          actor=kommune).id for n in range(count)]
    db.session.commit()
    return made


def _ids_on(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/budgets/mittelabrufe/(\d+)"', page)]


def test_grant_page_shows_the_newest_and_links_the_older_ones_at_the_boundary(app, client, make_user, make_grant):
    grant = make_grant()
    kommune = make_user("kommune")
    client.login(kommune)
    made = _request(grant, kommune, RECENT_DRAWDOWNS)
    with clock.freeze(DAY):
        page = client.get(f"/budgets/zuwendungen/{grant.id}").get_data(as_text=True)
    assert _ids_on(page) == sorted(made, reverse=True)
    assert 'id="older-drawdowns"' not in page  # exactly RECENT_DRAWDOWNS: nothing older
    made += _request(grant, kommune, 1)
    with clock.freeze(DAY):
        page = client.get(f"/budgets/zuwendungen/{grant.id}").get_data(as_text=True)
    assert _ids_on(page) == sorted(made, reverse=True)[:RECENT_DRAWDOWNS]
    assert "Ältere Mittelabrufe anzeigen (1)" in page
    assert f"/budgets/mittelabrufe?zuwendung={grant.id}" in page


def test_drawdown_list_of_one_grant_pages_and_keeps_its_filter(app, client, make_user, make_grant):
    grant, other = make_grant(), make_grant(ags="05154")
    kommune = make_user("kommune")
    made = _request(grant, kommune, 51)
    _request(other, make_user("kommune", kommune_ags="05154"), 2, purpose="Fremd")
    finance = make_user("finance")
    client.login(finance)
    with clock.freeze(DAY):
        first = client.get(f"/budgets/mittelabrufe?zuwendung={grant.id}").get_data(as_text=True)
        second = client.get(f"/budgets/mittelabrufe?zuwendung={grant.id}&page=2").get_data(as_text=True)
        everything = client.get("/budgets/mittelabrufe").get_data(as_text=True)
    newest_first = sorted(made, reverse=True)
    assert _ids_on(first) == newest_first[:50] and _ids_on(second) == newest_first[50:]
    assert "Fremd" not in first + second and "Fremd" in everything
    assert f'name="zuwendung" value="{grant.id}"' in first and 'id="grant-filter"' in first
    assert re.search(rf'href="\?[^"]*zuwendung={grant.id}[^"]*page=2', first.replace("&amp;", "&"))  # the pager
    assert 'id="grant-filter"' not in everything


def test_drawdown_list_of_a_grant_not_ones_own_is_404_and_a_bad_id_is_ignored(app, client, make_user, make_grant):
    grant = make_grant()
    _request(grant, make_user("kommune"), 1)
    client.login(make_user("kommune", kommune_ags="05154"))
    with clock.freeze(DAY):
        assert client.get(f"/budgets/mittelabrufe?zuwendung={grant.id}").status_code == 404
        for bad in ("x", "-1", "99999999999999999999", ""):
            page = client.get(f"/budgets/mittelabrufe?zuwendung={bad}")
            assert page.status_code == 200 and 'id="grant-filter"' not in page.get_data(as_text=True)


def test_finance_sees_every_status_of_one_grant(app, client, make_user, make_grant):
    """Without a status, finance's list shows the open drawdowns; filtered to a grant it shows them all."""
    grant = make_grant()
    kommune, finance = make_user("kommune"), make_user("finance")
    done, still_open = _request(grant, kommune, 2)
    with clock.freeze(DAY):
        services.decide_drawdown(_drawdown(done), "reject", actor=finance, reason="Kein Bedarf")
    db.session.commit()
    client.login(finance)
    with clock.freeze(DAY):
        assert _ids_on(client.get("/budgets/mittelabrufe").get_data(as_text=True)) == [still_open]
        assert _ids_on(client.get(f"/budgets/mittelabrufe?zuwendung={grant.id}").get_data(as_text=True)) == [
            still_open, done]


def _drawdown(drawdown_id: int):
    from app.budgets.models import Drawdown

    return db.session.get(Drawdown, drawdown_id)


def _statements(app, client, url: str) -> int:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with clock.freeze(DAY):
            assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_drawdown_list_queries_do_not_grow_with_its_rows(app, client, make_user, make_grant):
    """One query for the page's rows with their grants and recipients (was one per grant and recipient)."""
    kommunen = ["05315", "05154", "05111", "05913"]
    grants = [make_grant(ags=ags) for ags in kommunen]
    users = [make_user("kommune", kommune_ags=ags) for ags in kommunen]
    client.login(make_user("programme_admin"))
    _request(grants[0], users[0], 1)
    _statements(app, client, "/budgets/mittelabrufe")  # warm-up: the session's user and settings
    few = _statements(app, client, "/budgets/mittelabrufe")
    for grant, user in zip(grants, users, strict=True):
        _request(grant, user, 3)
    many_page = client.get("/budgets/mittelabrufe").get_data(as_text=True)
    assert len(_ids_on(many_page)) == 13 and all(f"DS-{ags}" in many_page for ags in kommunen)
    assert _statements(app, client, "/budgets/mittelabrufe") == few


days = st.lists(st.tuples(st.integers(0, 1500), st.integers(0, 10**9)), max_size=300).map(
    lambda raw: _cumulative(raw))


def _cumulative(raw: list[tuple[int, int]]) -> list[tuple[date, int]]:
    start, total, points = date(2020, 7, 1), 0, []
    for offset, cents in sorted(dict(raw).items()):
        total += cents
        points.append((start + timedelta(days=offset), total))
    return points


@given(days)
def test_weekly_keeps_the_first_point_and_each_weeks_last(points):
    kept = weekly(points)
    assert kept == [] if not points else kept[0] == points[0] and kept[-1] == points[-1]
    assert all(p in points for p in kept)
    rest = kept[1:]
    assert len({_week(d) for d, _ in rest}) == len(rest)  # at most one point per week after the first
    for day, value in rest:  # each kept point is its week's last one, with its exact cumulative value
        assert value == max(v for d, v in points if _week(d) == _week(day))
        assert all(d <= day for d, _ in points if _week(d) == _week(day))


@given(days, st.integers(-5, 1510))
def test_value_on_is_the_last_value_not_after_the_day(points, offset):
    day = date(2020, 7, 1) + timedelta(days=offset)
    expected = 0
    for when, value in points:
        if when <= day:
            expected = value
    assert _value_on(points, day) == expected

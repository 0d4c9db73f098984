"""Issue #19: the assignment matrix by pages, with a fixed number of queries whatever the page size."""

from __future__ import annotations

from sqlalchemy import event

from app.innovationsfonds.matrix import assignment_matrix
from app.innovationsfonds.models import Call
from app.platform.extensions import db


def _statements(run) -> tuple[int, object]:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        result = run()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen), result


def test_matrix_pages_show_every_sketch_once_with_the_same_loads(small):
    ids = [small.submitted() for _ in range(5)]
    small.close()
    small.assign()
    call = db.session.get(Call, small.call)
    whole = assignment_matrix(call)
    pages = [assignment_matrix(call, page=n, per_page=2) for n in (1, 2, 3)]
    assert [p["pages"] for p in pages] == [3, 3, 3] and whole["pages"] == 1
    assert [r["sketch"].id for p in pages for r in p["rows"]] == ids == [r["sketch"].id for r in whole["rows"]]
    assert all(p["loads"] == whole["loads"] for p in pages) and sum(whole["loads"].values()) == 2 * len(ids)
    assert [r["cells"] for p in pages for r in p["rows"]] == [r["cells"] for r in whole["rows"]]
    assert assignment_matrix(call, page=99, per_page=2)["page"] == 3  # past the last: the last page
    assert len(pages[0]["sketches"]) == len(ids)  # the form lists every sketch (one grouped query)


def test_matrix_queries_do_not_grow_with_the_rows(small):
    for _ in range(4):
        small.submitted()
    small.close()
    small.assign()
    call = db.session.get(Call, small.call)
    db.session.expire_all()
    one, _ = _statements(lambda: assignment_matrix(call, page=1, per_page=1))
    db.session.expire_all()
    four, _ = _statements(lambda: assignment_matrix(call, page=1, per_page=4))
    assert one == four


def test_matrix_page_number_from_the_url_never_fails(small, client, people):
    for _ in range(3):
        small.submitted()
    small.close()
    small.assign()
    client.login(people["admin"])
    url = f"/innovationsfonds/aufrufe/{small.call}/zuordnung"
    for query in ("", "?seite=abc", "?seite=0", "?seite=99999", "?seite=-1"):
        page = client.get(url + query)
        assert page.status_code == 200, query
        assert page.get_data(as_text=True).count("/skizzen/") >= 3 and 'class="pager"' not in page.get_data(
            as_text=True)  # one page: no pager

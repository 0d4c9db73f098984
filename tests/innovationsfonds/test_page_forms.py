"""Page forms load through the API's schemas (issue #15): a bad review mark is refused beside its criterion
with the API's message and nothing is saved (it used to be dropped silently); dates may be typed TT.MM.JJJJ."""

from __future__ import annotations

from sqlalchemy import select

from app.innovationsfonds.models import Review, Sketch
from app.platform import clock
from app.platform.extensions import db
from tests.innovationsfonds.conftest import AFTER, DURING


def test_bad_review_marks_are_refused_beside_the_criterion_like_the_api(small, client):
    sketch_id = small.submitted()
    small.close()
    small.assign()
    name = next(n for n, u in small.users.items() if u.id == small.assigned_to(sketch_id)[0])
    client.login(small.users[name])
    url = f"/innovationsfonds/skizzen/{sketch_id}/bewertung"
    with clock.freeze(AFTER):
        api = small.api[name].put(f"/api/v1/innovationsfonds/sketches/{sketch_id}/review",
                                  json={"marks": {"relevance": 99}, "comment": ""})
        assert api.status_code == 422
        message = api.json["errors"]["marks.relevance"][0]
        for bad in ("99", "viel", "-1"):
            page = client.post(url, data={"mark_relevance": bad, "mark_innovation": "5", "submit": "0"})
            assert page.status_code == 422, bad
            assert message in page.get_data(as_text=True).split('id="f-mark_relevance"')[1], bad
        unknown = client.post(url, data={"mark_nonsense": "3", "submit": "0"})
        assert unknown.status_code == 422 and "Unbekanntes Kriterium." in unknown.get_data(as_text=True)
        assert db.session.scalar(select(Review).where(Review.sketch_id == sketch_id)) is None
        saved = client.post(url, data={"mark_relevance": "7", "mark_innovation": "na", "submit": "0"})
        assert saved.status_code == 302
    assert db.session.scalar(select(Review.marks).where(Review.sketch_id == sketch_id)) == {
        "relevance": 7, "innovation": None}


def test_sketch_form_takes_german_dates_and_names_a_bad_one(small, client):
    sketch_id = small.draft()
    client.login(small.users["org"])
    url = f"/innovationsfonds/skizzen/{sketch_id}/bearbeiten"
    with clock.freeze(DURING):
        bad = client.post(url, data={"title": "Projekt", "start_date": "31.02.2021", "requested": "1.000,5x"})
        assert bad.status_code == 422
        text = bad.get_data(as_text=True)
        assert 'id="f-start_date-error"' in text and 'id="f-requested-error"' in text
        assert db.session.get(Sketch, sketch_id).start_date.isoformat() == "2020-09-01"
        good = client.post(url, data={"title": "Projekt", "start_date": "01.10.2020", "end_date": "2022-08-31",
                                      "requested": "150.000,00"})
        assert good.status_code == 302, good.get_data(as_text=True)
    db.session.expire_all()
    sketch = db.session.get(Sketch, sketch_id)
    assert sketch.start_date.isoformat() == "2020-10-01" and sketch.requested_cents == 15_000_000

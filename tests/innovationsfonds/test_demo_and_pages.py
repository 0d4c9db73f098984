"""The demo seeds a call in review (93 sketches, 40 organisations, 12 reviewers); the main pages render
for each role on that data and keep ownership (404) and the blind rule."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.demo import DEMO_PASSWORD
from app.innovationsfonds import demo
from app.innovationsfonds.models import Assignment, Call, Review, Sketch, SketchStatus
from app.platform import clock
from app.platform.extensions import db
from tests.innovationsfonds.conftest import seed_demo_round


@pytest.fixture()
def seeded(app):
    return seed_demo_round(date(2022, 6, 15))


def test_demo_seeds_a_competition_in_review(seeded):
    call = db.session.scalar(select(Call))
    assert "31.05.2022" in call.title
    assert db.session.scalar(select(func.count()).select_from(Sketch)) == 93
    assert len({s.organisation_id for s in call.sketches}) == 40
    assert sum(1 for s in call.sketches if s.status is SketchStatus.INELIGIBLE) == 2
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 91 * 3
    reviews = db.session.scalar(select(func.count()).select_from(Review))
    assert 0 < reviews < 91 * 3  # in progress on the demo day
    assert len([u for u in seeded.users if u.startswith("gutachter")]) == 12
    assert DEMO_PASSWORD


def test_pages_for_each_role(seeded, client):
    call = db.session.scalar(select(Call))
    own = next(s for s in call.sketches if s.organisation_id == seeded.users["traeger@demo.nrw"].organisation_id)
    foreign = next(s for s in call.sketches if s.organisation_id != own.organisation_id)
    with clock.freeze(date(2022, 6, 15)):
        client.login(seeded.users["traeger@demo.nrw"])
        assert "Meine Projektskizzen" in client.get("/innovationsfonds/").get_data(as_text=True)
        assert client.get(f"/innovationsfonds/skizzen/{own.id}").status_code == 200
        assert client.get(f"/innovationsfonds/skizzen/{foreign.id}").status_code == 404
        client.client.get("/abmelden")
        client.login(seeded.users["admin@demo.nrw"])
        for path in ("", "/zuordnung", "/rangfolge", "/auswahl", "/postausgang", "/statistik"):
            response = client.get(f"/innovationsfonds/aufrufe/{call.id}{path}")
            assert response.status_code == 200, path
        assert client.get("/innovationsfonds/aufrufe/neu").status_code == 200
        client.client.get("/abmelden")
        reviewer = seeded.users["gutachter1@demo.nrw"]
        client.login(reviewer)
        page = client.get("/innovationsfonds/gutachten").get_data(as_text=True)
        assert "abgegeben" in page
        assigned = {a.sketch_id for a in db.session.scalars(select(Assignment).where(
            Assignment.reviewer_id == reviewer.id))}
        not_assigned = next(s for s in call.sketches if s.id not in assigned)
        assert client.get(f"/innovationsfonds/skizzen/{not_assigned.id}/bewertung").status_code == 404
        open_one = next(a for a in assigned if db.session.scalar(select(Review).where(
            Review.sketch_id == a, Review.reviewer_id == reviewer.id)) is None)
        form = client.get(f"/innovationsfonds/skizzen/{open_one}/bewertung").get_data(as_text=True)
        assert "nach Abgabe Ihres eigenen" in form
        marks = {f"mark_{k}": v for k, v in demo.marks(1).items()}
        response = client.post(f"/innovationsfonds/skizzen/{open_one}/bewertung", data={**marks, "submit": "1"})
        assert response.status_code == 302
        assert "Alle Gutachten" in client.get(f"/innovationsfonds/skizzen/{open_one}/bewertung").get_data(as_text=True)

"""Fixtures of the Innovationsfonds DB tests: a call set up through the API, organisations with users,
reviewers, and helpers that drive sketches into a given state."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.auth.services import create_user
from app.demo import DemoContext
from app.innovationsfonds import demo
from app.platform import clock
from app.platform.extensions import db
from app.reference.models import Kommune, Organisation
from app.reference.services import get_programme
from tests.conftest import PASSWORD

OPENS = datetime(2020, 1, 15, 0, 0, tzinfo=clock.BERLIN)
CLOSES = clock.end_of_day(date(2020, 3, 31))  # 31.03.2020 23:59:59 Berlin
DURING = datetime(2020, 3, 15, 10, 0, tzinfo=clock.BERLIN)
AFTER = datetime(2020, 4, 2, 10, 0, tzinfo=clock.BERLIN)
CRITERIA = [
    {"key": "relevance", "name": "Relevanz für die Zielgruppe", "weight": 3, "scale_min": 0, "scale_max": 10},
    {"key": "innovation", "name": "Innovationsgehalt", "weight": 2, "scale_min": 0, "scale_max": 10},
    {"key": "feasibility", "name": "Umsetzbarkeit", "weight": 2, "scale_min": 0, "scale_max": 10},
    {"key": "women", "name": "Erreichung junger Frauen", "weight": 1, "scale_min": 1, "scale_max": 5},
]


def call_body(**extra) -> dict:
    body = {"title": "Innovationsfonds – Stichtag 31.03.2020", "budget": "5000000.00",
            "opens_at": OPENS.isoformat(), "closes_at": CLOSES.isoformat(), "review_deadline": "2020-05-15",
            "full_application_deadline": "2020-07-31", "max_per_project": "500000.00",
            "eligible_kinds": ["firm", "education_provider", "chamber", "association", "club", "foundation",
                               "kommune"],
            "target_groups": ["primary", "secondary"], "project_start": "2020-07-01", "project_end": "2023-06-30",
            "funding_rate_bp": 8000, "reviewers_per_sketch": 3, "reviewers_see_names": False,
            "show_scores_to_rejected": True, "selection_rule": "funding_line_skip", "min_score": "40.00",
            "discrepancy_threshold": "25.00", "criteria": CRITERIA}
    body.update(extra)
    return body


def sketch_body(call_id: int, kommune_id: int, n: int = 0, **extra) -> dict:
    body = {"call_id": call_id, "title": f"Projekt {n}: Wege in Ausbildung", "summary": "Begleitung junger Menschen.",
            "target_group": "primary", "age_min": 18, "age_max": 27, "planned_participants": 40,
            "planned_women": 28, "kommune_id": kommune_id, "start_date": "2020-09-01", "end_date": "2022-08-31",
            "requested": "200000.00", "total_cost": "250000.00"}
    body.update(extra)
    return body


def kommune_ids(count: int) -> list[int]:
    return [k.id for k in db.session.query(Kommune).order_by(Kommune.ags).limit(count)]


@pytest.fixture()
def people(make_user):
    """Admin, finance, auditor, kommune, two organisations, three reviewers."""
    org_a = Organisation(name="Träger A e. V.", kind="club")
    org_b = Organisation(name="Träger B gGmbH", kind="education_provider")
    db.session.add_all([org_a, org_b])
    db.session.flush()
    return {
        "admin": make_user("programme_admin"), "finance": make_user("finance"), "auditor": make_user("auditor"),
        "kommune": make_user("kommune"),
        "org": make_user("organisation", organisation=org_a),
        "other_org": make_user("organisation", organisation=org_b),
        "rev1": make_user("reviewer"), "rev2": make_user("reviewer"), "rev3": make_user("reviewer"),
        "rev4": make_user("reviewer"),
    }


@pytest.fixture()
def small(api, people):
    """One call (2 reviewers per sketch), clients per person and helpers."""
    clients = {name: api(user) for name, user in people.items()}
    with clock.freeze(datetime(2020, 1, 10, tzinfo=UTC)):
        response = clients["admin"].post("/api/v1/innovationsfonds/calls", json=call_body(reviewers_per_sketch=2))
    assert response.status_code == 201, response.json
    call_id = response.json["id"]
    kommune = kommune_ids(1)[0]

    class Small:
        api = clients
        users = people
        call = call_id

        def draft(self, who="org", **extra):
            with clock.freeze(DURING):
                r = clients[who].post("/api/v1/innovationsfonds/sketches", json=sketch_body(call_id, kommune, **extra))
            assert r.status_code == 201, r.json
            return r.json["id"]

        def submitted(self, who="org", **extra):
            sketch_id = self.draft(who, **extra)
            with clock.freeze(DURING):
                r = clients[who].post(f"/api/v1/innovationsfonds/sketches/{sketch_id}/submit")
            assert r.status_code == 200, r.json
            return sketch_id

        def close(self):
            with clock.freeze(AFTER):
                r = clients["admin"].post(f"/api/v1/innovationsfonds/calls/{call_id}/close")
            assert r.status_code == 200, r.json
            return r.json

        def assign(self):
            with clock.freeze(AFTER):
                r = clients["admin"].post(f"/api/v1/innovationsfonds/calls/{call_id}/assignments/auto")
            assert r.status_code == 200, r.json
            return r.json

        def assigned_to(self, sketch_id):
            r = clients["admin"].get(f"/api/v1/innovationsfonds/sketches/{sketch_id}")
            return [x["id"] for x in r.json["reviewers"]]

    return Small()


def marks_for(seed: int) -> dict:
    return {"relevance": seed % 11, "innovation": (seed * 7) % 11, "feasibility": (seed * 3 + 4) % 11,
            "women": 1 + seed % 5}


def seed_demo_round(day: date):
    """The Innovationsfonds part of ``seed-demo --day`` (app/innovationsfonds/demo.py), with the demo accounts
    it relies on; committed. Returns the ``DemoContext`` (its ``users`` by e-mail)."""
    context = DemoContext(day=day, programme=get_programme())
    for email, role in [("admin@demo.nrw", "programme_admin"), ("gutachter1@demo.nrw", "reviewer")]:
        context.users[email] = create_user(email=email, name=email, password=PASSWORD, role=role, actor_label="t")
    organisation = Organisation(name="Demo-Bildungswerk e. V. (synthetisch)", kind="club")
    db.session.add(organisation)
    db.session.flush()
    context.users["traeger@demo.nrw"] = create_user(email="traeger@demo.nrw", name="Olga", password=PASSWORD,
                                                    role="organisation", organisation_id=organisation.id,
                                                    actor_label="t")
    demo.seed(context)
    db.session.commit()
    return context

"""A full competition through the API: 93 sketches from 40 organisations, 12 reviewers with conflicts,
3 reviews per sketch, ranking, both proposals within 5,000,000.00 EUR, the staged decision and its
release into the outbox, promotion from the waiting list after a withdrawal, and one funded project
with a drawdown through the budgets API."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from decimal import Decimal

import pytest

from app.notifications.models import Message
from app.platform import clock
from app.platform.extensions import db
from app.reference.models import Organisation
from tests.innovationsfonds.conftest import AFTER, DURING, call_body, kommune_ids, marks_for, sketch_body

BASE = "/api/v1/innovationsfonds"
DECISION = "innovationsfonds.decision"
KINDS = ["club", "education_provider", "association", "foundation", "firm", "chamber", "kommune"]


@pytest.fixture()
def competition(api, make_user):
    admin = api(make_user("programme_admin"))
    finance = api(make_user("finance"))
    with clock.freeze(datetime(2020, 1, 10, 12, tzinfo=clock.BERLIN)):
        response = admin.post(f"{BASE}/calls", json=call_body())
    assert response.status_code == 201, response.json
    call_id = response.json["id"]
    kommunen = kommune_ids(20)
    organisations, org_clients, org_users = [], [], []
    for n in range(40):
        organisation = Organisation(name=f"Synthetischer Träger {n:02d}", kind=KINDS[n % len(KINDS)],
                                    is_public_body=KINDS[n % len(KINDS)] == "kommune", kommune_id=kommunen[n % 20])
        db.session.add(organisation)
        db.session.flush()
        user = make_user("organisation", organisation=organisation)
        organisations.append(organisation)
        org_users.append(user)
        org_clients.append(api(user))
    reviewers = [make_user("reviewer") for _ in range(12)]
    return {"admin": admin, "finance": finance, "call": call_id, "kommunen": kommunen,
            "organisations": organisations, "orgs": org_clients, "org_users": org_users, "reviewers": reviewers,
            "rev_clients": [api(u) for u in reviewers]}


def _requested(n: int) -> str:
    return f"{100000 + (n * 37_123) % 390_000}.{n % 100:02d}"


@pytest.mark.slow
def test_full_competition(competition, client):
    pages, c = client, competition
    admin, call_id = c["admin"], c["call"]
    sketch_org: dict[int, int] = {}
    with clock.freeze(DURING):
        for n in range(93):
            o = n % 40
            extra = {"requested": _requested(n), "total_cost": "800000.00"}
            if n in (7, 50):
                extra = {"requested": "650000.00", "total_cost": "700000.00"}  # above the maximum: refused
            body = sketch_body(call_id, c["kommunen"][n % 20], n, planned_participants=30 + n % 20,
                               planned_women=(30 + n % 20) * 7 // 10, **extra)
            created = c["orgs"][o].post(f"{BASE}/sketches", json=body)
            assert created.status_code == 201, created.json
            sketch_id = created.json["id"]
            submitted = c["orgs"][o].post(f"{BASE}/sketches/{sketch_id}/submit")
            if n in (7, 50):  # told at once, beside the amount; the sketch stays a draft
                assert submitted.status_code == 422 and "Höchstbetrag" in submitted.json["errors"]["requested"][0]
                continue
            assert submitted.status_code == 200
            sketch_org[sketch_id] = o
    assert len(set(sketch_org.values())) == 40

    with clock.freeze(AFTER):
        closed = admin.post(f"{BASE}/calls/{call_id}/close").json
        assert closed == {"call": call_id, "eligible": 91, "ineligible": 0}
        # conflicts: reviewer k with organisation k, reviewer 0 also with a Kommune
        for k, client in enumerate(c["rev_clients"]):
            assert client.post(f"{BASE}/conflicts", json={"organisation_id": c["organisations"][k].id}).status_code \
                == 201
        assert c["rev_clients"][0].post(f"{BASE}/conflicts",
                                        json={"kommune_id": c["kommunen"][3]}).status_code == 201
        assigned = admin.post(f"{BASE}/calls/{call_id}/assignments/auto").json
        assert assigned["sketches"] == 91 and assigned["created"] == 273
        assert assigned["load_max"] - assigned["load_min"] <= 1
        matrix = admin.get(f"{BASE}/calls/{call_id}/assignments").json
        for row in matrix["rows"]:
            assert row["count"] == 3 and "conflict" not in [cell for cell in row["cells"] if cell == "assigned"]
            for reviewer, cell in zip(matrix["reviewers"], row["cells"], strict=True):
                if cell == "assigned":
                    idx = next(i for i, u in enumerate(c["reviewers"]) if u.id == reviewer["id"])
                    sketch = admin.get(f"{BASE}/sketches/{row['sketch_id']}").json
                    assert sketch["organisation"]["id"] != c["organisations"][idx].id

        # reviews: every assignment, deterministic marks; a discrepancy on a few sketches
        for idx, client in enumerate(c["rev_clients"]):
            mine = client.get(f"{BASE}/assignments").json
            for item in mine["assignments"]:
                sketch_id = item["sketch"]["id"]
                marks = marks_for(sketch_id * 3 + idx)
                response = client.post(f"{BASE}/sketches/{sketch_id}/review/submit", json={"marks": marks})
                assert response.status_code == 200, response.json
            assert client.get(f"{BASE}/assignments").json["open"] == 0

        ranking = admin.get(f"{BASE}/calls/{call_id}/ranking").json
        assert len(ranking) == 91 and [r["position"] for r in ranking] == list(range(1, 92))
        assert all(r["aggregate"]["count"] == 3 for r in ranking)
        assert any(r["aggregate"]["discrepancy"] for r in ranking)
        proposals = admin.get(f"{BASE}/calls/{call_id}/proposals").json
        line, best = proposals["funding_line"], proposals["max_score"]
        for proposal in (line, best):
            assert Decimal(proposal["total"]) <= Decimal("5000000.00")
        assert Decimal(best["score_total"]) >= Decimal(line["score_total"])
        assert proposals["comparison"]["explanation"]

        # the Steuerkreis deviates once: drops the last of the line, with a reason
        dropped = line["selected"][-1]
        missing_reason = admin.post(f"{BASE}/calls/{call_id}/decision",
                                    json={"basis": "funding_line_skip", "selected": line["selected"][:-1]})
        assert missing_reason.status_code == 422 and f"reasons.{dropped}" in missing_reason.json["errors"]
        staged = admin.post(f"{BASE}/calls/{call_id}/decision", json={
            "basis": "funding_line_skip", "selected": line["selected"][:-1],
            "reasons": {str(dropped): "Doppelförderung mit einem Bundesprogramm."}})
        assert staged.status_code == 200, staged.json
        outbox = admin.get(f"{BASE}/calls/{call_id}/outbox").json
        assert len(outbox) == 91 and all(m["released_at"] is None for m in outbox)
        kinds = Counter(m["kind"] for m in outbox)
        assert kinds["selected"] == len(line["selected"]) - 1 and kinds["ineligible"] == 0
        selected_message = next(m for m in outbox if m["kind"] == "selected")
        assert "Vollantrag" in selected_message["body"] and "31.07.2020" in selected_message["body"]
        assert db.session.query(Message).filter(Message.kind == DECISION).count() == 0  # nothing before the release
        any_selected = staged.json["selected"][0]
        org_client = c["orgs"][sketch_org[any_selected]]
        assert org_client.get(f"{BASE}/sketches/{any_selected}").json["decision"] is None

        released = admin.post(f"{BASE}/calls/{call_id}/release")
        assert released.status_code == 200, released.json
        assert admin.post(f"{BASE}/calls/{call_id}/release").status_code == 409
        assert db.session.query(Message).filter(Message.kind == DECISION).count() == 91  # one per submitted sketch
        assert db.session.query(Message).filter(Message.kind == "innovationsfonds.receipt").count() == 91
        decision = org_client.get(f"{BASE}/sketches/{any_selected}").json["decision"]
        assert decision["outcome"] == "selected"

        waiting = admin.get(f"{BASE}/calls/{call_id}/waiting-list").json
        assert waiting, "the waiting list must not be empty"
        selected_now = [s for s in staged.json["selected"]]
        biggest = max(selected_now, key=lambda i: Decimal(admin.get(f"{BASE}/sketches/{i}").json["requested"]))
        withdrawn = c["orgs"][sketch_org[biggest]].post(f"{BASE}/sketches/{biggest}/withdraw")
        assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
        promoted = [s for s in admin.get(f"{BASE}/calls/{call_id}/waiting-list").json]
        first_waiting = waiting[0]["id"]
        new_status = admin.get(f"{BASE}/sketches/{first_waiting}").json["status"]
        assert new_status == "selected" or len(promoted) < len(waiting)
        promoted_messages = [m for m in admin.get(f"{BASE}/calls/{call_id}/outbox").json if m["kind"] == "promoted"]
        assert promoted_messages and all(m["released_at"] for m in promoted_messages)
        statistics = admin.get(f"{BASE}/calls/{call_id}/statistics").json
        assert statistics["submitted"] == 91 and statistics["eligible"] == 91
        assert Decimal(statistics["selected_requested"]) <= Decimal("5000000.00")
        assert Decimal(statistics["women_share"]) > 60

    # one funded project: full application, numbered decision (ANBest-P), commitment, drawdown
    project = staged.json["selected"][0] if staged.json["selected"][0] != biggest else staged.json["selected"][1]
    project_org = c["orgs"][sketch_org[project]]
    requested = Decimal(admin.get(f"{BASE}/sketches/{project}").json["requested"])
    first_year = (requested / 2).quantize(Decimal("0.01"))
    with clock.freeze(date(2020, 7, 15)):
        full = project_org.put(f"{BASE}/sketches/{project}/full-application", json={
            "lines": [{"year": 2020, "amount": f"{first_year}"}, {"year": 2021, "amount": f"{requested - first_year}"}],
            "start_date": "2020-09-01", "end_date": "2022-08-31", "description": "Vollantrag"})
        assert full.status_code == 200, full.json
        approved = admin.post(f"{BASE}/sketches/{project}/full-application/approve", json={})
        assert approved.status_code == 201, approved.json
    assert approved.json["number"] == "IF-ZB-2020-0001"
    organisation = c["organisations"][sketch_org[project]]
    assert approved.json["side_conditions"] == ("ANBest-G" if organisation.is_public_body else "ANBest-P")
    grant_id = approved.json["grant_id"]
    with clock.freeze(date(2020, 9, 15)):
        drawdown = project_org.post(f"/api/v1/budgets/grants/{grant_id}/drawdowns",
                                    json={"module": "F5", "amount": "10000.00", "purpose": "Personal Sep./Okt."})
        assert drawdown.status_code == 201, drawdown.json
        other_org = c["orgs"][(sketch_org[project] + 1) % 40]
        assert other_org.get(f"/api/v1/budgets/grants/{grant_id}").status_code == 404
        paid = c["finance"].post(f"/api/v1/budgets/drawdowns/{drawdown.json['id']}/approve", json={})
        assert paid.status_code in (200, 201), paid.json
    assert project_org.get(f"{BASE}/sketches/{project}").json["status"] == "funded"
    pages.login(c["org_users"][sketch_org[project]])  # the budget pages work for the organisation's grant
    with clock.freeze(date(2020, 9, 16)):
        page = pages.get(f"/budgets/zuwendungen/{grant_id}")
    assert page.status_code == 200 and "IF-ZB-2020-0001" in page.get_data(as_text=True)

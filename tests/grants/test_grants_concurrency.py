"""Two administrators approving the same revision at the same moment: one decision (both engines)."""

import threading
import time

import pytest
from sqlalchemy import func, select

from app.budgets.models import Grant
from app.grants import decisions, services
from app.grants.models import Decision
from app.platform.extensions import db
from app.platform.numbering import NumberSeries


def _race(flow, app_id, paths_and_bodies):
    """Fire the requests from separate threads at the same moment; each request has its own app context."""
    db.session.commit()
    barrier = threading.Barrier(len(paths_and_bodies))
    results = [None] * len(paths_and_bodies)

    def run(index, client, path, body):
        barrier.wait()
        response = client.post(path, json=body)
        results[index] = (response.status_code, response.json)

    threads = [threading.Thread(target=run, args=(i, *item)) for i, item in enumerate(paths_and_bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture()
def slow_commitment(monkeypatch):
    """Hold the lock a little longer, so that the second approval surely arrives while the first works."""
    original = decisions.set_commitment

    def slow(**kwargs):
        time.sleep(0.3)
        return original(**kwargs)

    monkeypatch.setattr(decisions, "set_commitment", slow)


def test_concurrent_approvals_make_one_decision(flow, slow_commitment):
    app_id = flow.in_state("submitted")
    path = f"/api/v1/applications/{app_id}/approve"
    results = _race(flow, app_id, [(flow.api["programme_admin"], path, {}), (flow.api["admin2"], path, {})])
    assert sorted(status for status, _body in results) == [201, 409], results
    conflict = next(body for status, body in results if status == 409)
    assert conflict["current_status"] == "approved"
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 1
    assert db.session.scalar(select(func.count()).select_from(Grant)) == 1


def test_unique_constraint_is_the_backstop_without_the_row_lock(flow, slow_commitment, monkeypatch, engine_name):
    """Even if the application row were not locked, (application, revision) is unique: 409, not two decisions."""
    monkeypatch.setattr(services, "lock_for_update", lambda statement: statement)
    app_id = flow.in_state("submitted")
    path = f"/api/v1/applications/{app_id}/approve"
    results = _race(flow, app_id, [(flow.api["programme_admin"], path, {}), (flow.api["admin2"], path, {})])
    assert sorted(status for status, _body in results) == [201, 409], results
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 1


def test_concurrent_approvals_of_different_applications_get_distinct_numbers(flow, make_user, api, slow_commitment):
    first = flow.in_state("submitted")
    other_user = flow.users["foreign"]
    other = flow.api["foreign"]
    second = other.post("/api/v1/applications").json["id"]
    other.put(f"/api/v1/applications/{second}/draft", json={
        "lines": [{"module": "F1", "year": 2020, "amount": "1000.00"}], "measures": "Coaching",
        "contact_name": other_user.name, "contact_email": other_user.email})
    assert other.post(f"/api/v1/applications/{second}/submit").status_code == 200
    results = _race(flow, first, [(flow.api["programme_admin"], f"/api/v1/applications/{first}/approve", {}),
                                  (flow.api["admin2"], f"/api/v1/applications/{second}/approve", {})])
    assert [status for status, _body in results] == [201, 201], results
    assert sorted(body["number"] for _status, body in results) == ["ZB-2020-0001", "ZB-2020-0002"]
    assert db.session.scalar(select(NumberSeries.last_value).where(NumberSeries.series == "ZB-2020")) == 2

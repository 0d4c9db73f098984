"""Issue #14, 7: finance and Prüfung may read the selection page but a POST to it is a 403, not a
silent redirect; the admin's decision path is unchanged."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.platform import clock
from tests.conftest import PageClient

from .conftest import call_body


@pytest.mark.parametrize("who", ["auditor", "finance"])
def test_posting_to_the_selection_page_without_the_right_is_403(app, api, people, who):
    with clock.freeze(datetime(2020, 1, 10, tzinfo=UTC)):
        call = api(people["admin"]).post("/api/v1/innovationsfonds/calls", json=call_body())
    assert call.status_code == 201, call.json
    page = PageClient(app.test_client())
    page.login(people[who])
    url = f"/innovationsfonds/aufrufe/{call.json['id']}/auswahl"
    assert page.get(url).status_code == 200
    refused = page.post(url, data={"basis": "line", "selected": "1"})
    assert refused.status_code == 403

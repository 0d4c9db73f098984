"""The call's rules are checked when a sketch is submitted (issue #20, item 5): amount, project period and
organisation kind, each with the German message beside its field; a refused sketch stays a draft."""

from __future__ import annotations

import pytest

from app.innovationsfonds.models import Call
from app.platform import clock
from app.platform.extensions import db
from tests.innovationsfonds.conftest import DURING

BASE = "/api/v1/innovationsfonds"


@pytest.mark.parametrize(("extra", "field", "words"), [
    ({"requested": "600000.00", "total_cost": "700000.00"}, "requested", "Höchstbetrag je Projekt (500.000,00"),
    ({"end_date": "2023-12-31"}, "end_date", "Projektzeitraum des Aufrufs liegen (01.07.2020–30.06.2023)"),
    ({"start_date": "2020-03-01"}, "start_date", "Projektzeitraum des Aufrufs"),
])
def test_a_sketch_breaking_a_rule_is_refused_at_submission(small, extra, field, words):
    sketch_id = small.draft(**extra)
    with clock.freeze(DURING):
        refused = small.api["org"].post(f"{BASE}/sketches/{sketch_id}/submit")
    assert refused.status_code == 422
    assert words in " ".join(refused.json["errors"][field])
    assert small.api["org"].get(f"{BASE}/sketches/{sketch_id}").json["status"] == "draft"


def test_an_organisation_kind_outside_the_call_is_refused(small, people):
    db.session.get(Call, small.call).eligible_kinds = ["firm"]  # "Träger A e. V." is a club
    db.session.commit()
    sketch_id = small.draft()
    with clock.freeze(DURING):
        refused = small.api["org"].post(f"{BASE}/sketches/{sketch_id}/submit")
    assert refused.status_code == 422 and "Verein" in refused.json["errors"]["organisation_kind"][0]


def test_the_page_shows_the_message_beside_the_field(small, people, client):
    sketch_id = small.draft(requested="600000.00", total_cost="700000.00")
    client.login(people["org"])
    with clock.freeze(DURING):
        form = client.get(f"/innovationsfonds/skizzen/{sketch_id}/bearbeiten").get_data(as_text=True)
        refused = client.post(f"/innovationsfonds/skizzen/{sketch_id}/einreichen")
    assert 'id="call-rules"' in form and "500.000,00" in form and "Relevanz für die Zielgruppe (3)" in form
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    error = text.split('id="f-requested-error"')[1].split("</p>")[0]
    assert "übersteigt den Höchstbetrag je Projekt" in error
    assert 'value="600.000,00"' in text  # the form shows the sketch's values to correct

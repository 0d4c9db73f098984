"""Issue #14, 7: participant counts for a quarter that begins after the programme end (30.06.2023)
are refused naming the quarter (the last quarter of the programme is accepted); the long free-text
fields ask for no personal data of participants."""

from __future__ import annotations

import re
from datetime import date

from app.platform import clock
from tests.conftest import PageClient

COUNTS = {"female": {"entered": 3, "exited": 0, "finished": 1, "primary_target": 2}}


def test_counts_after_the_programme_end_are_refused(app, flow):
    flow.in_state("approved")
    kommune = flow.api["kommune"]
    with clock.freeze(date(2023, 10, 5)):
        late = kommune.put("/api/v1/participant-counts", json={"module": "F1", "year": 2023, "quarter": 3,
                                                               "counts": COUNTS})
        last = kommune.put("/api/v1/participant-counts", json={"module": "F1", "year": 2023, "quarter": 2,
                                                               "counts": COUNTS})
    assert late.status_code == 422 and "30.06.2023" in late.json["errors"]["quarter"][0]
    assert last.status_code == 200, last.json
    assert {(row["year"], row["quarter"]) for row in kommune.get("/api/v1/participant-counts").json} == {(2023, 2)}


def test_free_text_fields_ask_for_no_personal_data(app, flow):
    application_id = flow.create()
    page = PageClient(app.test_client())
    page.login(flow.users["kommune"])
    html = page.get(f"/antraege/{application_id}/bearbeiten").get_data(as_text=True)
    for name in ("measures",):  # justification: amendments only
        hint = re.search(rf'<p class="hint" id="f-{name}-hint">([^<]+)</p>', html)
        assert hint and "keine Namen" in hint.group(1), name
        assert re.search(rf'<textarea id="f-{name}"[^>]*aria-describedby="[^"]*f-{name}-hint', html), name

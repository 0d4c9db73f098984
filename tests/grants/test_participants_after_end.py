"""Issue #14, 7: participant counts for a quarter that begins after the programme end (30.06.2023)
are refused naming the quarter; the last quarter of the programme is accepted."""

from __future__ import annotations

from datetime import date

from app import clock

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

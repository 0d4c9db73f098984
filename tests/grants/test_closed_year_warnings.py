"""Issue #21, 6 (a): amounts on a budget year already closed get a German warning beside the line, on the
page and in the API (``warnings``), while the application can be edited; saving is not refused."""

from __future__ import annotations

from datetime import date

from app.grants.presenters import closed_year_warnings
from app.platform import clock
from tests.conftest import PageClient
from tests.grants.conftest import draft_body

AMOUNTS = {("F1", 2020): "100000.00", ("F2", 2021): "300000.00", ("F3", 2020): "0.00"}


def test_only_amounts_on_past_years_are_warned():
    warned = closed_year_warnings({("F1", 2020): 1, ("F3", 2020): 0, ("F2", 2021): 5, ("F4", 2022): 7}, 2021)
    assert list(warned) == ["lines.F1.2020"]
    assert "Haushaltsjahr 2020 ist bereits abgeschlossen" in warned["lines.F1.2020"][0]
    assert closed_year_warnings({("F1", 2020): 1}, 2020) == {}


def test_api_and_page_warn_beside_the_line(app, flow):
    kommune = flow.api["kommune"]
    with clock.freeze(date(2021, 3, 1)):
        application_id = flow.create()
        saved = kommune.put(f"/api/v1/applications/{application_id}/draft", json=draft_body(AMOUNTS))
        assert saved.status_code == 200, saved.json
        assert [w["field"] for w in saved.json["warnings"]] == ["lines.F1.2020"]
        assert "2020" in saved.json["warnings"][0]["message"]
        page = PageClient(app.test_client())
        page.login(flow.users["kommune"])
        html = page.get(f"/antraege/{application_id}/bearbeiten").get_data(as_text=True)
        assert 'id="f-lines.F1.2020-warning"' in html and "bereits abgeschlossen" in html
        assert 'id="f-lines.F2.2021-warning"' not in html
        assert kommune.post(f"/api/v1/applications/{application_id}/submit").status_code == 200  # not refused
        assert kommune.get(f"/api/v1/applications/{application_id}").json["warnings"] == []  # no longer editable

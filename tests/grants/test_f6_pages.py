"""F6 pages and API (docs/f6.md): a Kommune applies, gets a decision, reports staffing and sees the capped
eligible amount; the state-wide overview and the exports; the positions versions page; refusals name fields."""

from __future__ import annotations

import re
from datetime import date

from app.allocation import services as allocation
from app.grants import f6
from app.platform import clock
from app.platform.extensions import db
from app.reference.services import get_programme
from tests.conftest import PageClient
from tests.export_reading import read_export
from tests.grants.conftest import KLEVE, KOELN


def _login(app, user) -> PageClient:
    client = PageClient(app.test_client())
    assert client.login(user).status_code == 302
    return client


def test_the_f6_path_through_the_pages(app, f6_world, make_user):
    kommune, admin = _login(app, f6_world["kommune"]), _login(app, f6_world["admin"])
    with clock.freeze(date(2020, 12, 1)):
        assert kommune.get("/f6/").headers["Location"].endswith("/f6/antrag")
        page = kommune.get("/f6/antrag").get_data(as_text=True)
        assert "Ihrer Kommune zugeteilt" in page
        refused = kommune.post("/f6/antrag", data={"positions": "1", "cost_mode": "rate", "monthly_cost": "abc"})
        assert refused.status_code == 422 and 'id="f-monthly_cost-error"' in refused.get_data(as_text=True)
        refused = kommune.post("/f6/antrag", data={"positions": "99", "cost_mode": "rate", "monthly_cost": "1,00"})
        assert refused.status_code == 422 and 'id="f-positions-error"' in refused.get_data(as_text=True)
        response = kommune.post("/f6/antrag", data={"positions": "1,5", "cost_mode": "rate",
                                                    "monthly_cost": "4.500,00", "then": "submit"})
        assert response.status_code == 302
        application_id = int(re.search(r"/f6/(\d+)", response.headers["Location"]).group(1))
        assert "eingereicht" in kommune.get(f"/f6/{application_id}").get_data(as_text=True)
        foreign = _login(app, make_user("kommune", kommune_ags=KLEVE))
        assert foreign.get(f"/f6/{application_id}").status_code == 404
        assert "Köln" in admin.get("/f6/").get_data(as_text=True)
        assert admin.post(f"/f6/{application_id}/entscheiden", data={"decision": "approve"}).status_code == 302
    with clock.freeze(date(2021, 3, 5)):
        page = kommune.get(f"/f6/{application_id}").get_data(as_text=True)
        assert "Personalmeldung" in page and "ZB-F6-2020-0001" in page
        refused = kommune.post(f"/f6/{application_id}/besetzung", data={"month": "2021-03-01", "filled": "2"})
        assert refused.status_code == 422 and 'id="f-filled-error"' in refused.get_data(as_text=True)
        for month in ("2021-01-01", "2021-02-01"):
            response = kommune.post(f"/f6/{application_id}/besetzung", data={"month": month, "filled": "1,5"})
            assert response.status_code == 302
        response = kommune.post(f"/f6/{application_id}/besetzung", data={"month": "2021-03-01", "filled": "0,75",
                                                                          "note": "Stelle halb besetzt"})
        assert response.status_code == 302
        page = kommune.get(f"/f6/{application_id}").get_data(as_text=True)
        # (1.5 + 1.5 + 0.75) FTE-months × 4,500 € = 16,875 €
        assert re.search(r'id="f6-cap">16\.875,00', page)
        rows = read_export(kommune.get(f"/f6/{application_id}?export=csv"))
        assert rows[1][:4] == ["01/2021", "1,50", "1,50", "0,00"] and rows[3][2:4] == ["0,75", "0,75"]
        overview = admin.get("/f6/uebersicht?month=01.02.2021").get_data(as_text=True)
        assert "106 Stellen, davon bewilligt 1,5, davon besetzt 1,50 VZÄ im 02/2021" in overview
        table = read_export(admin.get("/f6/uebersicht?month=01.02.2021&export=xlsx"))
        assert len(table) == 54 and ["05315", "Köln"] == [str(c) for c in next(r for r in table if r[0] == KOELN)[:2]]
        assert kommune.get("/f6/uebersicht").status_code == 403


def test_the_f6_api(app, f6_world, api):
    kommune, admin = api(f6_world["kommune"]), api(f6_world["admin"])
    with clock.freeze(date(2020, 12, 1)):
        refused = kommune.put("/api/v1/f6/application", json={"positions": 1.5, "cost_mode": "x",
                                                              "monthly_cost": "4500.00"})
        assert refused.status_code == 422
        assert {"positions", "cost_mode"} <= set(refused.json["errors"])
        body = {"positions": "1.0", "cost_mode": "actual", "monthly_cost": "4000.00"}
        saved = kommune.put("/api/v1/f6/application", json=body)
        assert saved.status_code == 200, saved.json
        application_id = saved.json["application"]["id"]
        assert saved.json["allowed_actions"] == ["edit", "submit", "withdraw"]
        assert kommune.post(f"/api/v1/f6/applications/{application_id}/submit").status_code == 200
        assert kommune.post(f"/api/v1/f6/applications/{application_id}/approve", json={}).status_code == 403
        approved = admin.post(f"/api/v1/f6/applications/{application_id}/approve", json={"comment": "ok"},
                              headers={"Idempotency-Key": "f6-1"})
        assert approved.status_code == 200 and approved.json["figures"]["approved"] == "96000.00"
        again = admin.post(f"/api/v1/f6/applications/{application_id}/approve", json={"comment": "ok"},
                           headers={"Idempotency-Key": "f6-1"})
        assert again.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true"
    with clock.freeze(date(2021, 2, 3)):
        reported = kommune.put(f"/api/v1/f6/applications/{application_id}/staffing",
                               json={"month": "2021-01-01", "filled": "0.5"})
        assert reported.status_code == 200, reported.json
        assert reported.json["figures"]["cap"] == "2000.00"
        assert reported.json["months"][0] == {"month": "2021-01-01", "approved": "1", "filled": "0.5",
                                              "vacant": "0.5", "note": ""}
        overview = admin.get("/api/v1/f6/overview?month=2021-01-15")
        assert overview.status_code == 200 and overview.json["positions"] == "106"
        assert overview.json["filled"] == "0.5"
        assert kommune.get("/api/v1/f6/overview").status_code == 403
        assert len(kommune.get("/api/v1/f6/applications").json) == 1


def test_positions_versions_are_created_and_published_on_the_page(app, f6_world):
    admin = _login(app, f6_world["admin"])
    dataset_id = f6_world["version"].dataset_id
    with clock.freeze(date(2021, 1, 4)):
        page = admin.get(f"/zuteilung/stellen?dataset_id={dataset_id}&total=106").get_data(as_text=True)
        assert "Veröffentlicht: Version 1" in page
        response = admin.post("/zuteilung/stellen/versionen", data={"dataset_id": str(dataset_id), "total": "110",
                                                                    "title": "Mehr Stellen"})
        assert response.status_code == 302
        versions = allocation.positions_versions(get_programme().id)
        assert [(v.number, v.status.value) for v in versions] == [(2, "draft"), (1, "published")]
        assert admin.post(f"/zuteilung/stellen/versionen/{versions[0].id}/veroeffentlichen").status_code == 302
        db.session.expire_all()
        assert sum(s.halves for s in f6.published_positions(get_programme().id)) == 220
        refused = admin.post("/zuteilung/stellen/versionen", data={"dataset_id": "999999", "total": "106"})
        assert refused.status_code == 422


def test_the_overview_defaults_to_the_last_month_of_the_f6_period_after_it(f6_world, client):
    """After the F6 period a later month would show every position vacant: the overview shows its last month."""
    client.login(f6_world["admin"])
    with clock.freeze(date(2023, 9, 1)):
        after = client.get("/f6/uebersicht").get_data(as_text=True)
    with clock.freeze(date(2022, 3, 15)):
        during = client.get("/f6/uebersicht").get_data(as_text=True)
    assert "06/2023" in after and "08/2023" not in after
    assert "02/2022" in during

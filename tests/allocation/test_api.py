"""The allocation API: every route, Kommune isolation (404), forbidden roles (403), bad input (422)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.allocation.allocation_data import POOL, SHIPPED

BASE = "/api/v1/allocation"


def test_admin_creates_publishes_and_explains(api, admin, dataset):
    client = api(admin)
    created = client.post(f"{BASE}/versions", json={"pool": "45000000.00", "key_dataset_id": dataset.id,
                                                     "title": "API-Version"})
    assert created.status_code == 201, created.json
    body = created.json
    assert body["status"] == "draft" and body["total"] == "45000000.00" and len(body["ceilings"]) == 53
    koeln = next(c for c in body["ceilings"] if c["ags"] == "05315")
    assert koeln["ceiling"].count(".") == 1 and "/" in koeln["key_share"]
    published = client.post(f"{BASE}/versions/{body['id']}/publish")
    assert published.status_code == 200 and published.json["status"] == "published"
    again = client.post(f"{BASE}/versions/{body['id']}/publish")
    assert again.status_code == 409 and again.json["current_status"] == "published"
    explained = client.get(f"{BASE}/versions/{body['id']}/ceilings/05315")
    assert explained.status_code == 200 and explained.json["ceiling"] == koeln["ceiling"]
    assert any(step["label"] == "Zuwendungshöchstgrenze" for step in explained.json["steps"])
    listed = client.get(f"{BASE}/versions")
    assert listed.status_code == 200 and [v["number"] for v in listed.json] == [1]
    by_ceiling = client.get(f"{BASE}/versions/{body['id']}?sort=ceiling&direction=desc").json["ceilings"]
    assert by_ceiling[0]["ags"] == "05315"  # Köln has the largest ceiling


@pytest.mark.parametrize("body,field", [
    ({"pool": 45000000, "key_dataset_id": 1}, "pool"),
    ({"pool": "1.234", "key_dataset_id": 1}, "pool"),
    ({"pool": "100.00"}, "key_dataset_id"),
    ({"pool": "100.00", "key_dataset_id": 999999}, "key_dataset_id"),
    ({"pool": "99999999.00", "key_dataset_id": 0}, "key_dataset_id"),
    ({"pool": "100.00", "key_dataset_id": 1, "cap_percent": "ab"}, "cap_percent"),
    ({"pool": "100.00", "key_dataset_id": 1, "population_weight_percent": "80"}, "area_weight_percent"),
])
def test_bad_version_input_is_422_naming_the_field(api, admin, dataset, body, field):
    body = {**body, "key_dataset_id": dataset.id} if body.get("key_dataset_id") == 1 else body
    response = api(admin).post(f"{BASE}/versions", json=body)
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json" and field in response.json["errors"]


def test_pool_above_the_programme_pool_is_refused(api, admin, dataset):
    response = api(admin).post(f"{BASE}/versions", json={"pool": "45000000.01", "key_dataset_id": dataset.id})
    assert response.status_code == 422 and "pool" in response.json["errors"]


@pytest.mark.parametrize("role", ["kommune", "finance", "auditor", "reviewer", "organisation"])
def test_only_admins_change_allocations(api, make_user, draft, role):
    client = api(make_user(role))
    assert client.post(f"{BASE}/versions", json={"pool": "1.00", "key_dataset_id": 1}).status_code == 403
    assert client.post(f"{BASE}/versions/{draft.id}/publish").status_code == 403
    assert client.post(f"{BASE}/versions/{draft.id}/redistribute", json={}).status_code == 403
    assert client.post(f"{BASE}/key-datasets", json={}).status_code == 403


@pytest.mark.parametrize("role", ["finance", "auditor"])
def test_readers_see_everything(api, make_user, published, role):
    client = api(make_user(role))
    assert len(client.get(f"{BASE}/versions/{published.id}").json["ceilings"]) == 53
    assert client.get(f"{BASE}/versions/{published.id}/ceilings/05154").status_code == 200
    assert client.get(f"{BASE}/key-datasets").json[0]["row_count"] == 396
    assert client.get(f"{BASE}/give-backs").status_code == 200


def test_kommune_sees_only_its_own_ceiling(api, make_user, published, draft_two):
    client = api(make_user("kommune", kommune_ags="05315"))
    detail = client.get(f"{BASE}/versions/{published.id}")
    assert detail.status_code == 200 and [c["ags"] for c in detail.json["ceilings"]] == ["05315"]
    assert client.get(f"{BASE}/versions/{published.id}/ceilings/05315").status_code == 200
    assert client.get(f"{BASE}/versions/{published.id}/ceilings/05154").status_code == 404
    assert client.get(f"{BASE}/versions/{draft_two.id}").status_code == 404  # drafts are invisible
    assert [v["id"] for v in client.get(f"{BASE}/versions").json] == [published.id]
    assert client.get(f"{BASE}/versions/{published.id}/export").status_code == 403
    assert client.get(f"{BASE}/key-datasets").status_code == 403
    assert client.get(f"{BASE}/versions/2147483647").status_code == 404


@pytest.fixture()
def draft_two(programme, admin, dataset):
    from app.allocation import services
    from app.platform.extensions import db

    version = services.create_version(programme, actor=admin, pool_cents=POOL, key_dataset_id=dataset.id)
    db.session.commit()
    return version


def test_give_backs_and_redistribution(api, admin, make_user, published, during_programme):
    koeln = api(make_user("kommune", kommune_ags="05315"))
    other = koeln.post(f"{BASE}/give-backs", json={"kommune_ags": "05154", "amount": "10.00"})
    assert other.status_code == 404
    bad = koeln.post(f"{BASE}/give-backs", json={"amount": 10})
    assert bad.status_code == 422 and "amount" in bad.json["errors"]
    declared = koeln.post(f"{BASE}/give-backs", json={"amount": "250000.00", "note": "Kurs fällt aus"})
    assert declared.status_code == 201 and declared.json["kommune_ags"] == "05315"
    kleve = api(make_user("kommune", kommune_ags="05154"))
    assert [b["kommune_ags"] for b in kleve.get(f"{BASE}/give-backs").json] == []
    assert kleve.post(f"{BASE}/give-backs", json={"max_usable": "1.00"}).status_code == 201
    admin_client = api(admin)
    assert len(admin_client.get(f"{BASE}/give-backs").json) == 2
    new = admin_client.post(f"{BASE}/versions/{published.id}/redistribute", json={"note": "Rückgaben"})
    assert new.status_code == 201, new.json
    assert new.json["parent_id"] == published.id and new.json["status"] == "published"
    rows = {c["ags"]: c for c in new.json["ceilings"]}
    assert rows["05315"]["given_back"] == "250000.00"
    assert rows["05154"]["received"] == "0.00"
    assert new.json["total"] == "45000000.00"
    history = admin_client.get(f"{BASE}/versions").json
    assert [(v["number"], v["status"]) for v in history] == [(2, "published"), (1, "superseded")]
    assert admin_client.post(f"{BASE}/versions/{published.id}/redistribute", json={}).status_code == 409


def test_exports(api, admin, published):
    client = api(admin)
    csv_response = client.get(f"{BASE}/versions/{published.id}/export?format=csv")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    text = csv_response.get_data().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("AGS;Kommune;Regierungsbezirk") and len(text.splitlines()) == 54
    xlsx = client.get(f"{BASE}/versions/{published.id}/export?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert sheet.max_row == 54
    assert client.get(f"{BASE}/versions/{published.id}/export?format=pdf").status_code == 422


def test_key_dataset_import_through_the_api(api, admin):
    client = api(admin)
    good = client.post(f"{BASE}/key-datasets", json={"kind": "gemeinden", "name": "Destatis", "source": "Destatis",
                                                     "reference_date": "2019-12-31",
                                                     "csv": SHIPPED.read_text(encoding="utf-8")})
    assert good.status_code == 201 and good.json["row_count"] == 396
    bad = client.post(f"{BASE}/key-datasets", json={"kind": "gemeinden", "name": "Kaputt", "source": "x",
                                                    "reference_date": "2019-12-31",
                                                    "csv": "ags,name,kreis_ags,population,area_km2\n1,x,0,a,b"})
    assert bad.status_code == 422 and all(m.startswith("Zeile 2:") for m in bad.json["errors"]["file"])
    missing = client.post(f"{BASE}/key-datasets", json={"kind": "gemeinden"})
    assert missing.status_code == 422 and "csv" in missing.json["errors"]
    assert len(client.get(f"{BASE}/key-datasets").json) == 1


def test_positions(api, admin, make_user, counts_dataset):
    client = api(admin)
    response = client.get(f"{BASE}/positions?dataset_id={counts_dataset.id}")
    assert response.status_code == 200
    assert sum(Decimal(r["positions"]) for r in response.json) == 106  # every key position counted
    assert client.get(f"{BASE}/positions?dataset_id={counts_dataset.id}&total=0").status_code == 422
    assert client.get(f"{BASE}/positions").status_code == 422
    export = client.get(f"{BASE}/positions/export?dataset_id={counts_dataset.id}&format=xlsx")
    assert export.status_code == 200
    assert api(make_user("kommune")).get(f"{BASE}/positions?dataset_id={counts_dataset.id}").status_code == 403

"""The allocation pages: every route, Kommune isolation, forbidden roles, German form errors."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.allocation.models import AllocationStatus, AllocationVersion, KeyDataset
from app.platform.extensions import db
from tests.allocation.allocation_data import SHIPPED
from tests.export_reading import read_export


def test_admin_imports_with_preview_and_confirm(client, admin):
    client.login(admin)
    assert client.get("/zuteilung/schluesseldaten").status_code == 200
    data = {"kind": "gemeinden", "name": "Destatis GV-ISys 31.12.2019", "reference_date": "2019-12-31",
            "source": "Destatis", "file": (io.BytesIO(SHIPPED.read_bytes()), "gemeinden.csv")}
    preview = client.post("/zuteilung/schluesseldaten/import", data=data, content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Vorschau: 396 Zeilen" in page
    assert db.session.scalar(select(func.count()).select_from(KeyDataset)) == 0  # nothing stored yet
    confirm = client.post("/zuteilung/schluesseldaten/import", data={
        "confirm": "1", "kind": "gemeinden", "name": "Destatis GV-ISys 31.12.2019", "reference_date": "2019-12-31",
        "source": "Destatis", "content": SHIPPED.read_text(encoding="utf-8")})
    assert confirm.status_code == 302
    assert db.session.scalar(select(KeyDataset.row_count)) == 396


def test_bad_file_is_refused_with_lines(client, admin):
    client.login(admin)
    bad = SHIPPED.read_text(encoding="utf-8") + "05111000,Doppelt,05111,-1,1.00,2019-12-31\n"
    response = client.post("/zuteilung/schluesseldaten/import", data={
        "kind": "gemeinden", "name": "X", "reference_date": "2019-12-31", "source": "X",
        "file": (io.BytesIO(bad.encode()), "bad.csv")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "vollständig abgelehnt" in page and "Zeile 398: AGS 05111000 doppelt" in page
    assert "Zeile 398: Bevölkerung -1 ist negativ" in page
    assert db.session.scalar(select(func.count()).select_from(KeyDataset)) == 0


def test_admin_creates_and_publishes_a_version(client, admin, dataset):
    client.login(admin)
    form = client.get("/zuteilung/versionen/neu")
    assert form.status_code == 200 and "45.000.000,00" in form.get_data(as_text=True)
    bad = client.post("/zuteilung/versionen/neu", data={"pool": "12,345", "key_dataset_id": dataset.id,
                                                        "population_weight_percent": "90",
                                                        "area_weight_percent": "10", "cap_percent": "125"})
    assert bad.status_code == 422 and 'id="f-pool-error"' in bad.get_data(as_text=True)
    created = client.post("/zuteilung/versionen/neu", data={
        "title": "Zuteilung 2020", "pool": "45.000.000,00", "key_dataset_id": dataset.id,
        "population_weight_percent": "90", "area_weight_percent": "10", "cap_percent": "125"})
    assert created.status_code == 302
    version = db.session.scalar(select(AllocationVersion))
    page = client.get(created.headers["Location"] + "?sort=ceiling&richtung=ab").get_data(as_text=True)
    assert "45.000.000,00" in page and "Summe (53 Kommunen)" in page
    assert page.index("Köln") < page.index("Olpe")  # sorted by ceiling, largest first
    assert client.post(f"/zuteilung/versionen/{version.id}/veroeffentlichen").status_code == 302
    db.session.refresh(version)
    assert version.status == AllocationStatus.PUBLISHED
    assert client.post(f"/zuteilung/versionen/{version.id}/veroeffentlichen").status_code == 409
    for fmt in ("csv", "xlsx"):
        assert client.get(f"/zuteilung/versionen/{version.id}/export.{fmt}").status_code == 200
    assert "Version 1" in client.get("/").get_data(as_text=True)  # start-page panel
    assert client.get("/zuteilung/").status_code == 200


def test_kommune_sees_its_ceiling_and_nothing_else(client, make_user, published, draft_two):
    user = make_user("kommune", kommune_ags="05315")
    client.login(user)
    start = client.get("/").get_data(as_text=True)
    assert "Ihre Zuwendungshöchstgrenze" in start
    page = client.get(f"/zuteilung/versionen/{published.id}/kommunen/05315")
    assert page.status_code == 200 and "Herleitung Schritt für Schritt" in page.get_data(as_text=True)
    assert client.get(f"/zuteilung/versionen/{published.id}/kommunen/05154").status_code == 404
    assert client.get(f"/zuteilung/versionen/{draft_two.id}").status_code == 404
    table = client.get(f"/zuteilung/versionen/{published.id}").get_data(as_text=True)
    assert "Köln" in table and "Kleve" not in table
    assert client.get(f"/zuteilung/versionen/{published.id}/export.csv").status_code == 403
    assert client.get("/zuteilung/schluesseldaten").status_code == 403
    assert client.get("/zuteilung/versionen/neu").status_code == 403
    assert client.get("/zuteilung/stellen").status_code == 403
    assert client.post(f"/zuteilung/versionen/{published.id}/umverteilen").status_code == 403
    assert client.get("/zuteilung/").status_code == 200


@pytest.fixture()
def draft_two(programme, admin, dataset):
    from app.allocation import services

    version = services.create_version(programme, actor=admin, pool_cents=100, key_dataset_id=dataset.id)
    db.session.commit()
    return version


def test_give_back_page_and_redistribution(client, make_user, admin, published, during_programme):
    user = make_user("kommune", kommune_ags="05315")
    client.login(user)
    assert client.get("/zuteilung/rueckgaben").status_code == 200
    bad = client.post("/zuteilung/rueckgaben", data={"amount": "abc"})
    assert bad.status_code == 422 and 'id="f-amount-error"' in bad.get_data(as_text=True)
    other = client.post("/zuteilung/rueckgaben", data={"kommune_ags": "05154", "amount": "1,00"})
    assert other.status_code == 404
    assert client.post("/zuteilung/rueckgaben", data={"amount": "100.000,00"}).status_code == 302
    own = read_export(client.get("/zuteilung/rueckgaben?export=csv"))  # issue #21.1
    assert own[1][:4] == ["05315", "Köln", "1", "100.000,00"] and own[1][6] == "offen" and len(own) == 2
    client.post("/abmelden")
    client.login(admin)
    page = client.get(f"/zuteilung/versionen/{published.id}").get_data(as_text=True)
    assert "1 offene Rückgabe-Erklärung" in page
    response = client.post(f"/zuteilung/versionen/{published.id}/umverteilen", data={"note": "Test"})
    assert response.status_code == 302
    new = db.session.scalar(select(AllocationVersion).where(AllocationVersion.parent_id == published.id))
    page = client.get(f"/zuteilung/versionen/{new.id}").get_data(as_text=True)
    assert "Umverteilung zu Version 1" in page and "100.000,00" in page
    explain = client.get(f"/zuteilung/versionen/{new.id}/kommunen/05111").get_data(as_text=True)
    assert "Umverteilung (Version 2)" in explain
    assert "?export=xlsx" in client.get("/zuteilung/rueckgaben").get_data(as_text=True)
    rows = read_export(client.get("/zuteilung/rueckgaben?export=xlsx"))
    assert rows[0][:4] == ["AGS", "Kommune", "Version", "Rückgabe"]
    assert rows[1][:3] == ["05315", "Köln", 1] and rows[1][6] == "umverteilt" and rows[1][4] is None


@pytest.mark.parametrize("role", ["finance", "auditor"])
def test_readers_browse_but_cannot_change(client, make_user, published, role):
    client.login(make_user(role))
    assert client.get(f"/zuteilung/versionen/{published.id}").status_code == 200
    assert "?export=csv" in client.get("/zuteilung/schluesseldaten").get_data(as_text=True)
    datasets = read_export(client.get("/zuteilung/schluesseldaten?export=csv"))
    assert datasets[0][:4] == ["Name", "Version", "Art", "Stichtag"]
    assert [row[0] for row in datasets[1:]] == [published.key_dataset.name]
    assert client.get(f"/zuteilung/versionen/{published.id}/kommunen/05154").status_code == 200
    assert client.post(f"/zuteilung/versionen/{published.id}/veroeffentlichen").status_code == 403
    assert client.post("/zuteilung/schluesseldaten/import", data={}).status_code == 403
    assert client.post("/zuteilung/rueckgaben", data={"amount": "1,00"}).status_code == 403


def test_positions_page(client, admin, counts_dataset):
    client.login(admin)
    assert client.get("/zuteilung/stellen").status_code == 200
    page = client.get(f"/zuteilung/stellen?dataset_id={counts_dataset.id}").get_data(as_text=True)
    assert "106,0" in page
    assert client.get(f"/zuteilung/stellen/export.xlsx?dataset_id={counts_dataset.id}").status_code == 200
    assert client.get("/zuteilung/stellen/export.csv").status_code == 404
    assert client.get("/zuteilung/stellen?dataset_id=99999").status_code == 422

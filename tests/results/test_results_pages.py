"""The results pages and API: report with map, chart and export; the Kommune's form; the target import."""

import io

from app.platform.extensions import db
from tests.export_reading import read_export
from tests.results.conftest import KLEVE, KOELN


def _report_people(make_user, entries):
    entries(KOELN, 2021, 1, "F1", female=3, male=7)
    entries(KOELN, 2021, 1, "F2", female=2, male=5)
    kommune = make_user("kommune", kommune_ags=KOELN)
    return kommune


def test_the_kommune_reports_on_the_page_and_sees_errors_beside_the_field(client, make_user, entries):
    kommune = _report_people(make_user, entries)
    client.login(kommune)
    page = client.get("/ergebnisse/erreichte?year=2021&quarter=1").get_data(as_text=True)
    assert "Eintritte in allen Bausteinen dieses Quartals: 5" in page
    refused = client.post("/ergebnisse/erreichte?year=2021&quarter=1",
                          {"year": "2021", "quarter": "1", "female": "6", "male": "abc"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="f-female-error"' in text or 'id="f-male-error"' in text
    assert "Bitte eine ganze Zahl ab 0 eingeben." in text
    saved = client.post("/ergebnisse/erreichte", {"year": "2021", "quarter": "1", "female": "3", "male": "9"})
    assert saved.status_code == 302
    refused = client.post("/ergebnisse/erreichte", {"year": "2021", "quarter": "1", "female": "6", "male": "9"})
    assert refused.status_code == 422 and 'id="f-female-error"' in refused.get_data(as_text=True)


def test_the_report_shows_people_once_and_exports_the_table(client, make_user, entries, api):
    kommune = _report_people(make_user, entries)
    assert api(kommune).put("/api/v1/results/reached-people",
                            json={"year": 2021, "quarter": 1, "female": 3, "male": 9}).status_code == 200
    admin = make_user("programme_admin")
    client.login(admin)
    assert client.post("/ergebnisse/zielgruppe", {"source": "Test (synthetisch)", "file": (
        io.BytesIO(b"Kommune;Anzahl\n05315;30\n05154;10\n"), "ziel.csv")},
        content_type="multipart/form-data").status_code == 302
    page = client.get("/ergebnisse").get_data(as_text=True)
    assert 'id="reached">12<' in page and "30,0" in page and "nrw-map" in page and "<svg" in page
    rows = read_export(client.get("/ergebnisse?export=xlsx"))
    header, total = rows[0], rows[-1]
    koeln = next(row for row in rows if row[0] == KOELN)
    assert koeln[header.index("Eintritte gesamt")] == 17 and koeln[header.index("Erreichte Personen")] == 12
    assert total[header.index("Erreichte Personen")] == 12 and total[header.index("Zielgruppe")] == 40
    quarters = read_export(client.get("/ergebnisse/quartale?export=csv"))
    assert quarters[1][:4] == [KOELN, "Köln", "2021", "1"]
    body = api(admin).get("/api/v1/results/report").json
    assert body["total"]["reached"] == 12 and body["total"]["reach_rate"] == "30.0"


def test_a_bad_target_file_changes_nothing_and_names_the_line(client, make_user):
    client.login(make_user("programme_admin"))
    refused = client.post("/ergebnisse/zielgruppe", {"source": "Test", "file": (
        io.BytesIO(b"05315;10\nAtlantis;3\n"), "ziel.csv")}, content_type="multipart/form-data")
    assert refused.status_code == 422 and "Zeile 2" in refused.get_data(as_text=True)
    missing = client.post("/ergebnisse/zielgruppe", {"source": "", "file": (io.BytesIO(b"05315;10\n"), "z.csv")},
                          content_type="multipart/form-data")
    assert missing.status_code == 422 and 'id="f-source-error"' in missing.get_data(as_text=True)
    db.session.rollback()


def test_a_kommune_cannot_read_another_kommunes_figures_or_import(client, make_user, entries):
    entries(KOELN, 2021, 1, "F1", male=4)
    entries(KLEVE, 2021, 1, "F1", male=2)
    client.login(make_user("kommune", kommune_ags=KLEVE))
    page = client.get("/ergebnisse").get_data(as_text=True)
    assert "<td>Köln</td>" not in page and "Kleve</td>" in page
    assert client.get("/ergebnisse/zielgruppe").status_code == 403


def test_reporting_before_the_entries_is_refused_in_german_not_a_server_error(client, make_user, api):
    kommune = make_user("kommune", kommune_ags=KOELN)
    client.login(kommune)
    refused = client.post("/ergebnisse/erreichte", {"year": "2021", "quarter": "2", "male": "1"})
    assert refused.status_code == 409, refused.status_code
    answer = api(kommune).put("/api/v1/results/reached-people", json={"year": 2021, "quarter": 2, "male": 1})
    assert answer.status_code == 409 and "Eintritte" in answer.json["detail"]
    bad = api(kommune).put("/api/v1/results/reached-people", json={"year": 2021, "quarter": 7, "male": -1})
    assert bad.status_code == 422 and {"quarter", "male"} <= set(bad.json["errors"])

"""The catalogue: pages and API create and edit the same way, German errors per field, a Kommune sees only
its own measures, the ministry searches state-wide, CSV/XLSX export and a CSV import of the export."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from app.measures.models import Measure, MeasureStatus
from app.platform.audit import AuditEntry
from app.platform.extensions import db
from tests.export_reading import read_export

FORM = {"module": "F2", "title": "Bewerbungscoaching", "kind": "coaching", "provider_name": "Bildungswerk West",
        "places": "12", "start_date": "01.04.2021", "end_date": "30.09.2021", "weekly_hours": "4",
        "cost_plan": "18.500,50", "funding_source": "programme"}
JSON = {**FORM, "start_date": "2021-04-01", "end_date": "2021-09-30", "cost_plan": "18500.50", "places": 12,
        "weekly_hours": 4}


def test_page_creates_a_draft_and_the_status_moves(client, make_user):
    kommune = make_user("kommune")
    client.login(kommune)
    response = client.post("/massnahmen/neu", data=FORM)
    assert response.status_code == 302
    measure = db.session.scalar(select(Measure))
    assert (measure.title, measure.cost_plan_cents, measure.status) == ("Bewerbungscoaching", 1_850_050,
                                                                       MeasureStatus.DRAFT)
    assert client.post(f"/massnahmen/{measure.id}/status", data={"action": "activate"}).status_code == 302
    db.session.expire_all()
    assert measure.status is MeasureStatus.ACTIVE
    page = client.get(f"/massnahmen/{measure.id}").get_data(as_text=True)
    assert "Bewerbungscoaching" in page and "18.500,50" in page
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "measure")).all()
    assert set(actions) == {"measure.create", "measure.activate"}


def test_bad_input_names_the_field_in_german_and_changes_nothing(client, make_user, api):
    kommune = make_user("kommune")
    client.login(kommune)
    response = client.post("/massnahmen/neu", data={**FORM, "cost_plan": "12,345", "end_date": "01.01.2021",
                                                    "places": "viele"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="f-cost_plan-error"' in page and 'id="f-places-error"' in page and "ganze Zahl" in page
    answer = api(kommune).post("/api/v1/measures", json={**JSON, "funding_source": "other", "module": "F6"})
    assert answer.status_code == 422
    errors = answer.get_json()["errors"]
    assert "module" in errors and errors["other_programme"] == ["Bitte die Förderlinie nennen."]
    assert db.session.scalar(select(func.count()).select_from(Measure)) == 0


def test_a_kommune_never_sees_another_kommunes_measure(client, make_user, api, make_measure):
    cologne, kleve = make_user("kommune", kommune_ags="05315"), make_user("kommune", kommune_ags="05154")
    theirs = make_measure(kleve, title="Kleves Kurs")
    mine = make_measure(cologne, title="Kölner Kurs")
    client.login(cologne)
    listed = client.get("/massnahmen/").get_data(as_text=True)
    assert "Kölner Kurs" in listed and "Kleves Kurs" not in listed
    assert client.get(f"/massnahmen/{theirs.id}").status_code == 404
    assert client.post(f"/massnahmen/{theirs.id}/status", data={"action": "activate"}).status_code == 404
    cologne_api = api(cologne)
    assert cologne_api.get(f"/api/v1/measures/{theirs.id}").status_code == 404
    assert cologne_api.put(f"/api/v1/measures/{theirs.id}", json=JSON).status_code == 404
    assert [m["id"] for m in cologne_api.get("/api/v1/measures").get_json()] == [mine.id]
    exported = read_export(client.get("/massnahmen/?export=csv"))
    assert [row[2] for row in exported[1:]] == ["Kölner Kurs"]


def test_the_ministry_searches_state_wide_and_cannot_edit(client, make_user, api, make_measure):
    make_measure(make_user("kommune", kommune_ags="05315"), title="Kölner Sprachkurs")
    make_measure(make_user("kommune", kommune_ags="05154"), title="Klever Coaching", module_code="F3")
    admin = make_user("programme_admin")
    client.login(admin)
    page = client.get("/massnahmen/?q=sprach").get_data(as_text=True)
    assert "Kölner Sprachkurs" in page and "Klever Coaching" not in page
    assert len(api(admin).get("/api/v1/measures").get_json()) == 2
    assert [m["title"] for m in api(admin).get("/api/v1/measures?module=F3").get_json()] == ["Klever Coaching"]
    assert api(admin).post("/api/v1/measures", json=JSON).status_code == 403


def test_api_create_edit_and_status(make_user, api):
    client = api(make_user("kommune"))
    created = client.post("/api/v1/measures", json=JSON)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["cost_plan"] == "18500.50" and body["allowed_actions"] == ["edit", "activate", "cancel"]
    changed = client.put(f"/api/v1/measures/{body['id']}", json={**JSON, "places": 15})
    assert changed.get_json()["places"] == 15
    assert client.post(f"/api/v1/measures/{body['id']}/finish").status_code == 409
    assert client.post(f"/api/v1/measures/{body['id']}/cancel").get_json()["status"] == "cancelled"
    assert client.put(f"/api/v1/measures/{body['id']}", json=JSON).status_code == 409


def test_the_csv_export_imports_again_and_xlsx_has_the_same_rows(client, make_user, make_measure):
    kommune = make_user("kommune")
    make_measure(kommune, title="Kurs A")
    make_measure(kommune, title="Kurs B", funding_source="other", other_programme="Gemeinsam klappt's")
    client.login(kommune)
    csv_answer = client.get("/massnahmen/?export=csv&sort=title&dir=asc")
    rows = read_export(csv_answer)
    assert rows[0][:4] == ["Kommune", "Baustein", "Titel", "Art"] and [r[2] for r in rows[1:]] == ["Kurs A", "Kurs B"]
    assert [r[2] for r in read_export(client.get("/massnahmen/?export=xlsx&sort=title&dir=asc"))[1:]] == [
        "Kurs A", "Kurs B"]
    response = client.post("/massnahmen/import", data={"file": (io.BytesIO(csv_answer.get_data()), "k.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    titles = db.session.scalars(select(Measure.title).order_by(Measure.title)).all()
    assert titles == ["Kurs A", "Kurs A", "Kurs B", "Kurs B"]
    copied = db.session.scalar(select(Measure).where(Measure.other_programme != "").order_by(Measure.id.desc()))
    assert copied.status is MeasureStatus.DRAFT and copied.cost_plan_cents == 5_000_000


def test_an_import_with_one_bad_line_imports_nothing_and_names_line_and_column(client, make_user):
    client.login(make_user("kommune"))
    text = ("Baustein;Titel;Art;Träger;Plätze;Beginn;Ende;Wochenstunden;Kostenplan;Finanzierung\n"
            "F1;Gut;Kurs;VHS;10;01.03.2021;30.06.2021;10;1.000,00;Durchstarten\n"
            "F9;Schlecht;Kurs;VHS;10;01.03.2021;30.06.2021;10;1.000,00;Durchstarten\n")
    response = client.post("/massnahmen/import", data={"file": (io.BytesIO(text.encode()), "k.csv")},
                           content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert re.search(r"Zeile 3, Baustein", page)
    assert db.session.scalar(select(func.count()).select_from(Measure)) == 0

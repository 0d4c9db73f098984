"""An empty installation can run a call (issue #20, item 7): the administrator creates organisations
(Träger) through the page, the API or the command; bad input names the field and stores nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from app.innovationsfonds.commands import create_organisation_command
from app.platform import clock
from app.platform.audit import AuditEntry
from app.platform.extensions import db
from app.reference.models import Organisation
from tests.innovationsfonds.conftest import DURING, kommune_ids, sketch_body

BASE = "/api/v1/innovationsfonds"


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Organisation))


def test_the_api_creates_an_organisation_that_can_apply(small, people, make_user, api):
    admin = small.api["admin"]
    created = admin.post(f"{BASE}/organisations", json={"name": "Neue Wege gGmbH", "kind": "education_provider",
                                                        "city": "Köln", "contact_email": "info@neue-wege.example"})
    assert created.status_code == 201, created.json
    assert created.json["is_public_body"] is False and created.json["kind"] == "education_provider"
    public = admin.post(f"{BASE}/organisations", json={"name": "Stadt Beispielstadt", "kind": "kommune"})
    assert public.status_code == 201 and public.json["is_public_body"] is True
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "innovationsfonds.organisation.create",
                                                       AuditEntry.object_id == str(created.json["id"])))
    assert audit is not None
    assert small.api["auditor"].get(f"{BASE}/organisations").status_code == 200
    assert small.api["auditor"].post(f"{BASE}/organisations", json={"name": "X", "kind": "club"}).status_code == 403
    applicant = api(make_user("organisation", organisation=db.session.get(Organisation, created.json["id"])))
    with clock.freeze(DURING):
        draft = applicant.post(f"{BASE}/sketches", json=sketch_body(small.call, kommune_ids(1)[0]))
        assert draft.status_code == 201
        assert applicant.post(f"{BASE}/sketches/{draft.json['id']}/submit").status_code == 200


def test_bad_organisations_are_refused_naming_the_field(small):
    admin = small.api["admin"]
    before = _count()
    duplicate = admin.post(f"{BASE}/organisations", json={"name": "träger a e. V.", "kind": "club"})
    kind = admin.post(f"{BASE}/organisations", json={"name": "Y", "kind": "verein"})
    email = admin.post(f"{BASE}/organisations", json={"name": "Z", "kind": "club", "contact_email": "kein-at"})
    kommune = admin.post(f"{BASE}/organisations", json={"name": "W", "kind": "club", "kommune_id": 999999})
    assert duplicate.status_code == 422 and "bereits" in duplicate.json["errors"]["name"][0]
    assert kind.status_code == 422 and "kind" in kind.json["errors"]
    assert email.status_code == 422 and "contact_email" in email.json["errors"]
    assert kommune.status_code == 422 and "kommune_id" in kommune.json["errors"]
    assert _count() == before


def test_the_page_creates_an_organisation(small, people, client):
    client.login(people["admin"])
    empty = client.post("/innovationsfonds/traeger/neu", data={"name": "", "kind": "club"})
    assert empty.status_code == 422
    assert "Bitte den Namen des Trägers angeben." in empty.get_data(as_text=True).split('id="f-name-error"')[1]
    done = client.post("/innovationsfonds/traeger/neu", data={"name": "Jugendwerk Rhein e. V.", "kind": "club",
                                                              "city": "Bonn"})
    assert done.status_code == 302
    listing = client.get("/innovationsfonds/traeger").get_data(as_text=True)
    assert "Jugendwerk Rhein e. V." in listing.split('id="organisations"')[1]
    client.login(people["auditor"])
    assert 'id="organisation-form"' not in client.get("/innovationsfonds/traeger").get_data(as_text=True)


def test_the_command_creates_an_organisation(app, small):
    runner = app.test_cli_runner()
    result = runner.invoke(create_organisation_command, ["--name", "Kammer Beispiel", "--kind", "chamber",
                                                         "--public-body"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == "Kammer Beispiel"))
    assert organisation.kind == "chamber" and organisation.is_public_body
    again = runner.invoke(create_organisation_command, ["--name", "Kammer Beispiel", "--kind", "chamber"])
    assert again.exit_code != 0 and "bereits" in again.output

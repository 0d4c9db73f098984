"""Gemeinsam klappt's: the Kommune keeps its own alliance (one Geschäftsführende Stelle), the administration any;
shown on the Kommune's page, exported, and through the API with problem+json."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.platform.audit import AuditEntry
from app.platform.errors import NotFound, ValidationFailed
from app.platform.extensions import db
from app.reference.services import kommune_by_ags
from app.results import services

from .conftest import KLEVE, KOELN


def test_one_lead_own_kommune_only_and_audited(app, make_user):
    kommune = make_user("kommune", kommune_ags=KOELN)
    koeln, kleve = kommune_by_ags(KOELN), kommune_by_ags(KLEVE)
    services.add_member(kommune, koeln, body="lead", institution="KI Köln", role="Koordination",
                        contact_email="ki@koeln.example")
    with pytest.raises(ValidationFailed) as second:
        services.add_member(kommune, koeln, body="lead", institution="Noch eine", role="x")
    assert "body" in second.value.errors
    with pytest.raises(ValidationFailed) as mail:
        services.add_member(kommune, koeln, body="core", institution="Jobcenter", role="x", contact_email="kein")
    assert "contact_email" in mail.value.errors
    with pytest.raises(NotFound):
        services.add_member(kommune, kleve, body="core", institution="fremd", role="x")
    member = services.add_member(make_user("programme_admin"), kleve, body="core", institution="Jobcenter Kleve",
                                 role="Vermittlung")
    with pytest.raises(NotFound):
        services.remove_member(kommune, koeln, member.id)  # Kleve's member, not Köln's
    assert [m.institution for _k, m in services.all_members(kommune)] == ["KI Köln"]
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("results.partnership.%")))
    assert list(actions) == ["results.partnership.add", "results.partnership.add"]


def test_pages_kommune_page_and_export(app, make_user, client):
    kommune = make_user("kommune", kommune_ags=KOELN)
    client.login(kommune)
    refused = client.post(f"/gemeinsam-klappts/{KOELN}", data={"body": "core", "institution": ""})
    assert refused.status_code == 422 and 'id="f-institution-error"' in refused.get_data(as_text=True)
    assert client.post(f"/gemeinsam-klappts/{KOELN}", data={
        "body": "core", "institution": "Jobcenter Köln", "role": "Vermittlung", "contact_phone": "0221 1"}
    ).status_code == 302
    assert client.get(f"/gemeinsam-klappts/{KLEVE}").status_code == 404
    page = client.get(f"/kommunen/{KOELN}").get_data(as_text=True)
    assert "Jobcenter Köln" in page and "Bündniskerngruppe" in page
    export = client.get("/gemeinsam-klappts?export=csv").get_data(as_text=True)
    assert "Jobcenter Köln" in export and "0221 1" in export
    member = services.members_of(kommune_by_ags(KOELN).id)[0]
    assert client.post(f"/gemeinsam-klappts/{KOELN}/{member.id}/entfernen").status_code == 302
    assert services.members_of(kommune_by_ags(KOELN).id) == []


def test_api(app, make_user, api):
    kommune = api(make_user("kommune", kommune_ags=KOELN))
    path = f"/api/v1/results/partnerships/{KOELN}"
    problem = kommune.post(f"{path}/members", json={"body": "board", "institution": "x", "role": "y"})
    assert problem.status_code == 422 and problem.content_type == "application/problem+json"
    created = kommune.post(f"{path}/members", json={"body": "lead", "institution": "KI", "role": "Koordination"})
    assert created.status_code == 201 and created.get_json()["body"] == "lead"
    assert [m["institution"] for m in kommune.get(path).get_json()] == ["KI"]
    assert kommune.get(f"/api/v1/results/partnerships/{KLEVE}").status_code == 404
    assert kommune.delete(f"{path}/members/{created.get_json()['id']}").status_code == 204

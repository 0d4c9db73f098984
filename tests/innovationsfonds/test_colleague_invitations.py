"""Issue #20: a user of an organisation invites colleagues, on the page "Kolleginnen und Kollegen" and through
``/api/v1/innovationsfonds/organisations/{id}/invitations``; only into the own organisation (404 for another,
403 for the other roles); bad input names the field and stores nothing; the invited person's account belongs
to the organisation."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.innovationsfonds.models import Invitation
from app.notifications.models import Message
from app.platform.audit import AuditEntry
from app.platform.extensions import db

PAGE = "/innovationsfonds/kollegium"


def invitations() -> int:
    return db.session.scalar(select(func.count()).select_from(Invitation))


def test_an_organisation_user_invites_a_colleague_on_the_page(app, client, people):
    org = people["org"]
    client.login(org)
    page = client.get(PAGE)
    assert page.status_code == 200 and org.email in page.get_data(as_text=True)
    assert PAGE in client.get("/innovationsfonds/").get_data(as_text=True)  # linked from the start page
    response = client.post(PAGE, data={"name": "Karl Kollege", "email": "Karl@Traeger-A.test"})
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    invitation = db.session.scalar(select(Invitation))
    assert (invitation.organisation_id, invitation.email, invitation.invited_by_id) == (
        org.organisation_id, "karl@traeger-a.test", org.id)
    assert "karl@traeger-a.test" in client.get(PAGE).get_data(as_text=True)  # open invitations
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.object_type == "if_invitation")) == \
        "innovationsfonds.invitation.create"
    message = db.session.scalar(select(Message).where(Message.recipient_email == "karl@traeger-a.test"))
    link = re.search(r"/innovationsfonds/einladung/[A-Za-z0-9_-]+", message.body).group(0)
    client.client.get("/abmelden")
    client.get(link)
    accepted = client.post(link, data={"password": "geheim-passwort-42", "repeat": "geheim-passwort-42"})
    assert accepted.status_code == 302
    colleague = db.session.scalar(select(User).where(User.email == "karl@traeger-a.test"))
    assert colleague.organisation_id == org.organisation_id and colleague.role.value == "organisation"


@pytest.mark.parametrize(("form", "field"), [
    ({"name": "Karl", "email": "keine-adresse"}, "email"),
    ({"name": "", "email": "karl@traeger-a.test"}, "name"),
    ({"name": "Karl", "email": "EXISTING"}, "email"),
])
def test_bad_input_on_the_page_names_the_field_and_stores_nothing(client, people, form, field):
    client.login(people["org"])
    if form["email"] == "EXISTING":
        form = {**form, "email": people["other_org"].email}
    response = client.post(PAGE, data=form)
    assert response.status_code == 422
    assert f'id="f-{field}-error"' in response.get_data(as_text=True)
    assert invitations() == 0


@pytest.mark.parametrize("role", ["admin", "finance", "auditor", "kommune", "rev1"])
def test_the_page_is_the_organisation_users_only(client, people, role):
    client.login(people[role])
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data={"name": "X", "email": "x@y.test"}).status_code == 403
    assert invitations() == 0


def test_the_api_invites_into_the_own_organisation_only(api, people):
    org, own = people["org"], people["org"].organisation_id
    url = f"/api/v1/innovationsfonds/organisations/{own}/invitations"
    created = api(org).post(url, json={"name": "Karl Kollege", "email": "karl@traeger-a.test"})
    assert created.status_code == 201, created.json
    assert created.json["organisation_id"] == own and created.json["accepted_at"] is None
    listed = api(org).get(url)
    assert [i["email"] for i in listed.json] == ["karl@traeger-a.test"]
    other = f"/api/v1/innovationsfonds/organisations/{people['other_org'].organisation_id}/invitations"
    assert api(org).post(other, json={"name": "X", "email": "x@y.test"}).status_code == 404
    assert api(org).get(other).status_code == 404
    assert api(people["admin"]).post(other, json={"name": "X", "email": "x@y.test"}).status_code == 201
    for role in ("finance", "auditor", "kommune", "rev1"):
        assert api(people[role]).post(url, json={"name": "X", "email": "z@y.test"}).status_code == 403, role
    bad = api(org).post(url, json={"name": "Karl", "email": "keine-adresse"})
    assert bad.status_code == 422 and bad.headers["Content-Type"].startswith("application/problem+json")
    assert "email" in str(bad.json)
    assert invitations() == 2

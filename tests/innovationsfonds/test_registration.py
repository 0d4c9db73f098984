"""Issue #20, item 7: organisations register themselves (e-mail confirmed by a token on the settable clock,
the administrator approves with kind and recognition), their people are invited by e-mail (token → password);
public steps are throttled like the login; every step is audited."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.innovationsfonds.models import Invitation, OrganisationRegistration
from app.notifications.models import Message
from app.platform import clock
from app.platform.audit import AuditEntry
from app.platform.extensions import db
from app.reference.models import Organisation
from tests.conftest import PageClient

START = datetime(2021, 3, 1, 10, 0, tzinfo=clock.BERLIN)
FORM = {"organisation_name": "Neuer Träger e. V.", "kind": "club", "city": "Köln", "contact_name": "Eva Beispiel",
        "email": "eva@neuer-traeger.test"}


def _anonymous(client) -> PageClient:
    """Without login the CSRF token comes from the registration form itself."""
    page = client.get("/innovationsfonds/registrierung").get_data(as_text=True)
    client._csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client


def _link(address: str, path: str) -> str:
    message = db.session.scalars(select(Message).where(Message.recipient_email == address)
                                 .order_by(Message.id.desc())).first()
    return re.search(rf"{path}/[A-Za-z0-9_-]+", message.body).group(0)


def _registered(client) -> str:
    _anonymous(client)
    with clock.freeze(START):
        response = client.post("/innovationsfonds/registrierung", data=FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    return _link(FORM["email"], "/innovationsfonds/registrierung")


def test_the_whole_way_from_registration_to_the_first_login(app, client, people):
    link = _registered(client)
    assert db.session.scalar(select(Organisation.id).where(Organisation.name == FORM["organisation_name"])) is None
    with clock.freeze(START + timedelta(days=2)):
        assert client.get(link).status_code == 200  # a button only: opening the link changes nothing
        assert db.session.scalar(select(OrganisationRegistration.status)) == "unconfirmed"
        confirmed = client.post(link)
    assert confirmed.status_code == 200 and 'id="confirmed"' in confirmed.get_data(as_text=True)
    admin = PageClient(app.test_client())
    admin.login(people["admin"])
    registration = db.session.scalar(select(OrganisationRegistration))
    assert FORM["organisation_name"] in admin.get("/innovationsfonds/registrierungen").get_data(as_text=True)
    refused = admin.post(f"/innovationsfonds/registrierungen/{registration.id}",
                         data={"decision": "approve", "kind": "association", "recognition": ""})
    assert refused.status_code == 422 and "Anerkennung" in refused.get_data(as_text=True)
    approved = admin.post(f"/innovationsfonds/registrierungen/{registration.id}",
                          data={"decision": "approve", "kind": "association",
                                "recognition": "Anerkannter Träger der freien Jugendhilfe (§ 75 SGB VIII)"})
    assert approved.status_code == 302
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == FORM["organisation_name"]))
    assert organisation.kind == "association"
    db.session.refresh(registration)
    assert registration.status == "approved" and "§ 75" in registration.recognition
    invitation_link = _link(FORM["email"], "/innovationsfonds/einladung")
    page = client.get(invitation_link)
    assert page.status_code == 200 and FORM["organisation_name"] in page.get_data(as_text=True)
    mismatch = client.post(invitation_link, data={"password": "geheim-passwort-42", "repeat": "anders-passwort-42"})
    assert mismatch.status_code == 422 and 'id="f-repeat-error"' in mismatch.get_data(as_text=True)
    accepted = client.post(invitation_link, data={"password": "geheim-passwort-42", "repeat": "geheim-passwort-42"})
    assert accepted.status_code == 302
    user = db.session.scalar(select(User).where(User.email == FORM["email"]))
    assert user.organisation_id == organisation.id and user.role.value == "organisation"
    assert client.get(invitation_link).status_code == 404  # used once
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"innovationsfonds.registration.create", "innovationsfonds.registration.confirm",
            "innovationsfonds.registration.decide", "innovationsfonds.invitation.create",
            "innovationsfonds.invitation.accept"} <= actions


def test_bad_input_names_the_field_and_stores_nothing(client):
    _anonymous(client)
    response = client.post("/innovationsfonds/registrierung", data={**FORM, "email": "keine-adresse", "kind": "x"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="f-email-error"' in text and 'id="f-kind-error"' in text
    assert db.session.scalar(select(OrganisationRegistration.id)) is None


def test_an_expired_or_wrong_confirmation_link(client):
    link = _registered(client)
    with clock.freeze(START + timedelta(days=3, hours=1)):
        assert client.post(link).status_code == 409
    assert client.post("/innovationsfonds/registrierung/falsch").status_code == 404
    assert db.session.scalar(select(OrganisationRegistration.status)) == "unconfirmed"


def test_an_unconfirmed_registration_cannot_be_approved(app, client, people):
    _registered(client)
    admin = PageClient(app.test_client())
    admin.login(people["admin"])
    registration_id = db.session.scalar(select(OrganisationRegistration.id))
    response = admin.post(f"/innovationsfonds/registrierungen/{registration_id}",
                          data={"decision": "approve", "kind": "club", "recognition": "x"})
    assert response.status_code == 409
    assert db.session.scalar(select(Organisation.id).where(Organisation.name == FORM["organisation_name"])) is None


def test_registration_pages_are_throttled_like_the_login(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_FREE_FAILURES", 3)  # restored after the test (it leaked before)
    _anonymous(client)
    with clock.freeze(START):
        codes = [client.post("/innovationsfonds/registrierung",
                             data={**FORM, "email": f"n{n}@x.test", "organisation_name": f"T{n}"}).status_code
                 for n in range(5)]
    assert codes[:4] == [302] * 4 and codes[4] == 409  # three free, the fourth starts the wait
    assert db.session.query(OrganisationRegistration).count() == 4


def test_only_the_administrator_decides_and_invites(small, people, client):
    client.login(people["org"])
    assert client.get("/innovationsfonds/registrierungen").status_code == 403
    assert client.post("/innovationsfonds/einladungen", data={"organisation_id": people["org"].organisation_id,
                                                              "name": "X", "email": "x@y.test"}).status_code == 403
    assert db.session.scalar(select(Invitation.id)) is None

"""Login, throttling, tokens and the permission checks of the foundation."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.auth.models import ApiToken, Role
from app.platform import clock
from app.platform.audit import AuditEntry
from app.platform.extensions import db

ROLES = [r.value for r in Role]


def _audit(action):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


@pytest.mark.parametrize("role", ROLES)
def test_every_role_logs_in_to_pages_and_calls_the_api(client, make_user, api, role):
    user = make_user(role)
    response = client.login(user)
    assert response.status_code == 302
    start = client.get("/")
    assert start.status_code == 200
    assert user.name in start.get_data(as_text=True)
    me = api(user).get("/api/v1/me")
    assert me.status_code == 200
    assert me.json["email"] == user.email and me.json["role"] == role


def test_wrong_password_is_refused_in_german_and_audited(client, make_user):
    user = make_user("finance")
    response = client.login(user, password="falsch-123456")
    assert response.status_code == 401
    assert "E-Mail-Adresse oder Passwort ist falsch" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still anonymous
    assert [e.object_id for e in _audit("auth.login_failed")] == [str(user.id)]


def test_unknown_account_gets_the_same_message(client, make_user):
    make_user("finance")
    response = client.login(SimpleNamespace(email="niemand@test.nrw"))
    assert response.status_code == 401
    assert "E-Mail-Adresse oder Passwort ist falsch" in response.get_data(as_text=True)


def test_login_rotates_the_session(client, make_user):
    user = make_user("auditor")
    client.get("/anmelden")
    with client.client.session_transaction() as before:
        before["planted"] = "by-attacker"
    client.login(user)
    with client.client.session_transaction() as after:
        assert "planted" not in after


def test_login_redirect_stays_on_this_host(client, make_user):
    user = make_user("auditor")
    page = client.get("/anmelden")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = client.client.post("/anmelden?next=//evil.example/x",
                                  data={"email": user.email, "password": "Test-Passwort-123", "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_forms_without_csrf_token_are_refused(client, make_user):
    user = make_user("auditor")
    response = client.client.post("/anmelden", data={"email": user.email, "password": "Test-Passwort-123"})
    assert response.status_code == 400


def test_logout_ends_the_session(client, make_user):
    user = make_user("reviewer")
    client.login(user)
    assert client.post("/abmelden").status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("header,message", [
    (None, "Bearer-Token"),
    ("Bearer ds_unknown", "Unbekanntes API-Token"),
    ("Basic abc", "Bearer-Token"),
])
def test_api_without_valid_token_is_401_problem(app, header, message):
    headers = {"Authorization": header} if header else {}
    response = app.test_client().get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert message in response.json["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_and_expired_tokens_are_refused(app, make_user, api):
    user = make_user("finance")
    client = api(user)
    assert client.get("/api/v1/me").status_code == 200
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert client.delete(f"/api/v1/tokens/{token.id}").status_code == 200
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and "widerrufen" in response.json["detail"]

    other = api(user)
    with clock.freeze(clock.now() + timedelta(days=366)):
        response = other.get("/api/v1/me")
    assert response.status_code == 401 and "abgelaufen" in response.json["detail"]


def test_token_secret_is_stored_only_as_hash(app, make_user):
    from app.auth.services import create_token

    user = make_user("finance")
    token, secret = create_token(user, "x")
    db.session.commit()
    assert secret not in (token.token_hash, token.prefix)
    assert len(token.token_hash) == 64


def test_token_created_through_api_works_and_is_shown_once(make_user, api):
    user = make_user("kommune")
    client = api(user)
    created = client.post("/api/v1/tokens", json={"name": "Fachverfahren"})
    assert created.status_code == 201
    listed = client.get("/api/v1/tokens").json
    assert all("token" not in t for t in listed)
    from app.auth.session import user_for_token

    assert user_for_token(created.json["token"]).id == user.id


@pytest.mark.parametrize("role,status", [("programme_admin", 201), ("finance", 403), ("kommune", 403),
                                         ("auditor", 403)])
def test_only_programme_admins_create_users(make_user, api, role, status):
    caller = make_user(role)
    response = api(caller).post("/api/v1/users", json={
        "email": "neu@test.nrw", "name": "Neu", "password": "Sicheres-Passwort-1", "role": "kommune",
        "kommune_ags": "05111"})
    assert response.status_code == status
    if status == 403:
        assert response.mimetype == "application/problem+json"
    created = _audit("user.create")
    assert any(e.after["email"] == "neu@test.nrw" for e in created) == (status == 201)


def test_user_creation_validates_fields(make_user, api):
    admin = make_user("programme_admin")
    response = api(admin).post("/api/v1/users", json={
        "email": "kaputt", "name": "X", "password": "kurz", "role": "kommune", "kommune_ags": "99999"})
    assert response.status_code == 422
    assert {"email", "kommune"} <= set(response.json["errors"])


def test_weak_password_is_refused_with_field(make_user, api):
    admin = make_user("programme_admin")
    response = api(admin).post("/api/v1/users", json={
        "email": "neu@test.nrw", "name": "X", "password": "kurz", "role": "auditor"})
    assert response.status_code == 422
    assert "password" in response.json["errors"]


def test_cli_creates_users_and_tokens(app):
    runner = app.test_cli_runner()
    from app.cli import main

    result = runner.invoke(main, ["create-user", "--email", "Cli@Test.nrw", "--name", "Cli", "--role", "kommune",
                                  "--kommune", "05315", "--password", "Cli-Passwort-1234"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["create-token", "--email", "cli@test.nrw"])
    assert result.exit_code == 0
    secret = result.output.strip().splitlines()[-1]
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.json["kommune_id"] is not None

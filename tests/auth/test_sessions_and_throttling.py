"""Issue #14, 4, 5, 7: sessions that end (logout, password change, deactivation: the copied cookie
stops working), the password change page, identical answers for known and unknown addresses,
throttling per client that a stranger cannot turn into a lockout, and no typed name in the audit."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.auth import services
from app.auth.throttling import delay_seconds
from app.platform import clock
from app.platform.audit import AuditEntry
from app.platform.extensions import db
from tests.conftest import PASSWORD, PageClient

NEW_PASSWORD = "Neues-Passwort-456"
STRANGER, OFFICE = {"REMOTE_ADDR": "203.0.113.7"}, {"REMOTE_ADDR": "198.51.100.20"}
OWN = {"REMOTE_ADDR": "192.0.2.55"}


def _copy_of(client: PageClient, app) -> PageClient:
    """A second browser holding a copy of ``client``'s session cookie (as an attacker would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.client.get_cookie("session").value)
    return PageClient(thief)


def _post_login(app, email: str, password: str, environ: dict | None = None):
    environ = environ or {}
    browser = app.test_client()
    page = browser.get("/anmelden", environ_base=environ)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return browser.post("/anmelden", data={"email": email, "password": password, "csrf_token": token},
                        environ_base=environ)


def test_logout_ends_the_copied_session_too(app, make_user, client):
    client.login(make_user("programme_admin"))
    copy = _copy_of(client, app)
    assert copy.get("/").status_code == 200
    assert client.post("/abmelden").status_code == 302
    assert copy.get("/").status_code == 302 and "/anmelden" in copy.get("/").headers["Location"]


def test_password_change_ends_other_sessions_and_keeps_this_one(app, make_user, client):
    user = make_user("kommune")
    client.login(user)
    other = PageClient(app.test_client())
    other.login(user)
    changed = client.post("/konto/passwort", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                   "new_password_repeat": NEW_PASSWORD})
    assert changed.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert _post_login(app, user.email, PASSWORD).status_code == 401
    assert _post_login(app, user.email, NEW_PASSWORD).status_code == 302
    assert [e.object_id for e in _audit("user.password_change")] == [str(user.id)]


@pytest.mark.parametrize("role", ["kommune", "organisation", "reviewer", "programme_admin", "finance", "auditor"])
def test_every_role_has_the_password_page_with_field_errors(app, make_user, client, role):
    client.login(make_user(role))
    assert client.get("/konto/passwort").status_code == 200
    wrong = client.post("/konto/passwort", data={"current_password": "falsch", "new_password": "kurz",
                                                 "new_password_repeat": "anders"})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 422
    for field in ("current_password", "new_password", "new_password_repeat"):
        assert f'id="f-{field}-error"' in html
    assert client.get("/").status_code == 200  # a failed change ends nothing


def test_deactivation_ends_every_session(app, make_user, client):
    from app.cli import main

    user = make_user("finance")
    client.login(user)
    result = app.test_cli_runner().invoke(main, ["deactivate-user", "--email", user.email])
    assert result.exit_code == 0, result.output
    assert client.get("/").status_code == 302
    assert _post_login(app, user.email, PASSWORD).status_code == 401


def test_known_and_unknown_addresses_get_the_same_answer(app, make_user):
    user = make_user("finance")
    for _ in range(app.config["LOGIN_FREE_FAILURES"] + 2):  # the last one waits
        known = _post_login(app, user.email, "falsch-123456")
        unknown = _post_login(app, "niemand@test.nrw", "falsch-123456")
        assert known.status_code == unknown.status_code
        assert _page(known, user.email) == _page(unknown, "niemand@test.nrw")
        assert known.headers.get("Retry-After") == unknown.headers.get("Retry-After")
    assert known.status_code == 429


def test_an_unknown_address_still_runs_the_password_hash(app, make_user, monkeypatch):
    calls = []
    original = services.verify_password
    monkeypatch.setattr(services, "verify_password", lambda h, p: calls.append(h) or original(h, p))
    make_user("finance")
    assert _post_login(app, "niemand@test.nrw", "falsch-123456").status_code == 401
    assert calls == [None]  # verify_password(None, …) hashes against a throw-away hash


def test_a_stranger_cannot_lock_out_the_real_user(app, make_user):
    user = make_user("programme_admin")
    for _ in range(3 * app.config["LOGIN_FREE_FAILURES"]):
        _post_login(app, user.email, "falsch-123456", STRANGER)
    assert _post_login(app, user.email, "falsch-123456", STRANGER).status_code == 429
    assert _post_login(app, user.email, PASSWORD, OFFICE).status_code == 302


def test_failures_past_the_free_ones_double_the_wait(app, make_user):
    user = make_user("auditor")
    free, base = app.config["LOGIN_FREE_FAILURES"], app.config["LOGIN_DELAY_SECONDS"]
    now = clock.now()
    with clock.freeze(now):
        for _ in range(free):
            assert _post_login(app, user.email, "falsch-123456", OWN).status_code == 401
        throttled = _post_login(app, user.email, "falsch-123456", OWN)
        assert throttled.status_code == 401  # the failure past the free ones is counted and sets the wait
        waiting = _post_login(app, user.email, PASSWORD, OWN)  # even the right password waits
        assert waiting.status_code == 429 and waiting.headers["Retry-After"] == str(base)
    with clock.freeze(now + timedelta(seconds=base)):
        assert _post_login(app, user.email, "falsch-123456", OWN).status_code == 401
        assert _post_login(app, user.email, PASSWORD, OWN).headers["Retry-After"] == str(2 * base)
    with clock.freeze(now + timedelta(seconds=3 * base)):
        assert _post_login(app, user.email, PASSWORD, OWN).status_code == 302


def test_password_spraying_from_one_address_is_slowed(app, make_user):
    free = app.config["LOGIN_ADDRESS_FREE_FAILURES"]
    for number in range(free + 1):
        _post_login(app, f"person{number}@test.nrw", "falsch-123456", STRANGER)
    assert _post_login(app, "anyone@test.nrw", "x", STRANGER).status_code == 429
    assert _post_login(app, "anyone@test.nrw", "x", OFFICE).status_code == 401


def test_the_audit_never_keeps_a_typed_unknown_login_name(app, make_user):
    user = make_user("finance")
    _post_login(app, "Mein-Passwort-123", "egal")
    _post_login(app, user.email, "falsch-123456")
    labels = [e.actor_label for e in _audit("auth.login_failed")]
    assert labels == [services.UNKNOWN_ACCOUNT, user.email]
    assert not db.session.scalar(select(AuditEntry.id).where(AuditEntry.actor_label.contains("Mein-Passwort")))


@given(st.integers(min_value=0, max_value=200), st.integers(min_value=0, max_value=30),
       st.integers(min_value=1, max_value=10), st.integers(min_value=1, max_value=3600))
def test_delay_grows_monotonically_and_stays_capped(failures, free, base, cap):
    now, later = delay_seconds(failures, free, base, cap), delay_seconds(failures + 1, free, base, cap)
    assert 0 <= now <= later <= max(cap, 0)
    assert (now == 0) == (failures <= free)
    if failures > free and now < cap:
        assert now == base * 2 ** (failures - free - 1)


def _page(response, typed_email: str) -> str:
    """The answer without what differs by design: the echoed address and the per-session CSRF token."""
    text = response.get_data(as_text=True).replace(typed_email, "E")
    return re.sub(r'name="csrf_token" value="[^"]+"', "", text)


def _audit(action):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))

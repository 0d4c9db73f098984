"""Issue #14, 5: password reset by e-mail link ("Passwort vergessen?", app/auth/reset.py).

Known and unknown addresses get the same answer; the link is valid for PASSWORD_RESET_MINUTES on the
settable clock and only once; setting the password ends every session; requests are throttled."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from app.auth.models import PasswordResetToken
from app.notifications.models import Message
from app.platform import clock
from app.platform.audit import AuditEntry
from app.platform.extensions import db
from tests.conftest import PASSWORD, PageClient

NEW_PASSWORD = "Neues-Passwort-789"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_LINK = re.compile(r"/passwort-zuruecksetzen/([A-Za-z0-9_-]+)")


def _post_form(browser, url: str, data: dict, environ: dict | None = None):
    page = browser.get(url, environ_base=environ or {})
    token = _CSRF.search(page.get_data(as_text=True)).group(1)
    return browser.post(url, data={**data, "csrf_token": token}, environ_base=environ or {})


def _ask(app, email: str, environ: dict | None = None):
    return _post_form(app.test_client(), "/passwort-vergessen", {"email": email}, environ)


def _secret_mailed_to(user) -> str:
    bodies = db.session.scalars(select(Message.body).where(Message.recipient_id == user.id,
                                                           Message.kind == "auth.password_reset")).all()
    assert len(bodies) == 1
    return _LINK.search(bodies[0]).group(1)


def _set(app, secret: str, password: str = NEW_PASSWORD, repeat: str | None = None):
    return _post_form(app.test_client(), f"/passwort-zuruecksetzen/{secret}",
                      {"new_password": password, "new_password_repeat": repeat or password})


def _login(app, email: str, password: str) -> int:
    return _post_form(app.test_client(), "/anmelden", {"email": email, "password": password}).status_code


def test_the_login_page_links_to_the_reset(client):
    assert 'href="/passwort-vergessen"' in client.get("/anmelden").get_data(as_text=True)


def test_known_and_unknown_addresses_get_the_same_answer(app, make_user):
    user = make_user("kommune")
    known, unknown = _ask(app, user.email), _ask(app, "niemand@test.nrw")
    assert known.status_code == unknown.status_code == 200
    strip = re.compile(r'name="csrf_token" value="[^"]+"|nonce="[^"]+"')
    assert strip.sub("", known.get_data(as_text=True)) == strip.sub("", unknown.get_data(as_text=True))
    assert "Wenn zu dieser Adresse ein aktives Benutzerkonto besteht" in known.get_data(as_text=True)
    assert _secret_mailed_to(user)
    assert db.session.scalar(select(func.count()).select_from(Message)) == 1  # nothing for the unknown one
    audit = db.session.scalars(select(AuditEntry.actor_label).where(
        AuditEntry.action == "auth.password_reset_request").order_by(AuditEntry.id)).all()
    assert audit == [user.email, "(unbekanntes Konto)"]  # never the typed unknown text


def test_only_the_hash_of_the_link_is_stored(app, make_user):
    user = make_user("finance")
    _ask(app, user.email)
    secret = _secret_mailed_to(user)
    stored = db.session.scalar(select(PasswordResetToken))
    assert secret not in stored.token_hash and len(stored.token_hash) == 64


def test_the_reset_ends_every_session_and_the_link_works_once(app, make_user):
    user = make_user("kommune")
    old_session = PageClient(app.test_client())
    old_session.login(user)
    assert old_session.get("/").status_code == 200
    _ask(app, user.email)
    secret = _secret_mailed_to(user)
    assert app.test_client().get(f"/passwort-zuruecksetzen/{secret}").status_code == 200
    done = _set(app, secret)
    assert done.status_code == 302 and done.headers["Location"].endswith("/anmelden")
    assert old_session.get("/").status_code == 302  # the earlier session has ended
    assert _login(app, user.email, PASSWORD) == 401
    assert _login(app, user.email, NEW_PASSWORD) == 302
    again = _set(app, secret, "Noch-ein-Passwort-1")  # single use
    assert again.status_code == 404 and "bereits benutzt" in again.get_data(as_text=True)
    assert _login(app, user.email, NEW_PASSWORD) == 302
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "user.password_reset")) == 1


def test_using_one_link_uses_up_the_other_open_links(app, make_user):
    user = make_user("auditor")
    _ask(app, user.email)
    first = _secret_mailed_to(user)
    db.session.execute(Message.__table__.delete())
    _ask(app, user.email)
    second = _secret_mailed_to(user)
    assert _set(app, second).status_code == 302
    assert _set(app, first, "Anderes-Passwort-2").status_code == 404


def test_the_link_expires_on_the_settable_clock(app, make_user):
    user = make_user("programme_admin")
    start = clock.now()
    with clock.freeze(start):
        _ask(app, user.email)
    secret = _secret_mailed_to(user)
    with clock.freeze(start + timedelta(minutes=29)):
        assert app.test_client().get(f"/passwort-zuruecksetzen/{secret}").status_code == 200
    with clock.freeze(start + timedelta(minutes=30)):
        expired = _set(app, secret)
        assert expired.status_code == 404 and "abgelaufen" in expired.get_data(as_text=True)
    assert _login(app, user.email, PASSWORD) == 302  # nothing changed


def test_bad_new_password_names_the_field_and_keeps_the_link(app, make_user):
    user = make_user("reviewer")
    _ask(app, user.email)
    secret = _secret_mailed_to(user)
    wrong = _set(app, secret, "kurz", "anders")
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 422
    assert 'id="f-new_password-error"' in html and 'id="f-new_password_repeat-error"' in html
    assert _set(app, secret).status_code == 302


def test_unknown_link_is_refused_like_an_expired_one(app):
    assert app.test_client().get("/passwort-zuruecksetzen/erfunden").status_code == 404


def test_requests_are_throttled_like_the_login(app, make_user):
    stranger = {"REMOTE_ADDR": "203.0.113.9"}
    answers = [_ask(app, "opfer@test.nrw", stranger).status_code for _ in range(7)]
    assert answers[:6] == [200] * 6 and answers[6] == 429  # the sixth request starts a wait, as at the login
    user = make_user("kommune")
    assert _ask(app, user.email, {"REMOTE_ADDR": "198.51.100.3"}).status_code == 200  # others are not held up
    assert _login(app, user.email, PASSWORD) == 302  # nor is the login of the real user

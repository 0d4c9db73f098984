"""Security basics: headers (CSP without inline script, no framing, HSTS behind TLS), CSRF on every
page form, secrets only from the environment, uploads checked by content and size, no upload
written to a path. Session fixation, login throttling and password rules: tests/auth."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from app import create_app
from app.platform import clock

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def test_security_headers_on_pages_and_api(app, make_user, client, api):
    client.login(make_user("programme_admin"))
    for response in (client.get("/"), client.get("/anmelden"), api(make_user("finance")).get("/api/v1/budgets/status"),
                     app.test_client().get("/healthz")):
        csp = response.headers["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        assert directives["script-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP, not production


def test_pages_carry_no_inline_script(app, make_user, client):
    client.login(make_user("programme_admin"))
    for path in ("/", "/budgets/uebersicht", "/anmelden"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+\s*=", html), path  # no onclick= etc.


@pytest.fixture()
def production(monkeypatch, backend):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment-" + "x" * 20)
    return create_app("production", {"SQLALCHEMY_DATABASE_URI": backend[1]})


def test_hsts_behind_a_tls_terminating_proxy(production):
    client = production.test_client()
    http = "http://localhost"  # the test client would otherwise use PREFERRED_URL_SCHEME (https)
    behind_tls = client.get("/healthz", base_url=http, headers={"X-Forwarded-Proto": "https"})
    assert behind_tls.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get("/healthz", base_url=http).headers
    assert client.get("/healthz", base_url="https://localhost").headers["Strict-Transport-Security"]


def test_forwarded_headers_are_ignored_without_a_trusted_proxy(backend):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": backend[1], "HSTS": True})
    response = app.test_client().get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_production_refuses_the_default_secret(monkeypatch, backend):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", {"SQLALCHEMY_DATABASE_URI": backend[1]})


def test_production_takes_the_secret_from_the_environment(production):
    assert production.config["SECRET_KEY"].startswith("from-the-environment-")
    assert production.config["SESSION_COOKIE_SECURE"] is True


def _example_url(rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0] if hasattr(converter, "items") else "csv"
        else:
            values[name] = "x"
    return rule.build(values, append_unknown=False)[1]


def test_every_page_form_refuses_a_post_without_csrf_token(app, make_user, client):
    """Every non-API route that accepts POST: 400 without the token (checked before anything else)."""
    rules = [rule for rule in app.url_map.iter_rules()
             if "POST" in (rule.methods or ()) and not rule.rule.startswith("/api/")]
    assert len(rules) > 10
    client.login(make_user("programme_admin"))
    raw = client.client
    failures = []
    for rule in rules:
        url = _example_url(rule)
        response = raw.post(url, data={"anything": "1"})
        if response.status_code != 400:
            failures.append((rule.rule, response.status_code))
    assert not failures, failures
    anonymous = app.test_client()
    assert anonymous.post("/anmelden", data={"email": "a@b.c", "password": "x"}).status_code == 400


def test_csv_upload_is_checked_by_content_and_size(app, make_user, api, make_grant):
    grant = make_grant(lines={("F1", 2021): 1_000_000})
    client = api(make_user("kommune"))
    url = f"/api/v1/budgets/grants/{grant.id}/expenses/import"
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    with clock.freeze(date(2021, 5, 1)):
        binary = client.post(url, data=png, headers={"Content-Type": "text/csv"})
        assert binary.status_code == 422 and binary.mimetype == "application/problem+json"
        app.config["MAX_CONTENT_LENGTH"] = 1024
        try:
            big = client.post(url, data=b"datum;baustein;betrag\n" + b"01.03.2021;F1;1,00\n" * 200,
                              headers={"Content-Type": "text/csv"})
        finally:
            app.config["MAX_CONTENT_LENGTH"] = 32 * 1024 * 1024
        assert big.status_code == 413 and big.mimetype == "application/problem+json"


def test_upload_file_names_never_reach_the_file_system(app, make_user, client, make_grant, tmp_path):
    """The expense import keeps the (untrusted) file name as text only; nothing is written to disk."""
    from io import BytesIO

    from app.budgets.models import ExpenseImport
    from app.platform.extensions import db

    grant = make_grant(lines={("F1", 2021): 1_000_000})
    client.login(make_user("kommune"))
    upload_dir = app.config["UPLOAD_FOLDER"]

    def files_in_upload_dir() -> set[str]:  # other tests (Innovationsfonds PDFs) may have stored files there
        return {str(p) for p in Path(upload_dir).rglob("*")} if Path(upload_dir).exists() else set()

    before = files_in_upload_dir()
    with clock.freeze(date(2021, 5, 1)):
        response = client.post(f"/budgets/zuwendungen/{grant.id}/ausgaben/import", data={
            "file": (BytesIO(b"datum;baustein;betrag\n01.03.2021;F1;1,00\n"), "../../../../tmp/evil.csv")},
            content_type="multipart/form-data")
    assert response.status_code == 200
    record = db.session.query(ExpenseImport).one()
    assert record.filename == "../../../../tmp/evil.csv"[:200]  # stored as text, shown escaped
    import os

    assert not os.path.exists("/tmp/evil.csv")
    assert files_in_upload_dir() == before

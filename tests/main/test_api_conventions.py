"""API conventions: problem+json, field errors, money strings, request ids, docs, health."""

import pytest
from marshmallow import Schema, fields

from app import create_app
from app.auth.permissions import PUBLIC, requires
from app.platform.money import Money
from app.platform.web.api import ApiBlueprint as Blueprint


class _AmountIn(Schema):
    amount = Money(required=True)
    note = fields.Str()


@pytest.fixture(scope="module")
def probe_app(tmp_path_factory):
    """A separate app with one probe endpoint that takes money (no database needed)."""
    path = tmp_path_factory.mktemp("probe")
    application = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path / 'p.db'}"})
    blp = Blueprint("probe", __name__, url_prefix="/api/probe")

    @blp.route("", methods=["POST"])
    @requires(PUBLIC)
    @blp.arguments(_AmountIn)
    def probe(data):
        return {"cents": data["amount"]}

    from app.auth.session import PUBLIC_ENDPOINTS

    PUBLIC_ENDPOINTS.add("probe.probe")
    application.extensions["rest_api"].register_blueprint(blp)
    yield application
    PUBLIC_ENDPOINTS.discard("probe.probe")


@pytest.mark.parametrize("body", [
    {"amount": "12.345"}, {"amount": "1e3"}, {"amount": "abc"}, {"amount": 12.5}, {"amount": 12}, {"amount": None},
    {"amount": "1,50"}, {}])
def test_bad_money_is_422_problem_naming_the_field(probe_app, body):
    response = probe_app.test_client().post("/api/probe", json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "amount" in response.json["errors"]
    assert response.json["status"] == 422


def test_nan_is_a_field_error(probe_app):
    response = probe_app.test_client().post("/api/probe", data='{"amount": NaN}', content_type="application/json")
    assert response.status_code == 422 and "amount" in response.json["errors"]


def test_good_money_is_cents(probe_app):
    response = probe_app.test_client().post("/api/probe", json={"amount": "1234.56"})
    assert response.status_code == 200
    assert response.json == {"cents": 123456}


@pytest.mark.parametrize("raw", ['{"amount": "1.00"', "not json", "\xff"])
def test_malformed_json_is_422_problem(probe_app, raw):
    response = probe_app.test_client().post("/api/probe", data=raw, content_type="application/json")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "json" in response.json["errors"]


def test_openapi_documents_money_as_decimal_string(probe_app):
    spec = probe_app.test_client().get("/api/openapi.json").json
    body = spec["paths"]["/api/probe"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    name = body["$ref"].rsplit("/", 1)[1]
    amount = spec["components"]["schemas"][name]["properties"]["amount"]
    assert amount["type"] == "string" and amount["format"] == "decimal"


def test_request_id_is_echoed_or_created(app):
    client = app.test_client()
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 32


def test_health_and_readiness(app):
    client = app.test_client()
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/readyz").json == {"status": "ok", "database": "ok"}


def test_readiness_reports_an_unreachable_database(tmp_path):
    broken = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    response = broken.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_api_docs_page_needs_no_cdn(app):
    page = app.test_client().get("/api/docs").get_data(as_text=True)
    assert "/api/v1/me" in page
    assert "cdn" not in page.lower() and "https://" not in page.replace("https://durchstarten.invalid", "")


def test_security_headers(app):
    response = app.test_client().get("/anmelden")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_api_path_is_problem_json(make_user, api):
    client = api(make_user("finance"))
    response = client.get("/api/v1/gibt-es-nicht")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    response = client.delete("/api/v1/me")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


def test_pages_show_german_error_pages(client, make_user):
    client.login(make_user("finance"))
    response = client.get("/gibt-es-nicht")
    assert response.status_code == 404
    assert "Nicht gefunden" in response.get_data(as_text=True)


def test_production_refuses_the_default_secret(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-from-the-environment")
    assert create_app("production", {"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["SESSION_COOKIE_SECURE"]


@pytest.mark.parametrize("page", [2, 10**22])
def test_a_page_past_the_last_is_empty(app, make_user, api, page):
    """Found by fuzzing: a huge ``page`` made an OFFSET beyond 64 bits (500); now any page past the end is []."""
    admin = api(make_user("programme_admin"))
    response = admin.get(f"/api/v1/audit?page={page}&page_size=100")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json == []
    assert '"total": ' in response.headers["X-Pagination"]
    first = admin.get("/api/v1/audit?page=1&page_size=100")
    assert first.status_code == 200 and len(first.json) >= 1  # the same list does have items on page 1


@pytest.mark.parametrize("field", ["actor", "action", "object_type", "object_id"])
def test_control_characters_in_audit_filters_are_422_naming_the_field(app, make_user, api, client, field):
    """Found by fuzzing: a NUL byte in a filter reached PostgreSQL, which refuses it (500); now refused at
    the edge for every parameter (app/platform/web/sanitation.py), the page answers 422 with the message."""
    user = make_user("programme_admin")
    response = api(user).get("/api/v1/audit", query_string={field: "test\x00x"})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json" and field in response.json["errors"]
    client.login(user)
    page = client.get("/audit", query_string={field: "test\x00x"})
    assert page.status_code == 422 and "Steuerzeichen" in page.get_data(as_text=True)
    assert api(user).get("/api/v1/audit", query_string={field: "test"}).status_code == 200


@pytest.mark.parametrize("field", ["date_from", "date_to"])
def test_audit_dates_outside_the_supported_range_are_422_naming_the_field(app, make_user, api, field):
    """Found by fuzzing: 0001-01-01 at 00:00 in Berlin is before year 1 in UTC (500)."""
    admin = api(make_user("programme_admin"))
    response = admin.get("/api/v1/audit", query_string={field: "0001-01-01"})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.json["errors"]
    assert admin.get("/api/v1/audit", query_string={field: "2022-06-15"}).status_code == 200

"""Issue #14, 7: a CSRF failure explains itself in German; the OpenAPI document matches what the
API does (shares are strings, remaining may be negative, page sizes, as_of, bearer security)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def test_a_csrf_failure_says_what_happened_in_german(app, make_user, client):
    client.login(make_user("kommune"))
    response = client.client.post("/konto/tokens", data={"name": "x", "csrf_token": "abgelaufen"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Sicherheitsprüfung" in html and "nichts gespeichert" in html and "neu" in html


def _spec(app) -> dict:
    return app.test_client().get("/api/openapi.json").json


def test_openapi_documents_shares_as_strings_and_a_negative_remaining(app):
    schemas = _spec(app)["components"]["schemas"]
    figures, report = schemas["FiguresOut"]["properties"], schemas["ReportRowOut"]["properties"]
    for field in (figures["share_used"], report["share_women"], report["share_men"]):
        assert field["type"] == "string"
        assert re.fullmatch(field["pattern"], "32.6")
    assert re.fullmatch(figures["remaining"]["pattern"], "-3875405.65")


def test_openapi_names_the_bearer_scheme_page_sizes_and_as_of(app):
    spec = _spec(app)
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert spec["security"] == [{"bearerAuth": []}]
    audit = spec["paths"]["/api/v1/audit"]["get"]["parameters"]
    page_size = next(p for p in audit if p["name"] == "page_size")["schema"]
    assert page_size["maximum"] == 500
    reclaim = spec["paths"]["/api/v1/budgets/reclaims/{reclaim_id}"]["get"]["parameters"]
    assert any(p["name"] == "as_of" and p["in"] == "query" for p in reclaim)


def test_page_size_up_to_the_documented_maximum_is_served(app, make_user, api):
    admin = api(make_user("programme_admin"))
    assert admin.get("/api/v1/audit?page_size=500").status_code == 200
    assert admin.get("/api/v1/audit?page_size=501").status_code == 422


def test_as_of_is_checked_as_a_date(app, make_user, api):
    finance = api(make_user("finance"))
    response = finance.get("/api/v1/budgets/reclaims/1?as_of=kein-datum")
    assert response.status_code == 422 and "as_of" in response.json["errors"]


def test_a_body_is_documented_as_required_only_when_a_field_is(app):
    spec = _spec(app)
    schemas = spec["components"]["schemas"]
    checked = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            schema = (body or {}).get("content", {}).get("application/json", {}).get("schema", {})
            if "$ref" not in schema:
                continue
            required_fields = schemas[schema["$ref"].rsplit("/", 1)[1]].get("required", [])
            assert bool(body.get("required")) == bool(required_fields), f"{method.upper()} {path}"
            checked += 1
    assert checked > 20

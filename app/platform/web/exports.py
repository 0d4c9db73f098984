"""One generator for every list export: the same columns and rows as CSV and as XLSX.

CSV follows the German spreadsheet convention (UTF-8 with BOM, ``;`` separator, decimal comma,
dates as ``TT.MM.JJJJ``) so that it opens correctly in a German Excel or LibreOffice. XLSX carries
money as numbers with a ``#,##0.00 €`` format and dates as real dates. Money arrives as integer
cents and is converted through ``Decimal`` (never float) for XLSX.

Text is never live content for the reader's spreadsheet (CSV/formula injection, OWASP): in CSV a
text cell that starts with ``= + - @``, tab or CR gets a leading apostrophe; in XLSX every text cell
is stored as a string (openpyxl would store ``=…`` as a formula) with Excel's quote prefix, so the
text reads unchanged but stays text even when the cell is edited.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font

from ..clock import BERLIN
from ..formatting import format_date, format_datetime, format_decimal
from ..money import cents_to_decimal, format_eur

Kind = Literal["text", "money", "int", "decimal", "percent", "date", "datetime"]
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Column:
    label: str  # German column name
    kind: Kind = "text"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """``text`` made inert for a spreadsheet: a leading apostrophe before a formula-like start."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_value(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    if kind == "money":
        return format_eur(int(value), with_symbol=False)
    if kind in ("decimal", "percent"):
        return format_decimal(Decimal(value), 2 if kind == "decimal" else 1)
    if kind == "date":
        return format_date(value)
    if kind == "datetime":
        return format_datetime(value)
    return neutralise(value) if isinstance(value, str) else str(value)


def to_csv(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.label for c in columns])
    for row in rows:
        writer.writerow([_csv_value(v, c.kind) for v, c in zip(row, columns, strict=True)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


_XLSX_FORMATS = {"money": '#,##0.00 "€"', "decimal": "#,##0.00", "percent": "0.0", "date": "DD.MM.YYYY",
                 "datetime": "DD.MM.YYYY HH:MM", "int": "#,##0"}


def _xlsx_value(value: Any, kind: Kind) -> Any:
    if value is None:
        return None
    if kind == "money":
        return cents_to_decimal(int(value))
    if kind in ("decimal", "percent"):
        return Decimal(value)
    if kind == "datetime" and isinstance(value, datetime):  # Berlin wall time, as on the screen and in the CSV
        return (value.astimezone(BERLIN) if value.tzinfo else value).replace(tzinfo=None)
    if kind == "date" and isinstance(value, datetime):
        return value.date()
    return value


def to_xlsx(columns: Sequence[Column], rows: Iterable[Sequence[Any]], title: str = "Export") -> bytes:
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([c.label for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_xlsx_value(v, c.kind) for v, c in zip(row, columns, strict=True)])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type, cell.quotePrefix = "s", True
    for index, column in enumerate(columns, start=1):
        number_format = _XLSX_FORMATS.get(column.kind)
        letter = sheet.cell(row=1, column=index).column_letter
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
        sheet.column_dimensions[letter].width = max(12, min(60, len(column.label) + 4))
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(filename: str, fmt: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Response:
    """A download of ``rows`` as ``filename.csv`` or ``filename.xlsx`` (``fmt`` checked by the caller)."""
    rows = list(rows)
    if fmt == "xlsx":
        body = to_xlsx(columns, rows, title=filename)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, mimetype = to_csv(columns, rows), "text/csv"  # Werkzeug adds the one charset=utf-8
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in filename)
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{safe}.{fmt}"',
                             "Cache-Control": "no-store"})


def today_stamp(day: date) -> str:
    return day.strftime("%Y-%m-%d")

"""One generator for every list export: the same columns and rows as CSV and as XLSX.

CSV follows the German spreadsheet convention (UTF-8 with BOM, ``;`` separator, decimal comma,
dates as ``TT.MM.JJJJ``) so that it opens correctly in a German Excel or LibreOffice. XLSX carries
money as numbers with a ``#,##0.00 €`` format and dates as real dates, written by our own streaming
writer (``app.platform.web.xlsx``: the first bytes leave before the first row is read). Money arrives
as integer cents and reaches the file as the text of a ``Decimal`` (never a float).

Text is never live content for the reader's spreadsheet (CSV/formula injection, OWASP): in CSV a
text cell that starts with ``= + - @``, tab or CR gets a leading apostrophe; in XLSX every text cell
is stored as an inline string (never a formula, whatever it starts with) with Excel's quote prefix, so
the text reads unchanged but stays text even when the cell is edited.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any, Literal

from flask import Response, stream_with_context
from sqlalchemy import func, select

from ..clock import BERLIN
from ..formatting import format_date, format_datetime, format_decimal
from ..money import cents_to_decimal, format_eur
from . import export_jobs
from .xlsx import SheetColumn, SheetKind, xlsx_stream

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


def _csv_text(value: Any) -> str:
    return neutralise(value) if isinstance(value, str) else str(value)


# How a cell of each kind reads in the CSV; looked up once per column, not per cell (200,000-row exports).
_CSV_FORMATS: dict[str, Callable[[Any], str]] = {
    "text": _csv_text, "int": _csv_text,
    "money": lambda cents: format_eur(cents, with_symbol=False),
    "decimal": lambda value: format_decimal(value, 2), "percent": lambda value: format_decimal(value, 1),
    "date": format_date, "datetime": format_datetime,
}


CSV_BATCH = 500  # rows per yielded chunk: large enough for few writes, small enough to stream


def csv_chunks(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The CSV file as a generator of UTF-8 chunks (BOM and header first, then ``CSV_BATCH`` rows each)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([c.label for c in columns])
    yield buffer.getvalue().encode("utf-8")
    formats = [_CSV_FORMATS[c.kind] for c in columns]
    for batch in batched(rows, CSV_BATCH):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(["" if v is None else f(v) for f, v in zip(formats, row, strict=True)] for row in batch)
        yield buffer.getvalue().encode("utf-8")


def to_csv(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    return b"".join(csv_chunks(columns, rows))


_XLSX_FORMATS = {"money": '#,##0.00 "€"', "decimal": "#,##0.00", "percent": "0.0", "date": "DD.MM.YYYY",
                 "datetime": "DD.MM.YYYY HH:MM", "int": "#,##0"}


def _berlin_wall_time(value: date | datetime) -> date | datetime:
    """An aware datetime as Berlin wall time (as on the screen and in the CSV); naive ones and dates as they are."""
    if isinstance(value, datetime) and value.tzinfo:
        return value.astimezone(BERLIN).replace(tzinfo=None)
    return value


def _money(cents: Any) -> Decimal:
    return cents_to_decimal(int(cents))


_XLSX_KINDS: dict[Kind, tuple[SheetKind, Callable[[Any], Any] | None]] = {
    "text": ("text", None), "money": ("number", _money), "int": ("number", None), "decimal": ("number", Decimal),
    "percent": ("number", Decimal), "date": ("date", None), "datetime": ("datetime", _berlin_wall_time)}


def _sheet_columns(columns: Sequence[Column]) -> list[SheetColumn]:
    """The export's columns for the XLSX writer: cell kind, conversion, number format and width of each."""
    sheet_columns = []
    for column in columns:
        kind, convert = _XLSX_KINDS[column.kind]
        label = str(column.label)
        sheet_columns.append(SheetColumn(label, kind, _XLSX_FORMATS.get(column.kind),
                                         max(12, min(60, len(label) + 4)), convert))
    return sheet_columns


def xlsx_chunks(columns: Sequence[Column], rows: Iterable[Sequence[Any]], title: str = "Export",
                chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    """The workbook streamed by :func:`app.platform.web.xlsx.xlsx_stream`: the first chunk leaves before
    the first row is read, the rest while they are read (``rows`` may be a generator over batched queries)."""
    return xlsx_stream(_sheet_columns(columns), rows, title=title, chunk_size=chunk_size)


def to_xlsx(columns: Sequence[Column], rows: Iterable[Sequence[Any]], title: str = "Export") -> bytes:
    return b"".join(xlsx_chunks(columns, rows, title))


def export_response(filename: str, fmt: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *,
                    lazy: bool = False, count: Callable[[], int] | None = None) -> Response:
    """A streamed download of ``rows`` as ``filename.csv`` or ``filename.xlsx`` (``fmt`` checked by the caller).

    The body is a generator run inside the request's context (``stream_with_context``). ``lazy=True``:
    ``rows`` is an iterator that queries only when read (e.g. :func:`batched_rows` inside a generator
    function), so no export holds all its rows in memory; otherwise the rows are taken in the view, while
    the request's database session is open (a generator over an already executed query would outlive it).
    ``count`` (lazy exports; a list counts itself): the number of rows, asked before any is read. Above
    ``EXPORT_BACKGROUND_ROWS`` the answer is the page offering a background export (``export_jobs``).
    """
    if not lazy:
        rows = list(rows)
    total = len(rows) if not lazy else (count() if count is not None else None)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in filename)
    if total is not None and export_jobs.deferred(total):
        return export_jobs.offer(f"{safe}.{fmt}", total)
    rows = export_jobs.counted(rows)
    if fmt == "xlsx":
        body = xlsx_chunks(columns, rows, title=filename)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, mimetype = csv_chunks(columns, rows), "text/csv"  # Werkzeug adds the one charset=utf-8
    return Response(stream_with_context(body), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{safe}.{fmt}"',
                             "Cache-Control": "no-store"})


def count_rows(session, statement) -> int:
    """The number of rows ``statement`` returns (the ``count`` of a lazy export), without reading them."""
    return session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0


def batched(rows: Iterable[Any], size: int) -> Iterator[list]:
    """``rows`` in lists of at most ``size`` (itertools.batched arrives only with Python 3.12)."""
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def batched_rows(session, statement, batch: int = 2000) -> Iterator[Any]:
    """Core rows of ``statement`` fetched ``batch`` at a time on a server-side cursor (PostgreSQL)."""
    result = session.execute(statement.execution_options(stream_results=True, yield_per=batch))
    for partition in result.partitions():
        yield from partition


def today_stamp(day: date) -> str:
    return day.strftime("%Y-%m-%d")

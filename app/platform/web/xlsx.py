"""A minimal streaming XLSX (SpreadsheetML, Office Open XML) writer: one sheet, written row by row.

Why our own: openpyxl's write-only mode builds a cell object per value (about 6,400 rows/s) and its ZIP
leaves only after the last row; XlsxWriter is fast but writes every number through a float, and money
must never pass through binary floating point. This writer knows exactly what the exports need and
nothing more (pure Python, standard library only, no Flask):

* The file is a generator of byte chunks. ``zipfile.ZipFile`` writes into a sink that cannot seek, so
  Python puts a data descriptor after each member instead of going back to its header; the fixed parts
  and the sheet's start therefore leave as the first chunk, before the first row is read, and the rows
  follow deflated in chunks of about ``chunk_size`` bytes. Members carry a fixed time stamp, so the same
  rows always give the same bytes (a background export is byte for byte the direct download).
* Text is an inline string (``t="inlineStr"``, no shared-string table to hold in memory), XML-escaped,
  with the characters XML 1.0 forbids removed, and styled with Excel's quote prefix: it reads unchanged
  but never becomes a formula, even when the cell is edited (formula injection, OWASP).
* Numbers are written from their decimal text: ``int`` and ``Decimal`` only (``format(value, "f")``: no
  exponent, every digit kept); a ``float`` is refused. Dates and datetimes are Excel serial numbers,
  days since 1899-12-30 computed in integers; the time of day is a fraction of 86,400 seconds, which
  has no finite decimal expansion, so it is rounded once to 11 places (under a microsecond). Serial
  numbers are only right from 01.03.1900 on (Excel's 1900 leap-year bug lies before).
* Styles are a fixed table built from the columns: a bold header row, the quote-prefixed text style,
  one style per number format. The first row is frozen; each column has its width.

Neither a shared-string table nor a dimension (``<dimension ref=…>``) is written: both would need all
rows before the sheet's first byte, and both are optional. Limits not checked here: Excel shows at most
1,048,576 rows, and without ZIP64 (left off for older readers) ``zipfile`` stops a sheet at 2 GiB of XML.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

SheetKind = Literal["text", "number", "date", "datetime"]

ROWS_PER_WRITE = 500  # rows joined into one string before they go to the compressor
_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a ZIP can say: fixed, so equal rows give equal files
_EPOCH = date(1899, 12, 30).toordinal()  # Excel's day 0 (with the 1900 leap-year bug folded in)
_DAY_MICROSECONDS = 86_400_000_000
_FRACTION_PLACES = 11


@dataclass(frozen=True)
class SheetColumn:
    """One column: header label, what its cells hold, their number format, and its width in characters.

    ``convert`` (optional) is applied to each value that is not ``None`` before it is written, e.g. integer
    cents to ``Decimal`` or an aware datetime to local wall time.
    """

    label: str
    kind: SheetKind = "text"
    number_format: str | None = None
    width: int = 12
    convert: Callable[[Any], Any] | None = None


# ----------------------------------------------------------------------------- text and numbers
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EXCEL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")  # Excel reads _xHHHH_ as the character U+HHHH


def xml_text(text: str) -> str:
    """``text`` for XML content and attributes: escaped, XML 1.0's forbidden characters removed."""
    return _XML_ILLEGAL.sub("", text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                            .replace('"', "&quot;"))


def _cell_text(text: str) -> str:
    """``text`` as a cell's content: escaped, forbidden characters removed, ``_xHHHH_`` kept literal for Excel."""
    text = _XML_ILLEGAL.sub("", text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    return _EXCEL_ESCAPE.sub(r"_x005F_\1", text) if "_x" in text else text


def number_text(value: int | Decimal) -> str:
    """The plain decimal text of ``value``: ``Decimal('-1234.56')`` -> ``-1234.56``, never an exponent."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"an XLSX number is finite, not {value}")
        return format(value, "f")
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"an XLSX number is an int or a Decimal, not {type(value).__name__}")
    return str(value)


def date_serial(value: date) -> str:
    """Excel's serial number of a day: days since 30.12.1899 (a datetime's day, its time ignored)."""
    return str(value.toordinal() - _EPOCH)


def datetime_serial(value: date | datetime) -> str:
    """Excel's serial number of a (naive, wall-clock) datetime: days and the time as a fraction of a day
    (a date: its midnight).

    The fraction is computed in integers and rounded half-even once, at 11 decimal places (a microsecond is
    1.16e-11 days, so the last microsecond of a day stays below 1 and the day never changes).
    """
    days = value.toordinal() - _EPOCH
    if not isinstance(value, datetime):
        return str(days)
    micro = ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond
    if not micro:
        return str(days)
    scaled, rest = divmod(micro * 10**_FRACTION_PLACES, _DAY_MICROSECONDS)
    if rest * 2 > _DAY_MICROSECONDS or (rest * 2 == _DAY_MICROSECONDS and scaled % 2):
        scaled += 1
    return f"{days}.{scaled:0{_FRACTION_PLACES}d}".rstrip("0")


# ----------------------------------------------------------------------------- cells
_TEXT_STYLE, _HEADER_STYLE = 1, 2  # cellXfs 0 is the default; number formats follow from 3 on


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell_writer(letter: str, kind: SheetKind, style: int, convert: Callable[[Any], Any] | None
                 ) -> Callable[[Any, str], str]:
    """A function ``(value, row number text) -> the cell's XML`` for one column ('' for ``None``).

    Built once per column so that the per-cell work is one call with no look-ups by kind. A text column
    also takes numbers (written as numbers without format), booleans, and anything else as its ``str``.
    """
    head = f'<c r="{letter}'
    text_tail = f'" s="{_TEXT_STYLE}" t="inlineStr"><is><t xml:space="preserve">'
    number_tail = f'" s="{style}"><v>'

    def text(value: Any, row: str) -> str:
        if value is None:
            return ""
        if convert is not None:
            value = convert(value)
        if isinstance(value, str):
            return f"{head}{row}{text_tail}{_cell_text(value)}</t></is></c>"
        if isinstance(value, bool):
            return f'{head}{row}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | Decimal):
            return f'{head}{row}"><v>{number_text(value)}</v></c>'
        return f"{head}{row}{text_tail}{_cell_text(str(value))}</t></is></c>"

    serial = {"text": None, "number": number_text, "date": date_serial, "datetime": datetime_serial}[kind]

    def numeric(value: Any, row: str) -> str:
        if value is None:
            return ""
        if convert is not None:
            value = convert(value)
        return f"{head}{row}{number_tail}{serial(value)}</v></c>"

    return text if kind == "text" else numeric


# ----------------------------------------------------------------------------- the package's parts
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_CONTENT_TYPES = (
    _DECLARATION + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>")
_ROOT_RELS = (
    _DECLARATION + f'<Relationships xmlns="{_PKG_REL_NS}">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>")
_WORKBOOK_RELS = (
    _DECLARATION + f'<Relationships xmlns="{_PKG_REL_NS}">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="styles.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/>'
    "</Relationships>")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


def sheet_title(title: str) -> str:
    """A title Excel accepts: none of ``\\ / * ? : [ ]``, no apostrophe at either end, 1 to 31 characters."""
    title = _SHEET_TITLE_FORBIDDEN.sub("_", _XML_ILLEGAL.sub("", title))[:31].strip("'")
    return title or "Export"


def _workbook(title: str) -> str:
    return (_DECLARATION + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><sheets>'
            f'<sheet name="{xml_text(sheet_title(title))}" sheetId="1" r:id="rId1"/></sheets></workbook>')


def _styles(formats: Sequence[str]) -> str:
    """The style table: default, quote-prefixed text, bold quote-prefixed header, then one per format."""
    font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
    number_formats = "".join(f'<numFmt numFmtId="{164 + i}" formatCode="{xml_text(code)}"/>'
                             for i, code in enumerate(formats))
    base = 'fillId="0" borderId="0" xfId="0"'
    xfs = [f'<xf numFmtId="0" fontId="0" {base}/>',
           f'<xf numFmtId="0" fontId="0" {base} quotePrefix="1"/>',
           f'<xf numFmtId="0" fontId="1" {base} applyFont="1" quotePrefix="1"/>',
           *(f'<xf numFmtId="{164 + i}" fontId="0" {base} applyNumberFormat="1"/>' for i in range(len(formats)))]
    return (_DECLARATION + f'<styleSheet xmlns="{_MAIN_NS}">'
            + (f'<numFmts count="{len(formats)}">{number_formats}</numFmts>' if formats else "")
            + f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>")


def _sheet_start(columns: Sequence[SheetColumn]) -> str:
    """The worksheet up to and including the header row: frozen first row, column widths."""
    widths = "".join(f'<col min="{i}" max="{i}" width="{c.width}" customWidth="1"/>'
                     for i, c in enumerate(columns, start=1))
    header = "".join(f'<c r="{column_letter(i)}1" s="{_HEADER_STYLE}" t="inlineStr"><is>'
                     f'<t xml:space="preserve">{_cell_text(c.label)}</t></is></c>'
                     for i, c in enumerate(columns, start=1))
    return (_DECLARATION + f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
            '<sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{widths}</cols>" if columns else "")
            + f'<sheetData><row r="1">{header}</row>')


_SHEET_END = "</sheetData></worksheet>"


# ----------------------------------------------------------------------------- the ZIP stream
class _Sink:
    """A write-only file for ``ZipFile``: no ``tell``/``seek``, so the ZIP is written strictly forward."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.parts.append(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return data


def _member(name: str) -> zipfile.ZipInfo:
    """A deflated member (zlib's default level 6: level 1 was 1.5x faster but the file 37 % larger)."""
    info = zipfile.ZipInfo(name, date_time=_TIMESTAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def xlsx_stream(columns: Sequence[SheetColumn], rows: Iterable[Sequence[Any]], title: str = "Export",
                chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    """The workbook as byte chunks: the first before any row is read, then about ``chunk_size`` each.

    ``rows`` is read once, lazily; each row has one value per column (``None`` for an empty cell).
    """
    formats = list(dict.fromkeys(c.number_format for c in columns if c.number_format and c.kind != "text"))
    writers = [_cell_writer(column_letter(i), c.kind,
                            3 + formats.index(c.number_format) if c.number_format in formats else 0, c.convert)
               for i, c in enumerate(columns, start=1)]
    sink = _Sink()
    with zipfile.ZipFile(sink, "w") as package:
        for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _ROOT_RELS),
                           ("xl/workbook.xml", _workbook(title)), ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
                           ("xl/styles.xml", _styles(formats))):
            package.writestr(_member(name), text)
        with package.open(_member("xl/worksheets/sheet1.xml"), "w") as sheet:
            sheet.write(_sheet_start(columns).encode())
            yield sink.take()
            batch: list[str] = []
            for number, row in enumerate(rows, start=2):
                r = str(number)
                batch.append(f'<row r="{r}">{"".join([w(v, r) for w, v in zip(writers, row, strict=True)])}</row>')
                if len(batch) == ROWS_PER_WRITE:
                    sheet.write("".join(batch).encode())
                    batch.clear()
                    if sink.size >= chunk_size:
                        yield sink.take()
            sheet.write(("".join(batch) + _SHEET_END).encode())
    yield sink.take()

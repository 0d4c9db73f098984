"""Parse an expense CSV (German spreadsheet convention) into validated rows; all-or-nothing.

Columns (header row, case-insensitive, ``;`` or ``,`` separated, UTF-8 with or without BOM, or
Windows-1252): ``datum`` (TT.MM.JJJJ or JJJJ-MM-TT), ``baustein`` (F1...), ``betrag`` (1.234,56) or
``einheiten`` + ``pauschale`` (a code from ``config/rates``), ``beleg``, ``beschreibung``, optionally
``massnahme`` (the number of one of the Kommune's measures in the same module).
Every line is checked; errors name the physical line of the file where the record starts (the
header is line 1; a quoted field may span lines). A record with more or fewer cells than the header
is refused (a comma-separated file with an unquoted ``1234,56`` would shift every later cell), so
are control characters in a cell, a field longer than the csv module's limit and implausible
amounts (app/budgets/plausibility.py).

The file is read as a stream (issue #19): :func:`open_upload` passes once over the uploaded file in
1 MiB chunks (Werkzeug spools uploads to a temporary file) for its SHA-256 and its encoding, then the
parser reads it line by line through a text wrapper. Neither the bytes nor the decoded text are ever in
memory as a whole; the validated rows are (one small dict per line, dates and codes shared), because
the booking needs every line's module and year before the first insert (one journal per line of the
grant, ``journal_id`` is NOT NULL) and the import stays all-or-nothing in one transaction.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import BinaryIO

from ..platform.errors import ValidationFailed
from ..platform.formatting import format_decimal
from ..platform.limits import MAX_ID
from ..platform.money import MoneyFormatError, parse_german_amount
from ..platform.web.sanitation import TEXT_CONTROLS
from .core.rates import flat_rates
from .models import Grant
from .plausibility import amount_problems
from .services import approved_keys, validate_expense

COLUMNS = ("datum", "baustein", "betrag", "einheiten", "pauschale", "beleg", "beschreibung", "massnahme")
REQUIRED = ("datum", "baustein")
MAX_ERRORS = 100
MAX_LINES = 200_000
FIELD_NAMES = {"expense_date": "datum", "module": "baustein", "amount": "betrag", "units": "einheiten",
               "rate_code": "pauschale", "voucher_ref": "beleg", "description": "beschreibung",
               "measure_id": "massnahme"}


CHUNK = 1 << 20  # bytes read at a time


@dataclass(frozen=True)
class Upload:
    """A seekable uploaded file with its SHA-256 and encoding (UTF-8 with or without BOM, else Windows-1252)."""

    stream: BinaryIO
    sha256: str
    encoding: str
    size: int


def open_upload(source: bytes | BinaryIO) -> Upload:
    """One pass over ``source`` (bytes, or a seekable binary file such as Werkzeug's spooled upload)."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    stream.seek(0)
    digest, decoder, utf8, size = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")(), True, 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    stream.seek(0)
    return Upload(stream, digest.hexdigest(), "utf-8-sig" if utf8 else "cp1252", size)


def spool(stream: BinaryIO, limit: int) -> BinaryIO:
    """A request body copied to a temporary file in chunks (at most ``limit`` bytes; the rest is refused)."""
    target = tempfile.SpooledTemporaryFile(max_size=CHUNK)  # noqa: SIM115 - handed to the caller
    copied = 0
    while chunk := stream.read(CHUNK):
        copied += len(chunk)
        if copied > limit:
            raise ValidationFailed.field("file", "Die Datei ist zu groß.")
        target.write(chunk)
    target.seek(0)
    return target


def _lines(upload: Upload) -> Iterator[str]:
    """The file's lines, decoded as they are read (newline="" keeps quoted line breaks for the csv module)."""
    upload.stream.seek(0)
    text = io.TextIOWrapper(upload.stream, encoding=upload.encoding, errors="replace", newline="")
    try:
        yield from text
    finally:
        text.detach()  # the upload belongs to the request; closing the wrapper would close it


_DAYS: dict[str, date] = {}  # text -> date: an import has a few hundred distinct days; rows share the objects


def parse_date(text: str) -> date:
    text = text.strip()
    day = _DAYS.get(text)
    if day is None:
        if len(text) == 10 and text[2] == "." and text[5] == ".":
            day = date(int(text[6:]), int(text[3:5]), int(text[:2]))
        else:
            day = date.fromisoformat(text)
        if len(_DAYS) < 10_000:
            _DAYS[text] = day
    return day


def parse_units(text: str) -> int:
    """'12,5' -> 1250 (hundredths)."""
    return parse_german_amount(text)


def _csv_problem(error: csv.Error) -> str:
    if "field larger" in str(error):
        return f"Ein Feld ist länger als {format_decimal(csv.field_size_limit(), 0)} Zeichen."
    if "NUL" in str(error):
        return "Die Zeile enthält ein NUL-Byte (Steuerzeichen)."
    return "Die Zeile ist kein gültiges CSV (z. B. ein nicht geschlossenes Anführungszeichen)."


def _records(reader):
    """(physical line where the record starts, cells) per record; a csv error is refused naming its line."""
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ValidationFailed.field("file", f"Zeile {start}: {_csv_problem(error)}") from None
        yield start, record
        start = reader.line_num + 1


def _width_problem(found: int, width: int, delimiter: str) -> str:
    message = f"{found} Werte, die Kopfzeile hat {width} Spalten."
    if delimiter == "," and found > width:
        message += (" Steht ein Komma in einem Betrag (1234,56)? Dann den Wert in Anführungszeichen setzen "
                    "oder ; als Trennzeichen verwenden.")
    return message


def parse_expense_csv(source: bytes | Upload, grant: Grant, *, today: date) -> list[dict]:
    """Validated insert rows, or ValidationFailed naming each bad line (at most 100 listed)."""
    upload = source if isinstance(source, Upload) else open_upload(source)
    lines = _lines(upload)
    first = next(lines, "")
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(chain([first], lines), delimiter=delimiter)
    records = _records(reader)
    header = [h.strip().lower() for h in next(records, (1, []))[1]]
    missing = [c for c in REQUIRED if c not in header]
    if missing or ("betrag" not in header and "einheiten" not in header):
        raise ValidationFailed.field("file", "Zeile 1: Kopfzeile mit den Spalten datum; baustein; betrag "
                                             "(oder einheiten und pauschale); beleg; beschreibung erwartet.")
    index = {name: header.index(name) for name in COLUMNS if name in header}
    rates = flat_rates(grant.programme.code)
    approved = approved_keys(grant)
    rows: list[dict] = []
    errors: list[dict] = []
    width = len(header)
    get = {name: index.get(name) for name in COLUMNS}
    i_date, i_module, i_amount, i_units, i_rate, i_voucher, i_text, i_measure = (get[name] for name in COLUMNS)
    for line_number, record in records:
        if not record or all(not cell.strip() for cell in record):
            continue
        if len(rows) + len(errors) >= MAX_LINES:
            raise ValidationFailed.field("file", f"Die Datei hat mehr als {MAX_LINES} Zeilen; bitte aufteilen.")
        if len(record) != width:
            errors.append({"line": line_number, "field": "Spalten", "message": _width_problem(len(record), width,
                                                                                               delimiter)})
            continue
        controls = [header[i] for i, cell in enumerate(record) if TEXT_CONTROLS.search(cell)]
        if controls:
            errors.extend({"line": line_number, "field": name, "message": "enthält unzulässige Steuerzeichen."}
                          for name in controls)
            continue
        raw_date = record[i_date].strip()
        raw_amount = record[i_amount].strip() if i_amount is not None else ""
        raw_units = record[i_units].strip() if i_units is not None else ""
        raw_measure = record[i_measure].strip() if i_measure is not None else ""
        line_errors: dict[str, str] = {}
        try:
            day = parse_date(raw_date)
        except (ValueError, IndexError):
            day = None
            line_errors["datum"] = f"„{raw_date}“ ist kein Datum (TT.MM.JJJJ)."
        amount = units = None
        if raw_amount:
            try:
                amount = parse_german_amount(raw_amount)
            except MoneyFormatError as exc:
                line_errors["betrag"] = str(exc)
        if raw_units:
            try:
                units = parse_units(raw_units)
            except MoneyFormatError:
                line_errors["einheiten"] = f"„{raw_units}“ ist keine Anzahl."
        if raw_measure and not (raw_measure.isascii() and raw_measure.isdigit() and 0 < int(raw_measure) <= MAX_ID):
            line_errors["massnahme"] = f"„{raw_measure}“ ist keine Maßnahmennummer."
        if not line_errors:
            row, problems = validate_expense(
                grant, module=record[i_module], expense_date=day, amount_cents=amount, units_centi=units,
                rate_code=(record[i_rate].strip() or None) if i_rate is not None else None,
                voucher_ref=record[i_voucher] if i_voucher is not None else "",
                description=record[i_text] if i_text is not None else "", today=today, rates=rates,
                approved_lines=approved, measure_id=int(raw_measure) if raw_measure else None)
            line_errors = {FIELD_NAMES.get(k, k): v for k, v in problems.items()}
        if line_errors:
            for column, message in line_errors.items():
                errors.append({"line": line_number, "field": column, "message": message})
        else:
            rows.append(row | {"import_line": line_number})  # named by the duplicate and plausibility checks
    for index, message in amount_problems(grant, rows).items():
        errors.append({"line": rows[index]["import_line"], "field": "betrag", "message": message})
    errors.sort(key=lambda e: e["line"])
    if errors:
        shown = errors[:MAX_ERRORS]
        lines = sorted({e["line"] for e in errors})
        messages = [f"Zeile {e['line']}, {e['field']}: {e['message']}" for e in shown]
        if len(errors) > MAX_ERRORS:
            messages.append(f"… und {len(errors) - MAX_ERRORS} weitere Fehler.")
        raise ValidationFailed(f"Die Datei enthält Fehler in {len(lines)} Zeile(n); es wurde nichts importiert.",
                               errors={"file": messages}, lines=shown)
    if not rows:
        raise ValidationFailed.field("file", "Die Datei enthält keine Ausgaben.")
    return rows

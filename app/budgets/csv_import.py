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

The file is read as a stream, twice (issue #19): :func:`open_upload` passes once over the uploaded file in
1 MiB chunks (Werkzeug spools uploads to a temporary file) for its SHA-256, its encoding and its line count.
:func:`scan` (first pass) validates every line and keeps only what the booking needs (``ImportTotals``: sums
per module and year and per day, the voucher numbers), the early-start lines and the first 100 errors;
:func:`batches` (second pass, inside the booking) reads and validates the file again and hands the rows on
in batches of 5,000 for the bulk insert, checking that the bytes hash as before and that every line gives
what the first pass counted. Memory no longer grows with the file beyond the voucher numbers.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from typing import BinaryIO

from ..platform.errors import ValidationFailed
from ..platform.formatting import format_decimal
from ..platform.limits import MAX_ID
from ..platform.money import MoneyFormatError, parse_german_amount
from ..platform.web.sanitation import TEXT_CONTROLS
from .core.rates import flat_rates
from .early_start import SHOWN_LINES, decision_date
from .models import Grant
from .plausibility import AmountCheck
from .services import ImportTotals, approved_keys, validate_expense

COLUMNS = ("datum", "baustein", "betrag", "einheiten", "pauschale", "beleg", "beschreibung", "massnahme")
REQUIRED = ("datum", "baustein")
MAX_ERRORS = 100
MAX_LINES = 200_000
FIELD_NAMES = {"expense_date": "datum", "module": "baustein", "amount": "betrag", "units": "einheiten",
               "rate_code": "pauschale", "voucher_ref": "beleg", "description": "beschreibung",
               "measure_id": "massnahme"}


CHUNK = 1 << 20  # bytes read at a time
BATCH = 5000  # rows handed to the bulk insert at once
PROGRESS_EVERY = 5000  # lines between two progress reports


@dataclass(frozen=True)
class Upload:
    """A seekable uploaded file with its SHA-256 and encoding (UTF-8 with or without BOM, else Windows-1252)."""

    stream: BinaryIO
    sha256: str
    encoding: str
    size: int
    lines: int  # line breaks (+1 for a last line without one): the cheap size that picks the background path


def open_upload(source: bytes | BinaryIO) -> Upload:
    """One pass over ``source`` (bytes, or a seekable binary file such as Werkzeug's spooled upload)."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    stream.seek(0)
    digest, decoder, utf8, size, lines = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")(), True, 0, 0
    last = b"\n"
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        lines += chunk.count(b"\n")
        last = chunk[-1:]
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
    return Upload(stream, digest.hexdigest(), "utf-8-sig" if utf8 else "cp1252", size,
                  lines + (last != b"\n"))


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


class _Hashing(io.RawIOBase):
    """A read-only view of a binary stream that hashes the bytes as they are read."""

    def __init__(self, stream: BinaryIO) -> None:
        super().__init__()
        self.stream, self.digest = stream, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(len(buffer))
        buffer[:len(data)] = data
        self.digest.update(data)
        return len(data)


def _lines(upload: Upload, digest: list) -> Iterator[str]:
    """The file's lines, decoded as they are read (newline="" keeps quoted line breaks for the csv module).

    When the lines are exhausted, ``digest`` holds the SHA-256 of the bytes read (compared with the upload's).
    """
    upload.stream.seek(0)
    raw = _Hashing(upload.stream)
    text = io.TextIOWrapper(io.BufferedReader(raw, CHUNK), encoding=upload.encoding, errors="replace", newline="")
    try:
        yield from text
        digest.append(raw.digest.hexdigest())
    finally:
        text.detach().detach()  # the upload belongs to the request (or job); closing the wrapper would close it


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


class _Errors:
    """The line errors met in file order: all counted, the first ``MAX_ERRORS`` kept."""

    def __init__(self) -> None:
        self.shown: list[dict] = []
        self.count = self.lines = 0
        self._last_line = 0

    def add(self, line: int, column: str, message: str) -> None:
        self.count += 1
        if line != self._last_line:
            self.lines, self._last_line = self.lines + 1, line
        if len(self.shown) < MAX_ERRORS:
            self.shown.append({"line": line, "field": column, "message": message})

    def raise_any(self) -> None:
        if not self.count:
            return
        messages = [f"Zeile {e['line']}, {e['field']}: {e['message']}" for e in self.shown]
        if self.count > MAX_ERRORS:
            messages.append(f"… und {self.count - MAX_ERRORS} weitere Fehler.")
        raise ValidationFailed(f"Die Datei enthält Fehler in {self.lines} Zeile(n); es wurde nichts importiert.",
                               errors={"file": messages}, lines=self.shown)


def _rows(upload: Upload, grant: Grant, *, today: date, check: AmountCheck, errors: _Errors,
          digest: list) -> Iterator[tuple[int, dict]]:
    """(file line, validated insert row) per valid line; errors of the others go to ``errors``.

    Errors of the whole file (header, a broken CSV record, too many lines) raise ValidationFailed at once.
    """
    lines = _lines(upload, digest)
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
    width = len(header)
    get = {name: index.get(name) for name in COLUMNS}
    i_date, i_module, i_amount, i_units, i_rate, i_voucher, i_text, i_measure = (get[name] for name in COLUMNS)
    seen = 0
    for line_number, record in records:
        if not record or all(not cell.strip() for cell in record):
            continue
        if seen >= MAX_LINES:
            raise ValidationFailed.field("file", f"Die Datei hat mehr als {MAX_LINES} Zeilen; bitte aufteilen.")
        seen += 1
        if len(record) != width:
            errors.add(line_number, "Spalten", _width_problem(len(record), width, delimiter))
            continue
        controls = [header[i] for i, cell in enumerate(record) if TEXT_CONTROLS.search(cell)]
        if controls:
            for name in controls:
                errors.add(line_number, name, "enthält unzulässige Steuerzeichen.")
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
            if not line_errors and (implausible := check.problem(row)):
                line_errors = {"betrag": implausible}
        if line_errors:
            for column, message in line_errors.items():
                errors.add(line_number, column, message)
        else:
            yield line_number, row | {"import_line": line_number}  # named by the duplicate checks and messages


@dataclass
class Scan:
    """The first pass over a valid file: what the booking and the early-start warning need."""

    upload: Upload
    totals: ImportTotals = field(default_factory=ImportTotals)
    early_count: int = 0  # lines dated before the grant decision
    early_lines: list[int] = field(default_factory=list)  # the first SHOWN_LINES of them


def scan(upload: Upload, grant: Grant, *, today: date, lock: bool = True,
         progress: Callable[[int], None] | None = None) -> Scan:
    """First pass: validate every line, keep the totals; ValidationFailed naming each bad line (at most 100).

    ``lock``: lock the modules' expense balances for the plausibility limits (False in a read-only pass; the
    booking checks again under the lock). ``progress`` is told the lines validated every 5,000 lines.
    """
    result, errors, decided = Scan(upload), _Errors(), decision_date(grant)
    for count, (line, row) in enumerate(_rows(upload, grant, today=today, check=AmountCheck(grant, lock=lock),
                                              errors=errors, digest=[]), start=1):
        result.totals.add(row, line)
        if row["expense_date"] < decided:
            result.early_count += 1
            if len(result.early_lines) < SHOWN_LINES:
                result.early_lines.append(line)
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    errors.raise_any()
    if not result.totals.lines:
        raise ValidationFailed.field("file", "Die Datei enthält keine Ausgaben.")
    return result


CHANGED = "Die Datei oder die Buchungslage hat sich zwischen Prüfung und Buchung geändert; bitte erneut importieren."


def batches(first: Scan, grant: Grant, *, today: date) -> Iterator[list[dict]]:
    """Second pass (inside the booking transaction, after the journals are posted): the rows in batches.

    The plausibility limits are checked again on the balances read now, before the journals (the booking may
    run in another transaction than the first pass). Any error, bytes that hash otherwise, or a line the first
    pass did not count the same way raise ValidationFailed: the caller's transaction is rolled back.
    """
    check = AmountCheck(grant).load_all()  # now: the journals posted next must not count as spent
    return _batches(first, grant, today=today, check=check)


def _batches(first: Scan, grant: Grant, *, today: date, check: AmountCheck) -> Iterator[list[dict]]:
    errors, digest, again = _Errors(), [], ImportTotals()
    batch: list[dict] = []
    for line, row in _rows(first.upload, grant, today=today, check=check, errors=errors, digest=digest):
        again.add(row, line)
        if (row["module_code"], row["budget_year"]) not in first.totals.groups:
            raise ValidationFailed.field("file", f"Zeile {line}: {CHANGED}")
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    errors.raise_any()
    if digest != [first.upload.sha256] or again != first.totals:
        raise ValidationFailed.field("file", CHANGED)
    if batch:
        yield batch

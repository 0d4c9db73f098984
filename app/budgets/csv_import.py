"""Parse an expense CSV (German spreadsheet convention) into validated rows; all-or-nothing.

Columns (header row, case-insensitive, ``;`` or ``,`` separated, UTF-8 with or without BOM, or
Windows-1252): ``datum`` (TT.MM.JJJJ or JJJJ-MM-TT), ``baustein`` (F1...), ``betrag`` (1.234,56) or
``einheiten`` + ``pauschale`` (a code from ``config/rates``), ``beleg``, ``beschreibung``.
Every line is checked; errors name the line number of the file (the header is line 1).
"""

from __future__ import annotations

import csv
import io
from datetime import date

from ..errors import ValidationFailed
from ..money import MoneyFormatError, parse_german_amount
from .models import Grant
from .rates import flat_rates
from .services import validate_expense

COLUMNS = ("datum", "baustein", "betrag", "einheiten", "pauschale", "beleg", "beschreibung")
REQUIRED = ("datum", "baustein")
MAX_ERRORS = 100
MAX_LINES = 200_000
FIELD_NAMES = {"expense_date": "datum", "module": "baustein", "amount": "betrag", "units": "einheiten",
               "rate_code": "pauschale", "voucher_ref": "beleg", "description": "beschreibung"}


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_date(text: str) -> date:
    text = text.strip()
    if len(text) == 10 and text[2] == "." and text[5] == ".":
        return date(int(text[6:]), int(text[3:5]), int(text[:2]))
    return date.fromisoformat(text)


def parse_units(text: str) -> int:
    """'12,5' -> 1250 (hundredths)."""
    return parse_german_amount(text)


def parse_expense_csv(data: bytes, grant: Grant, *, today: date) -> list[dict]:
    """Validated insert rows, or ValidationFailed naming each bad line (at most 100 listed)."""
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing or ("betrag" not in header and "einheiten" not in header):
        raise ValidationFailed.field("file", "Zeile 1: Kopfzeile mit den Spalten datum; baustein; betrag "
                                             "(oder einheiten und pauschale); beleg; beschreibung erwartet.")
    index = {name: header.index(name) for name in COLUMNS if name in header}
    rates = flat_rates(grant.programme.code)
    rows: list[dict] = []
    errors: list[dict] = []
    width = len(header)
    for line_number, record in enumerate(reader, start=2):
        if not record or all(not cell.strip() for cell in record):
            continue
        if len(rows) + len(errors) >= MAX_LINES:
            raise ValidationFailed.field("file", f"Die Datei hat mehr als {MAX_LINES} Zeilen; bitte aufteilen.")
        if len(record) < width:
            record = record + [""] * (width - len(record))

        def cell(name, record=record):
            position = index.get(name)
            return record[position].strip() if position is not None else ""

        line_errors: dict[str, str] = {}
        try:
            day = parse_date(cell("datum"))
        except (ValueError, IndexError):
            day = None
            line_errors["datum"] = f"„{cell('datum')}“ ist kein Datum (TT.MM.JJJJ)."
        amount = units = None
        if cell("betrag"):
            try:
                amount = parse_german_amount(cell("betrag"))
            except MoneyFormatError as exc:
                line_errors["betrag"] = str(exc)
        if cell("einheiten"):
            try:
                units = parse_units(cell("einheiten"))
            except MoneyFormatError:
                line_errors["einheiten"] = f"„{cell('einheiten')}“ ist keine Anzahl."
        if not line_errors:
            row, problems = validate_expense(grant, module=cell("baustein"), expense_date=day, amount_cents=amount,
                                             units_centi=units, rate_code=cell("pauschale") or None,
                                             voucher_ref=cell("beleg"), description=cell("beschreibung"),
                                             today=today, rates=rates)
            line_errors = {FIELD_NAMES.get(k, k): v for k, v in problems.items()}
        if line_errors:
            for column, message in line_errors.items():
                errors.append({"line": line_number, "field": column, "message": message})
        else:
            rows.append(row)
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

"""The Basiszinssatz table (§ 247 BGB): rows from config/basiszinssatz.csv, the rate on a day, validation.

Pure: reads its CSV file, touches no database. Used by ``interest`` (§ 49a VwVfG).
"""

from __future__ import annotations

import bisect
import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .checks import check_date, check_decimal

DEFAULT_TABLE_PATH = Path(__file__).resolve().parents[3] / "config" / "basiszinssatz.csv"
CSV_COLUMNS = ("valid_from", "rate_percent", "source")

_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RATE_PATTERN = re.compile(r"^-?\d{1,3}(?:\.\d{1,4})?$")
_ONE_DAY = timedelta(days=1)


class BaseRateError(ValueError):
    """The Basiszinssatz table is invalid (message in German, shown to the administrator)."""


class BaseRateUnavailableError(BaseRateError):
    """No Basiszinssatz is on record for a requested day."""


# --------------------------------------------------------------------------- the Basiszinssatz table


@dataclass(frozen=True)
class BaseRate:
    """One table row: ``rate`` (percent) applies from ``valid_from`` until the next row's date."""

    valid_from: date
    rate: Decimal
    source: str = ""






def half_year_end(day: date) -> date:
    """The last day of the half-year (Jan–Jun or Jul–Dec) that contains ``day``."""
    return date(day.year, 6, 30) if day.month <= 6 else date(day.year, 12, 31)


class BaseRateTable:
    """The dated Basiszinssatz table (§ 247 BGB): each rate applies from its date until the next one.

    ``rows`` are :class:`BaseRate` or ``(valid_from, rate)`` pairs in strictly ascending date order.
    ``covered_until`` is the last day for which the table is known to be complete (``None``: the last
    rate applies indefinitely). ``require_half_year_dates`` enforces § 247 Abs. 1 BGB (changes only on
    1 January and 1 July).
    """

    def __init__(
        self,
        rows: Iterable[BaseRate | tuple[date, Decimal]],
        *,
        covered_until: date | None = None,
        require_half_year_dates: bool = True,
    ) -> None:
        entries: list[BaseRate] = []
        for position, row in enumerate(rows, start=1):
            if isinstance(row, BaseRate):
                valid_from, rate, source = row.valid_from, row.rate, row.source
            else:
                valid_from, rate = row
                source = ""
            valid_from = check_date(valid_from, f"Zeile {position}: Gültig-ab-Datum")
            rate = check_decimal(rate, f"Zeile {position}: Basiszinssatz")
            if require_half_year_dates and (valid_from.day != 1 or valid_from.month not in (1, 7)):
                raise BaseRateError(
                    f"Zeile {position}: {valid_from:%d.%m.%Y} ist kein Änderungstermin; der Basiszinssatz "
                    "ändert sich nur zum 1. Januar und 1. Juli (§ 247 Abs. 1 BGB)."
                )
            if entries and valid_from <= entries[-1].valid_from:
                word = "doppelt" if valid_from == entries[-1].valid_from else "nicht aufsteigend sortiert"
                raise BaseRateError(
                    f"Zeile {position}: Datum {valid_from:%d.%m.%Y} ist {word} "
                    f"(vorige Zeile: {entries[-1].valid_from:%d.%m.%Y})."
                )
            entries.append(BaseRate(valid_from, rate, source))
        if not entries:
            raise BaseRateError("Die Basiszinssatz-Tabelle ist leer.")
        if covered_until is not None:
            check_date(covered_until, "covered_until")
            if covered_until < entries[-1].valid_from:
                raise BaseRateError("covered_until liegt vor dem letzten Eintrag der Tabelle.")
        self._rows: tuple[BaseRate, ...] = tuple(entries)
        self._dates = [row.valid_from for row in entries]
        self.covered_until = covered_until

    @property
    def rows(self) -> tuple[BaseRate, ...]:
        """The rows in date order."""
        return self._rows

    @property
    def first_day(self) -> date:
        """The first day with a known Basiszinssatz."""
        return self._dates[0]

    def rate_on(self, day: date) -> Decimal:
        """The Basiszinssatz (percent) in force on ``day``."""
        check_date(day, "Stichtag")
        if day < self._dates[0]:
            raise BaseRateUnavailableError(
                f"Für den {day:%d.%m.%Y} ist kein Basiszinssatz hinterlegt; die Tabelle beginnt am "
                f"{self._dates[0]:%d.%m.%Y}."
            )
        if self.covered_until is not None and day > self.covered_until:
            raise BaseRateUnavailableError(
                f"Für den {day:%d.%m.%Y} ist kein Basiszinssatz hinterlegt; die Tabelle reicht bis "
                f"{self.covered_until:%d.%m.%Y}. Bitte den Basiszinssatz ab "
                f"{self.covered_until + _ONE_DAY:%d.%m.%Y} ergänzen (Bekanntgabe der Deutschen Bundesbank)."
            )
        return self._rows[bisect.bisect_right(self._dates, day) - 1].rate

    def segments(self, start: date, end: date) -> list[tuple[date, date, Decimal]]:
        """Split the days ``start <= d < end`` into ``(from, to_exclusive, rate)`` runs of constant rate."""
        check_date(start, "Beginn")
        check_date(end, "Ende")
        if end < start:
            raise ValueError(f"Das Ende ({end:%d.%m.%Y}) liegt vor dem Beginn ({start:%d.%m.%Y}).")
        if start == end:
            return []
        self.rate_on(end - _ONE_DAY)  # raises if the last day is not covered
        result: list[tuple[date, date, Decimal]] = []
        cursor = start
        while cursor < end:
            rate = self.rate_on(cursor)
            index = bisect.bisect_right(self._dates, cursor)
            next_change = self._dates[index] if index < len(self._dates) else end
            stop = min(next_change, end)
            result.append((cursor, stop, rate))
            cursor = stop
        return result


def load_base_rates(path: str | Path | None = None, *, open_ended: bool = False) -> BaseRateTable:
    """Read the Basiszinssatz table from CSV (columns ``valid_from,rate_percent,source``).

    ``valid_from`` is an ISO date, ``rate_percent`` a decimal with a point ("-0.88"), ``source`` names
    the publication and must not be empty. Rows must be in ascending date order without duplicates.
    Unless ``open_ended``, the table is taken as known up to the end of the half-year of its last row.
    """
    file = Path(path) if path is not None else DEFAULT_TABLE_PATH
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = tuple(reader.fieldnames or ())
            if header != CSV_COLUMNS:
                found = ",".join(header) or "(keine)"
                raise BaseRateError(f"{file}: erwartete Spalten {','.join(CSV_COLUMNS)}, gefunden: {found}.")
            rows = [_parse_row(file, reader.line_num, record) for record in reader]
    except OSError as exc:
        raise BaseRateError(f"Basiszinssatz-Tabelle {file} kann nicht gelesen werden: {exc}") from exc
    if not rows:
        raise BaseRateError(f"{file}: die Basiszinssatz-Tabelle enthält keine Zeilen.")
    for previous, current in zip(rows, rows[1:], strict=False):
        day, previous_day = current[1].valid_from, previous[1].valid_from
        if day <= previous_day:
            word = "doppelt" if day == previous_day else "nicht aufsteigend sortiert"
            raise BaseRateError(f"{file}, Zeile {current[0]}: Datum {day.isoformat()} ist {word}.")
    try:
        entries = [entry for _, entry in rows]
        covered = None if open_ended else half_year_end(entries[-1].valid_from)
        return BaseRateTable(entries, covered_until=covered)
    except BaseRateError as exc:
        raise BaseRateError(f"{file}: {exc}") from exc


def _parse_row(file: Path, line: int, record: dict[str, str | None]) -> tuple[int, BaseRate]:
    if None in record or any(record.get(column) is None for column in CSV_COLUMNS):
        columns = ",".join(CSV_COLUMNS)
        raise BaseRateError(f"{file}, Zeile {line}: erwartet werden genau drei Felder {columns}.")
    raw_date = (record["valid_from"] or "").strip()
    raw_rate = (record["rate_percent"] or "").strip()
    source = (record["source"] or "").strip()
    if not _DATE_PATTERN.match(raw_date):
        raise BaseRateError(f"{file}, Zeile {line}: Datum {raw_date!r} ist kein ISO-Datum (JJJJ-MM-TT).")
    try:
        valid_from = date.fromisoformat(raw_date)
    except ValueError:
        raise BaseRateError(f"{file}, Zeile {line}: Datum {raw_date!r} existiert nicht.") from None
    if valid_from.day != 1 or valid_from.month not in (1, 7):
        raise BaseRateError(
            f"{file}, Zeile {line}: {raw_date} ist kein Änderungstermin; der Basiszinssatz ändert sich nur "
            "zum 1. Januar und 1. Juli (§ 247 Abs. 1 BGB)."
        )
    if not _RATE_PATTERN.match(raw_rate):
        raise BaseRateError(
            f"{file}, Zeile {line}: Zinssatz {raw_rate!r} ist keine Dezimalzahl mit Punkt (z. B. -0.88)."
        )
    try:
        rate = Decimal(raw_rate)
    except InvalidOperation:  # pragma: no cover - the pattern already guarantees a valid Decimal
        raise BaseRateError(f"{file}, Zeile {line}: Zinssatz {raw_rate!r} ist ungültig.") from None
    if not source:
        raise BaseRateError(f"{file}, Zeile {line}: die Quelle (Spalte source) fehlt.")
    return line, BaseRate(valid_from, rate, source)



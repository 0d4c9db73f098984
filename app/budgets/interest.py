"""Interest on reclaimed grant money (Zinsen auf Erstattungsbeträge) as pure functions.

Legal basis
-----------
* § 49a Abs. 3 Satz 1 VwVfG (same wording in § 49a VwVfG NRW): an amount to be reimbursed bears
  interest at **5 percentage points above the Basiszinssatz per year** from the day the grant decision
  ceased to be effective (for a revocation with retroactive effect: from the day of payment).
* § 49a Abs. 4 VwVfG: the same interest may be charged for money paid out but not used for its purpose
  soon after payment, for the time until it is used. Use :func:`compute_interest_on_balance` with
  ``(payment day, +amount)`` and ``(day of use, -amount used)``; whether interest runs from the payment
  or only from the end of the drawdown period is the caller's (configurable) decision.
* § 247 BGB: the Basiszinssatz, published by the Deutsche Bundesbank, changes on 1 January and 1 July.
  It is kept as a dated table (:class:`BaseRateTable`, shipped as ``config/basiszinssatz.csv``) that the
  administrator extends; the class does not depend on CSV, so a database can feed it the same rows.
* No compound interest (§ 289 Satz 1 BGB): interest is simple interest on the outstanding principal.

Conventions
-----------
1. **Interest days.** Interest accrues for every calendar day ``d`` with ``start <= d < end``, i.e.
   ``(end - start).days`` days: ``start`` is the day the money was paid out (or the debt arose), ``end``
   the day it was repaid. This is the same number of days as counting under § 187 Abs. 1 BGB (day of
   payment not counted, day of repayment counted). ``start == end`` gives zero days and zero interest.
   Documents show each period with its first and last interest day (both inclusive).
2. **Rate per day.** The Basiszinssatz in force on day ``d`` (``table.rate_on(d)``) plus ``points``
   (default 5). The interval is split into periods of constant Basiszinssatz. A total rate below 0
   counts as 0 (cannot happen with 5 points since 2002; the guard keeps a negative interest claim out of
   any document).
3. **Day count** (``day_count``):
   ``"act/365"`` (default): actual days / 365, also in leap years (a common practice for statutory
   interest; a full leap year then bears 366/365 of a year's interest).
   ``"act/act"``: periods are also split at 1 January; days in a leap year count 1/366, others 1/365.
   ``"30/360"``: German 30E/360 ("deutsche Zinsmethode"): a day ``(y, m, d)`` has the serial number
   ``360 y + 30 m + min(d, 30)``, a period counts the difference of its end and start serials, the year
   has 360 days. Being a difference of serials, it is exactly additive over any split.
4. **Exactness and rounding.** Each period's interest is computed exactly as a ``Fraction`` of cents.
   The total is the exact sum, **rounded once, half up, to whole cents**. The per-period amounts shown
   in a decision document are made to add up to that total (a reader adds the lines): every period is
   first rounded down, and the cents still missing go one each to the periods with the largest cut-off
   fractions (largest remainder; ties: the earlier period). So every shown amount is its exact value
   rounded down or up, a whole-cent exact value is shown unchanged, and the lines sum to the total.
   (``app.money.split_largest_remainder`` is not used here: it apportions in proportion to the weights
   and could move a period whose exact value is already a whole number of cents.)
5. **Partial repayments** (:func:`compute_interest_on_balance`): a repayment reduces the principal first
   and interest runs on the outstanding principal only; accrued interest is reported, not capitalised.
   This deviates from § 367 BGB (costs, then interest, then principal), which administrative practice
   does not apply uniformly; it is the simple, documented rule and may become configurable later.
   A repayment larger than the outstanding principal is rejected: record payments on interest apart.
6. **Table coverage.** A day before the first table entry has no Basiszinssatz: error. A table loaded
   from CSV is taken to be known up to the end of the half-year of its last entry (a row per half-year
   whose rate stayed the same may be added to extend it); later days raise
   :class:`BaseRateUnavailableError` instead of silently using a stale rate.

Money is integer cents, rates are ``Decimal`` percent, exact arithmetic uses ``Fraction``; never float.
"""

from __future__ import annotations

import bisect
import csv
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

from app.platform.money import format_eur

DEFAULT_POINTS = Decimal("5")
DAY_COUNTS = ("act/365", "act/act", "30/360")
DEFAULT_TABLE_PATH = Path(__file__).resolve().parents[2] / "config" / "basiszinssatz.csv"
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


def _check_date(value: object, what: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{what} muss ein Datum (datetime.date) sein, nicht {type(value).__name__}.")
    return value


def _check_decimal(value: object, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} muss ein Decimal sein (kein float), nicht {type(value).__name__}.")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{what} muss eine endliche Zahl sein.")
    return result


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
            valid_from = _check_date(valid_from, f"Zeile {position}: Gültig-ab-Datum")
            rate = _check_decimal(rate, f"Zeile {position}: Basiszinssatz")
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
            _check_date(covered_until, "covered_until")
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
        _check_date(day, "Stichtag")
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
        _check_date(start, "Beginn")
        _check_date(end, "Ende")
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


# --------------------------------------------------------------------------- interest


@dataclass(frozen=True)
class InterestPeriod:
    """One period of constant rate (and, for balances, constant principal): days ``start <= d < end``."""

    start: date
    end: date  # exclusive: the first day no longer in this period
    days: int  # interest days under the day-count convention
    year_days: int  # the denominator: 365, 366 (act/act in a leap year) or 360
    principal_cents: int
    base_rate: Decimal  # Basiszinssatz, percent
    total_rate: Decimal  # max(base_rate + points, 0), percent
    exact: Fraction  # exact interest in cents
    interest_cents: int  # shown amount: exact rounded down or up so that the periods sum to the total

    @property
    def last_day(self) -> date:
        """The last interest day of the period (inclusive)."""
        return self.end - _ONE_DAY


@dataclass(frozen=True)
class InterestResult:
    """Interest on a constant principal for the days ``start <= d < end``."""

    principal_cents: int
    start: date
    end: date
    day_count: str
    points: Decimal
    interest_cents: int  # the exact total, rounded half up once
    exact: Fraction
    periods: list[InterestPeriod]


@dataclass(frozen=True)
class BalanceSegment:
    """A stretch of constant outstanding principal, split into periods of constant rate."""

    start: date
    end: date  # exclusive
    principal_cents: int
    interest_cents: int  # sum of the shown period amounts
    exact: Fraction
    periods: list[InterestPeriod]


@dataclass(frozen=True)
class BalanceInterestResult:
    """Interest on a principal that changes by payments and repayments (see convention 5)."""

    start: date
    end: date
    day_count: str
    points: Decimal
    interest_cents: int
    exact: Fraction
    final_principal_cents: int
    segments: list[BalanceSegment]

    @property
    def periods(self) -> list[InterestPeriod]:
        """All periods of all segments in date order."""
        return [period for segment in self.segments for period in segment.periods]


def _round_half_up(value: Fraction) -> int:
    """Round an exact value to the nearest integer, halves away from zero."""
    if value < 0:
        return -_round_half_up(-value)
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)


def _serial_30e_360(day: date) -> int:
    return 360 * day.year + 30 * day.month + min(day.day, 30)


def _day_count_chunks(start: date, end: date, day_count: str) -> list[tuple[date, date, int, int]]:
    """``(from, to_exclusive, days, year_days)`` for ``start <= d < end`` under ``day_count``."""
    if day_count == "act/365":
        return [(start, end, (end - start).days, 365)]
    if day_count == "30/360":
        return [(start, end, _serial_30e_360(end) - _serial_30e_360(start), 360)]
    chunks = []
    cursor = start
    while cursor < end:
        stop = min(date(cursor.year + 1, 1, 1), end)
        year_days = 366 if (date(cursor.year, 12, 31) - date(cursor.year, 1, 1)).days == 365 else 365
        chunks.append((cursor, stop, (stop - cursor).days, year_days))
        cursor = stop
    return chunks


def _validate_common(points: Decimal, table: BaseRateTable, day_count: str) -> Decimal:
    points = _check_decimal(points, "Zinsaufschlag (points)")
    if not isinstance(table, BaseRateTable):
        raise TypeError("table muss eine BaseRateTable sein.")
    if day_count not in DAY_COUNTS:
        allowed = ", ".join(DAY_COUNTS)
        raise ValueError(f"Unbekannte Zinsberechnungsmethode {day_count!r}; erlaubt: {allowed}.")
    return points


def _check_cents(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} muss ganze Cent (int) sein, nicht {type(value).__name__}.")
    return value


def _raw_periods(
    principal_cents: int, start: date, end: date, points: Decimal, table: BaseRateTable, day_count: str
) -> list[tuple[date, date, int, int, Decimal, Decimal, Fraction]]:
    periods = []
    for run_start, run_end, base_rate in table.segments(start, end):
        total_rate = max(base_rate + points, Decimal(0))
        for chunk_start, chunk_end, days, year_days in _day_count_chunks(run_start, run_end, day_count):
            exact = Fraction(principal_cents) * Fraction(total_rate) * days / (100 * year_days)
            periods.append((chunk_start, chunk_end, days, year_days, base_rate, total_rate, exact))
    return periods


def _shown_amounts(exacts: Sequence[Fraction]) -> tuple[int, list[int]]:
    """The total (exact sum rounded half up) and per-item amounts that add up to it (convention 4)."""
    total = _round_half_up(sum(exacts, Fraction(0)))
    shown = [math.floor(value) for value in exacts]
    missing = total - sum(shown)
    order = sorted(range(len(exacts)), key=lambda i: (-(exacts[i] - shown[i]), i))
    for index in order[:missing]:
        shown[index] += 1
    return total, shown


def compute_interest(
    principal_cents: int,
    start: date,
    end: date,
    *,
    points: Decimal = DEFAULT_POINTS,
    table: BaseRateTable,
    day_count: str = "act/365",
) -> InterestResult:
    """Interest at Basiszinssatz + ``points`` per year on ``principal_cents`` for ``start <= d < end``."""
    _check_cents(principal_cents, "Hauptforderung")
    _check_date(start, "Zinsbeginn")
    _check_date(end, "Zinsende")
    points = _validate_common(points, table, day_count)
    if principal_cents < 0:
        raise ValueError("Die Hauptforderung darf nicht negativ sein.")
    if end < start:
        raise ValueError(f"Das Zinsende ({end:%d.%m.%Y}) liegt vor dem Zinsbeginn ({start:%d.%m.%Y}).")
    raw = _raw_periods(principal_cents, start, end, points, table, day_count)
    total, shown = _shown_amounts([item[6] for item in raw])
    periods = [
        InterestPeriod(s, e, days, year_days, principal_cents, base, rate, exact, cents)
        for (s, e, days, year_days, base, rate, exact), cents in zip(raw, shown, strict=True)
    ]
    exact_total = sum((p.exact for p in periods), Fraction(0))
    return InterestResult(principal_cents, start, end, day_count, points, total, exact_total, periods)


def compute_interest_on_balance(
    movements: Sequence[tuple[date, int]],
    end: date,
    *,
    points: Decimal = DEFAULT_POINTS,
    table: BaseRateTable,
    day_count: str = "act/365",
) -> BalanceInterestResult:
    """Interest on a changing principal: ``movements`` are ``(day, +amount owed | -repayment)``.

    A movement on day ``d`` changes the principal from day ``d`` on (so ``[(p, X), (r, -X)]`` with
    ``end=r`` equals ``compute_interest(X, p, r)``). Movements on the same day are netted; their order in
    the input does not matter. Stretches with zero principal are left out of the result.
    """
    _check_date(end, "Zinsende")
    points = _validate_common(points, table, day_count)
    if not movements:
        raise ValueError("Es ist mindestens eine Zahlung (Forderung) anzugeben.")
    netted: dict[date, int] = {}
    for index, movement in enumerate(movements, start=1):
        if not isinstance(movement, tuple | list) or len(movement) != 2:
            raise TypeError(f"Bewegung {index}: erwartet wird ein Paar (Datum, Cent).")
        day = _check_date(movement[0], f"Bewegung {index}: Datum")
        amount = _check_cents(movement[1], f"Bewegung {index}: Betrag")
        if day > end:
            raise ValueError(f"Bewegung {index} am {day:%d.%m.%Y} liegt nach dem Zinsende ({end:%d.%m.%Y}).")
        netted[day] = netted.get(day, 0) + amount
    days = sorted(netted)
    balance = 0
    stretches: list[tuple[date, date, int]] = []
    for position, day in enumerate(days):
        balance += netted[day]
        if balance < 0:
            raise ValueError(
                f"Die Rückzahlung am {day:%d.%m.%Y} übersteigt die offene Hauptforderung um "
                f"{format_eur(-balance)}; Zahlungen auf Zinsen bitte gesondert erfassen."
            )
        stop = days[position + 1] if position + 1 < len(days) else end
        if balance > 0 and stop > day:
            stretches.append((day, stop, balance))
    raw_by_stretch = [
        _raw_periods(principal, s, e, points, table, day_count) for s, e, principal in stretches
    ]
    flat = [item for raw in raw_by_stretch for item in raw]
    total, shown = _shown_amounts([item[6] for item in flat])
    shown_iter = iter(shown)
    segments = []
    for (s, e, principal), raw in zip(stretches, raw_by_stretch, strict=True):
        periods = [
            InterestPeriod(ps, pe, d, yd, principal, base, rate, exact, next(shown_iter))
            for ps, pe, d, yd, base, rate, exact in raw
        ]
        segments.append(
            BalanceSegment(
                s,
                e,
                principal,
                sum(p.interest_cents for p in periods),
                sum((p.exact for p in periods), Fraction(0)),
                periods,
            )
        )
    exact_total = sum((segment.exact for segment in segments), Fraction(0))
    return BalanceInterestResult(days[0], end, day_count, points, total, exact_total, balance, segments)


# --------------------------------------------------------------------------- § 49a Abs. 4: drawn, not used in time


@dataclass(frozen=True)
class DrawnPayment:
    """A paid drawdown of one module: ``cents`` paid on ``value_date`` for needs up to ``period_end``.

    ``excluded_cents`` is the part the reclaim takes back (it bears § 49a Abs. 3 interest from the
    payment day, so it is left out here: no interest twice for the same euro and day).
    """

    key: object
    value_date: date
    period_end: date
    cents: int
    excluded_cents: int = 0


def unused_drawdown_movements(
    payments: Sequence[DrawnPayment], uses: Sequence[tuple[date, int]], end: date
) -> dict[object, list[tuple[date, int]]]:
    """Per payment, the ``(day, change)`` movements of its money not used in time (for the balance interest).

    ``payments`` are one module's paid drawdowns in payment order; ``uses`` are ``(day, cents)`` of grant
    money used in that module (grant earned on the eligible expenses of the day, in any order).
    **FIFO**: money used consumes the oldest payment first; use on or before a payment (pre-financing)
    covers it at once. On day ``d`` payment ``i`` (cumulative payments ``P_i``, used so far ``U(d)``,
    uses of day ``d`` included) still holds ``min(cents, max(P_i - U(d), 0)) - excluded`` (not below 0).
    Interest runs for that amount from the day after ``period_end`` (not before the payment) until the day
    of use, which is not an interest day, and at most until ``end`` (exclusive): a movement starts the
    amount on the first interest day, each later use lowers it. Payments without interest days are left out.
    """
    _check_date(end, "Zinsende")
    daily: dict[date, int] = {}
    for day, cents in uses:
        daily[_check_date(day, "Verwendungstag")] = daily.get(day, 0) + _check_cents(cents, "Verwendung")
    days = sorted(daily)
    cumulative, used = [], 0
    for day in days:
        used += daily[day]
        cumulative.append(used)

    def used_on(day: date) -> int:
        position = bisect.bisect_right(days, day)
        return cumulative[position - 1] if position else 0

    result: dict[object, list[tuple[date, int]]] = {}
    paid_before = 0
    for payment in payments:
        _check_cents(payment.cents, "Auszahlung")
        paid_until = paid_before + payment.cents
        paid_before = paid_until
        start = max(payment.period_end + _ONE_DAY, payment.value_date)
        if start >= end:
            continue

        def unused(day: date, payment=payment, paid_until=paid_until) -> int:
            held = min(payment.cents, max(paid_until - used_on(day), 0))
            return max(held - payment.excluded_cents, 0)

        movements, current = [], unused(start)
        if current:
            movements.append((start, current))
        for day in days[bisect.bisect_right(days, start):bisect.bisect_left(days, end)]:
            now = unused(day)
            if now != current:
                movements.append((day, now - current))
                current = now
        if movements:
            result[payment.key] = movements
    return result


# --------------------------------------------------------------------------- document text

_DAY_COUNT_TEXT = {
    "act/365": "kalendergenaue Zinstage, Zinsjahr zu 365 Tagen (act/365)",
    "act/act": "kalendergenaue Zinstage, Zinsjahr zu 365 bzw. im Schaltjahr 366 Tagen (act/act)",
    "30/360": "Zinsmonat zu 30, Zinsjahr zu 360 Tagen (30E/360)",
}


def format_percent(value: Decimal) -> str:
    """Decimal('4.12') -> '4,12 %' (at least two decimals, German comma, no-break space)."""
    exponent = value.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    text = f"{value:.{places}f}".replace(".", ",")
    return text + "\u00a0%"


def _format_points(points: Decimal) -> str:
    text = f"{points.normalize():f}".replace(".", ",")
    return f"{text} Prozentpunkt" + ("" if points == 1 else "e")


def _period_line(period: InterestPeriod, points: Decimal) -> str:
    if period.last_day == period.start:
        span = f"{period.start:%d.%m.%Y}"
    else:
        span = f"{period.start:%d.%m.%Y}–{period.last_day:%d.%m.%Y}"
    days = f"{period.days} Tag" + ("" if period.days == 1 else "e")
    basis = f"Basiszinssatz {format_percent(period.base_rate)} + {_format_points(points)}"
    if period.base_rate + points < 0:
        basis += ", nicht unter 0\u00a0%"
    year = f", Zinsjahr {period.year_days} Tage" if period.year_days == 366 else ""
    return (
        f"{span}: {days} × {format_percent(period.total_rate)} p. a. ({basis}{year}) "
        f"auf {format_eur(period.principal_cents)} = {format_eur(period.interest_cents)}"
    )


def format_calculation_lines(result: InterestResult | BalanceInterestResult, *,
                             basis: str = "§ 49a Abs. 3 VwVfG") -> list[str]:
    """German lines for a decision document: the method, one line per period, the total.

    Example period line: "15.03.2021–31.12.2022: 657 Tage × 4,12 % p. a. (Basiszinssatz -0,88 % +
    5 Prozentpunkte) auf 10.000,00 € = 741,60 €". Dates are the first and last interest day.
    """
    lines = [
        f"Zinsen gemäß {basis}: {_format_points(result.points)} über dem Basiszinssatz "
        f"(§ 247 BGB) jährlich; {_DAY_COUNT_TEXT[result.day_count]}."
    ]
    periods = result.periods
    if not periods:
        lines.append("Keine Zinstage im Berechnungszeitraum.")
    lines.extend(_period_line(period, result.points) for period in periods)
    lines.append(f"Zinsen insgesamt: {format_eur(result.interest_cents)}")
    return lines

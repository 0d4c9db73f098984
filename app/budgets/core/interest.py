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
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from ...platform.formatting import format_exact, format_percent
from ...platform.money import format_eur
from .base_rates import (
    BaseRate,
    BaseRateError,
    BaseRateTable,
    BaseRateUnavailableError,
    half_year_end,
    load_base_rates,
)
from .checks import check_cents, check_date, check_decimal, round_half_up

DEFAULT_POINTS = Decimal("5")
DAY_COUNTS = ("act/365", "act/act", "30/360")
_ONE_DAY = timedelta(days=1)

__all__ = ["BaseRate", "BaseRateError", "BaseRateTable", "BaseRateUnavailableError", "half_year_end", "load_base_rates"]


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
    points = check_decimal(points, "Zinsaufschlag (points)")
    if not isinstance(table, BaseRateTable):
        raise TypeError("table muss eine BaseRateTable sein.")
    if day_count not in DAY_COUNTS:
        allowed = ", ".join(DAY_COUNTS)
        raise ValueError(f"Unbekannte Zinsberechnungsmethode {day_count!r}; erlaubt: {allowed}.")
    return points




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
    total = round_half_up(sum(exacts, Fraction(0)))
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
    check_cents(principal_cents, "Hauptforderung")
    check_date(start, "Zinsbeginn")
    check_date(end, "Zinsende")
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
    check_date(end, "Zinsende")
    points = _validate_common(points, table, day_count)
    if not movements:
        raise ValueError("Es ist mindestens eine Zahlung (Forderung) anzugeben.")
    netted: dict[date, int] = {}
    for index, movement in enumerate(movements, start=1):
        if not isinstance(movement, tuple | list) or len(movement) != 2:
            raise TypeError(f"Bewegung {index}: erwartet wird ein Paar (Datum, Cent).")
        day = check_date(movement[0], f"Bewegung {index}: Datum")
        amount = check_cents(movement[1], f"Bewegung {index}: Betrag")
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
    check_date(end, "Zinsende")
    daily: dict[date, int] = {}
    for day, cents in uses:
        daily[check_date(day, "Verwendungstag")] = daily.get(day, 0) + check_cents(cents, "Verwendung")
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
        check_cents(payment.cents, "Auszahlung")
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


def _rate_text(value: Decimal) -> str:
    """Decimal('4.12') -> '4,12 %' (at least two decimals, German comma, no-break space)."""
    exponent = value.as_tuple().exponent
    return format_percent(value, max(2, -exponent) if isinstance(exponent, int) else 2)


def _format_points(points: Decimal) -> str:
    return f"{format_exact(points)} Prozentpunkt" + ("" if points == 1 else "e")


def _period_line(period: InterestPeriod, points: Decimal) -> str:
    if period.last_day == period.start:
        span = f"{period.start:%d.%m.%Y}"
    else:
        span = f"{period.start:%d.%m.%Y}–{period.last_day:%d.%m.%Y}"
    days = f"{period.days} Tag" + ("" if period.days == 1 else "e")
    basis = f"Basiszinssatz {_rate_text(period.base_rate)} + {_format_points(points)}"
    if period.base_rate + points < 0:
        basis += ", nicht unter 0\u00a0%"
    year = f", Zinsjahr {period.year_days} Tage" if period.year_days == 366 else ""
    return (
        f"{span}: {days} × {_rate_text(period.total_rate)} p. a. ({basis}{year}) "
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

"""How values look to people: German money, numbers, dates, percentages; registered as Jinja2 filters.

Numbers go through babel's CLDR patterns for ``de_DE`` (grouping ``.``, decimal ``,``, a no-break
space before ``%`` and ``€``): ``format_decimal(Decimal("1234.5"))`` → ``1.234,50``,
``format_percent(Decimal("12.5"))`` → ``12,5 %``, ``format_money(Decimal("-0.05"))`` → ``-0,05 €``.
Rounding is half-even on the shown places (like Python's own ``format``); callers that need
commercial rounding quantize first. The interface language does not change these formats: the
programme's figures are German documents in both languages (decision: one number format everywhere,
the same in exports, letters and pages).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache

from babel import numbers
from babel.core import Locale

from .clock import BERLIN

LOCALE = Locale.parse("de_DE")
MISSING = "–"  # what an absent value looks like


def format_date(value: date | datetime | str | None) -> str:
    """``15.06.2022``; also for ISO dates kept as text in JSON columns (``"2022-06-15"``)."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(BERLIN).date() if value.tzinfo else value.date()
    return value.strftime("%d.%m.%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return MISSING
    return value.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")


@cache
def _pattern(places: int, suffix: str = "") -> numbers.NumberPattern:
    """The CLDR pattern ``#,##0.00`` with ``places`` decimals, optionally followed by `` %`` or `` ¤``."""
    return numbers.parse_pattern("#,##0" + ("." + "0" * places if places else "") + suffix)


def format_decimal(value: Decimal | int | None, places: int = 2) -> str:
    """``1.234,50`` (exactly ``places`` decimals, German grouping)."""
    if value is None:
        return MISSING
    return _pattern(places).apply(Decimal(value), LOCALE)


def format_percent(value: Decimal | int | None, places: int = 1) -> str:
    """A value already in percent: ``12.5`` → ``12,5 %`` (no-break space)."""
    if value is None:
        return MISSING
    return _pattern(places, "\u00a0%").apply(Decimal(value).scaleb(-2), LOCALE)


def format_money(amount: Decimal, *, with_symbol: bool = True) -> str:
    """Euro in German: ``1.234,56 €`` or, without the symbol, ``1.234,56`` (app.platform.money.format_eur)."""
    if not with_symbol:
        return _pattern(2).apply(amount, LOCALE)
    return _pattern(2, "\u00a0¤").apply(amount, LOCALE, currency="EUR")

"""How values look to people: German money, dates, percentages; registered as Jinja2 filters."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from .clock import BERLIN


def format_date(value: date | datetime | str | None) -> str:
    """``15.06.2022``; also for ISO dates kept as text in JSON columns (``"2022-06-15"``)."""
    if value is None:
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(BERLIN).date() if value.tzinfo else value.date()
    return value.strftime("%d.%m.%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return "–"
    return value.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")


def format_decimal(value: Decimal | int | None, places: int = 2) -> str:
    if value is None:
        return "–"
    text = f"{Decimal(value):,.{places}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def format_exact(value: Decimal) -> str:
    """A decimal with the places it needs and no more: ``Decimal("2.50")`` -> ``2,5``, ``Decimal("5")`` -> ``5``."""
    normalized = Decimal(value).normalize()
    exponent = normalized.as_tuple().exponent
    return format_decimal(normalized, max(0, -exponent) if isinstance(exponent, int) else 0)


def format_percent(value: Decimal | None, places: int = 1) -> str:
    return "–" if value is None else f"{format_decimal(value, places)}\u00a0%"

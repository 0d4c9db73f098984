"""Argument checks and exact rounding shared by the pure calculations (interest, base rates, forecast).

The calculations refuse floats and booleans loudly (``TypeError``): money is whole cents, rates are
``Decimal``, days are ``date`` (not ``datetime``); messages are German like every other error text.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction


def check_date(value: object, what: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{what} muss ein Datum (datetime.date) sein, nicht {type(value).__name__}.")
    return value


def check_cents(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} muss ganze Cent (int) sein, nicht {type(value).__name__}.")
    return value


def check_decimal(value: object, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} muss ein Decimal sein (kein float), nicht {type(value).__name__}.")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{what} muss eine endliche Zahl sein.")
    return result


def round_half_up(value: Fraction) -> int:
    """Round an exact value to the nearest integer, halves away from zero."""
    if value < 0:
        return -round_half_up(-value)
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)

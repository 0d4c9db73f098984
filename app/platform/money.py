"""Money: integer cents inside, ``Decimal`` at the edges, never ``float``.

* ``parse_api_amount("1234.56")`` -> 123456 cents (strict: a string, at most two decimals).
* ``parse_german_amount("1.234,56")`` -> 123456 cents (form input; also accepts "1234,56" and "1234.56").
* ``format_eur(123456)`` -> "1.234,56 €" (German format, no-break space before the sign).
* ``cents_to_api(123456)`` -> "1234.56" (the JSON representation).
* ``split_largest_remainder(total, weights, tie_break)`` -> Hare-Niemeyer apportionment.
* ``Money`` -> a marshmallow field that only accepts decimal strings and loads them as cents.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from numbers import Rational
from typing import Any

from marshmallow import ValidationError, fields

from .formatting import MISSING, format_money

MAX_CENTS = 10**15  # 10 trillion euro: far above any budget, far below BigInteger limits

_API_PATTERN = re.compile(r"^(-)?(\d{1,13})(?:\.(\d{1,2}))?$")
_GERMAN_PATTERN = re.compile(r"^(-)?(\d{1,3}(?:\.\d{3})+|\d{1,13})(?:,(\d{1,2}))?$")


class MoneyFormatError(ValueError):
    """Raised when a text is not a valid amount; the message is German and user-facing."""


def _to_cents(sign: str | None, euros: str, fraction: str | None) -> int:
    cents = int(euros) * 100 + int((fraction or "0").ljust(2, "0"))
    return -cents if sign else cents


def parse_api_amount(text: Any, *, allow_negative: bool = False) -> int:
    """Parse the JSON representation of an amount ("1234.56") into cents.

    Only strings are accepted: JSON numbers would pass through binary floating point.
    At most two decimals, no exponent, no thousands separators.
    """
    if not isinstance(text, str):
        raise MoneyFormatError("Betrag muss als Zeichenkette wie \"1234.56\" angegeben werden.")
    match = _API_PATTERN.match(text.strip())
    if not match:
        raise MoneyFormatError(
            "Ungültiger Betrag: erwartet wird eine Zahl mit höchstens zwei Nachkommastellen, z. B. \"1234.56\"."
        )
    cents = _to_cents(*match.groups())
    return _check_sign(cents, allow_negative)


def parse_german_amount(text: str, *, allow_negative: bool = False) -> int:
    """Parse an amount typed by a person ("1.234,56", "1234,56", "1234.56", "1234 €") into cents."""
    cleaned = (text or "").replace("€", "").replace("\u00a0", "").replace(" ", "").strip()
    if not cleaned:
        raise MoneyFormatError("Bitte einen Betrag angeben.")
    match = _GERMAN_PATTERN.match(cleaned)
    if match:
        sign, euros, fraction = match.groups()
        return _check_sign(_to_cents(sign, euros.replace(".", ""), fraction), allow_negative)
    try:  # a plain "1234.56" typed with a decimal point
        return _check_sign(parse_api_amount(cleaned, allow_negative=True), allow_negative)
    except MoneyFormatError:
        raise MoneyFormatError(
            "Ungültiger Betrag: bitte z. B. 1.234,56 eingeben (höchstens zwei Nachkommastellen)."
        ) from None


def _check_sign(cents: int, allow_negative: bool) -> int:
    if cents < 0 and not allow_negative:
        raise MoneyFormatError("Der Betrag darf nicht negativ sein.")
    if abs(cents) >= MAX_CENTS:
        raise MoneyFormatError("Der Betrag ist zu groß.")
    return cents


def cents_to_decimal(cents: int) -> Decimal:
    """123456 -> Decimal('1234.56')."""
    return Decimal(cents).scaleb(-2)


def decimal_to_cents(amount: Decimal | int | str, *, rounding: str = ROUND_HALF_UP) -> int:
    """Decimal('1234.565') -> 123457 (commercial rounding unless told otherwise)."""
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise MoneyFormatError("Ungültiger Betrag.") from None
    return int((value * 100).quantize(Decimal(1), rounding=rounding))


def cents_to_api(cents: int) -> str:
    """123456 -> "1234.56"; -5 -> "-0.05"."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros}.{rest:02d}"


def format_eur(cents: int | None, *, with_symbol: bool = True) -> str:
    """123456 -> "1.234,56 €" (German grouping; a no-break space before the euro sign)."""
    if cents is None:
        return MISSING
    return format_money(cents_to_decimal(int(cents)), with_symbol=with_symbol)


def percent(part: int, whole: int, places: int = 1) -> Decimal | None:
    """Share of ``part`` in ``whole`` as a percentage, rounded half up; None when whole is 0."""
    if whole == 0:
        return None
    value = Decimal(part) * 100 / Decimal(whole)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def split_largest_remainder(
    total: int,
    weights: Sequence[Rational | int | Decimal],
    tie_break: Sequence[Any] | None = None,
) -> list[int]:
    """Split ``total`` whole units (cents, half positions, ...) in proportion to ``weights``.

    Hare-Niemeyer: every recipient gets the integer part of its exact quota; the units still
    missing go one each to the largest fractional remainders. Ties among equal remainders are
    broken deterministically by ``tie_break`` (ascending; e.g. the AGS), then by input position.
    Consequences (property-tested): the parts sum to ``total`` exactly, each part differs from
    its exact quota by less than one unit, and a zero weight gets zero.
    """
    if total < 0:
        raise ValueError("total must not be negative")
    if all(type(w) is int for w in weights):  # fast path: already integers (100,000 rows in bench/)
        integer_weights = list(weights)
    else:
        exact = [Fraction(w) for w in weights]
        # Integer weights over a common denominator: quota_i = total * w_i / W, so every remainder
        # has the same denominator W and integers compare exactly like the fractions would.
        denominator = math.lcm(*(w.denominator for w in exact)) if exact else 1
        integer_weights = [w.numerator * (denominator // w.denominator) for w in exact]
    if any(w < 0 for w in integer_weights):
        raise ValueError("weights must not be negative")
    if tie_break is not None and len(tie_break) != len(integer_weights):
        raise ValueError("tie_break must have one entry per weight")
    weight_sum = sum(integer_weights)
    if weight_sum == 0:
        if total == 0:
            return [0] * len(integer_weights)
        raise ValueError("cannot split a positive total over zero weights")
    parts, remainders = [], []
    for weight in integer_weights:
        part, remainder = divmod(total * weight, weight_sum)
        parts.append(part)
        remainders.append(remainder)
    missing = total - sum(parts)
    if missing:
        indices = range(len(integer_weights))
        if tie_break is None or all(a < b for a, b in zip(tie_break, tie_break[1:], strict=False)):
            # keys already ascending: a stable sort on the remainder alone keeps ties in key order
            order = sorted(indices, key=remainders.__getitem__, reverse=True)
        else:
            order = sorted(indices, key=lambda i: (-remainders[i], tie_break[i], i))
        for i in order[:missing]:
            parts[i] += 1
    return parts


class Money(fields.Field):
    """A marshmallow field for amounts: JSON ``"1234.56"`` <-> int cents.

    Loaded from a page form (``app.platform.web.forms.load_form``), it reads what people type
    ("1.234,56", "1234,56", "1234 €") with the same limits and messages.

    Rejects JSON numbers (they went through binary floating point), more than two decimals,
    exponents and any other text. Registered with flask-smorest as ``type: string,
    format: decimal`` so that the OpenAPI document tells clients the same.
    """

    default_error_messages = {"invalid": "Ungültiger Betrag."}

    def __init__(self, *, allow_negative: bool = False, **kwargs: Any) -> None:
        self.allow_negative = allow_negative
        metadata = kwargs.pop("metadata", {})
        metadata.setdefault("pattern", r"^-?\d{1,13}(\.\d{1,2})?$" if allow_negative else r"^\d{1,13}(\.\d{1,2})?$")
        metadata.setdefault("example", "1234.56")
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else cents_to_api(int(value))

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        parse = parse_german_amount if getattr(self.root, "from_form", False) else parse_api_amount
        try:
            return parse(value, allow_negative=self.allow_negative)
        except MoneyFormatError as exc:
            raise ValidationError(str(exc)) from None

"""German numbers and dates (app/platform/formatting.py, money.format_eur): property tests against babel's
CLDR ``de_DE`` pattern and ``strftime``."""

import re
from datetime import UTC, datetime
from decimal import Decimal

from babel import numbers
from babel.core import Locale
from hypothesis import given
from hypothesis import strategies as st

from app.platform.clock import BERLIN
from app.platform.formatting import format_date, format_datetime, format_decimal, format_money, format_percent
from app.platform.money import format_eur

GERMAN = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?$")
decimals = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=6, allow_nan=False)


def _read(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", "."))


GERMANY = Locale.parse("de_DE")


@given(decimals | st.integers(min_value=-(10**15), max_value=10**15), st.integers(min_value=0, max_value=4))
def test_format_decimal_writes_what_babels_cldr_pattern_for_de_de_writes(value, places):
    """The formatter swaps the marks of ``Decimal``'s own format; babel's pattern engine is the reference."""
    pattern = numbers.parse_pattern("#,##0" + ("." + "0" * places if places else ""))
    babel = pattern.apply(Decimal(value), GERMANY)
    assert format_decimal(value, places) == babel
    assert format_percent(value, places) == numbers.parse_pattern(pattern.pattern + "\u00a0%").apply(
        Decimal(value).scaleb(-2), GERMANY)
    if places == 2:
        assert format_money(Decimal(value)) == numbers.parse_pattern("#,##0.00\u00a0¤").apply(
            Decimal(value), GERMANY, currency="EUR")


@given(decimals, st.integers(min_value=0, max_value=4))
def test_format_decimal_is_the_value_rounded_half_even_in_german_grouping(value, places):
    text = format_decimal(value, places)
    assert GERMAN.match(text), text
    assert len(text.partition(",")[2]) == places
    assert _read(text) == value.quantize(Decimal(1).scaleb(-places))


@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1))
def test_format_eur_is_the_two_place_decimal_with_the_euro_sign(cents):
    plain = format_eur(cents, with_symbol=False)
    assert plain == format_decimal(Decimal(cents).scaleb(-2), 2)
    assert format_eur(cents) == plain + "\u00a0€" == format_money(Decimal(cents).scaleb(-2))


@given(decimals, st.integers(min_value=0, max_value=3))
def test_format_percent_is_the_decimal_with_a_percent_sign(value, places):
    assert format_percent(value, places) == format_decimal(value, places) + "\u00a0%"


def test_examples_and_missing_values():
    assert format_decimal(Decimal("1234.5")) == "1.234,50"
    assert format_decimal(1234567, 0) == "1.234.567"
    assert format_decimal(Decimal("-0.125"), 2) == "-0,12"  # half-even, like Python's format
    assert format_percent(Decimal("12.5")) == "12,5\u00a0%"
    assert format_percent(Decimal("80"), 0) == "80\u00a0%"
    assert format_eur(-123456) == "-1.234,56\u00a0€"
    assert format_decimal(Decimal("-0.001"), 2) == "-0,00"  # babel keeps the sign of a negative zero too
    assert format_decimal(Decimal("1E+3"), 0) == "1.000"
    assert format_decimal(None) == format_percent(None) == format_eur(None) == "–"


@given(st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9998, 12, 30), timezones=st.just(UTC)))
def test_dates_read_as_strftime_writes_them_on_the_berlin_wall_clock(moment):
    berlin = moment.astimezone(BERLIN)
    assert format_datetime(moment) == berlin.strftime("%d.%m.%Y %H:%M")
    assert format_date(moment) == berlin.strftime("%d.%m.%Y")
    assert format_date(moment.date()) == moment.date().strftime("%d.%m.%Y")

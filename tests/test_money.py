"""Money: parsing, formatting and the largest-remainder split (property tests)."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError

from app.platform.money import (
    Money,
    MoneyFormatError,
    cents_to_api,
    cents_to_decimal,
    decimal_to_cents,
    format_eur,
    parse_api_amount,
    parse_german_amount,
    split_largest_remainder,
)

cents = st.integers(min_value=-(10**14), max_value=10**14)


@given(cents)
def test_api_representation_round_trips(value):
    assert parse_api_amount(cents_to_api(value), allow_negative=True) == value
    assert decimal_to_cents(cents_to_decimal(value)) == value


@given(cents)
def test_german_format_round_trips(value):
    assert parse_german_amount(format_eur(value), allow_negative=True) == value


@pytest.mark.parametrize("text,expected", [
    ("1234.56", 123456), ("0.5", 50), ("7", 700), ("0.05", 5), ("9999999999999.99", 999999999999999),
])
def test_parse_api_accepts_plain_decimals(text, expected):
    assert parse_api_amount(text) == expected


@pytest.mark.parametrize("value", ["12.345", "1e3", "abc", "1,5", "", " ", "1.", ".5", "+1", "1 000", 12.5, 12, None,
                                   "NaN", "Infinity", "-1.00"])
def test_parse_api_rejects_everything_else(value):
    with pytest.raises(MoneyFormatError):
        parse_api_amount(value)


@pytest.mark.parametrize("text,expected", [
    ("1.234,56", 123456), ("1234,56", 123456), ("1234.56", 123456), ("1.234.567,8", 123456780),
    ("12 €", 1200), ("0,01", 1),
])
def test_parse_german(text, expected):
    assert parse_german_amount(text) == expected


@pytest.mark.parametrize("text", ["1,234", "12,345", "abc", "1.23.4", "-5,00", ""])
def test_parse_german_rejects(text):
    with pytest.raises(MoneyFormatError):
        parse_german_amount(text)


def test_format_eur_uses_german_grouping_and_no_break_space():
    assert format_eur(123456) == "1.234,56\u00a0€"
    assert format_eur(-5) == "-0,05\u00a0€"
    assert format_eur(4_500_000_000) == "45.000.000,00\u00a0€"


class _Amount(Schema):
    amount = Money(required=True)


@pytest.mark.parametrize("bad", [12.5, 12, "12.345", "1e3", "abc", True, [], {}])
def test_money_field_rejects_and_names_the_field(bad):
    with pytest.raises(ValidationError) as raised:
        _Amount().load({"amount": bad})
    assert "amount" in raised.value.messages


def test_money_field_loads_cents_and_dumps_string():
    assert _Amount().load({"amount": "1234.56"}) == {"amount": 123456}
    assert _Amount().dump({"amount": 5}) == {"amount": "0.05"}


weights = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=60)


@given(total=st.integers(min_value=0, max_value=10**12), weights=weights)
def test_split_sums_exactly_and_stays_within_one_unit(total, weights):
    if sum(weights) == 0:
        if total:
            with pytest.raises(ValueError):
                split_largest_remainder(total, weights)
        return
    parts = split_largest_remainder(total, weights)
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        quota = Fraction(total * weight, sum(weights))
        assert abs(part - quota) < 1
        if weight == 0:
            assert part == 0


@given(total=st.integers(min_value=0, max_value=10**9), weights=weights, data=st.data())
def test_split_is_independent_of_input_order(total, weights, data):
    if sum(weights) == 0:
        return
    keys = [f"{i:05d}" for i in range(len(weights))]
    order = data.draw(st.permutations(range(len(weights))))
    direct = dict(zip(keys, split_largest_remainder(total, weights, keys), strict=True))
    shuffled = split_largest_remainder(total, [weights[i] for i in order], [keys[i] for i in order])
    assert dict(zip([keys[i] for i in order], shuffled, strict=True)) == direct


def test_split_tie_break_prefers_smaller_key():
    # 1 cent over three equal weights: the smallest key gets it, whatever the input order
    assert split_largest_remainder(1, [1, 1, 1], ["05334", "05111", "05315"]) == [0, 1, 0]
    assert split_largest_remainder(2, [Decimal("0.5"), Decimal("0.5")], ["b", "a"]) == [1, 1]

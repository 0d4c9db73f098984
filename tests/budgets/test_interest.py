"""Interest under § 49a Abs. 3/4 VwVfG: worked examples by hand, the shipped table, properties."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.budgets.core.interest import (
    DAY_COUNTS,
    BaseRate,
    BaseRateError,
    BaseRateTable,
    BaseRateUnavailableError,
    compute_interest,
    compute_interest_on_balance,
    format_calculation_lines,
    load_base_rates,
)

TABLE = load_base_rates()
NBSP = "\u00a0"
FIRST_DAY = date(2016, 7, 1)
LAST_DAY = date(2026, 6, 30)  # the shipped table is known up to the end of the half-year of its last row


def eur(text: str) -> str:
    """'741,60 €' with the no-break space that app.money.format_eur uses."""
    return text.replace(" €", NBSP + "€").replace(" %", NBSP + "%")


# --------------------------------------------------------------------------- the shipped table


def test_shipped_table_has_the_bundesbank_series() -> None:
    expected = {
        date(2016, 7, 1): "-0.88",
        date(2022, 12, 31): "-0.88",
        date(2023, 1, 1): "1.62",
        date(2023, 6, 30): "1.62",
        date(2023, 7, 1): "3.12",
        date(2024, 1, 1): "3.62",
        date(2024, 6, 30): "3.62",
        date(2024, 7, 1): "3.37",
        date(2025, 1, 1): "2.27",
        date(2025, 7, 1): "1.27",
        date(2026, 1, 1): "1.27",
        date(2026, 6, 30): "1.27",
    }
    for day, rate in expected.items():
        assert TABLE.rate_on(day) == Decimal(rate), day
    assert TABLE.covered_until == LAST_DAY
    assert all(row.source for row in TABLE.rows)


def test_day_before_the_table_is_a_clear_error() -> None:
    with pytest.raises(BaseRateUnavailableError, match="beginnt am 01.07.2016"):
        TABLE.rate_on(date(2016, 6, 30))
    with pytest.raises(BaseRateUnavailableError, match="kein Basiszinssatz"):
        compute_interest(100, date(2016, 6, 30), date(2016, 7, 2), table=TABLE)


def test_day_after_the_known_half_year_is_a_clear_error_unless_open_ended() -> None:
    with pytest.raises(BaseRateUnavailableError, match="ab 01.07.2026 ergänzen"):
        TABLE.rate_on(date(2026, 7, 1))
    # the interest period [start, end) may end on 01.07.2026: its last interest day is 30.06.2026
    assert compute_interest(100_000, date(2026, 1, 1), date(2026, 7, 1), table=TABLE).interest_cents > 0
    with pytest.raises(BaseRateUnavailableError):
        compute_interest(100_000, date(2026, 1, 1), date(2026, 7, 2), table=TABLE)
    assert load_base_rates(open_ended=True).rate_on(date(2030, 1, 1)) == Decimal("1.27")


# --------------------------------------------------------------------------- worked examples by hand


def test_worked_example_real_table_act_365() -> None:
    # 10,000.00 EUR = 1,000,000 cents, paid out 15.03.2021, repaid 30.09.2023; act/365, 5 points.
    # Interest days are 15.03.2021 .. 29.09.2023 (start inclusive, end exclusive).
    # Period 1: 15.03.2021 – 31.12.2022, Basiszinssatz -0.88 % -> 4.12 % p. a.
    #   days: 15.03.2021 -> 15.03.2022 = 365; 15.03.2022 -> 01.01.2023 = 17 (Mar) + 30 + 31 + 30 + 31
    #   + 31 + 30 + 31 + 30 + 31 = 292; together 657 days.
    #   1,000,000 × 4.12 % = 41,200 cents a year; × 657/365 = 27,068,400/365 = 74,160 exactly.
    # Period 2: 01.01.2023 – 30.06.2023, 1.62 % -> 6.62 %: 31+28+31+30+31+30 = 181 days.
    #   66,200 × 181/365 = 11,982,200/365 = 32,827 + 345/365 (= 32,827.945...).
    # Period 3: 01.07.2023 – 29.09.2023, 3.12 % -> 8.12 %: 31 + 31 + 29 = 91 days.
    #   81,200 × 91/365 = 7,389,200/365 = 20,244 + 140/365 (= 20,244.384...).
    # Total exact: 74,160 + 32,827 + 20,244 + (345 + 140)/365 = 127,232 + 120/365 -> 127,232 cents.
    # Shown per period: rounded down 74,160 + 32,827 + 20,244 = 127,231; the missing cent goes to the
    # largest cut-off fraction (period 2: 0.945 > 0.384 > 0) -> 741.60 + 328.28 + 202.44 = 1,272.32 EUR.
    result = compute_interest(1_000_000, date(2021, 3, 15), date(2023, 9, 30), table=TABLE)
    assert result.interest_cents == 127_232
    assert result.exact == Fraction(127_232) + Fraction(120, 365)
    got = [
        (p.start, p.end, p.days, p.base_rate, p.total_rate, p.exact, p.interest_cents) for p in result.periods
    ]
    assert got == [
        (
            date(2021, 3, 15),
            date(2023, 1, 1),
            657,
            Decimal("-0.88"),
            Decimal("4.12"),
            Fraction(74_160),
            74_160,
        ),
        (
            date(2023, 1, 1),
            date(2023, 7, 1),
            181,
            Decimal("1.62"),
            Decimal("6.62"),
            32_827 + Fraction(345, 365),
            32_828,
        ),
        (
            date(2023, 7, 1),
            date(2023, 9, 30),
            91,
            Decimal("3.12"),
            Decimal("8.12"),
            20_244 + Fraction(140, 365),
            20_244,
        ),
    ]
    assert format_calculation_lines(result) == [
        "Zinsen gemäß § 49a Abs. 3 VwVfG: 5 Prozentpunkte über dem Basiszinssatz (§ 247 BGB) jährlich; "
        "kalendergenaue Zinstage, Zinsjahr zu 365 Tagen (act/365).",
        eur(
            "15.03.2021–31.12.2022: 657 Tage × 4,12 % p. a. (Basiszinssatz -0,88 % + 5 Prozentpunkte) "
            "auf 10.000,00 € = 741,60 €"
        ),
        eur(
            "01.01.2023–30.06.2023: 181 Tage × 6,62 % p. a. (Basiszinssatz 1,62 % + 5 Prozentpunkte) "
            "auf 10.000,00 € = 328,28 €"
        ),
        eur(
            "01.07.2023–29.09.2023: 91 Tage × 8,12 % p. a. (Basiszinssatz 3,12 % + 5 Prozentpunkte) "
            "auf 10.000,00 € = 202,44 €"
        ),
        eur("Zinsen insgesamt: 1.272,32 €"),
    ]


def test_act_act_splits_at_new_year_and_uses_366_in_leap_years() -> None:
    # 10,000.00 EUR from 01.12.2019 to 01.02.2020, Basiszinssatz -0.88 % throughout -> 4.12 %.
    # act/act: 31 days of 2019 / 365 and 31 days of 2020 (a leap year) / 366.
    #   41,200 × 31/365 = 1,277,200/365 = 3,499.178...; 41,200 × 31/366 = 1,277,200/366 = 3,489.617...
    #   total 6,988.795... -> 6,989; shown: 3,499 + 3,489 = 6,988, the missing cent goes to 2020 (0.617).
    result = compute_interest(
        1_000_000, date(2019, 12, 1), date(2020, 2, 1), table=TABLE, day_count="act/act"
    )
    assert [(p.start, p.end, p.days, p.year_days) for p in result.periods] == [
        (date(2019, 12, 1), date(2020, 1, 1), 31, 365),
        (date(2020, 1, 1), date(2020, 2, 1), 31, 366),
    ]
    assert [p.interest_cents for p in result.periods] == [3_499, 3_490]
    assert result.interest_cents == 6_989
    assert "Zinsjahr 366 Tage" in format_calculation_lines(result)[2]
    # act/365 on the same days: 41,200 × 62/365 = 2,554,400/365 = 6,998.356... -> 6,998
    assert (
        compute_interest(1_000_000, date(2019, 12, 1), date(2020, 2, 1), table=TABLE).interest_cents == 6_998
    )


def test_leap_half_year_act_365_versus_act_act() -> None:
    # 01.01.2024 – 30.06.2024: 182 days at 3.62 % + 5 = 8.62 %: 86,200 cents a year on 10,000 EUR.
    # act/365: 86,200 × 182/365 = 15,688,400/365 = 42,981.92 -> 42,982
    # act/act: 86,200 × 182/366 = 15,688,400/366 = 42,864.48 -> 42,864
    start, end = date(2024, 1, 1), date(2024, 7, 1)
    assert compute_interest(1_000_000, start, end, table=TABLE).interest_cents == 42_982
    assert compute_interest(1_000_000, start, end, table=TABLE, day_count="act/act").interest_cents == 42_864


def test_30_360_counts_thirty_day_months() -> None:
    # 01.01.2023 – 30.06.2023 is 6 months = 180 days of 360 at 6.62 %: 66,200 × 180/360 = 33,100 exactly.
    result = compute_interest(1_000_000, date(2023, 1, 1), date(2023, 7, 1), table=TABLE, day_count="30/360")
    assert [(p.days, p.year_days) for p in result.periods] == [(180, 360)]
    assert result.interest_cents == 33_100


def test_negative_total_rate_counts_as_zero() -> None:
    table = BaseRateTable([(date(2020, 1, 1), Decimal("-6.00")), (date(2021, 1, 1), Decimal("1.00"))])
    result = compute_interest(1_000_000, date(2020, 7, 1), date(2021, 1, 1), table=table)
    assert result.interest_cents == 0
    assert result.periods[0].total_rate == Decimal(0)
    assert "nicht unter 0" in format_calculation_lines(result)[1]


def test_single_day_and_empty_interval_lines() -> None:
    one_day = compute_interest(365_000, date(2023, 1, 1), date(2023, 1, 2), table=TABLE)
    # 365,000 × 6.62 % × 1/365 = 66.2 cents -> 66
    assert one_day.interest_cents == 66
    assert format_calculation_lines(one_day)[1].startswith("01.01.2023: 1 Tag × 6,62")
    empty = compute_interest(365_000, date(2023, 1, 1), date(2023, 1, 1), table=TABLE)
    assert empty.interest_cents == 0 and empty.periods == []
    assert format_calculation_lines(empty)[1:] == [
        "Keine Zinstage im Berechnungszeitraum.",
        eur("Zinsen insgesamt: 0,00 €"),
    ]


# --------------------------------------------------------------------------- partial repayments


def test_partial_repayment_reduces_principal_first() -> None:
    # 10,000 EUR owed from 01.01.2023; 4,000 EUR repaid 01.07.2023; the rest 6,000 EUR on 01.01.2024.
    # 01.01.–30.06.2023: 1,000,000 × 6.62 % × 181/365 = 32,827.945... (as in the worked example)
    # 01.07.–31.12.2023: 600,000 × 8.12 % = 48,720 a year × 184/365 = 8,964,480/365 = 24,560.219...
    # total 57,388.164... -> 57,388; shown 32,828 + 24,560.
    movements = [(date(2023, 1, 1), 1_000_000), (date(2023, 7, 1), -400_000), (date(2024, 1, 1), -600_000)]
    result = compute_interest_on_balance(movements, date(2024, 3, 1), table=TABLE)
    assert result.interest_cents == 57_388
    assert [(s.start, s.end, s.principal_cents, s.interest_cents) for s in result.segments] == [
        (date(2023, 1, 1), date(2023, 7, 1), 1_000_000, 32_828),
        (date(2023, 7, 1), date(2024, 1, 1), 600_000, 24_560),
    ]
    assert result.final_principal_cents == 0
    assert result.start == date(2023, 1, 1)
    lines = format_calculation_lines(result)
    assert lines[2] == eur(
        "01.07.2023–31.12.2023: 184 Tage × 8,12 % p. a. (Basiszinssatz 3,12 % + 5 Prozentpunkte) "
        "auf 6.000,00 € = 245,60 €"
    )


def test_balance_movements_on_one_day_are_netted_in_any_order() -> None:
    a = compute_interest_on_balance(
        [(date(2023, 3, 1), -200_000), (date(2023, 1, 1), 500_000), (date(2023, 3, 1), 100_000)],
        date(2023, 6, 1),
        table=TABLE,
    )
    b = compute_interest_on_balance(
        [(date(2023, 1, 1), 500_000), (date(2023, 3, 1), -100_000)], date(2023, 6, 1), table=TABLE
    )
    assert a == b
    assert a.final_principal_cents == 400_000


def test_repayment_above_principal_is_rejected() -> None:
    with pytest.raises(ValueError, match="übersteigt die offene Hauptforderung um 1,00"):
        compute_interest_on_balance(
            [(date(2023, 1, 1), 10_000), (date(2023, 2, 1), -10_100)], date(2023, 3, 1), table=TABLE
        )


@pytest.mark.parametrize(
    ("movements", "end", "error"),
    [
        ([], date(2023, 1, 1), ValueError),
        ([(date(2023, 2, 1), 100)], date(2023, 1, 1), ValueError),
        ([(date(2023, 1, 1), 1.5)], date(2023, 2, 1), TypeError),
        ([(date(2023, 1, 1),)], date(2023, 2, 1), TypeError),
    ],
)
def test_balance_validation(movements: list, end: date, error: type[Exception]) -> None:
    with pytest.raises(error):
        compute_interest_on_balance(movements, end, table=TABLE)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"principal_cents": -1}, ValueError, "nicht negativ"),
        ({"principal_cents": 100.0}, TypeError, "ganze Cent"),
        ({"principal_cents": True}, TypeError, "ganze Cent"),
        ({"start": date(2023, 2, 1), "end": date(2023, 1, 31)}, ValueError, "vor dem Zinsbeginn"),
        ({"points": 5.0}, TypeError, "kein float"),
        ({"day_count": "act/360"}, ValueError, "Unbekannte Zinsberechnungsmethode"),
    ],
)
def test_compute_interest_validation(kwargs: dict, error: type[Exception], message: str) -> None:
    arguments = {"principal_cents": 100, "start": date(2023, 1, 1), "end": date(2023, 2, 1)} | kwargs
    with pytest.raises(error, match=message):
        compute_interest(table=TABLE, **arguments)


def test_table_validation() -> None:
    with pytest.raises(BaseRateError, match="leer"):
        BaseRateTable([])
    with pytest.raises(BaseRateError, match="doppelt"):
        BaseRateTable([(date(2023, 1, 1), Decimal(1)), (date(2023, 1, 1), Decimal(2))])
    with pytest.raises(BaseRateError, match="nicht aufsteigend"):
        BaseRateTable([(date(2023, 7, 1), Decimal(1)), (date(2023, 1, 1), Decimal(2))])
    with pytest.raises(BaseRateError, match="1. Januar und 1. Juli"):
        BaseRateTable([(date(2023, 3, 1), Decimal(1))])
    with pytest.raises(TypeError, match="kein float"):
        BaseRateTable([(date(2023, 1, 1), 1.62)])
    table = BaseRateTable([BaseRate(date(2023, 3, 1), Decimal(1), "test")], require_half_year_dates=False)
    assert table.rate_on(date(2023, 3, 1)) == Decimal(1)


CSV_HEADER = "valid_from,rate_percent,source\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "erwartete Spalten"),
        ("valid_from,rate,source\n2023-01-01,1.62,x\n", "erwartete Spalten"),
        (CSV_HEADER, "keine Zeilen"),
        (CSV_HEADER + "01.01.2023,1.62,x\n", "Zeile 2: Datum '01.01.2023' ist kein ISO-Datum"),
        (CSV_HEADER + "2023-02-30,1.62,x\n", "existiert nicht"),
        (CSV_HEADER + "2023-03-01,1.62,x\n", "kein Änderungstermin"),
        (CSV_HEADER + '2023-01-01,"1,62",x\n', "keine Dezimalzahl mit Punkt"),
        (CSV_HEADER + "2023-01-01,1.62,\n", "Quelle"),
        (CSV_HEADER + "2023-01-01,1.62\n", "genau drei Felder"),
        (CSV_HEADER + "2023-01-01,1.62,x,y\n", "genau drei Felder"),
        (
            CSV_HEADER + "2023-07-01,1.62,x\n2023-01-01,1.62,x\n",
            "Zeile 3: Datum 2023-01-01 ist nicht aufsteigend",
        ),
        (CSV_HEADER + "2023-01-01,1.62,x\n2023-01-01,1.62,x\n", "Zeile 3: Datum 2023-01-01 ist doppelt"),
    ],
)
def test_csv_validation(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "basiszinssatz.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BaseRateError, match=message):
        load_base_rates(path)


def test_csv_missing_file_and_extension(tmp_path: Path) -> None:
    with pytest.raises(BaseRateError, match="kann nicht gelesen werden"):
        load_base_rates(tmp_path / "missing.csv")
    path = tmp_path / "extended.csv"
    shipped = Path(__file__).resolve().parents[2] / "config" / "basiszinssatz.csv"
    path.write_text(shipped.read_text(encoding="utf-8") + "2026-07-01,1.00,Testwert\n", encoding="utf-8")
    extended = load_base_rates(path)
    assert extended.rate_on(date(2026, 12, 31)) == Decimal("1.00")
    assert extended.covered_until == date(2026, 12, 31)


# --------------------------------------------------------------------------- properties

days_in_table = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
principals = st.integers(min_value=0, max_value=10**13)
day_counts = st.sampled_from(DAY_COUNTS)


@st.composite
def ordered_days(draw: st.DrawFn, count: int) -> list[date]:
    return sorted(draw(days_in_table) for _ in range(count))


@settings(max_examples=200)
@given(principals, ordered_days(3), day_counts)
def test_additive_over_a_split(principal: int, days: list[date], day_count: str) -> None:
    start, middle, end = days
    whole = compute_interest(principal, start, end, table=TABLE, day_count=day_count)
    left = compute_interest(principal, start, middle, table=TABLE, day_count=day_count)
    right = compute_interest(principal, middle, end, table=TABLE, day_count=day_count)
    assert left.exact + right.exact == whole.exact
    assert abs(left.interest_cents + right.interest_cents - whole.interest_cents) <= 1


@settings(max_examples=200)
@given(principals, principals, ordered_days(3), day_counts)
def test_monotonic_in_principal_and_duration(p1: int, p2: int, days: list[date], day_count: str) -> None:
    low, high = sorted((p1, p2))
    start, end_short, end_long = days
    a = compute_interest(low, start, end_short, table=TABLE, day_count=day_count)
    b = compute_interest(high, start, end_short, table=TABLE, day_count=day_count)
    c = compute_interest(high, start, end_long, table=TABLE, day_count=day_count)
    assert a.exact <= b.exact <= c.exact
    assert a.interest_cents <= b.interest_cents <= c.interest_cents


@given(principals, days_in_table, days_in_table, day_counts)
def test_zero_for_zero_days_or_zero_principal(principal: int, d1: date, d2: date, day_count: str) -> None:
    start, end = sorted((d1, d2))
    assert compute_interest(principal, start, start, table=TABLE, day_count=day_count).interest_cents == 0
    assert compute_interest(0, start, end, table=TABLE, day_count=day_count).interest_cents == 0


@settings(max_examples=200)
@given(principals, days_in_table, days_in_table, day_counts)
def test_periods_cover_the_interval_and_lines_add_up(
    principal: int, d1: date, d2: date, day_count: str
) -> None:
    start, end = sorted((d1, d2))
    result = compute_interest(principal, start, end, table=TABLE, day_count=day_count)
    if start == end:
        assert result.periods == []
        return
    assert result.periods[0].start == start and result.periods[-1].end == end
    for before, after in zip(result.periods, result.periods[1:], strict=False):
        assert before.end == after.start  # no gap, no overlap
    for period in result.periods:
        assert period.start < period.end
        assert TABLE.rate_on(period.start) == TABLE.rate_on(period.last_day) == period.base_rate
        assert period.interest_cents in (math.floor(period.exact), math.ceil(period.exact))
        if day_count == "act/act":
            assert period.start.year == period.last_day.year
    if day_count != "30/360":
        assert sum(p.days for p in result.periods) == (end - start).days
    assert sum(p.interest_cents for p in result.periods) == result.interest_cents
    assert result.interest_cents == math.floor(result.exact + Fraction(1, 2))
    assert len(format_calculation_lines(result)) == len(result.periods) + 2


@settings(max_examples=100)
@given(
    st.lists(st.tuples(days_in_table, st.integers(min_value=0, max_value=10**10)), min_size=1, max_size=5),
    st.just(LAST_DAY + timedelta(days=1)),
    day_counts,
)
def test_balance_is_the_sum_of_its_parts(debts: list[tuple[date, int]], end: date, day_count: str) -> None:
    """Interest on several debts equals the sum of each debt's interest (exactly)."""
    combined = compute_interest_on_balance(debts, end, table=TABLE, day_count=day_count)
    parts = sum(
        (compute_interest(amount, day, end, table=TABLE, day_count=day_count).exact for day, amount in debts),
        Fraction(0),
    )
    assert combined.exact == parts
    assert sum(p.interest_cents for p in combined.periods) == combined.interest_cents


@given(principals, ordered_days(2), day_counts)
def test_single_debt_and_repayment_equals_compute_interest(
    principal: int, days: list[date], day_count: str
) -> None:
    paid, repaid = days
    simple = compute_interest(principal, paid, repaid, table=TABLE, day_count=day_count)
    balance = compute_interest_on_balance(
        [(paid, principal), (repaid, -principal)], repaid, table=TABLE, day_count=day_count
    )
    assert balance.exact == simple.exact
    assert balance.interest_cents == simple.interest_cents

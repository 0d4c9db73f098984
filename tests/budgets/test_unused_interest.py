"""§ 49a Abs. 4 VwVfG: interest on drawn money not used within the drawdown period.

Pure properties of the FIFO allocation (``interest.unused_drawdown_movements``) and the whole path:
drawdowns paid → expenses late → final decision books the interest with the reclaim → repayment;
expected cents are computed here day by day from the formula, not taken from the code under test.
Also the status figure it builds on: "drawn, not spent since" (the oldest payment not covered).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from app.budgets import services, settlement
from app.budgets.interest import DrawnPayment, compute_interest_on_balance, load_base_rates, unused_drawdown_movements
from app.budgets.ledger import balances_of
from app.budgets.models import GRANT_LEVEL, AccountKind, Reclaim
from app.budgets.verify import verify_ledger
from app.platform import clock
from app.platform.extensions import db
from app.reference.services import get_programme
from tests.budgets.conftest import heard, payer_for

TABLE = load_base_rates()
ONE_DAY = timedelta(days=1)
NBSP = "\u00a0"


def total_interest(payments: list[DrawnPayment], uses: list[tuple[date, int]], end: date) -> int:
    movements = unused_drawdown_movements(payments, uses, end)
    return sum(compute_interest_on_balance(m, end, table=TABLE).interest_cents for m in movements.values())


# --------------------------------------------------------------------------- pure properties

FIRST, LAST = date(2020, 1, 1), date(2025, 12, 31)


@st.composite
def payments_and_uses(draw: st.DrawFn) -> tuple[list[DrawnPayment], list[tuple[date, int]]]:
    count = draw(st.integers(min_value=1, max_value=5))
    payments = []
    for key in range(count):
        paid = draw(st.dates(min_value=FIRST, max_value=date(2024, 12, 31)))
        period_end = paid + timedelta(days=draw(st.integers(min_value=-5, max_value=90)))
        cents = draw(st.integers(min_value=1, max_value=10**9))
        excluded = draw(st.integers(min_value=0, max_value=cents))
        payments.append(DrawnPayment(key, paid, period_end, cents, excluded))
    payments.sort(key=lambda p: (p.value_date, p.key))
    uses = draw(st.lists(st.tuples(st.dates(min_value=FIRST, max_value=LAST),
                                   st.integers(min_value=0, max_value=10**9)), max_size=8))
    return payments, uses


@settings(max_examples=200)
@given(payments_and_uses(), st.dates(min_value=FIRST, max_value=LAST))
def test_unused_money_and_interest_are_never_negative(data, end: date) -> None:
    payments, uses = data
    by_key = {p.key: p for p in payments}
    for key, movements in unused_drawdown_movements(payments, uses, end).items():
        payment = by_key[key]
        assert movements[0][0] == max(payment.period_end + ONE_DAY, payment.value_date)  # not before the period end
        assert all(day < end for day, _c in movements)
        balance = 0
        for _day, change in movements:
            balance += change
            assert 0 <= balance <= payment.cents - payment.excluded_cents
        result = compute_interest_on_balance(movements, end, table=TABLE)
        assert result.interest_cents >= 0


@settings(max_examples=200)
@given(payments_and_uses(), st.dates(min_value=FIRST, max_value=LAST))
def test_zero_when_everything_is_used_within_its_period(data, end: date) -> None:
    payments, _ = data
    # each payment's money is used in full by the last day of its period (or on the payment day, if later) and,
    # since the oldest money counts as used first, also by the period ends of all later payments
    deadlines = [max(p.period_end, p.value_date) for p in payments]
    uses = [(min(deadlines[i:]), p.cents) for i, p in enumerate(payments)]
    assert unused_drawdown_movements(payments, uses, end) == {}
    assert total_interest(payments, uses, end) == 0


@settings(max_examples=150)
@given(payments_and_uses(), st.dates(min_value=FIRST, max_value=LAST), st.dates(min_value=FIRST, max_value=LAST))
def test_interest_grows_with_the_days_until_the_decision(data, d1: date, d2: date) -> None:
    payments, uses = data
    early, late = sorted((d1, d2))
    assert total_interest(payments, uses, early) <= total_interest(payments, uses, late)


@settings(max_examples=150)
@given(payments_and_uses(), st.dates(min_value=FIRST, max_value=LAST))
def test_fifo_holds_at_most_what_was_paid_and_not_used(data, end: date) -> None:
    """On every day the payments together hold no more than paid minus used (money is not counted twice)."""
    payments, uses = data
    movements = unused_drawdown_movements(payments, uses, end)
    days = sorted({day for m in movements.values() for day, _c in m})
    for day in days:
        held = sum(c for m in movements.values() for d, c in m if d <= day)
        paid = sum(p.cents for p in payments if p.value_date <= day)
        used = sum(c for d, c in uses if d <= day)
        assert held <= max(paid - used, 0)


def test_fifo_worked_example_by_hand() -> None:
    a = DrawnPayment("A", date(2022, 10, 5), date(2022, 12, 2), 1_000_000)
    b = DrawnPayment("B", date(2022, 11, 2), date(2022, 12, 31), 500_000, excluded_cents=100_000)
    uses = [(date(2022, 11, 15), 400_000), (date(2023, 1, 20), 600_000), (date(2023, 3, 1), 400_000)]
    movements = unused_drawdown_movements([a, b], uses, date(2023, 7, 20))
    # A: 10,000 - 4,000 used by 02.12. -> 6,000 from 03.12. until the use on 20.01. (the oldest payment first)
    # B: untouched until 20.01.; 5,000 - 1,000 reclaimed = 4,000 from 01.01.; on 01.03. 4,000 more used -> 0
    assert movements == {"A": [(date(2022, 12, 3), 600_000), (date(2023, 1, 20), -600_000)],
                         "B": [(date(2023, 1, 1), 400_000), (date(2023, 3, 1), -400_000)]}


# --------------------------------------------------------------------------- the whole path

RATES = [(date(2016, 7, 1), Fraction("-0.88")), (date(2023, 1, 1), Fraction("1.62")),
         (date(2023, 7, 1), Fraction("3.12"))]  # Basiszinssatz (Deutsche Bundesbank), percent


def expected_cents(principal_cents: int, first_day: date, end: date, points: int = 5) -> int:
    """Principal x (Basiszinssatz + points) / 365 for each day first_day <= d < end, rounded half up once."""
    exact, day = Fraction(0), first_day
    while day < end:
        base = [rate for valid_from, rate in RATES if valid_from <= day][-1]
        exact += Fraction(principal_cents) * (base + points) / 100 / 365
        day += ONE_DAY
    return int(exact + Fraction(1, 2))


def _drawdown(grant, day: date, cents: int, kommune, finance, value_date: date):
    with clock.freeze(day):
        drawdown = services.request_drawdown(grant, module="F1", amount_cents=cents, purpose="Coaching",
                                             actor=kommune)
        services.decide_drawdown(drawdown, "approve", actor=finance)
        services.pay_drawdown(drawdown, actor=payer_for(finance), value_date=value_date, reference=f"KZ-{day}")
    return drawdown



def test_final_decision_books_interest_on_money_used_late(app, client, make_user, make_grant, api):
    grant = make_grant(lines={("F1", 2022): 10_000_000, ("F1", 2023): 1_000_000})
    kommune, finance, admin = make_user("kommune"), make_user("finance"), make_user("programme_admin")
    first = _drawdown(grant, date(2022, 10, 3), 1_000_000, kommune, finance, date(2022, 10, 5))
    second = _drawdown(grant, date(2022, 11, 1), 500_000, kommune, finance, date(2022, 11, 2))
    assert (first.period_end, second.period_end) == (date(2022, 12, 2), date(2022, 12, 31))  # two months
    for day, cents in ((date(2022, 11, 15), 500_000), (date(2023, 1, 20), 750_000), (date(2023, 3, 1), 500_000)):
        with clock.freeze(day):  # grant earned 80 %: 4,000 / 6,000 / 4,000
            services.record_expense(grant, actor=kommune, module="F1", expense_date=day, amount_cents=cents)
    with clock.freeze(date(2023, 7, 10)):
        settlement.submit_proof(grant, narrative="Sachbericht", confirmed=True, actor=kommune)
    with clock.freeze(date(2023, 7, 20)):
        heard(grant, admin, kommune)
        proof = settlement.decide_final(grant, actor=admin)
    db.session.commit()
    # final grant 14,000 of 15,000 paid: 1,000 reclaimed, taken from the later payment
    assert (proof.final_grant_cents, proof.overpaid_cents) == (1_400_000, 100_000)
    # first payment: 4,000 used in its period; 6,000 unused 03.12.2022 up to the use on 20.01.2023
    first_interest = expected_cents(600_000, date(2022, 12, 3), date(2023, 1, 20))
    # second payment: first used from 20.01. on only after the first payment; 5,000 - 1,000 reclaimed
    # = 4,000 unused 01.01.2023 up to the use on 01.03.2023 (the reclaimed 1,000 bears § 49a Abs. 3 interest)
    second_interest = expected_cents(400_000, date(2023, 1, 1), date(2023, 3, 1))
    assert (first_interest, second_interest) == (4_032, 4_280)  # the formula by hand: 40.32 and 42.80 EUR
    reclaim = db.session.scalar(select(Reclaim).where(Reclaim.grant_id == grant.id))
    assert reclaim.unused_interest_cents == first_interest + second_interest
    assert (reclaim.unused_interest_until, reclaim.unused_interest_points) == (date(2023, 7, 20), "5")
    balances = balances_of(grant.id)
    assert balances[(AccountKind.INTEREST_RECEIVABLE, *GRANT_LEVEL)] == first_interest + second_interest
    assert balances[(AccountKind.INTEREST_INCOME, *GRANT_LEVEL)] == -(first_interest + second_interest)
    assert verify_ledger() == []

    f = api(finance)
    repaid_on = date(2023, 8, 1)
    abs3 = expected_cents(100_000, date(2022, 11, 2), repaid_on)
    with clock.freeze(date(2023, 8, 2)):
        shown = f.get(f"/api/v1/budgets/reclaims/{reclaim.id}?as_of={repaid_on}").json
        assert shown["unused_interest"] == f"{(first_interest + second_interest) / 100:.2f}"
        assert [(d["drawdown_id"], d["interest"]) for d in shown["unused_interest_drawdowns"]] == [
            (first.id, "40.32"), (second.id, "42.80")]
        assert [p["rate"] for p in shown["unused_interest_drawdowns"][0]["periods"]] == ["4.12", "6.62"]
        assert any("§ 49a Abs. 4" in line for line in shown["unused_interest_calculation"])
        assert shown["interest_to_date"] == f"{abs3 / 100:.2f}"
        due = 100_000 + abs3 + first_interest + second_interest
        assert shown["amount_due"] == f"{due / 100:.2f}"
        client.login(finance)
        page = client.get(f"/budgets/rueckforderungen/{reclaim.id}").get_data(as_text=True)
        assert "§ 49a Abs. 4 VwVfG" in page and f"40,32{NBSP}€" in page and f"42,80{NBSP}€" in page
        assert f"83,12{NBSP}€" in page
        paid = f.post(f"/api/v1/budgets/reclaims/{reclaim.id}/repayments",
                      json={"amount": f"{due / 100:.2f}", "value_date": repaid_on.isoformat(), "reference": "RZ"})
        assert paid.status_code == 201 and paid.json["status"] == "closed", paid.json
    assert verify_ledger() == []


def test_all_used_late_without_overpayment_opens_a_reclaim_for_the_interest_only(app, make_user, make_grant):
    grant = make_grant(lines={("F1", 2022): 1_000_000})
    kommune, finance, admin = make_user("kommune"), make_user("finance"), make_user("programme_admin")
    _drawdown(grant, date(2022, 3, 1), 400_000, kommune, finance, date(2022, 3, 1))  # period until 30.04.
    with clock.freeze(date(2022, 6, 1)):  # 80 % of 5,000 = 4,000: all used, 32 days late
        services.record_expense(grant, actor=kommune, module="F1", expense_date=date(2022, 6, 1),
                                amount_cents=500_000)
    with clock.freeze(date(2023, 7, 10)):
        settlement.submit_proof(grant, narrative="Sachbericht", confirmed=True, actor=kommune)
        heard(grant, admin, kommune)
        proof = settlement.decide_final(grant, actor=admin)
    assert proof.overpaid_cents == 0
    reclaim = settlement.reclaim_of(grant)
    assert reclaim.principal_cents == 0
    assert reclaim.unused_interest_cents == expected_cents(400_000, date(2022, 5, 1), date(2022, 6, 1))
    with clock.freeze(date(2023, 7, 20)):
        assert settlement.reclaim_statement(reclaim, date(2023, 7, 20)).amount_due == reclaim.unused_interest_cents
        settlement.record_repayment(reclaim, amount_cents=reclaim.unused_interest_cents, value_date=date(2023, 7, 15),
                                    reference="RZ", actor=finance)
    assert reclaim.status.value == "closed"
    assert verify_ledger() == []
    reclaim.unused_interest_cents += 1  # a changed figure is found by recomputation
    problems = verify_ledger()
    assert any("§ 49a Abs. 4" in problem for problem in problems)
    db.session.rollback()


def test_setting_off_charges_no_interest_for_late_use(app, make_user, make_grant):
    programme = get_programme()
    assert programme.interest_on_unused_drawdowns and Decimal(programme.unused_drawdown_interest_points) == 5
    grant = make_grant(lines={("F1", 2022): 1_000_000})
    kommune = make_user("kommune")
    finance, admin = make_user("finance"), make_user("programme_admin")
    _drawdown(grant, date(2022, 3, 1), 400_000, kommune, finance, date(2022, 3, 1))
    with clock.freeze(date(2022, 6, 1)):
        services.record_expense(grant, actor=kommune, module="F1", expense_date=date(2022, 6, 1),
                                amount_cents=250_000)
    programme.interest_on_unused_drawdowns = False
    try:
        with clock.freeze(date(2023, 7, 10)):
            settlement.submit_proof(grant, narrative="Sachbericht", confirmed=True, actor=kommune)
            heard(grant, admin, kommune)
            settlement.decide_final(grant, actor=admin)
        reclaim = settlement.reclaim_of(grant)
        assert reclaim.principal_cents == 200_000  # 4,000 paid, 2,000 earned
        assert (reclaim.unused_interest_cents, reclaim.unused_interest_points) == (0, None)
        assert verify_ledger() == []
    finally:
        db.session.rollback()
        programme.interest_on_unused_drawdowns = True
        db.session.commit()


def _decided(make_user, make_grant, *, used_cents: int, used_on: date):
    """A grant with 4,000 EUR paid on 01.03.2022 (period until 30.04.), ``used_cents`` spent on ``used_on``
    (80 % funded), proof submitted and decided on 10.07.2023."""
    grant = make_grant(lines={("F1", 2022): 1_000_000})
    kommune, finance, admin = make_user("kommune"), make_user("finance"), make_user("programme_admin")
    _drawdown(grant, date(2022, 3, 1), 400_000, kommune, finance, date(2022, 3, 1))
    with clock.freeze(used_on):
        services.record_expense(grant, actor=kommune, module="F1", expense_date=used_on, amount_cents=used_cents)
    with clock.freeze(date(2023, 7, 10)):
        settlement.submit_proof(grant, narrative="Sachbericht", confirmed=True, actor=kommune)
        heard(grant, admin, kommune)
        proof = settlement.decide_final(grant, actor=admin)
    db.session.commit()
    return grant, proof


def _drop_reclaim(grant) -> None:
    db.session.execute(delete(Reclaim).where(Reclaim.grant_id == grant.id))
    db.session.flush()


def test_verify_ledger_accepts_a_final_decision_that_needs_no_reclaim(app, make_user, make_grant):
    grant, proof = _decided(make_user, make_grant, used_cents=500_000, used_on=date(2022, 4, 1))  # in the period
    assert (proof.overpaid_cents, settlement.reclaim_of(grant)) == (0, None)
    assert verify_ledger() == []


def test_verify_ledger_finds_an_overpayment_without_its_reclaim(app, make_user, make_grant):
    grant, proof = _decided(make_user, make_grant, used_cents=250_000, used_on=date(2022, 4, 1))
    assert proof.overpaid_cents == 200_000 and settlement.reclaim_of(grant).principal_cents == 200_000
    assert verify_ledger() == []
    proof.overpaid_cents = 200_001  # the reclaim no longer matches the decision
    assert verify_ledger() == [f"Rückforderung {settlement.reclaim_of(grant).id}: Hauptforderung 200000, "
                               "laut Schlussbescheid überzahlt 200001."]
    _drop_reclaim(grant)
    assert verify_ledger() == [f"Verwendungsnachweis {proof.id} (Zuwendung {grant.id}): überzahlt 200001 laut "
                               "Schlussbescheid, aber keine Rückforderung."]
    db.session.rollback()


def test_verify_ledger_finds_unused_drawdown_interest_without_its_reclaim(app, make_user, make_grant):
    grant, proof = _decided(make_user, make_grant, used_cents=500_000, used_on=date(2022, 6, 1))  # 32 days late
    interest = expected_cents(400_000, date(2022, 5, 1), date(2022, 6, 1))
    assert proof.overpaid_cents == 0 and settlement.reclaim_of(grant).unused_interest_cents == interest > 0
    assert verify_ledger() == []
    _drop_reclaim(grant)
    assert verify_ledger() == [f"Verwendungsnachweis {proof.id} (Zuwendung {grant.id}): Zinsen nach § 49a Abs. 4 "
                               f"von {interest} am 10.07.2023 fällig, aber keine Rückforderung."]
    db.session.rollback()


def test_status_shows_since_when_money_is_drawn_but_not_spent(app, make_user, make_grant):
    """The status page's "drawn, not spent since": the oldest payment not covered by grant earned."""
    from app.budgets.status import status_for

    grant = make_grant(lines={("F1", 2022): 10_000_000})
    kommune, finance = make_user("kommune"), make_user("finance")
    for day, cents in ((date(2022, 2, 1), 100_000), (date(2022, 3, 1), 100_000), (date(2022, 3, 1), 50_000),
                       (date(2022, 4, 1), 100_000)):
        # asked for by 31.03. while the February payment's need period runs (unspent money blocks new drawdowns)
        _drawdown(grant, min(day, date(2022, 3, 31)), cents, kommune, finance, day)

    def since(spent_cents: int, day: date):
        with clock.freeze(day):
            if spent_cents:
                services.record_expense(grant, actor=kommune, module="F1", expense_date=day, amount_cents=spent_cents)
            return status_for([grant], with_forecast=False)[0].drawn_since

    assert since(0, date(2022, 4, 2)) == date(2022, 2, 1)  # nothing earned: the first payment
    assert since(125_000, date(2022, 4, 3)) == date(2022, 3, 1)  # 1,000 earned covers February exactly
    assert since(187_500, date(2022, 4, 4)) == date(2022, 4, 1)  # 2,500 earned covers both March payments
    assert since(125_000, date(2022, 4, 5)) is None  # 3,500 earned: everything paid is covered

"""Issue #13: the money cycle closes. Each test reproduces one defect found walking a Kommune from the
grant to its settlement (they fail on the code before the fix): amendments, the final grant, the final
payment, four eyes and cut reasons, notices to the recipient, and the status figures."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.budgets import ledger, services, settlement, status
from app.budgets.models import AccountKind, Drawdown, DrawdownKind, DrawdownStatus
from app.budgets.notices import DRAWDOWN_DECISION, SETTLEMENT
from app.budgets.panels import finance_panel
from app.budgets.verify import verify_ledger
from app.notifications.models import Message
from app.platform import clock
from app.platform.errors import Forbidden, ValidationFailed
from app.platform.extensions import db
from tests.budgets.conftest import heard, payer_for

K = AccountKind


def _paid(grant, kommune, finance, module: str, cents: int, day: date) -> Drawdown:
    with clock.freeze(day):
        drawdown = services.request_drawdown(grant, module=module, amount_cents=cents, purpose="Bedarf",
                                             actor=kommune)
        services.decide_drawdown(drawdown, "approve", actor=finance)
        services.pay_drawdown(drawdown, actor=payer_for(finance), value_date=day, reference=f"KZ-{drawdown.id}")
    db.session.commit()
    return drawdown


def _spend(grant, kommune, module: str, cents: int, day: date) -> None:
    with clock.freeze(max(day, date(2021, 1, 1))):
        services.record_expense(grant, actor=kommune, module=module, expense_date=day, amount_cents=cents)
    db.session.commit()


def _decide(grant, kommune, admin):
    with clock.freeze(date(2023, 8, 1)):
        settlement.submit_proof(grant, narrative="Sachbericht", confirmed=True, actor=kommune)
    with clock.freeze(date(2023, 9, 1)):
        heard(grant, admin, kommune)
        proof = settlement.decide_final(grant, actor=admin)
    db.session.commit()
    return proof


# ---------------------------------------------------------------- 1. amendments


def test_an_amendment_moving_unspent_money_is_not_refused_for_lines_it_leaves_alone(app, make_user, make_grant):
    """Köln: F1/2020 spent 130,292.08 € gross (80 % = 104,233.66 €) of a 107,828 € line; moving 20,000 € from
    F1/2023 to F3/2023 compared the gross expenses with the line and refused the untouched F1/2020."""
    lines = {("F1", 2020): 10_782_800, ("F1", 2023): 5_000_000, ("F3", 2023): 1_000_000}
    grant = make_grant(lines=lines)
    kommune, finance = make_user("kommune"), make_user("finance")
    _paid(grant, kommune, finance, "F1", 7_188_532, date(2020, 10, 1))
    _spend(grant, kommune, "F1", 13_029_208, date(2020, 11, 2))
    moved = {**lines, ("F1", 2023): 3_000_000, ("F3", 2023): 3_000_000}
    make_grant(lines=moved)  # the amendment's commitment: accepted
    assert {(line.module_code, line.budget_year): line.approved_cents for line in grant.lines} == moved
    assert verify_ledger() == []


def test_a_lowered_line_is_refused_below_its_own_use_in_grant_terms(app, make_user, make_grant):
    grant = make_grant(lines={("F1", 2021): 1_000_000, ("F2", 2021): 1_000_000})
    kommune, finance = make_user("kommune"), make_user("finance")
    _paid(grant, kommune, finance, "F1", 300_000, date(2021, 3, 1))
    _spend(grant, kommune, "F1", 500_000, date(2021, 3, 2))  # grant share earned: 4,000 €
    with pytest.raises(ValidationFailed) as refused:
        make_grant(lines={("F1", 2021): 399_999, ("F2", 2021): 1_600_001})
    (message,) = refused.value.errors["lines"]
    assert "F1/2021" in message and "4.000,00" in message and "F2" not in message
    db.session.rollback()
    make_grant(lines={("F1", 2021): 400_000, ("F2", 2021): 1_600_000})  # exactly the grant share earned


# ---------------------------------------------------------------- 2. final grant


def test_the_final_decision_does_not_cut_a_kommune_that_spent_on_plan(app, make_user, make_grant):
    """Budget years are no cap, and a module may exceed its approved amount by 20 % where others save."""
    grant = make_grant(lines={("F1", 2021): 5_000_000, ("F1", 2022): 5_000_000, ("F2", 2022): 10_000_000})
    kommune, finance, admin = make_user("kommune"), make_user("finance"), make_user("programme_admin")
    _paid(grant, kommune, finance, "F1", 5_000_000, date(2021, 2, 1))
    _paid(grant, kommune, finance, "F2", 8_000_000, date(2022, 2, 1))
    _spend(grant, kommune, "F1", 10_000_000, date(2021, 6, 1))  # earned 80,000 € on F1/2021 (line: 50,000 €)
    _spend(grant, kommune, "F1", 3_750_000, date(2022, 6, 1))  # earned 30,000 € on F1/2022: F1 earned 110,000 €
    _spend(grant, kommune, "F2", 11_250_000, date(2022, 6, 2))  # earned 90,000 € on F2 (approved 100,000 €)
    proof = _decide(grant, kommune, admin)
    assert proof.final_grant_cents == 20_000_000  # the whole approved grant: F1 +10 % covered by F2's savings
    by_module = {line["module"]: line for line in proof.decision_lines}
    assert by_module["F1"]["final_cents"] == 11_000_000 and by_module["F2"]["final_cents"] == 9_000_000
    assert by_module["F1"]["years"] == [2021, 2022]


def test_an_overrun_beyond_the_savings_is_not_recognised_and_beyond_the_allowance_not_booked(app, make_user,
                                                                                              make_grant):
    grant = make_grant(lines={("F1", 2021): 10_000_000, ("F2", 2021): 10_000_000})
    kommune, finance, admin = make_user("kommune"), make_user("finance"), make_user("programme_admin")
    _paid(grant, kommune, finance, "F1", 10_000_000, date(2021, 2, 1))
    _spend(grant, kommune, "F1", 15_000_000, date(2021, 6, 1))  # earned 120,000 €: the whole +20 % allowance
    with clock.freeze(date(2021, 6, 2)), pytest.raises(ValidationFailed) as refused:  # plausibility: never
        services.record_expense(grant, actor=kommune, module="F1", expense_date=date(2021, 6, 2), amount_cents=2)
    assert "Baustein F1" in refused.value.errors["amount"][0]
    db.session.rollback()
    _spend(grant, kommune, "F2", 11_250_000, date(2021, 6, 2))  # earned 90,000 €
    proof = _decide(grant, kommune, admin)
    # F1 is recognised up to 120,000 € (+20 %); F2 saves only 10,000 €: the total caps at 200,000 €
    assert proof.final_grant_cents == 20_000_000
    assert {line["module"]: line["final_cents"] for line in proof.decision_lines} == {"F1": 11_000_000,
                                                                                       "F2": 9_000_000}


# ---------------------------------------------------------------- 3. final payment


def test_what_the_land_still_owes_is_ordered_paid_by_finance_and_closes_the_grant(app, make_user, make_grant):
    grant = make_grant(lines={("F1", 2021): 10_000_000, ("F2", 2022): 10_000_000})
    kommune, finance, admin = make_user("kommune"), make_user("finance"), make_user("programme_admin")
    _paid(grant, kommune, finance, "F1", 6_000_000, date(2021, 2, 1))
    _spend(grant, kommune, "F1", 12_500_000, date(2021, 6, 1))  # earned 100,000 €
    _spend(grant, kommune, "F2", 10_000_000, date(2022, 6, 1))  # earned 80,000 €
    proof = _decide(grant, kommune, admin)
    assert (proof.final_grant_cents, proof.paid_cents, proof.overpaid_cents) == (18_000_000, 6_000_000, -12_000_000)
    orders = settlement.final_payment_orders(grant)
    # one order per module owed, on its latest line: F1 is owed 40,000 €, F2 80,000 €
    assert {(o.module_code, o.budget_year): o.amount_approved_cents for o in orders} == {
        ("F1", 2021): 4_000_000, ("F2", 2022): 8_000_000}
    assert all(order.status == DrawdownStatus.APPROVED and order.kind == DrawdownKind.FINAL_PAYMENT
               for order in orders)
    with clock.freeze(date(2023, 9, 2)):
        assert finance_panel(finance).data["to_pay_cents"] == 12_000_000  # in finance's queue and panel
        (figures,) = status.status_for([grant])
        assert figures.total.available == 0  # "Abrufbar" after the final decision
        for order in orders:
            with pytest.raises(Forbidden):  # the deciding administrator is no payer anyway; finance pays
                services.pay_drawdown(order, actor=admin, value_date=date(2023, 9, 2), reference="X")
            services.pay_drawdown(order, actor=finance, value_date=date(2023, 9, 2), reference=f"SZ-{order.id}")
    db.session.commit()
    paid = sum(cents for (kind, _m, _y), cents in ledger.balances_of(grant.id).items() if kind == K.PAID)
    assert paid == proof.final_grant_cents
    assert verify_ledger() == []


def test_verify_ledger_finds_a_missing_final_payment_order(app, make_user, make_grant):
    grant = make_grant(lines={("F1", 2021): 10_000_000})
    kommune, admin = make_user("kommune"), make_user("programme_admin")
    _spend(grant, kommune, "F1", 1_000_000, date(2021, 6, 1))
    _decide(grant, kommune, admin)
    assert verify_ledger() == []
    (order,) = settlement.final_payment_orders(grant)
    order.amount_approved_cents -= 1  # the order no longer matches the decision (and the ledger)
    db.session.commit()
    assert any("Schlusszahlung laut Schlussbescheid" in problem for problem in verify_ledger())


# ---------------------------------------------------------------- 6. four eyes, cut reasons


def test_the_approver_of_a_drawdown_cannot_pay_it_and_a_cut_needs_its_reason(app, make_user, make_grant):
    grant = make_grant()
    kommune, finance = make_user("kommune"), make_user("finance")
    with clock.freeze(date(2021, 3, 1)):
        drawdown = services.request_drawdown(grant, module="F1", amount_cents=100_000, purpose="x", actor=kommune)
        with pytest.raises(ValidationFailed) as refused:
            services.decide_drawdown(drawdown, "approve", actor=finance, amount_cents=60_000)
        assert "reason" in refused.value.errors
        services.decide_drawdown(drawdown, "approve", actor=finance, amount_cents=60_000, reason="Bedarf geringer")
        with pytest.raises(Forbidden, match="Vier-Augen"):
            services.pay_drawdown(drawdown, actor=finance, value_date=date(2021, 3, 1), reference="KZ")
        app.config["FOUR_EYES_PAYMENTS"] = False
        try:  # the rule is a setting
            assert services.four_eyes_bar(drawdown, finance) is False
        finally:
            app.config["FOUR_EYES_PAYMENTS"] = True
        services.pay_drawdown(drawdown, actor=payer_for(finance), value_date=date(2021, 3, 1), reference="KZ")


# ---------------------------------------------------------------- 7. notices and figures


def test_the_kommune_is_told_of_drawdown_decisions_payments_and_its_final_decision(app, make_user, make_grant):
    grant = make_grant(lines={("F1", 2021): 10_000_000})
    kommune, finance, admin = make_user("kommune"), make_user("finance"), make_user("programme_admin")
    with clock.freeze(date(2021, 3, 1)):
        cut = services.request_drawdown(grant, module="F1", amount_cents=100_000, purpose="x", actor=kommune)
        rejected = services.request_drawdown(grant, module="F1", amount_cents=50_000, purpose="y", actor=kommune)
        services.decide_drawdown(cut, "approve", actor=finance, amount_cents=70_000, reason="Nur Mai belegt")
        services.decide_drawdown(rejected, "reject", actor=finance, reason="Doppelt beantragt")
        services.pay_drawdown(cut, actor=payer_for(finance), value_date=date(2021, 3, 2), reference="KZ-9")
    db.session.commit()
    _spend(grant, kommune, "F1", 50_000, date(2021, 3, 5))  # earned 400 € of 700 € paid: 300 € reclaimed
    _decide(grant, kommune, admin)
    messages = list(db.session.scalars(select(Message).where(Message.recipient_id == kommune.id)
                                       .order_by(Message.id)))
    drawdown_notices = [m for m in messages if m.kind == DRAWDOWN_DECISION]
    assert [m.subject.split(" (")[0] for m in drawdown_notices] == [
        "Mittelabruf gekürzt genehmigt", "Mittelabruf abgelehnt", "Mittelabruf ausgezahlt"]
    assert "Nur Mai belegt" in drawdown_notices[0].body and "Doppelt beantragt" in drawdown_notices[1].body
    hearing, final = [m for m in messages if m.kind == SETTLEMENT]  # heard first (§ 28 VwVfG), then decided
    assert hearing.subject.startswith("Anhörung") and "300,00" in hearing.body
    assert "400,00" in final.body and "300,00" in final.body and "Bitte zahlen Sie bis zum 01.10.2023" in final.body
    assert not [m for m in db.session.scalars(select(Message)) if m.recipient_id == finance.id
                and m.kind in (DRAWDOWN_DECISION, SETTLEMENT)]


def test_abrufbar_is_the_current_year_line_and_statewide_drawn_not_spent_adds_up(app, make_user, make_grant):
    koeln = make_grant("05315", lines={("F1", 2021): 1_000_000, ("F1", 2022): 5_000_000, ("F2", 2021): 1_000_000})
    kleve = make_grant("05154", lines={("F1", 2021): 1_000_000, ("F2", 2021): 1_000_000})
    kommune, finance = make_user("kommune"), make_user("finance")
    kleve_user = make_user("kommune", kommune_ags="05154")
    _paid(koeln, kommune, finance, "F1", 400_000, date(2021, 3, 1))
    _spend(koeln, kommune, "F2", 250_000, date(2021, 3, 2))  # Köln F2 spends without a drawdown
    _paid(kleve, kleve_user, finance, "F2", 300_000, date(2021, 3, 1))
    with clock.freeze(date(2021, 4, 1)):
        rows = {s.reference: s for s in status.status_for()}
        assert rows["DS-05315"].total.available == 1_600_000  # 2021's lines only: F1 6,000 € + F2 10,000 €
        assert rows["DS-05315"].total.drawn_not_spent == 400_000  # F1's unspent money, not netted against F2
        overall, _by_module = status.totals(list(rows.values()))
        assert overall.drawn_not_spent == 700_000 == sum(r.total.drawn_not_spent for r in rows.values())
    with clock.freeze(date(2023, 7, 1)):
        assert status.status_for([koeln])[0].total.available == 0  # after the last expense date

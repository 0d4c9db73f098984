"""F6 Teilhabemanagement (docs/f6.md): the published positions, the application and its decision, the staffing
reports and the cap they put on the eligible costs, through the same money cycle as F1–F4 (verify-ledger clean)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.allocation import services as allocation
from app.budgets import services as budgets
from app.budgets.models import Grant, ReclaimStatus
from app.budgets.verify import verify_ledger
from app.grants import f6, services
from app.platform import clock
from app.platform.errors import Conflict, Forbidden, ValidationFailed
from app.platform.extensions import db
from app.reference.services import get_programme, kommune_by_ags
from tests.grants.conftest import KOELN


def _apply(world, positions="1.5", monthly=450_000, mode="rate"):
    with clock.freeze(date(2020, 12, 1)):
        application = f6.save_f6(world["kommune"], get_programme(), positions=Decimal(positions), cost_mode=mode,
                                 monthly_cost_cents=monthly)
        f6.submit_f6(application.id, world["kommune"])
        f6.approve_f6(application.id, world["admin"])
        db.session.commit()
    return application


def test_the_published_version_holds_106_positions_and_supersedes_the_previous(f6_world):
    shares = allocation.published_positions(get_programme().id)
    assert sum(s.halves for s in shares) == 212 and len(shares) == 53
    again = allocation.create_positions_version(get_programme(), actor=f6_world["admin"],
                                                dataset_id=f6_world["version"].dataset_id, total_positions=100)
    allocation.publish_positions_version(again, actor=f6_world["admin"])
    assert f6_world["version"].status.value == "superseded"
    assert sum(s.halves for s in allocation.published_positions(get_programme().id)) == 200
    with pytest.raises(Conflict):
        allocation.publish_positions_version(again, actor=f6_world["admin"])  # published is not publishable


def test_a_kommune_cannot_apply_for_more_than_its_published_positions(f6_world):
    published = f6.published_halves(get_programme().id, kommune_by_ags(KOELN).id)
    with pytest.raises(ValidationFailed) as refused:
        f6.save_f6(f6_world["kommune"], get_programme(), positions=Decimal(published + 1) / 2, cost_mode="rate",
                   monthly_cost_cents=450_000)
    assert "positions" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        f6.save_f6(f6_world["kommune"], get_programme(), positions=Decimal("0.3"), cost_mode="rate",
                   monthly_cost_cents=450_000)
    assert "positions" in refused.value.errors
    with pytest.raises(Forbidden):
        f6.save_f6(f6_world["admin"], get_programme(), positions=Decimal(1), cost_mode="rate",
                   monthly_cost_cents=450_000)


def test_approval_commits_the_grant_per_year_at_the_haushaltssicherung_rate(f6_world):
    services.set_kommune_rate(f6_world["admin"], kommune_by_ags(KOELN).id, 9000, note="Haushaltssicherung")
    application = _apply(f6_world, positions="1.5", monthly=450_001)
    grant = f6.grant_of(application)
    # 30 months (01/2021–06/2023) × 1.5 FTE × 4,500.01 € = 202,500.45 €; 90 % = 182,250.41 € (half up)
    planned = f6.planned_by_year(application)
    assert planned == {2021: 8_100_018, 2022: 8_100_018, 2023: 4_050_009}
    assert sum(planned.values()) == 20_250_045
    assert grant.funding_rate_bp == 9000 and grant.approved_cents == 18_225_041
    assert {(line.module_code, line.budget_year) for line in grant.lines} == {("F6", 2021), ("F6", 2022),
                                                                               ("F6", 2023)}
    assert (grant.start_date, grant.last_expense_date) == (date(2021, 1, 1), date(2023, 6, 30))
    assert budgets.eligible_caps(grant) == {"F6": 0}  # nothing reported yet: every month counts as unfilled


def test_staffing_reports_are_checked(f6_world):
    application = _apply(f6_world, positions="1")
    kommune = f6_world["kommune"]
    with clock.freeze(date(2021, 3, 10)):
        with pytest.raises(ValidationFailed) as refused:
            f6.report_staffing(application.id, kommune, month=date(2021, 4, 1), filled_centi=100)
        assert "month" in refused.value.errors  # not begun
        with pytest.raises(ValidationFailed) as refused:
            f6.report_staffing(application.id, kommune, month=date(2020, 12, 1), filled_centi=100)
        assert "month" in refused.value.errors  # before the F6 period
        with pytest.raises(ValidationFailed) as refused:
            f6.report_staffing(application.id, kommune, month=date(2021, 3, 1), filled_centi=101)
        assert "filled" in refused.value.errors  # above the approved FTE
        with pytest.raises(Forbidden):
            f6.report_staffing(application.id, f6_world["admin"], month=date(2021, 3, 1), filled_centi=50)
        f6.report_staffing(application.id, kommune, month=date(2021, 3, 1), filled_centi=50)
        f6.report_staffing(application.id, kommune, month=date(2021, 3, 15), filled_centi=75)  # a correction
    rows = {r.month: r for r in f6.month_rows(application)}
    assert rows[date(2021, 3, 1)].filled_centi == 75 and rows[date(2021, 3, 1)].vacant_centi == 25
    assert rows[date(2021, 2, 1)].filled_centi is None
    assert f6.figures(application).cap_cents == 337_500  # 0.75 × 4,500 €


def test_staffing_before_the_decision_is_a_conflict(f6_world):
    with clock.freeze(date(2021, 2, 1)):
        application = f6.save_f6(f6_world["kommune"], get_programme(), positions=Decimal(1), cost_mode="actual",
                                 monthly_cost_cents=400_000)
        with pytest.raises(Conflict):
            f6.report_staffing(application.id, f6_world["kommune"], month=date(2021, 1, 1), filled_centi=100)


def test_f6_money_runs_through_the_same_ledger_and_settlement_with_unfilled_months_reclaimed(f6_world):
    """Drawdowns, payments, expenses, proof of use, hearing, final decision and reclaim as for F1–F4; the months
    left unfilled reduce the final grant, and what was paid beyond it is reclaimed."""
    kommune, admin = f6_world["kommune"], f6_world["admin"]
    application = _apply(f6_world, positions="1", monthly=400_000)  # 30 × 4,000 € = 120,000 €; 80 % = 96,000 €
    grant = db.session.scalar(select(Grant).where(Grant.source == f"f6:{application.id}"))
    assert grant.approved_cents == 9_600_000
    months = f6.months(application)
    for number, month in enumerate(months):
        with clock.freeze(month.replace(day=2)):
            drawdown = budgets.request_drawdown(grant, module="F6", amount_cents=320_000,
                                                purpose="Personalkosten (Test)", actor=kommune)
            budgets.decide_drawdown(drawdown, "approve", actor=f6_world["finance"])
            budgets.pay_drawdown(drawdown, actor=f6_world["payer"], value_date=clock.today(),
                                 reference=f"T-{month:%Y-%m}")
            db.session.commit()
        with clock.freeze(month.replace(day=28)):
            filled = 0 if number % 10 == 0 else 100  # 3 of 30 months vacant
            f6.report_staffing(application.id, kommune, month=month, filled_centi=filled)
            budgets.record_expense(grant, actor=kommune, module="F6", expense_date=month.replace(day=25),
                                   amount_cents=400_000, voucher_ref=f"GEHALT-{month:%Y-%m}",
                                   description="Personalkosten Teilhabemanagement")
            db.session.commit()
    figures = f6.figures(application)
    assert figures.spent_cents == 12_000_000 and figures.cap_cents == 27 * 400_000
    assert figures.earned_cents == 8_640_000
    with clock.freeze(date(2023, 7, 20)):
        budgets.submit_proof(grant, narrative="Sachbericht (Test)", confirmed=True, actor=kommune)
        db.session.commit()
    with clock.freeze(date(2023, 8, 1)):
        outcome = budgets.intended_outcome(grant)
        assert outcome.final == 8_640_000  # capped: 27 filled months × 4,000 € × 80 %
        hearing = budgets.open_hearing(grant, actor=admin)
        db.session.commit()
    with clock.freeze(date(2023, 8, 3)):
        budgets.submit_comment(hearing, comment="Einverstanden (Test)", actor=kommune)
        db.session.commit()
    with clock.freeze(date(2023, 8, 20)):
        proof = budgets.decide_final(grant, actor=admin)
        db.session.commit()
    assert proof.paid_cents == 9_600_000 and proof.final_grant_cents == 8_640_000
    assert proof.decision_lines[0]["cap_cents"] == 8_640_000
    reclaim = budgets.reclaim_of(grant)
    assert reclaim.principal_cents == 960_000 and reclaim.status == ReclaimStatus.OPEN
    with clock.freeze(date(2023, 8, 21)), pytest.raises(Conflict):
        f6.report_staffing(application.id, kommune, month=months[0], filled_centi=100)  # fixed by the decision
    assert verify_ledger() == []


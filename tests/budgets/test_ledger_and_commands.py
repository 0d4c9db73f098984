"""Ledger guards, commitment changes, verify-ledger and interest commands."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from app.budgets import ledger, services
from app.budgets.core.posting import earned_grant
from app.budgets.models import AccountKind, LedgerBalance, LedgerEntry
from app.budgets.verify import verify_ledger
from app.cli import main
from app.platform import clock
from app.platform.errors import ValidationFailed
from app.platform.extensions import db


def test_earned_rounding_rule():
    assert earned_grant(1, 8000) == 1  # 0.8 cent rounds half up to 1
    assert earned_grant(5, 1000) == 1  # exactly 0.5 cent -> 1
    assert earned_grant(4, 1000) == 0
    assert earned_grant(-5, 1000) == -1
    assert earned_grant(12345, 8000) == 9876


def test_unbalanced_or_one_sided_entries_are_refused_by_the_database(app, make_grant):
    grant = make_grant()
    accounts = ledger.accounts_of(grant.id)
    journal_id = ledger.post(grant.id, "test", [ledger.Transfer(accounts[(AccountKind.PAID, "F1", 2021)],
                                                             accounts[(AccountKind.APPROVED, "F1", 2021)], 1)],
                          value_date=date(2021, 1, 1), source_type="test")
    db.session.commit()
    same = accounts[(AccountKind.PAID, "F1", 2021)]
    for values in ({"debit_account_id": same, "credit_account_id": same, "amount_cents": 5},
                   {"debit_account_id": same, "credit_account_id": accounts[(AccountKind.APPROVED, "F1", 2021)],
                    "amount_cents": -5}):
        with pytest.raises(IntegrityError):
            db.session.execute(insert(LedgerEntry).values(journal_id=journal_id, **values))
            db.session.flush()
        db.session.rollback()
    assert any("aus den Belegen" in p for p in verify_ledger())  # the test posting has no source record


def test_commitment_changes_are_booked_and_cannot_drop_below_what_was_used(app, make_user, make_grant):
    grant = make_grant(lines={("F1", 2021): 1_000_000})
    kommune, finance = make_user("kommune"), make_user("finance")
    with clock.freeze(date(2021, 5, 1)):
        drawdown = services.request_drawdown(grant, module="F1", amount_cents=600_000, purpose="x", actor=kommune)
        services.decide_drawdown(drawdown, "approve", actor=finance)
        services.pay_drawdown(drawdown, actor=make_user("finance"), value_date=date(2021, 5, 2), reference="KZ")
        services.record_expense(grant, actor=kommune, module="F1", expense_date=date(2021, 4, 1), amount_cents=700_000)
        db.session.commit()
    with pytest.raises(ValidationFailed) as refused:  # below the payment; the grant share earned is 5,600 €
        make_grant(lines={("F1", 2021): 590_000})
    message = refused.value.errors["lines"][0]
    assert "F1/2021" in message and "6.000,00" in message and "5.600,00" in message
    db.session.rollback()
    make_grant(lines={("F1", 2021): 700_000, ("F2", 2022): 50_000}, rate_bp=9000)  # amendment and new rate
    assert services.used_by_line(grant) == {
        ("F1", 2021): {"paid": 600_000, "bound": 600_000, "spent": 700_000, "earned": 630_000},
        ("F2", 2022): {"paid": 0, "bound": 0, "spent": 0, "earned": 0}}
    assert ledger.balances_of(grant.id)[(AccountKind.EARNED, "F1", 2021)] == -630_000
    assert verify_ledger() == []


def test_verify_ledger_command_on_a_clean_ledger(app, make_grant):
    make_grant()
    runner = app.test_cli_runner()
    clean = runner.invoke(main, ["verify-ledger"])
    assert clean.exit_code == 0 and "keine Abweichungen" in clean.output


def test_verify_ledger_finds_differences(app, make_grant):
    grant = make_grant()
    account = ledger.accounts_of(grant.id)[(AccountKind.AVAILABLE, "F1", 2021)]
    db.session.execute(update(LedgerBalance).where(LedgerBalance.account_id == account)
                       .values(balance_cents=LedgerBalance.balance_cents + 1))
    db.session.commit()
    result = app.test_cli_runner().invoke(main, ["verify-ledger"])
    assert result.exit_code == 1
    assert "Saldo 10000001, aus dem Journal 10000000" in result.output


def test_interest_command_text_and_json(app):
    runner = app.test_cli_runner()
    text = runner.invoke(main, ["interest", "--amount", "10000.00", "--from", "2021-03-15", "--to", "2023-09-30"])
    assert text.exit_code == 0
    assert "657 Tage × 4,12\u00a0%" in text.output and "Zinsen insgesamt: 1.272,32" in text.output
    result = runner.invoke(main, ["interest", "--amount", "10000.00", "--from", "2021-03-15", "--to", "2023-09-30",
                                  "--points", "5", "--format", "json"])
    data = json.loads(result.output)
    assert data["interest"] == "1272.32" and data["day_count"] == "act/365"
    assert [p["interest"] for p in data["periods"]] == ["741.60", "328.28", "202.44"]
    assert data["periods"][0] == {"from": "2021-03-15", "to": "2022-12-31", "days": 657, "base_rate": "-0.88",
                                  "rate": "4.12", "interest": "741.60"}
    bad = runner.invoke(main, ["interest", "--amount", "1,5", "--from", "2021-03-15", "--to", "2023-09-30"])
    assert bad.exit_code != 0 and "Betrag" in bad.output
    beyond = runner.invoke(main, ["interest", "--amount", "1.00", "--from", "2026-01-01", "--to", "2026-12-01"])
    assert beyond.exit_code != 0 and "kein Basiszinssatz hinterlegt" in beyond.output

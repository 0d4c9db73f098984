"""Fixtures of the results tests: per-module entries stored as app.grants stores them."""

from __future__ import annotations

import pytest

from app.grants.models import ParticipantCount
from app.platform import clock
from app.platform.extensions import db
from app.reference.services import get_programme, kommune_by_ags

KOELN, KLEVE = "05315", "05154"


@pytest.fixture()
def entries(app):
    """``entries(ags, year, quarter, module, female=…, male=…)`` stores one quarter of one module."""

    def store(ags: str, year: int, quarter: int, module: str, **by_gender: int) -> None:
        for gender, count in by_gender.items():
            db.session.add(ParticipantCount(programme_id=get_programme().id, kommune_id=kommune_by_ags(ags).id,
                                            module_code=module, year=year, quarter=quarter, gender=gender,
                                            entered=count, updated_at=clock.now()))
        db.session.commit()

    return store


@pytest.fixture()
def interim_grant(app):
    """``interim_grant(ags)``: a Kommune grant with lines 2020–2023 (interim proofs due for 2020–2022) and, in
    2021, a paid drawdown and two expenses, so the 2021 figures are known to the cent."""
    from datetime import date

    from app.auth.services import create_user
    from app.budgets import services as budgets

    def factory(ags: str = KOELN, *, with_money: bool = True):
        kommune = kommune_by_ags(ags)
        with clock.freeze(date(2020, 6, 15)):
            grant = budgets.set_commitment(
                programme_id=get_programme().id, source=f"application:{ags}", reference=f"DS-{ags}",
                recipient_kind="kommune", kommune_id=kommune.id, funding_rate_bp=8000, start_date=date(2020, 7, 1),
                last_expense_date=date(2023, 6, 30), actor=None,
                lines={("F1", 2020): 1_000_000, ("F1", 2021): 2_000_001, ("F2", 2021): 999_999, ("F1", 2022): 500_000,
                       ("F1", 2023): 100_000})
        if with_money:
            kommune_user = create_user(email=f"k{ags}@money.nrw", name="K", password="Test-Passwort-123",
                                       role="kommune", kommune_ags=ags, actor_label="test")
            finance = create_user(email=f"f{ags}@money.nrw", name="F", password="Test-Passwort-123", role="finance",
                                  actor_label="test")
            payer = create_user(email=f"p{ags}@money.nrw", name="P", password="Test-Passwort-123", role="finance",
                                actor_label="test")
            with clock.freeze(date(2021, 3, 1)):
                drawdown = budgets.request_drawdown(grant, module="F1", amount_cents=400_001, purpose="Coaching",
                                                    actor=kommune_user)
                budgets.decide_drawdown(drawdown, "approve", actor=finance)
                budgets.pay_drawdown(drawdown, actor=payer, value_date=date(2021, 3, 1), reference="KZ-1")
            with clock.freeze(date(2021, 3, 15)):
                for cents in (150_001, 100_003):
                    budgets.record_expense(grant, actor=kommune_user, module="F1", expense_date=date(2021, 3, 15),
                                           amount_cents=cents)
        db.session.commit()
        return grant

    return factory

"""Budget fixtures: a grant for a Kommune through ``set_commitment`` (as the grants domain creates it)."""

from __future__ import annotations

from datetime import date

import pytest

from app.budgets import hearings, services, settlement
from app.platform import clock
from app.platform.extensions import db
from app.reference.services import get_programme, kommune_by_ags

LINES = {("F1", 2021): 10_000_000, ("F2", 2021): 5_000_000, ("F1", 2022): 10_000_000, ("F4", 2022): 2_000_000,
         ("F1", 2023): 1_000_000}


def payer_for(approver):
    """A finance user other than ``approver`` (four eyes: who approved a drawdown may not pay it)."""
    from sqlalchemy import select

    from app.auth.models import Role, User
    from app.auth.services import create_user

    other = db.session.scalar(select(User).where(User.role == Role.FINANCE, User.id != approver.id))
    return other or create_user(email="zahlstelle@test.nrw", name="Zahlstelle", password="Test-Passwort-123",
                                role="finance", actor_label="test")


@pytest.fixture()
def make_grant(app):
    from app.budgets.services import set_commitment

    def factory(ags: str = "05315", lines=None, source: str | None = None, rate_bp: int = 8000):
        kommune = kommune_by_ags(ags)
        with clock.freeze(date(2020, 6, 15)):  # granted before its start, as the grants domain does
            grant = set_commitment(programme_id=get_programme().id, source=source or f"application:{ags}",
                                   reference=f"DS-{ags}", recipient_kind="kommune", kommune_id=kommune.id,
                                   funding_rate_bp=rate_bp, start_date=date(2020, 7, 1),
                                   last_expense_date=date(2023, 6, 30),
                                   lines=dict(LINES if lines is None else lines), actor=None)
        db.session.commit()
        return grant

    return factory


def heard(grant, admin, recipient):
    """The Anhörung a reclaiming final decision needs (§ 28 VwVfG), where it needs one: opened by ``admin``,
    commented on by ``recipient`` the same day, so that ``decide_final`` may follow at once."""
    if not settlement.intended_outcome(grant).takes_money_back:
        return None
    hearing = hearings.open_hearing(grant, actor=admin)
    return hearings.submit_comment(hearing, comment="Keine Einwände.", actor=recipient)


def overpaid_grant(make_grant, kommune, finance):
    """Köln: 4.000 € paid on 01.03.2022, 2.500 € spent (80 % = 2.000 €), proof of use on 10.07.2023: the final
    decision would fix 2.000 € and reclaim 2.000 € (no § 49a Abs. 4 interest: all used in the period)."""


    grant = make_grant(lines={("F1", 2022): 1_000_000})
    with clock.freeze(date(2022, 3, 1)):
        drawdown = services.request_drawdown(grant, module="F1", amount_cents=400_000, purpose="Coaching",
                                             actor=kommune)
        services.decide_drawdown(drawdown, "approve", actor=finance)
        services.pay_drawdown(drawdown, actor=payer_for(finance), value_date=date(2022, 3, 1), reference="KZ-1")
    with clock.freeze(date(2022, 3, 15)):
        for cents in (150_000, 100_000):
            services.record_expense(grant, actor=kommune, module="F1", expense_date=date(2022, 3, 15),
                                    amount_cents=cents)
    with clock.freeze(date(2023, 7, 10)):
        settlement.submit_proof(grant, narrative="Sachbericht", confirmed=True, actor=kommune)
    db.session.commit()
    return grant

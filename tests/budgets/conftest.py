"""Budget fixtures: a grant for a Kommune through ``set_commitment`` (as the grants domain creates it)."""

from __future__ import annotations

from datetime import date

import pytest

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

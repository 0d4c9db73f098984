"""Shared set-up of the role browser tests: a small programme story and a login helper."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from playwright.sync_api import expect

from app.allocation import demo as allocation_demo
from app.budgets import services as budget_services
from app.budgets.services import set_commitment
from app.platform import clock
from app.platform.extensions import db
from app.reference.services import get_programme, kommune_by_ags
from tests.conftest import PASSWORD

LINES = {("F1", 2021): 10_000_000, ("F2", 2021): 5_000_000, ("F1", 2022): 10_000_000, ("F4", 2022): 2_000_000,
         ("F1", 2023): 1_000_000}
DAY = date(2022, 6, 15)


def build_story(make_user) -> SimpleNamespace:
    """Ceilings for all 53 Kommunen, grants for Köln and Kleve with expenses and one drawdown each, a user per role."""
    users = {role: make_user(role, **({"kommune_ags": "05315"} if role == "kommune" else {}))
             for role in ("programme_admin", "finance", "auditor", "reviewer", "organisation", "kommune")}
    allocation_demo.seed(SimpleNamespace(users={"admin@demo.nrw": users["programme_admin"]}, programme=get_programme()))
    grants = {}
    for ags in ("05315", "05154"):
        kommune = kommune_by_ags(ags)
        grants[ags] = set_commitment(programme_id=get_programme().id, source=f"application:{ags}",
                                     reference=f"DS-{ags}", recipient_kind="kommune", kommune_id=kommune.id,
                                     funding_rate_bp=8000, start_date=date(2020, 7, 1),
                                     last_expense_date=date(2023, 6, 30), lines=dict(LINES), actor=None)
    with clock.freeze(date(2021, 3, 1)):
        for ags, grant in grants.items():
            actor = SimpleNamespace(id=None, email="test", role="kommune", kommune_id=grant.kommune_id,
                                    organisation_id=None)
            rows = [{"module_code": "F1", "budget_year": 2021, "expense_date": date(2021, 2, d), "amount_cents": 250_00,
                     "units_centi": None, "rate_code": None, "voucher_ref": f"BELEG-{ags}-{d}",
                     "description": f"Kurs {ags} (synthetisch)"} for d in range(1, 21)]
            budget_services.import_expenses(grant, rows, actor=actor, filename="t.csv")
            budget_services.request_drawdown(grant, module="F1", amount_cents=1_000_00, purpose=f"Zweck-{ags}",
                                             actor=actor)
    db.session.commit()
    return SimpleNamespace(users=users, grants={ags: g.id for ags, g in grants.items()},
                           emails={role: u.email for role, u in users.items()})


def login(page, base: str, email: str) -> None:
    page.goto(base + "/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Guten Tag")


def logout(page) -> None:
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("heading", name="Anmelden")).to_be_visible()

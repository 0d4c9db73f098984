"""Demo budgets (synthetic, marked as such): drawdowns, payments and expenses up to the demo day.

Runs after the allocation and grants seeds. Uses the Kommune grants they created; if there are
none, it creates its own for a dozen Kommunen through ``set_commitment``. Three Kommunen spend
slowly, so the state-wide status shows them at risk. Activity runs until the demo day or the last
expense day (30.06.2023); after the deadline the Kommunen submit their proofs of use (all but the
last one, whose proof is still due), the administration decides the first ones, and where more was
paid than earned (the slow spenders) a reclaim with interest is opened.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

from sqlalchemy import select

from ..auth.models import Role
from ..platform import clock
from ..platform.errors import ValidationFailed
from ..platform.extensions import db
from ..reference.models import Kommune
from . import reconciliation, services
from .models import Grant, RecipientKind

DEMO_AGS = ["05315", "05154", "05711", "05111", "05113", "05913", "05334", "05358", "05512", "05562", "05754",
            "05970"]
SLOW = {"05154", "05316", "05512", "05970"}
MARK = "(synthetisch)"


def _own_grants(context) -> list[Grant]:
    grants = []
    programme = context.programme
    for index, ags in enumerate(DEMO_AGS):
        kommune = db.session.scalar(select(Kommune).where(Kommune.ags == ags))
        if kommune is None:
            continue
        base = 120_000_00 + index * 17_500_00
        lines = {}
        for year, share in ((2020, 2), (2021, 4), (2022, 4), (2023, 2)):
            for module, weight in (("F1", 4), ("F2", 3), ("F3", 1), ("F4", 2)):
                lines[(module, year)] = base * share * weight // 120
        with clock.freeze(date(2020, 6, 15)):
            grants.append(services.set_commitment(
                programme_id=programme.id, source=f"demo:{ags}", reference=f"DS-DEMO-{ags}",
                recipient_kind=RecipientKind.KOMMUNE, kommune_id=kommune.id, funding_rate_bp=programme.funding_rate_bp,
                start_date=date(2020, 7, 1), last_expense_date=programme.last_expense_date, lines=lines))
    return grants


def seed(context) -> None:
    grants = list(db.session.scalars(select(Grant).where(Grant.recipient_kind == RecipientKind.KOMMUNE)))
    if not grants:
        grants = _own_grants(context)
    finance = context.users.get("finanzen@demo.nrw")
    payer = context.users.get("zahlstelle@demo.nrw", finance)  # four eyes: approver and payer differ
    rng = random.Random(2020)  # noqa: S311 - synthetic demo data, deterministic
    for grant in grants:
        ags = grant.kommune.ags if grant.kommune else ""
        actor = SimpleNamespace(id=None, email=f"seed-demo {MARK}", role=Role.KOMMUNE, kommune_id=grant.kommune_id,
                                organisation_id=None)
        pace_percent = 35 if ags in SLOW else rng.randint(140, 155)  # spend pace, % of the need
        day = max(grant.start_date, date(2020, 9, 1))
        while day < context.day and day <= grant.last_expense_date:
            with clock.freeze(day):
                _month(grant, day, actor, (finance, payer), pace_percent, rng)
            day = (day.replace(day=1) + timedelta(days=62)).replace(day=1)
        db.session.flush()


def settle(context) -> None:
    """The second pass (``app/demo.py``): the settlement after every domain has booked its part, so that what
    the measures demo forwards to providers in 2021 is spending the proof of use accounts for."""
    grants = list(db.session.scalars(select(Grant).where(Grant.recipient_kind == RecipientKind.KOMMUNE)))
    finance = context.users.get("finanzen@demo.nrw")
    _settle(context, grants, context.users.get("zahlstelle@demo.nrw", finance))
    # a stored check, so that /budgets/abgleich shows a result (issue #19): the night before the demo day
    with clock.freeze(datetime.combine(context.day, time(2, 0), tzinfo=clock.BERLIN)):
        reconciliation.run_check(full=True, actor_label=f"seed-demo {MARK}")


def _settle(context, grants: list[Grant], payer) -> None:
    """After the last expense day: proofs of use, final decisions for the first half, reclaims if overpaid,
    final payments paid twenty days after the decision where that day has come (the latest are still open)."""
    admin = context.users.get("admin@demo.nrw")
    for index, grant in enumerate(sorted(grants, key=lambda g: g.reference)):
        submitted_on = grant.last_expense_date + timedelta(days=14 + 2 * index)
        if submitted_on >= context.day or index == len(grants) - 1:
            continue  # the last Kommune's proof of use is still due
        actor = SimpleNamespace(id=None, email=f"seed-demo {MARK}", role=Role.KOMMUNE, kommune_id=grant.kommune_id,
                                organisation_id=None)
        with clock.freeze(submitted_on):
            services.submit_proof(grant, narrative=f"Sachbericht {MARK}: Kurse, Coaching und Begleitung wie "
                                    f"beantragt durchgeführt.", confirmed=True, actor=actor)
        decided_on = submitted_on + timedelta(days=21)
        if admin is None or decided_on >= context.day or index >= len(grants) // 2 + 2:
            continue
        with clock.freeze(submitted_on + timedelta(days=3)):  # a reclaim is heard first; the deadline expires
            if services.intended_outcome(grant).takes_money_back:
                services.open_hearing(grant, actor=admin)
        with clock.freeze(decided_on):
            services.decide_final(grant, actor=admin)
        paid_on = decided_on + timedelta(days=20)
        if payer is None or paid_on >= context.day:
            continue
        with clock.freeze(paid_on):
            for order in services.final_payment_orders(grant):
                services.pay_drawdown(order, actor=payer, value_date=paid_on, reference=f"KZ-DEMO-S{order.id}")
    db.session.flush()


def _month(grant: Grant, day: date, actor, staff: tuple, pace_percent: int, rng: random.Random) -> None:
    """Two months of activity: a drawdown per module (approved, paid) and the expenses of those months."""
    finance, payer = staff
    for line in grant.lines:
        if line.budget_year != day.year or not line.approved_cents:
            continue
        months_in_year = 12 if day.year > 2020 else 6
        need = line.approved_cents * 2 // months_in_year
        expenses = need * 100 // 80 * pace_percent // 100
        rows = []
        for number in range(4):
            expense_day = day - timedelta(days=rng.randint(1, 55))
            if expense_day < grant.start_date or expense_day.year != day.year:
                continue
            rows.append({"module_code": line.module_code, "budget_year": expense_day.year,
                         "expense_date": expense_day, "amount_cents": expenses // 4, "units_centi": None,
                         "rate_code": None, "voucher_ref": f"DEMO-{grant.id}-{line.module_code}-{day:%y%m}-{number}",
                         "description": f"Kursgebühren und Honorare {MARK}"})
        rows = [r for r in rows if r["amount_cents"] > 0]
        if rows:
            services.import_expenses(grant, rows, actor=actor, filename=f"demo {MARK}")
        if finance is None or need <= 0:
            continue
        try:
            drawdown = services.request_drawdown(grant, module=line.module_code, amount_cents=need,
                                                 purpose=f"Bedarf der nächsten zwei Monate {MARK}", actor=actor)
        except ValidationFailed:  # the limit is reached: the demo simply stops calling funds
            continue
        services.decide_drawdown(drawdown, "approve", actor=finance)
        services.pay_drawdown(drawdown, actor=payer, value_date=day + timedelta(days=3),
                              reference=f"KZ-DEMO-{drawdown.id}")

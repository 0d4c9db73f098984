"""Demo data of the grants domain (synthetic, marked as such), built through the real services.

Runs after the allocation demo has published ceilings. 15 Kommunen: 10 approved with a decision
(Köln also with an approved amendment shifting money from F2 to F4, Kleve with a submitted
amendment, rejected on 15.07.2022 when the demo day is later), one each in draft, submitted, changes
requested, rejected and withdrawn; participant counts for the approved ones (about three quarters men,
as in the real programme). F6: every Kommune with published positions holds an F6 grant with monthly
staffing reports.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from ..auth.models import User
from ..auth.passwords import DEMO_PASSWORD
from ..auth.services import create_user
from ..platform import clock
from ..platform.clock import BERLIN
from ..platform.extensions import db
from ..platform.money import split_largest_remainder
from ..reference.models import Kommune
from ..reference.services import list_kommunen
from . import decisions, f6, participants, services
from .content import Content
from .models import GENDERS

MODULE_WEIGHTS = {"F1": 30, "F2": 30, "F3": 10, "F4": 25}
YEAR_WEIGHTS = {2020: 15, 2021: 30, 2022: 35, 2023: 20}
DEMO_KOMMUNEN = {"05315": "approved_amended", "05154": "approved_amending", "05711": "changes_requested"}
OTHER_STATES = ["approved"] * 8 + ["draft", "submitted", "rejected", "withdrawn"]


# Kleve's amendment waits for a decision on the default demo day (15.06.2022); on later days it is rejected.
AMENDMENT_REJECTED_ON = date(2022, 7, 15)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 30), tzinfo=BERLIN)


def _plan(ceiling_cents: int, share_percent: int = 95) -> dict[tuple[str, int], int]:
    euros = ceiling_cents * share_percent // 100 // 100
    keys = [(m, y) for m in MODULE_WEIGHTS for y in YEAR_WEIGHTS]
    weights = [MODULE_WEIGHTS[m] * YEAR_WEIGHTS[y] for m, y in keys]
    return {key: part * 100 for key, part in zip(keys, split_largest_remainder(euros, weights), strict=True) if part}


def _content(kommune: Kommune, user: User, lines: dict) -> Content:
    return Content(lines=lines, participants={"F1": 60, "F2": 45, "F3": 20, "F4": 70},
                   measures=f"(synthetisch) Coaching, berufsbegleitende Sprachförderung und Jugendintegrationskurse "
                            f"in {kommune.display_name}.",
                   contact_name=user.name, contact_email=user.email, contact_phone="0211 000000")


def _user_for(context, kommune: Kommune) -> User:
    existing = db.session.scalar(select(User).where(User.kommune_id == kommune.id, User.role == "kommune"))
    if existing is not None:
        return existing
    return create_user(email=f"antrag-{kommune.ags}@demo.nrw", name=f"Demo {kommune.display_name} (synthetisch)",
                       password=DEMO_PASSWORD, role="kommune", kommune_ags=kommune.ags, actor_label="seed-demo")


def _report_day(start: date, day: date) -> date:
    """When a quarter's counts were reported: ten days after the quarter, at the latest the day before the
    demo day (the quarter in progress), so demo entries sort below whatever a person does on the demo day."""
    after_quarter = (start.replace(day=1) + timedelta(days=95)).replace(day=10)
    return max(start, min(after_quarter, day - timedelta(days=1)))


def _counts(user: User, rng: random.Random, day: date) -> None:
    for year in (2020, 2021, 2022):
        for quarter in (1, 2, 3, 4):
            start = participants.quarter_start(year, quarter)
            if start < date(2020, 7, 1) or start > day:
                continue
            with clock.freeze(_at(_report_day(start, day))):
                _report(user, rng, year, quarter)


def _report(user: User, rng: random.Random, year: int, quarter: int) -> None:
    for module in ("F1", "F2", "F4"):
        entered = rng.randint(8, 40)
        women = round(entered * rng.uniform(0.2, 0.34))
        diverse = 1 if rng.random() < 0.05 else 0
        split = {"female": women, "male": entered - women - diverse, "diverse": diverse, "not_stated": 0}
        counts = {g: {"entered": split[g], "primary_target": round(split[g] * 0.8),
                      "exited": split[g] // 8, "finished": split[g] // 3} for g in GENDERS}
        participants.report_quarter(user, module=module, year=year, quarter=quarter, counts=counts)


def seed(context) -> None:
    programme = context.programme
    admin = context.users.get("admin@demo.nrw")
    if admin is None:
        return
    kommunen = [k for k in db.session.scalars(select(Kommune).order_by(Kommune.ags))
                if services.ceiling_cents(programme.id, k.id) is not None]
    if not kommunen:
        return  # no published allocation: nothing to apply for
    by_ags = {k.ags: k for k in kommunen}
    plan = [(by_ags[ags], state) for ags, state in DEMO_KOMMUNEN.items() if ags in by_ags]
    others = [k for k in kommunen if k.ags not in DEMO_KOMMUNEN]
    plan += list(zip(others[::3], OTHER_STATES, strict=False))
    rng = random.Random(2020)
    for index, (kommune, state) in enumerate(plan):
        user = _user_for(context, kommune)
        ceiling = services.ceiling_cents(programme.id, kommune.id)
        lines = _plan(ceiling, 90 + index % 10)
        with clock.freeze(_at(date(2020, 2, 3 + index))):
            application = services.create_application(user, programme)
            services.save_draft(application.id, user, _content(kommune, user, lines))
        if state == "draft":
            continue
        with clock.freeze(_at(date(2020, 3, 2 + index))):
            services.submit(application.id, user)
        if state == "submitted":
            continue
        if state == "changes_requested":
            with clock.freeze(_at(date(2020, 4, 1 + index))):
                services.request_changes(application.id, admin, "Bitte die Maßnahmen in F2 genauer beschreiben "
                                                                "(Zielgruppe, Umfang, Träger).")
            continue
        if state == "withdrawn":
            with clock.freeze(_at(date(2020, 4, 1 + index))):
                services.withdraw(application.id, user)
            continue
        if state == "rejected":
            with clock.freeze(_at(date(2020, 5, 4 + index))):
                decisions.reject(application.id, admin, "(synthetisch) Die Maßnahmen sind nicht förderfähig.")
            continue
        with clock.freeze(_at(date(2020, 5, 4 + index))):
            decisions.approve(application.id, admin, comment="(synthetisch) Demo-Bescheid.")
        _counts(user, rng, context.day)
        if state in ("approved_amended", "approved_amending"):
            committed = services.committed_lines(application)
            shift = min(committed.get(("F2", 2022), 0), 5_000_000)
            shifted = dict(committed)
            shifted[("F2", 2022)] = committed.get(("F2", 2022), 0) - shift
            shifted[("F4", 2022)] = committed.get(("F4", 2022), 0) + shift
            content = _content(kommune, user, shifted)
            content.justification = ("(synthetisch) Mehr Bedarf an Jugendintegrationskursen (F4) "
                                     "als an Qualifizierung (F2).")
            with clock.freeze(_at(date(2022, 3, 1))):
                amendment = services.create_amendment(application.id, user)
                services.save_draft(amendment.id, user, content)
                services.submit(amendment.id, user)
            if state == "approved_amended":
                with clock.freeze(_at(date(2022, 4, 4))):
                    decisions.approve(amendment.id, admin, comment="(synthetisch) Budgetumschichtung F2 → F4.")
            elif context.day >= AMENDMENT_REJECTED_ON:  # decided before the proof of use, as it must be
                with clock.freeze(_at(AMENDMENT_REJECTED_ON)):
                    decisions.reject(amendment.id, admin, "(synthetisch) Die Mittel in F2 sind nicht ausgeschöpft; "
                                                          "eine Umschichtung ist nicht erforderlich.")
    db.session.flush()
    _seed_f6(context, admin)


# F6 (docs/f6.md): every Kommune applies for its published positions, as in the real programme (106 positions
# in all). The three demo Kommunen have their own story (Kleve half a position); months with vacancies
# (synthetic) reduce what counts. The other Kommunen get 0–4 vacant months from a seeded random draw.
F6_DEMO = {"05315": (None, 480_000, {date(2021, 1, 1), date(2021, 2, 1), date(2022, 8, 1)}),
           "05154": ("0.5", 450_000, {date(2022, 5, 1), date(2022, 6, 1)}),  # Kleve asks for less than its share
           "05711": (None, 470_000, {date(2021, m, 1) for m in range(1, 5)})}  # None: the published share
F6_MONTHLY_CENTS = (440_000, 460_000, 480_000, 500_000)  # personnel cost per FTE and month, synthetic


def _f6_plan(kommune: Kommune, published_halves: int, rng: random.Random) -> tuple[Decimal, int, set[date]]:
    """Positions, cost per FTE-month and vacant months of one Kommune's F6 application."""
    if kommune.ags in F6_DEMO:
        positions, monthly, vacant = F6_DEMO[kommune.ags]
        share = Decimal(published_halves) / 2
        return min(Decimal(positions), share) if positions else share, monthly, vacant
    first_vacant = date(2021, rng.randint(1, 12), 1)
    vacant = {(first_vacant + timedelta(days=31 * n)).replace(day=1) for n in range(rng.randint(0, 4))}
    return Decimal(published_halves) / 2, rng.choice(F6_MONTHLY_CENTS), vacant


def _seed_f6(context, admin) -> None:
    programme = context.programme
    if context.day <= date(2020, 12, 7) or admin is None:
        return
    rng = random.Random(106)  # noqa: S311 - synthetic demo data, deterministic
    for kommune in list_kommunen():
        published = f6.published_halves(programme.id, kommune.id)
        if not published:
            continue  # no positions version published (a demo without the allocation's), or no share
        positions, monthly, vacant = _f6_plan(kommune, published, rng)
        user = _user_for(context, kommune)
        with clock.freeze(_at(date(2020, 11, 16))):
            application = f6.save_f6(user, programme, positions=positions, cost_mode="rate",
                                     monthly_cost_cents=monthly,
                                     description="(synthetisch) Teilhabemanagement für Geduldete und Gestattete.")
            f6.submit_f6(application.id, user)
        with clock.freeze(_at(date(2020, 12, 7))):
            f6.approve_f6(application.id, admin, "(synthetisch) Demo-Bescheid F6.")
        for month in f6.months(application):
            reported = month.replace(day=10) + timedelta(days=25)
            if reported >= context.day:
                break
            filled = 0 if month in vacant else application.positions_halves * 50
            with clock.freeze(_at(reported)):
                f6.report_staffing(application.id, user, month=month, filled_centi=filled,
                                   note="(synthetisch) Stelle unbesetzt" if month in vacant else "")
    db.session.flush()

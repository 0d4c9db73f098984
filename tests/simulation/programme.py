"""A whole-programme simulation: all 53 Kommunen and a few Innovationsfonds projects from the allocation to
the settlement, driven through the service functions with seeded random but realistic behaviour.

* ``plan(seed)`` draws the steps as plain data (day, action, who, parameters). Amounts are shares of what
  the state allows at run time, so any sub-list of a plan can be replayed: a step that the state no longer
  allows is refused by the service like a user's wrong input (and must change nothing).
* ``run(world, steps)`` executes them one by one, each in its own transaction at its own day on the
  settable clock, and checks the invariants after every step (``verify-ledger`` after every simulated
  month and at the end, because it recomputes the whole journal).
* ``shrink(seed, steps, failing)`` removes chunks of steps while the failure persists (delta debugging),
  so that a failure is reported with its seed and the shortest step list found.

Invariants (issue #13): the ceilings add up to the pool; commitments never exceed the pool nor any
Kommune's ceiling; no grant pays more than it approves; every final decision follows the final grant rule
(``app.budgets.final_grant``); every final decision that opens a reclaim rests on a hearing (§ 28 VwVfG) on
exactly its figures that was commented on or had expired before; after settlement paid - repaid = final grant
for every grant and its lines still approve what the final decision settled (amendments after the proof of
use are refused); the
Innovationsfonds commitments stay within its budget; no voucher is booked twice (the same upload twice);
``verify_ledger()`` finds nothing (also after reversals). Measures (issue #17): every Kommune runs one measure
with a consented forwarding contract, pays its provider and ties expenses of its own to the measure; an expense
names only a measure of its grant's Kommune in its module, every payment to a provider is the one expense of
that contract's measure, and no contract pays more than its amount.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from app.allocation import keydata
from app.allocation import services as allocation
from app.allocation.models import AllocationStatus, AllocationVersion, Ceiling
from app.auth.models import Role, User
from app.budgets import services as budgets
from app.budgets import status as budget_status
from app.budgets.core.posting import earned_grant
from app.budgets.models import (
    Drawdown,
    DrawdownKind,
    DrawdownStatus,
    Expense,
    ExpenseDaily,
    ExpenseImport,
    ExpensePeriod,
    Grant,
    GrantLine,
    Hearing,
    HearingStatus,
    ProofOfUse,
    ProofStatus,
    Reclaim,
    ReclaimStatus,
    period_start,
)
from app.budgets.verify import verify_ledger
from app.grants import decisions, f6
from app.grants import services as grants
from app.grants.content import Content
from app.grants.models import Application, ApplicationKind, ApplicationStatus, F6Application
from app.main import insights
from app.measures import forwarding
from app.measures import services as measures
from app.measures.models import ForwardingContract, Measure, ProviderPayment
from app.platform import clock
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.platform.money import split_largest_remainder
from app.reference.models import Kommune, Organisation
from app.reference.services import get_programme

MODULES = ("F1", "F2", "F3", "F4")
YEARS = (2020, 2021, 2022, 2023)
PROJECTS = 5
DATASET = "app/reference/data/nrw_gemeinden.csv"


@dataclass(frozen=True)
class Step:
    day: date
    action: str
    who: str  # AGS of a Kommune, "P<n>" for a project, "" for the administration
    params: tuple = ()

    def __str__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.params)
        return f"{self.day.isoformat()} {self.action} {self.who} {args}".strip()

    def get(self, name: str, default=None):
        return dict(self.params).get(name, default)


@dataclass
class World:
    programme: object
    admin: User
    finance: User
    payer: User
    kommune_users: dict[str, User] = field(default_factory=dict)  # by AGS
    project_users: dict[str, User] = field(default_factory=dict)  # by "P<n>"
    refused: int = 0
    # refusals per action; a "drawdown" is refused among others while earlier payments of its module stay
    # unspent past their need period (docs/budgets.md), as a Kommune's request would be
    refused_by_action: Counter = field(default_factory=Counter)
    done: int = 0
    last_upload: tuple[str, list[dict], bytes] | None = None  # (who, rows, file) of the latest expense upload


class InvariantBroken(AssertionError):
    def __init__(self, index: int, step: Step | None, problems: list[str]) -> None:
        self.index, self.step, self.problems = index, step, problems
        super().__init__(f"after step {index} ({step}): " + "; ".join(problems[:5]))


# --------------------------------------------------------------------------- the world


def _user(email: str, role: Role, **ids) -> User:
    user = User(email=email, name=email.split("@")[0], password_hash="!", role=role, active=True,  # noqa: S106
                created_at=clock.now(), **ids)
    db.session.add(user)
    return user


def build_world() -> World:
    """Reference data is loaded by the test fixtures; this adds the key data set, users and a published
    allocation over all 53 Kommunen, and the organisations of the Innovationsfonds projects."""
    programme = get_programme()
    with clock.freeze(date(2020, 5, 15)):
        admin = _user("admin@sim.nrw", Role.PROGRAMME_ADMIN)
        world = World(programme, admin, _user("finanzen@sim.nrw", Role.FINANCE),
                      _user("zahlstelle@sim.nrw", Role.FINANCE))
        for kommune in db.session.scalars(select(Kommune).order_by(Kommune.ags)):
            world.kommune_users[kommune.ags] = _user(f"k{kommune.ags}@sim.nrw", Role.KOMMUNE, kommune_id=kommune.id)
        provider = Organisation(name="Simulierte VHS", kind="education_provider", is_public_body=True)
        db.session.add(provider)
        db.session.flush()
        measures.set_provider_profile(admin, {"organisation_id": provider.id, "kind": "vhs"})
        for number in range(1, PROJECTS + 1):
            organisation = Organisation(name=f"Simulierter Träger {number}", kind="club")
            db.session.add(organisation)
            db.session.flush()
            world.project_users[f"P{number}"] = _user(f"p{number}@sim.nrw", Role.ORGANISATION,
                                                      organisation_id=organisation.id)
        db.session.flush()
        text = (Path(__file__).resolve().parents[2] / DATASET).read_text(encoding="utf-8")
        dataset = keydata.import_dataset(kind="gemeinden", name="Destatis 2019", reference_date=date(2019, 12, 31),
                                         source="Destatis GV-ISys", text=text, actor=admin)
        version = allocation.create_version(programme, actor=admin, pool_cents=programme.pool_cents,
                                            key_dataset_id=dataset.id, title="Simulation")
        allocation.publish_version(version, actor=admin)
        counts = "\n".join(["ags,count"] + [f"{ags},{(i * 37) % 400 + 10}"
                                             for i, ags in enumerate(world.kommune_users)])
        count_set = keydata.import_dataset(kind="counts", name="Geduldete (Simulation)", text=counts,
                                           reference_date=date(2019, 12, 31), source="Simulation", actor=admin)
        positions = allocation.create_positions_version(programme, actor=admin, dataset_id=count_set.id)
        allocation.publish_positions_version(positions, actor=admin)
        db.session.commit()
    return world


# --------------------------------------------------------------------------- the plan


def _months():
    day = date(2020, 9, 1)
    while day <= date(2023, 6, 1):
        yield day
        day = (day + timedelta(days=32)).replace(day=1)


def plan(seed: int, *, kommunen: list[str], active_per_month: int = 8) -> list[Step]:
    """The steps of one simulated programme (deterministic for ``seed``)."""
    rng = random.Random(seed)  # noqa: S311 - a simulation, not security
    steps: list[Step] = []
    pace = {ags: rng.choice((55, 80, 100, 100, 110, 125, 140)) for ags in kommunen}  # % of plan spent
    for ags in kommunen:
        share = rng.choice((100, 100, 95, 80, 60))  # % of the ceiling applied for
        steps.append(Step(date(2020, 6, 15), "apply", ags, (("share", share), ("seed", rng.randrange(10**6)))))
        steps.append(Step(date(2020, 7, 1), "approve", ags, (("cut", rng.random() < 0.1),)))
    for number in range(1, PROJECTS + 1):
        steps.append(Step(date(2020, 12, 1), "project", f"P{number}", (("cents", rng.randrange(5, 40) * 1_000_000),)))
    recipients = kommunen + [f"P{n}" for n in range(1, PROJECTS + 1)]
    for month in _months():
        for who in rng.sample(recipients, min(active_per_month, len(recipients))):
            day = month + timedelta(days=rng.randrange(0, 20))
            steps.append(Step(day, "drawdown", who,
                              (("module", rng.choice(MODULES)), ("share", rng.randrange(10, 70)))))
            steps.append(Step(day + timedelta(days=2), "decide_drawdowns", who,
                              (("roll", rng.randrange(100)), ("cut_share", rng.randrange(50, 100)))))
            steps.append(Step(day + timedelta(days=4), "pay", who))
            steps.append(Step(day + timedelta(days=5), "expenses", who,
                              (("pace", pace.get(who, 100)), ("lines", rng.randrange(1, 4)),
                               ("seed", rng.randrange(10**6)))))
            if rng.random() < 0.05:
                steps.append(Step(day + timedelta(days=6), "expenses_again", who))  # the same upload twice
            if rng.random() < 0.04:
                steps.append(Step(day + timedelta(days=6), "reverse", who, (("seed", rng.randrange(10**6)),)))
            if who in pace and rng.random() < 0.06:
                steps.append(Step(day + timedelta(days=7), "amendment", who,
                                  (("kind", rng.choice(("shift", "shift", "reduce"))), ("share", rng.randrange(5, 40)),
                                   ("seed", rng.randrange(10**6)))))
            if who in pace and rng.random() < 0.03:
                steps.append(Step(day + timedelta(days=8), "give_back", who, (("share", rng.randrange(10, 160)),)))
        if month.month in (3, 9):
            steps.append(Step(month + timedelta(days=25), "redistribute", ""))
    measure_rng = random.Random(seed + 2)  # noqa: S311 - its own stream: the draws above stay as they were
    for ags in kommunen:
        steps.append(Step(date(2020, 8, 3), "measure", ags, (("places", measure_rng.randrange(0, 40)),)))
    for month in _months():
        for ags in measure_rng.sample(kommunen, min(4, len(kommunen))):
            day = month + timedelta(days=measure_rng.randrange(0, 20))
            steps.append(Step(day, measure_rng.choice(("forward", "measure_expense")), ags,
                              (("share", measure_rng.randrange(5, 60)), ("seed", measure_rng.randrange(10**6)))))
    f6_recipients = _plan_f6(seed, kommunen, steps)
    recipients += f6_recipients
    hearing_rng = random.Random(seed + 1)  # noqa: S311 - its own stream: the draws above stay as they were
    for who in recipients:
        steps.append(Step(date(2023, 7, 20), "proof", who))
        steps.append(Step(date(2023, 8, 20), "ineligible", who, (("count", rng.randrange(0, 3)),
                                                                  ("seed", rng.randrange(10**6)))))
        # a reclaim needs a hearing first: deadline 14 days, commented on or left to expire
        steps.append(Step(date(2023, 8, 25), "hearing", who))
        if hearing_rng.random() < 0.5:
            steps.append(Step(date(2023, 9, 1), "comment", who))
        if hearing_rng.random() < 0.1:  # a late finding changes the heard figures: decision refused, heard again
            steps.append(Step(date(2023, 9, 2), "ineligible", who, (("count", 1),
                                                                     ("seed", hearing_rng.randrange(10**6)))))
            steps.append(Step(date(2023, 9, 16), "hearing", who))
            steps.append(Step(date(2023, 10, 5), "final_decision", who))
        if not who.startswith("P") and hearing_rng.random() < 0.2:  # too late: the proof of use is in
            steps.append(Step(date(2023, 9, 20), "late_amendment", who, (("kind", "shift"), ("share", 1),
                                                                    ("seed", hearing_rng.randrange(10**6)))))
        steps.append(Step(date(2023, 9, 15), "final_decision", who))
        steps.append(Step(date(2023, 9, 25), "pay", who))
        steps.append(Step(date(2023, 10, 10), "repay", who, (("part", rng.choice((100, 100, 60))),)))
        steps.append(Step(date(2023, 11, 10), "repay", who, (("part", 100),)))
    return sorted(steps, key=lambda s: s.day)  # stable: same-day steps keep their drawn order


def _plan_f6(seed: int, kommunen: list[str], steps: list[Step]) -> list[str]:
    """F6 Teilhabemanagement (docs/f6.md) for five Kommunen, from its own random stream (the draws above stay
    as they were): application and decision, monthly staffing, drawdowns, payments and expenses of the F6 grant.
    Its recipient is "F6:<AGS>", so the settlement steps below run for it like for any grant."""
    rng = random.Random(seed + 3)  # noqa: S311
    chosen = sorted(rng.sample(kommunen, min(5, len(kommunen))))
    for ags in chosen:
        steps.append(Step(date(2020, 12, 1), "f6_apply", f"F6:{ags}",
                          (("share", rng.choice((100, 100, 50))), ("monthly", rng.randrange(3000, 6000) * 100))))
        steps.append(Step(date(2020, 12, 10), "f6_approve", f"F6:{ags}"))
    for month in _months():
        if month < date(2021, 1, 1):
            continue
        for ags in chosen:
            who = f"F6:{ags}"
            steps.append(Step(month + timedelta(days=1), "drawdown", who, (("module", "F6"), ("share", 8))))
            steps.append(Step(month + timedelta(days=2), "decide_drawdowns", who,
                              (("roll", rng.randrange(100)), ("cut_share", rng.randrange(50, 100)))))
            steps.append(Step(month + timedelta(days=3), "pay", who))
            steps.append(Step(month + timedelta(days=20), "f6_staffing", who,
                              (("filled", rng.choice((100, 100, 100, 75, 50, 0))),)))
            steps.append(Step(month + timedelta(days=21), "expenses", who,
                              (("pace", rng.choice((90, 100, 110))), ("lines", 1), ("seed", rng.randrange(10**6)))))
    return [f"F6:{ags}" for ags in chosen]


# --------------------------------------------------------------------------- the actions


def _actor(world: World, who: str) -> User:
    if who.startswith("F6:"):
        return world.kommune_users[who[3:]]
    return world.project_users[who] if who.startswith("P") else world.kommune_users[who]


def _grant(world: World, who: str) -> Grant:
    """The recipient's grant; a step before it exists is refused like any other."""
    user = _actor(world, who)
    if who.startswith("F6:"):
        application = f6.application_of(world.programme, user.kommune_id)
        grant = f6.grant_of(application) if application else None
        if grant is None:
            raise DomainError("keine F6-Zuwendung")
        return grant
    statement = select(Grant).where(Grant.kommune_id == user.kommune_id, Grant.source.not_like("f6:%")) \
        if user.kommune_id else select(Grant).where(Grant.organisation_id == user.organisation_id)
    grant = db.session.scalar(statement.order_by(Grant.id).limit(1))
    if grant is None:
        raise DomainError("keine Zuwendung")
    return grant


def _root(world: World, who: str) -> Application | None:
    return db.session.scalar(select(Application).where(
        Application.kommune_id == world.kommune_users[who].kommune_id, Application.kind == ApplicationKind.APPLICATION))


def _content(lines: dict, justification: str = "") -> Content:
    return Content(lines=lines, participants={m: 20 for m in MODULES}, measures="Kurse und Coaching (Simulation)",
                   contact_name="Sim", contact_email="sim@example.org", contact_phone="0", justification=justification)


def _spread(total: int, rng: random.Random) -> dict[tuple[str, int], int]:
    """Split ``total`` cents over a random set of module/year lines (largest remainder)."""
    keys = sorted(rng.sample([(m, y) for m in MODULES for y in YEARS], rng.randrange(3, 9)))
    weights = [rng.randrange(1, 10) for _ in keys]
    return {k: c for k, c in zip(keys, split_largest_remainder(total, weights), strict=True) if c}


def act_apply(world: World, step: Step) -> None:
    user = world.kommune_users[step.who]
    ceiling = grants.ceiling_cents(world.programme.id, user.kommune_id)
    total = ceiling * step.get("share") // 100 // 100 * 100
    application = grants.create_application(user, world.programme)
    grants.save_draft(application.id, user, _content(_spread(total, random.Random(step.get("seed")))))  # noqa: S311
    grants.submit(application.id, user)


def act_approve(world: World, step: Step) -> None:
    root = _root(world, step.who)
    if root is None:
        raise DomainError("kein Antrag")
    lines = None
    if step.get("cut"):
        requested = root.last_submitted_revision.line_map()
        key = max(requested, key=requested.get)
        lines, reasons = {key: requested[key] * 9 // 10}, {key: "Kürzung (Simulation)"}
        decisions.approve(root.id, world.admin, lines=lines, reasons=reasons)
        return
    decisions.approve(root.id, world.admin)


def act_f6_apply(world: World, step: Step) -> None:
    user = _actor(world, step.who)
    halves = f6.published_halves(world.programme.id, user.kommune_id) or 0
    positions = Decimal(max(halves * step.get("share") // 100, 1)) / 2
    application = f6.save_f6(user, world.programme, positions=positions, cost_mode="rate",
                             monthly_cost_cents=step.get("monthly"))
    f6.submit_f6(application.id, user)


def act_f6_approve(world: World, step: Step) -> None:
    application = f6.application_of(world.programme, _actor(world, step.who).kommune_id)
    if application is None:
        raise DomainError("kein F6-Antrag")
    f6.approve_f6(application.id, world.admin)


def act_f6_staffing(world: World, step: Step) -> None:
    """The month's staffing: a share of the approved FTE (0: vacant)."""
    user = _actor(world, step.who)
    application = f6.application_of(world.programme, user.kommune_id)
    if application is None:
        raise DomainError("kein F6-Antrag")
    filled = application.positions_halves * 50 * step.get("filled") // 100
    f6.report_staffing(application.id, user, month=clock.today(), filled_centi=filled)


def act_project(world: World, step: Step) -> None:
    user = world.project_users[step.who]
    cents = step.get("cents")
    budgets.set_commitment(programme_id=world.programme.id, source=f"simulation-project:{step.who}",
                           reference=f"IF-SIM-{step.who}", recipient_kind="organisation",
                           organisation_id=user.organisation_id, funding_rate_bp=9000,
                           start_date=date(2021, 1, 1), last_expense_date=date(2023, 6, 30),
                           lines={("F5", 2021): cents // 3, ("F5", 2022): cents // 3,
                                  ("F5", 2023): cents - 2 * (cents // 3)},
                           actor=world.admin)


def act_drawdown(world: World, step: Step) -> None:
    grant = _grant(world, step.who)
    module = "F5" if step.who.startswith("P") else step.get("module")  # F6 steps name "F6"
    line = next((ln for ln in grant.lines if ln.module_code == module and ln.budget_year == clock.today().year), None)
    cents = max((line.approved_cents if line else 100) * step.get("share") // 100, 1)
    budgets.request_drawdown(grant, module=module, amount_cents=cents, purpose="Bedarf (Simulation)",
                             actor=_actor(world, step.who))


def act_decide_drawdowns(world: World, step: Step) -> None:
    grant = _grant(world, step.who)
    for drawdown in db.session.scalars(select(Drawdown).where(Drawdown.grant_id == grant.id,
                                                              Drawdown.status == DrawdownStatus.REQUESTED)):
        roll = step.get("roll")
        if roll < 10:
            budgets.decide_drawdown(drawdown, "reject", actor=world.finance, reason="Bedarf nicht belegt")
        elif roll < 25:
            cut = max(drawdown.amount_requested_cents * step.get("cut_share") // 100, 1)
            budgets.decide_drawdown(drawdown, "approve", actor=world.finance, amount_cents=cut,
                                    reason="Gekürzt (Simulation)")
        else:
            budgets.decide_drawdown(drawdown, "approve", actor=world.finance)


def act_pay(world: World, step: Step) -> None:
    grant = _grant(world, step.who)
    for drawdown in db.session.scalars(select(Drawdown).where(Drawdown.grant_id == grant.id,
                                                              Drawdown.status == DrawdownStatus.APPROVED)):
        budgets.pay_drawdown(drawdown, actor=world.payer, value_date=clock.today(), reference=f"SIM-{drawdown.id}")


def _expense_rows(world: World, step: Step, grant: Grant) -> list[dict]:
    rng = random.Random(step.get("seed"))  # noqa: S311
    today = clock.today()
    rows = []
    for number in range(step.get("lines")):
        day = max(today - timedelta(days=rng.randrange(1, 40)), grant.start_date)
        lines = [ln for ln in grant.lines if ln.budget_year == day.year and ln.approved_cents]
        if not lines or day > grant.last_expense_date:
            continue
        line = rng.choice(lines)
        monthly = line.approved_cents * 10_000 // grant.funding_rate_bp // 12
        cents = max(monthly * step.get("pace") // 100 // step.get("lines"), 1)
        rows.append({"module_code": line.module_code, "budget_year": day.year, "expense_date": day,
                     "amount_cents": cents, "units_centi": None, "rate_code": None,
                     "voucher_ref": f"SIM-{step.who}-{step.get('seed')}-{number}", "description": "Simulation"})
    if not rows:
        raise DomainError("nichts zu buchen")
    return rows


def act_expenses(world: World, step: Step) -> None:
    grant = _grant(world, step.who)
    rows = _expense_rows(world, step, grant)
    content = repr(rows).encode()  # stands in for the uploaded file's bytes (its hash is checked)
    world.last_upload = (step.who, rows, content)
    budgets.import_expenses(grant, rows, actor=_actor(world, step.who), filename="sim.csv", content=content)


def act_expenses_again(world: World, step: Step) -> None:
    """The same upload a second time (a clerk's double click); duplicate protection may refuse it."""
    last = world.last_upload
    grant = _grant(world, step.who)
    if last is None or last[0] != step.who:
        raise DomainError("kein vorheriger Upload")
    budgets.import_expenses(grant, last[1], actor=_actor(world, step.who), filename="sim.csv", content=last[2])


def act_reverse(world: World, step: Step) -> None:
    """Storno of one of the recipient's imports (a wrong file), before its proof of use."""
    grant = _grant(world, step.who)
    imports = list(db.session.scalars(select(ExpenseImport).where(ExpenseImport.grant_id == grant.id,
                                                                  ExpenseImport.reversed_at.is_(None))
                                      .order_by(ExpenseImport.id)))
    if not imports:
        raise DomainError("nichts zu stornieren")
    record = random.Random(step.get("seed")).choice(imports)  # noqa: S311
    budgets.reverse_import(record, reason="Falsche Datei (Simulation)", actor=_actor(world, step.who))


def act_amendment(world: World, step: Step) -> None:
    user = world.kommune_users[step.who]
    root = _root(world, step.who)
    if root is None or root.status is not ApplicationStatus.APPROVED:
        raise DomainError("nicht bewilligt")
    amendment = grants.create_amendment(root.id, user)
    lines = dict(grants.committed_lines(root))
    rng = random.Random(step.get("seed"))  # noqa: S311
    source = rng.choice(sorted(lines))
    moved = lines[source] * step.get("share") // 100
    lines[source] -= moved
    if step.get("kind") == "shift":
        later = [(m, y) for m in MODULES for y in YEARS if y >= clock.today().year and (m, y) != source]
        target = rng.choice(later)
        lines[target] = lines.get(target, 0) + moved
    grants.save_draft(amendment.id, user, _content({k: v for k, v in lines.items() if v},
                                                   justification="Umschichtung (Simulation)"))
    grants.submit(amendment.id, user)
    decisions.approve(amendment.id, world.admin)


act_late_amendment = act_amendment  # the same action after the proof of use: every one must be refused


def act_give_back(world: World, step: Step) -> None:
    user = world.kommune_users[step.who]
    ceiling = allocation.published_ceiling(world.programme.id, user.kommune_id)
    committed = budgets.kommune_commitment_cents(world.programme.id, user.kommune_id, MODULES)
    cents = max((ceiling.ceiling_cents - committed) * step.get("share") // 100, 0)  # over 100 %: refused
    if cents <= 0:
        raise DomainError("nichts frei")
    allocation.declare_give_back(world.programme, actor=user, kommune_ags=step.who, amount_cents=cents)


def act_redistribute(world: World, step: Step) -> None:
    version = allocation.current_version(world.programme.id)
    allocation.redistribute_version(version, actor=world.admin, note="Simulation")


def act_proof(world: World, step: Step) -> None:
    grant = _grant(world, step.who)
    budgets.submit_proof(grant, narrative="Sachbericht (Simulation)", confirmed=True, actor=_actor(world, step.who))


def act_ineligible(world: World, step: Step) -> None:
    grant = _grant(world, step.who)
    ids = list(db.session.scalars(select(Expense.id).where(Expense.grant_id == grant.id, Expense.eligible.is_(True))
                                  .order_by(Expense.id)))
    rng = random.Random(step.get("seed"))  # noqa: S311
    for expense_id in rng.sample(ids, min(step.get("count"), len(ids))):
        budgets.mark_ineligible(db.session.get(Expense, expense_id), reason="Beleg fehlt", actor=world.admin)


def act_hearing(world: World, step: Step) -> None:
    budgets.open_hearing(_grant(world, step.who), actor=world.admin)


def act_comment(world: World, step: Step) -> None:
    hearing = budgets.current_hearing(budgets.proof_of(_grant(world, step.who)))
    if hearing is None:
        raise DomainError("keine Anhörung")
    budgets.submit_comment(hearing, comment="Stellungnahme (Simulation)", actor=_actor(world, step.who))


def act_final_decision(world: World, step: Step) -> None:
    grant = _grant(world, step.who)
    budgets.decide_final(grant, actor=world.admin)


def act_repay(world: World, step: Step) -> None:
    reclaim = budgets.reclaim_of(_grant(world, step.who))
    if reclaim is None or reclaim.status != ReclaimStatus.OPEN:
        raise DomainError("keine offene Rückforderung")
    due = budgets.reclaim_statement(reclaim, clock.today()).amount_due
    cents = max(due * step.get("part") // 100, 1)
    budgets.record_repayment(reclaim, amount_cents=cents, value_date=clock.today(), reference="Sim",
                                actor=world.finance)


def act_measure(world: World, step: Step) -> None:
    """The Kommune's measure in the module its grant approves for most years (places drawn, 0 too) and a
    consented contract over half its cost plan."""
    kommune = _actor(world, step.who)
    years = Counter(line.module_code for line in _grant(world, step.who).lines if line.approved_cents)
    measure = measures.create_measure(kommune, {
        "module_code": max(sorted(years), key=years.get), "title": "Sprachkurs (Simulation)", "kind": "course",
        "provider_name": "Simulierte VHS",
        "provider_id": None, "places": step.get("places"), "start_date": date(2020, 9, 1),
        "end_date": date(2023, 6, 30), "weekly_hours": 12, "cost_plan_cents": 40_000_000,
        "funding_source": "programme", "other_programme": ""})
    measures.change_status(measure, "activate", kommune)
    provider = db.session.scalar(select(Organisation.id).where(Organisation.name == "Simulierte VHS"))
    contract = forwarding.request_contract(kommune, {
        "measure_id": measure.id, "organisation_id": provider, "amount_cents": 20_000_000,
        "start_date": measure.start_date, "end_date": measure.end_date})
    forwarding.decide(contract, "consent", world.admin)


def _measure(world: World, who: str) -> Measure:
    measure = db.session.scalar(select(Measure).where(Measure.kommune_id == world.kommune_users[who].kommune_id))
    if measure is None:
        raise DomainError("keine Maßnahme")
    return measure


def act_forward(world: World, step: Step) -> None:
    """A payment to the provider (booked as the Kommune's expense through budgets); a share of what is left."""
    measure = _measure(world, step.who)
    contract = db.session.scalar(select(ForwardingContract).where(ForwardingContract.measure_id == measure.id))
    left = contract.amount_cents - contract.paid_cents
    forwarding.pay(contract, _actor(world, step.who), {"amount_cents": max(left * step.get("share") // 100, 1),
                                                       "payment_date": clock.today()})


def act_measure_expense(world: World, step: Step) -> None:
    """An expense of the Kommune's own tied to its measure (form or API: the one validation)."""
    measure = _measure(world, step.who)
    budgets.record_expense(_grant(world, step.who), actor=_actor(world, step.who), module=measure.module_code,
                           expense_date=clock.today(), amount_cents=step.get("share") * 10_000,
                           voucher_ref=f"SIM-M-{step.who}-{step.get('seed')}", measure_id=measure.id)


ACTIONS = {name[4:]: function for name, function in globals().items() if name.startswith("act_")}


# --------------------------------------------------------------------------- the invariants


def invariants(world: World) -> list[str]:
    """Every invariant, read with a handful of aggregate queries (it runs after every step)."""
    problems: list[str] = []
    programme = world.programme
    version_id, pool, unallocated = db.session.execute(
        select(AllocationVersion.id, AllocationVersion.pool_cents, AllocationVersion.unallocated_cents)
        .where(AllocationVersion.programme_id == programme.id,
               AllocationVersion.status == AllocationStatus.PUBLISHED)).one()
    ceilings = dict(db.session.execute(select(Ceiling.kommune_id, Ceiling.ceiling_cents)
                                       .where(Ceiling.version_id == version_id)).all())
    if sum(ceilings.values()) + unallocated != pool:
        problems.append(f"Höchstgrenzen {sum(ceilings.values())} + nicht verteilt {unallocated} ≠ Pool {pool}")
    committed = dict(db.session.execute(
        select(Grant.kommune_id, func.sum(GrantLine.approved_cents)).join(GrantLine, GrantLine.grant_id == Grant.id)
        .where(Grant.kommune_id.is_not(None), GrantLine.module_code.in_(MODULES)).group_by(Grant.kommune_id)).all())
    if sum(committed.values()) > pool:
        problems.append(f"Bewilligungen {sum(committed.values())} über dem Pool {pool}")
    problems += [f"Kommune {k}: Höchstgrenze {ceilings.get(k, 0)} unter der Bewilligung {c}"
                 for k, c in committed.items() if c > ceilings.get(k, 0)]
    projects = db.session.scalar(select(func.sum(GrantLine.approved_cents)).join(Grant, Grant.id == GrantLine.grant_id)
                                 .where(Grant.organisation_id.is_not(None))) or 0
    if projects > programme.innovationsfonds_cents:
        problems.append(f"Innovationsfonds: Bewilligungen {projects} über dem Budget")
    approved = dict(db.session.execute(select(GrantLine.grant_id, func.sum(GrantLine.approved_cents))
                                       .group_by(GrantLine.grant_id)).all())
    booked = dict(db.session.execute(
        select(Drawdown.grant_id, func.sum(Drawdown.amount_approved_cents))
        .where(Drawdown.status.in_([DrawdownStatus.APPROVED, DrawdownStatus.PAID])).group_by(Drawdown.grant_id)).all())
    problems += [f"Zuwendung {g}: genehmigt/ausgezahlt {p} über der Bewilligung {approved.get(g, 0)}"
                 for g, p in booked.items() if p > approved.get(g, 0)]
    doubled = db.session.execute(
        select(Expense.grant_id, Expense.voucher_ref).where(Expense.voucher_ref != "", Expense.reversed_at.is_(None))
        .group_by(Expense.grant_id, Expense.voucher_ref).having(func.count() > 1).limit(3)).all()
    problems += [f"Zuwendung {g}: Beleg {v} doppelt gebucht" for g, v in doubled]
    return (problems + _settlement_problems(programme.line_overrun_percent) + _hearing_problems()
            + _approval_fixed_problems() + _measure_problems() + _f6_problems(programme))


def _statewide_problems() -> list[str]:
    """The state-wide figures (staff start pages, reports, map) count every Kommune grant once: a Kommune's
    F1–F4 grant and its F6 grant are two (keyed by AGS, one replaced the other)."""
    statuses = [status for _ags, status in insights.kommune_grant_statuses(with_forecast=False)]
    overall, _modules = budget_status.totals(statuses)
    grants, approved = db.session.execute(
        select(func.count(func.distinct(Grant.id)), func.coalesce(func.sum(GrantLine.approved_cents), 0))
        .join(GrantLine, GrantLine.grant_id == Grant.id).where(Grant.kommune_id.is_not(None))).one()
    problems = []
    if len(statuses) != grants:
        problems.append(f"Landesweite Zahlen: {len(statuses)} Zuwendungen gezählt statt {grants}")
    if overall.approved != approved:
        problems.append(f"Landesweit bewilligt {overall.approved} statt {approved} (Summe der Bewilligungen)")
    return problems


def _expense_series_problems() -> list[str]:
    """The charts' sources agree with the expenses: ``expense_daily`` holds exactly the eligible, not reversed
    expenses per grant, module and day, and ``expense_periods`` the same regrouped by period."""
    booked: Counter = Counter()
    for grant_id, module, day, cents in db.session.execute(
            select(Expense.grant_id, Expense.module_code, Expense.expense_date, func.sum(Expense.amount_cents))
            .where(Expense.eligible.is_(True), Expense.reversed_at.is_(None))
            .group_by(Expense.grant_id, Expense.module_code, Expense.expense_date)):
        booked[(grant_id, module, day)] += cents
    daily: Counter = Counter()
    by_period: Counter = Counter()
    for grant_id, module, day, cents in db.session.execute(
            select(ExpenseDaily.grant_id, ExpenseDaily.module_code, ExpenseDaily.day, ExpenseDaily.amount_cents)):
        daily[(grant_id, module, day)] += cents
        by_period[(grant_id, period_start(day))] += cents
    periods = Counter({(g, start): cents for g, start, cents in db.session.execute(
        select(ExpensePeriod.grant_id, ExpensePeriod.start, ExpensePeriod.amount_cents))})
    problems = [f"expense_daily {key}: {daily[key]} statt {booked[key]} (Ausgaben)"
                for key in sorted(set(booked) | set(daily)) if daily[key] != booked[key]]
    problems += [f"expense_periods {key}: {periods[key]} statt {by_period[key]} (expense_daily)"
                 for key in sorted(set(periods) | set(by_period)) if periods[key] != by_period[key]]
    return problems[:10]


def _approval_fixed_problems() -> list[str]:
    """A final decision settled the approval as it stood: the grant's lines still approve exactly that."""
    now = {(g, m): c for g, m, c in db.session.execute(
        select(GrantLine.grant_id, GrantLine.module_code, func.sum(GrantLine.approved_cents))
        .group_by(GrantLine.grant_id, GrantLine.module_code))}
    problems = []
    for grant_id, lines in db.session.execute(select(ProofOfUse.grant_id, ProofOfUse.decision_lines)
                                              .where(ProofOfUse.status == ProofStatus.DECIDED)):
        problems += [f"Zuwendung {grant_id}: {line['module']} bewilligt {now.get((grant_id, line['module']), 0)} "
                     f"statt der im Schlussbescheid abgerechneten {line['approved_cents']}"
                     for line in lines if now.get((grant_id, line["module"]), 0) != line["approved_cents"]]
    return problems


def _measure_problems() -> list[str]:
    """Expenses name only a measure of their grant's Kommune in their module (budgets keeps the number without a
    foreign key); each payment to a provider is an expense of its contract's measure; no contract pays more
    than its amount (reversed payments free it)."""
    stray = db.session.execute(
        select(Expense.id, Expense.measure_id).join(Grant, Grant.id == Expense.grant_id)
        .outerjoin(Measure, Measure.id == Expense.measure_id)
        .where(Expense.measure_id.is_not(None), (Measure.id.is_(None)) | (Measure.kommune_id != Grant.kommune_id)
               | (Measure.module_code != Expense.module_code)).limit(3)).all()
    problems = [f"Ausgabe {e}: Maßnahme {m} gehört nicht zu ihrer Kommune und ihrem Baustein" for e, m in stray]
    unlinked = db.session.execute(
        select(ProviderPayment.id).join(ForwardingContract).join(Expense, Expense.id == ProviderPayment.expense_id)
        .where((Expense.measure_id.is_(None)) | (Expense.measure_id != ForwardingContract.measure_id)
               | (Expense.amount_cents != ProviderPayment.amount_cents)).limit(3)).scalars().all()
    problems += [f"Zahlung an Träger {p}: nicht die Ausgabe der Maßnahme ihres Vertrags" for p in unlinked]
    overpaid = db.session.execute(select(ForwardingContract.id).where(
        ForwardingContract.paid_cents > ForwardingContract.amount_cents).limit(3)).scalars().all()
    return problems + [f"Weiterleitungsvertrag {c}: mehr gezahlt als vereinbart" for c in overpaid]


def _f6_problems(programme) -> list[str]:
    """F6: approved positions within the published ones; the grant is rate x planned costs (F6 lines only); the
    cap the final grant applies is the one the staffing reports give (unfilled months reduce it)."""
    problems = []
    published = {s.kommune_id: s.halves for s in allocation.published_positions(programme.id)}
    if sum(published.values()) != 2 * allocation.F6_POSITIONS:
        problems.append(f"Stellen F6: {sum(published.values())} halbe Stellen veröffentlicht")
    for application in db.session.scalars(select(F6Application).where(
            F6Application.status == ApplicationStatus.APPROVED)):
        if application.positions_halves > published.get(application.kommune_id, 0):
            problems.append(f"F6-Antrag {application.id}: mehr Stellen als veröffentlicht")
        grant = f6.grant_of(application)
        expected = earned_grant(sum(f6.planned_by_year(application).values()), grant.funding_rate_bp)
        if grant.approved_cents != expected or {line.module_code for line in grant.lines} != {"F6"}:
            problems.append(f"F6-Zuwendung {grant.id}: bewilligt {grant.approved_cents} statt {expected}")
        cap = earned_grant(sum(f6.cap_by_year(application).values()), grant.funding_rate_bp)
        if budgets.eligible_caps(grant) != {"F6": cap}:
            problems.append(f"F6-Zuwendung {grant.id}: Obergrenze {budgets.eligible_caps(grant)} statt {cap}")
    return problems


def _hearing_problems() -> list[str]:
    """Each reclaim's final decision concluded a hearing on its figures after a comment or the deadline."""
    decided = {proof_id: rest for proof_id, *rest in db.session.execute(
        select(ProofOfUse.id, ProofOfUse.decision_lines, ProofOfUse.decided_at, Reclaim.principal_cents)
        .join(Reclaim, Reclaim.proof_id == ProofOfUse.id))}
    problems = []
    current: dict[int, list[Hearing]] = {}
    for hearing in db.session.scalars(select(Hearing).where(Hearing.status != HearingStatus.SUPERSEDED)):
        current.setdefault(hearing.proof_id, []).append(hearing)
    for proof_id, (lines, decided_at, principal) in decided.items():
        found = current.get(proof_id, [])
        if len(found) != 1 or found[0].status != HearingStatus.CONCLUDED:
            problems.append(f"Schlussbescheid {proof_id} mit Rückforderung ohne abgeschlossene Anhörung")
            continue
        hearing = found[0]
        day = decided_at.astimezone(clock.BERLIN).date()
        if hearing.lines != lines or hearing.principal_cents != principal:
            problems.append(f"Schlussbescheid {proof_id}: Zahlen weichen von der Anhörung {hearing.id} ab")
        if hearing.comment is None and day <= hearing.deadline:
            problems.append(f"Schlussbescheid {proof_id} vor Ablauf der Anhörungsfrist {hearing.deadline}")
    problems += [f"Verwendungsnachweis {p}: {len(h)} laufende Anhörungen" for p, h in current.items() if len(h) > 1]
    return problems


def _settlement_problems(percent: int) -> list[str]:
    """Each final decision follows the rule; each settled grant has paid - repaid = final grant."""
    proofs = db.session.execute(select(ProofOfUse.id, ProofOfUse.grant_id, ProofOfUse.final_grant_cents,
                                       ProofOfUse.decision_lines)
                                .where(ProofOfUse.status == ProofStatus.DECIDED)).all()
    if not proofs:
        return []
    paid = dict(db.session.execute(select(Drawdown.grant_id, func.sum(Drawdown.amount_approved_cents))
                                   .where(Drawdown.status == DrawdownStatus.PAID).group_by(Drawdown.grant_id)).all())
    unpaid_orders = set(db.session.scalars(select(Drawdown.grant_id).where(
        Drawdown.kind == DrawdownKind.FINAL_PAYMENT, Drawdown.status != DrawdownStatus.PAID)))
    reclaims = {grant_id: (status, repaid) for grant_id, status, repaid in db.session.execute(
        select(Reclaim.grant_id, Reclaim.status, Reclaim.principal_repaid_cents))}
    problems = []
    for proof_id, grant_id, final, lines in proofs:
        approved = sum(line["approved_cents"] for line in lines)
        recognised = sum(min(line["earned_cents"], line["approved_cents"] + line["approved_cents"] * percent // 100,
                             line["earned_cents"] if line.get("cap_cents") is None else line["cap_cents"])
                         for line in lines)
        if final != min(approved, recognised):
            problems.append(f"Schlussbescheid {proof_id}: Zuwendung {final} statt min({approved}, {recognised})")
        status, repaid = reclaims.get(grant_id, (None, 0))
        if grant_id not in unpaid_orders and status in (None, ReclaimStatus.CLOSED) \
                and paid.get(grant_id, 0) - repaid != final:
            problems.append(f"Zuwendung {grant_id} abgerechnet: ausgezahlt {paid.get(grant_id, 0)} − zurückgezahlt "
                            f"{repaid} ≠ festgesetzt {final}")
    return problems


# --------------------------------------------------------------------------- running and shrinking


def run(world: World, steps: list[Step]) -> None:
    """Execute ``steps``; raise InvariantBroken at the first step after which an invariant fails."""
    month = None
    for index, step in enumerate(steps):
        with clock.freeze(step.day):
            try:
                ACTIONS[step.action](world, step)
                db.session.commit()
                world.done += 1
            except DomainError:
                db.session.rollback()  # refused like a user's wrong input: nothing may have changed
                world.refused += 1
                world.refused_by_action[step.action] += 1
            problems = invariants(world)
            if (step.day.year, step.day.month) != month:
                month = (step.day.year, step.day.month)
                problems += verify_ledger() + _statewide_problems() + _expense_series_problems()  # once a month
            db.session.rollback()
        if problems:
            raise InvariantBroken(index, step, problems)
    problems = verify_ledger() + _statewide_problems() + _expense_series_problems()
    if problems:
        raise InvariantBroken(len(steps), None, problems)


def shrink(replay, steps: list[Step], *, seconds: float = 300) -> list[Step]:
    """The shortest sub-list of ``steps`` found for which ``replay(sub_list)`` still fails (ddmin, time-boxed)."""
    deadline = time.monotonic() + seconds
    chunks = 2
    while len(steps) >= 2 and time.monotonic() < deadline:
        size = max(len(steps) // chunks, 1)
        for start in range(0, len(steps), size):
            candidate = steps[:start] + steps[start + size:]
            if time.monotonic() >= deadline:
                return steps
            if replay(candidate):
                steps, chunks = candidate, max(chunks - 1, 2)
                break
        else:
            if size == 1:
                return steps
            chunks = min(chunks * 2, len(steps))
    return steps

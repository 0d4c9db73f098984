"""Demo data of the Innovationsfonds (clearly synthetic): the call of the Stichtag 31.05.2022 with
93 sketches from 40 organisations, 12 reviewers with declared conflicts, the automatic assignment
and reviews in progress relative to the demo day; after the Steuerkreis' meeting the decided round
(``demo_decision``: 19 funded projects). Everything goes through the services, with the
clock set to the moment each step happened."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from ..auth.models import User
from ..auth.passwords import DEMO_PASSWORD
from ..auth.services import create_user
from ..platform import clock
from ..platform.extensions import db
from ..reference.models import Kommune, Organisation
from . import conflicts, demo_decision, reviewing
from .models import SketchStatus
from .services import calls, eligibility
from .services.sketches import create_sketch, submit_sketch

KINDS = ["club", "education_provider", "association", "foundation", "firm", "chamber", "kommune"]
CRITERIA = [
    {"key": "relevanz", "name": "Relevanz für die Zielgruppe", "weight": 3, "scale_min": 0, "scale_max": 10},
    {"key": "innovation", "name": "Innovationsgehalt", "weight": 2, "scale_min": 0, "scale_max": 10},
    {"key": "umsetzbarkeit", "name": "Umsetzbarkeit und Kosten", "weight": 2, "scale_min": 0, "scale_max": 10},
    {"key": "frauen", "name": "Erreichung junger Frauen", "weight": 1, "scale_min": 1, "scale_max": 5},
]
TOPICS = ["Ausbildungslotsen", "Sprach-Tandems im Betrieb", "Pflege-Orientierung", "Digitale Werkstatt",
          "Frauen in Handwerksberufe", "Mentoring mit Kammern", "Berufssprachkurs mit Kinderbetreuung",
          "Praktikumsbörse", "Gastronomie-Einstieg", "Logistik-Qualifizierung"]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=clock.BERLIN)


def call_data(programme, *, opens: date, closes: date, review_deadline: date, title: str) -> dict:
    return {"title": title, "description": "Synthetischer Demo-Aufruf.", "budget_cents": 500_000_000,
            "opens_at": _at(opens, 0), "closes_at": clock.end_of_day(closes), "review_deadline": review_deadline,
            "full_application_deadline": review_deadline + timedelta(days=60), "max_per_project_cents": 50_000_000,
            "eligible_kinds": KINDS, "target_groups": ["primary", "secondary"],
            "project_start": max(programme.start_date, closes + timedelta(days=30)),
            "project_end": programme.last_expense_date, "funding_rate_bp": 8000, "reviewers_per_sketch": 3,
            "reviewers_see_names": False, "show_scores_to_rejected": True, "selection_rule": "funding_line_skip",
            "min_score": Decimal("40"), "discrepancy_threshold": Decimal("25"), "group_minimums": {},
            "criteria": CRITERIA}


def marks(seed: int) -> dict:
    return {"relevanz": (seed * 5 + 3) % 11, "innovation": (seed * 7) % 11, "umsetzbarkeit": (seed * 3 + 4) % 11,
            "frauen": 1 + seed % 5}


def build_competition(programme, admin: User, *, organisation_users: list[User], reviewers: list[User],
                      opens: date, closes: date, review_deadline: date, review_until: date | None,
                      sketches: int = 93, title: str = "Innovationsfonds – Stichtag (synthetisch)",
                      settings: dict | None = None):
    """Create a call with ``sketches`` sketches, close it, assign reviewers; reviews up to ``review_until``.

    ``settings`` override values of ``call_data`` (the demo's budget and waiting list)."""
    data = call_data(programme, opens=opens, closes=closes, review_deadline=review_deadline, title=title)
    with clock.freeze(_at(opens - timedelta(days=14))):
        call = calls.create_call(admin, programme, {**data, **(settings or {})})
    kommunen = list(db.session.scalars(select(Kommune.id).order_by(Kommune.ags)))
    span = (closes - opens).days
    for n in range(sketches):
        user = organisation_users[n % len(organisation_users)]
        moment = _at(opens + timedelta(days=(n * 7) % max(span, 1)), 9 + n % 8)
        requested = 8_000_000 + (n * 3_712_300) % 39_000_000
        participants = 20 + (n * 7) % 40
        women = participants * (50 + (n * 13) % 40) // 100
        with clock.freeze(moment):
            sketch = create_sketch(user, call.id, {
                "title": f"{TOPICS[n % len(TOPICS)]} {n + 1} (synthetisch)",
                "summary": "Synthetische Demo-Skizze: Begleitung junger Geflüchteter in Ausbildung und Arbeit.",
                "target_group": "secondary" if n % 6 == 0 else "primary", "age_min": 18, "age_max": 27,
                "planned_participants": participants, "planned_women": women,
                "kommune_id": kommunen[(n * 5) % len(kommunen)],
                "start_date": call.project_start, "end_date": min(call.project_end,
                                                                  call.project_start + timedelta(days=700)),
                "requested_cents": requested, "total_cost_cents": requested * 5 // 4})
            submit_sketch(sketch.id, user)
    after = _at(closes + timedelta(days=1), 8)
    with clock.freeze(after):
        eligibility.close_window(call.id, actor=admin)
        for sketch in call.sketches[11:58:46]:  # two sketches the desk officer finds ineligible
            eligibility.decide_eligibility(sketch.id, admin, eligible=False,
                                        reason="Doppelförderung: das Vorhaben wird bereits aus dem ESF gefördert.")
        orgs = sorted({u.organisation_id for u in organisation_users})
        for k, reviewer in enumerate(reviewers):
            conflicts.declare_conflict(reviewer, organisation_id=orgs[k % len(orgs)], reason="Vorstandsmitglied")
            if k % 4 == 0:
                conflicts.declare_conflict(reviewer, kommune_id=kommunen[k * 3 % len(kommunen)],
                                           reason="Wohnort und Ehrenamt")
        reviewing.auto_assign(call.id, admin)
    if review_until is None:
        return call
    assignments = [(reviewer, item["sketch"]) for reviewer in reviewers
                   for item in reviewing.my_assignments(reviewer, call.id)]
    days = max((review_deadline - after.date()).days, 1)
    # Marks from positions, not database ids: the same scores (and so the same decided round) whatever
    # the other domains' demos created before.
    sketch_no = {s.id: n for n, s in enumerate(call.sketches)}
    reviewer_no = {r.id: k + 1 for k, r in enumerate(reviewers)}
    for index, (reviewer, sketch) in enumerate(sorted(assignments, key=lambda a: (a[1].id, a[0].id))):
        day = after.date() + timedelta(days=(index * 37) % days)
        if day > review_until or sketch.status is not SketchStatus.ELIGIBLE:
            continue
        with clock.freeze(_at(day, 14)):
            reviewing.submit_review(sketch.id, reviewer, marks(sketch_no[sketch.id] * 3 + reviewer_no[reviewer.id]),
                                    "Synthetisches Gutachten.")
    return call


def seed(context) -> None:
    programme = context.programme
    admin = context.users["admin@demo.nrw"]
    organisation_users = [context.users["traeger@demo.nrw"]]
    for n in range(1, 40):
        organisation = Organisation(name=f"Demo-Träger {n:02d} (synthetisch)", kind=KINDS[n % len(KINDS)],
                                    is_public_body=KINDS[n % len(KINDS)] == "kommune", city="NRW")
        db.session.add(organisation)
        db.session.flush()
        organisation_users.append(create_user(email=f"traeger{n:02d}@demo.nrw", name=f"Träger-Kontakt {n:02d}",
                                              password=DEMO_PASSWORD, role="organisation",
                                              organisation_id=organisation.id, actor_label="seed-demo"))
    reviewers = [context.users["gutachter1@demo.nrw"]]
    for n in range(2, 13):
        user = create_user(email=f"gutachter{n}@demo.nrw", name=f"Gutachter/in {n} (synthetisch)",
                           password=DEMO_PASSWORD, role="reviewer", actor_label="seed-demo")
        context.users[user.email] = user
        reviewers.append(user)
    day = context.day
    closes = date(2022, 5, 31) if day > date(2022, 5, 31) else day - timedelta(days=15)
    call = build_competition(programme, admin, organisation_users=organisation_users, reviewers=reviewers,
                             opens=closes - timedelta(days=90), closes=closes,
                             review_deadline=closes + timedelta(days=30), review_until=day - timedelta(days=1),
                             title=f"Innovationsfonds – Stichtag {closes:%d.%m.%Y} (synthetisch)",
                             settings=demo_decision.CALL_SETTINGS)
    demo_decision.finish_round(call, admin, organisation_users, day)  # the decided round on the late days


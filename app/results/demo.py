"""Demo data of the results domain (synthetic, marked as such), built through the real services.

Runs after the grants demo, which reports per-module entries for its approved Kommunen. For every
reported quarter the Kommune reports its newly reached people (about 85 % of the entries: the rest
took part in a second module), and the programme administration imports synthetic target-group
counts for the reporting Kommunen. After the programme's end (the late demo days) the reporting
Kommunen first correct their entries to the programme's final size, so the report's headline
figures match what the programme page states: about 23,600 people reached, about 40 % of the target
group, 73 % men and 27 % women.

Interim proofs: the three demo Kommunen with accounts submit each year's interim proof 20 days before it
is due and the administration accepts it a week later — except Kleve, whose 2021 proof comes in 15 days
late (flagged by the late check the day after the due day), and Köln, whose 2022 proof is returned
with changes requested. The late check runs the day after each due day, so the Kommunen without an account
are flagged late too. Their alliances ("Gemeinsam klappt's") are invented institutions, marked synthetic.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, time, timedelta

from sqlalchemy import select

from ..auth.models import Role, User
from ..grants import participants
from ..grants.models import ParticipantCount
from ..platform import clock
from ..platform.clock import BERLIN
from ..platform.extensions import db
from ..platform.money import split_largest_remainder
from ..reference.models import Kommune
from . import services
from .reach import GENDERS

REACHED = 23_600  # the programme page: people reached
REACH_RATE = 40  # per cent of the target group
SHARE_MEN = 73  # per cent of the people reached (women: the rest apart from "divers")
REPEATERS = 15  # per cent of the entries that are a second module of someone already reached (early days)
ENTRIES_PER_PERSON = 118  # hundredths: entries per person reached after the correction (late days)
SOURCE = "Synthetische Demo-Daten (Zielgruppe je meldender Kommune)"


def _cells() -> dict[tuple[int, int, int], dict[str, dict[str, dict[str, int]]]]:
    """{(kommune id, year, quarter): {module: {gender: counts}}} of what the grants demo reported."""
    cells: dict = defaultdict(lambda: defaultdict(dict))
    for row in db.session.scalars(select(ParticipantCount)):
        cells[(row.kommune_id, row.year, row.quarter)][row.module_code][row.gender] = {
            name: getattr(row, name) for name in participants.COUNT_FIELDS}
    return cells


def _reached_targets(cells: dict) -> dict[tuple[int, int, int, str], int]:
    """The final figures: REACHED split by gender (SHARE_MEN), each gender over its quarters by entries."""
    entered: dict[tuple[int, int, int, str], int] = defaultdict(int)
    for key, modules in cells.items():
        for counts in modules.values():
            for gender, values in counts.items():
                entered[(*key, gender)] += values["entered"]
    diverse = sum(v for k, v in entered.items() if k[3] == "diverse") * 100 // ENTRIES_PER_PERSON
    men = (REACHED - diverse) * SHARE_MEN // 100
    totals = {"male": men, "female": REACHED - diverse - men, "diverse": diverse, "not_stated": 0}
    result = {}
    for gender, total in totals.items():
        keys = sorted(k for k in entered if k[3] == gender and entered[k])
        for key, share in zip(keys, split_largest_remainder(total, [entered[k] for k in keys]), strict=True):
            result[key] = share
    return result


def _correct_entries(users: dict[int, User], cells: dict, reached: dict, at: datetime) -> None:
    """Late days: the Kommunen correct each quarter's entries to ENTRIES_PER_PERSON per person reached."""
    with clock.freeze(at):
        for (kommune_id, year, quarter), modules in sorted(cells.items()):
            for module, counts in sorted(modules.items()):
                weight = {g: sum(c[g]["entered"] for c in modules.values() if g in c) for g in counts}
                scaled = {}
                for gender, values in counts.items():
                    wanted = reached.get((kommune_id, year, quarter, gender), 0) * ENTRIES_PER_PERSON // 100
                    entered = -(-wanted * values["entered"] // weight[gender]) if weight[gender] else 0
                    scaled[gender] = {"entered": entered, "primary_target": entered * 4 // 5,
                                      "exited": entered // 8, "finished": entered // 3}
                participants.report_quarter(users[kommune_id], module=module, year=year, quarter=quarter,
                                            counts=scaled)


INTERIM_LATE = ("05154", 2021)  # Kleve submits its 2021 interim proof late
INTERIM_CHANGES = ("05315", 2022)  # Köln's 2022 interim proof is returned with changes requested
PARTNERS = [("lead", "Kommunales Integrationszentrum {name} (synthetisch)", "Geschäftsführende Stelle, Koordination"),
            ("core", "Jobcenter {name} (synthetisch)", "Beratung und Vermittlung (SGB II)"),
            ("core", "Agentur für Arbeit (synthetisch)", "Berufsberatung, Ausbildungsvermittlung"),
            ("core", "Handwerkskammer (synthetisch)", "Praktika und Ausbildungsplätze im Handwerk")]


def seed(context) -> None:
    _seed_reached(context)
    _seed_interim_proofs(context)
    _seed_partnerships(context)


def _seed_interim_proofs(context) -> None:
    """Interim proofs of the Kommunen with demo accounts up to the demo day; the late check after each due day."""
    admin = context.users.get("admin@demo.nrw")
    if admin is None:
        return
    users = {u.kommune.ags: u for u in context.users.values() if u.role == Role.KOMMUNE and u.kommune_id}
    events: list[tuple[datetime, int, object]] = []
    late_checks = set()
    for row in services.interim_rows():
        due = datetime.combine(row.due, time(10, 0), tzinfo=BERLIN)
        late_checks.add(row.due + timedelta(days=1))
        user = users.get(row.grant.kommune.ags)
        if user is None:
            continue
        key = (row.grant.kommune.ags, row.year)
        submitted = due + (timedelta(days=15) if key == INTERIM_LATE else timedelta(days=-20))
        report = (f"Synthetischer Demo-Sachbericht {row.year}: Die Bausteine liefen wie geplant; Teilnehmende "
                  "wurden über das Bündnis vor Ort gewonnen. Abweichungen vom Finanzplan sind in den Zahlen erkennbar.")
        events.append((submitted, 1, lambda u=user, r=row, text=report: services.submit_interim(
            u, r.grant.id, r.year, report=text)))
        if key == INTERIM_CHANGES:
            events.append((submitted + timedelta(days=10), 2, lambda r=row: services.review_interim(
                admin, r.grant.id, r.year, action="request_changes",
                note="Bitte die Abweichung bei F2 im Sachbericht erläutern (synthetische Demo-Anmerkung).")))
        else:
            events.append((submitted + timedelta(days=7), 2, lambda r=row: services.review_interim(
                admin, r.grant.id, r.year, action="accept")))
    for day in late_checks:  # the scheduler's late check, the morning after each due day
        events.append((datetime.combine(day, time(7, 40), tzinfo=BERLIN), 0,
                       lambda day=day: services.flag_late(day, actor_label="system: scheduler")))
    for at, _order, action in sorted(events, key=lambda event: (event[0], event[1])):
        if at.date() < context.day:
            with clock.freeze(at):
                action()
    db.session.flush()


def _seed_partnerships(context) -> None:
    admin = context.users.get("admin@demo.nrw")
    if admin is None:
        return
    for user in context.users.values():
        if user.role != Role.KOMMUNE or user.kommune is None:
            continue
        for body, institution, role in PARTNERS:
            services.add_member(admin, user.kommune, body=body, institution=institution.format(
                name=user.kommune.display_name)[:200], role=role,
                contact_email=f"buendnis.{user.kommune.ags}@demo.nrw" if body == "lead" else "")


def _seed_reached(context) -> None:
    admin = context.users.get("admin@demo.nrw")
    cells = _cells()
    if admin is None or not cells:
        return
    users = {user.kommune_id: user for user in db.session.scalars(select(User).where(User.role == Role.KOMMUNE))}
    late = context.day > context.programme.last_expense_date
    reported_at = datetime.combine(min(context.day - timedelta(days=1), context.programme.last_expense_date
                                       + timedelta(days=1)), time(10, 45), tzinfo=BERLIN)
    if late:
        reached = _reached_targets(cells)
        _correct_entries(users, cells, reached, reported_at)
    else:
        reached = {(*key, gender): sum(c[gender]["entered"] for c in modules.values() if gender in c)
                   * (100 - REPEATERS) // 100 for key, modules in cells.items() for gender in GENDERS}
    per_kommune: dict[int, int] = defaultdict(int)
    with clock.freeze(reported_at + timedelta(minutes=5)):
        for key in sorted({k[:3] for k in cells}):
            counts = {gender: reached.get((*key, gender), 0) for gender in GENDERS}
            services.report_reached(users[key[0]], year=key[1], quarter=key[2], counts=counts)
            per_kommune[key[0]] += sum(counts.values())
        rng = random.Random(18)
        kommunen = sorted(per_kommune)
        weights = [per_kommune[k] * rng.randint(85, 115) for k in kommunen]
        targets = split_largest_remainder(sum(per_kommune.values()) * 100 // REACH_RATE, weights)
        ags = dict(db.session.execute(select(Kommune.id, Kommune.ags)).all())
        csv = "Kommune;Anzahl\n" + "".join(f"{ags[k]};{t}\n" for k, t in zip(kommunen, targets, strict=True))
        services.import_targets(admin, csv, SOURCE)
    db.session.flush()

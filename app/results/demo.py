"""Demo data of the results report (synthetic, marked as such), built through the real services.

Runs after the grants demo, which reports per-module entries for its approved Kommunen. For every
reported quarter the Kommune reports its newly reached people (about 85 % of the entries: the rest
took part in a second module), and the programme administration imports synthetic target-group
counts for the reporting Kommunen. After the programme's end (the late demo days) the reporting
Kommunen first correct their entries to the programme's final size, so the report's headline
figures match what the programme page states: about 23,600 people reached, about 40 % of the target
group, 73 % men and 27 % women.
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


def seed(context) -> None:
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

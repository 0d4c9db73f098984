"""Use cases of the results report: the Kommune reports people reached, the programme administration
imports target-group counts, everyone allowed reads the report (a Kommune only its own figures)."""

from __future__ import annotations

import csv
import io

from sqlalchemy import delete, func, select

from ...auth.models import Role, User
from ...auth.permissions import scope_kommune_id
from ...grants.models import ParticipantCount
from ...platform import audit, clock
from ...platform.errors import Conflict, Forbidden, ValidationFailed
from ...platform.extensions import db
from ...platform.limits import NAME
from ...reference.models import Kommune, kommune_display_name
from ...reference.services import get_programme
from .. import reach
from ..models import ReachedPeople, TargetGroupCount

MAX_PEOPLE = 1_000_000  # more than the whole target group of the state: certainly a typing error


def entered_in_quarter(kommune_id: int, year: int, quarter: int) -> dict[str, int]:
    """New entrants of all modules in the quarter, per gender (the bound of the people newly reached)."""
    rows = db.session.execute(select(ParticipantCount.gender, func.sum(ParticipantCount.entered)).where(
        ParticipantCount.kommune_id == kommune_id, ParticipantCount.year == year,
        ParticipantCount.quarter == quarter).group_by(ParticipantCount.gender))
    return {gender: int(total or 0) for gender, total in rows}


def reached_in_quarter(kommune_id: int, year: int, quarter: int) -> dict[str, int]:
    rows = db.session.scalars(select(ReachedPeople).where(
        ReachedPeople.kommune_id == kommune_id, ReachedPeople.year == year, ReachedPeople.quarter == quarter))
    return {row.gender: row.new_people for row in rows}


def report_reached(actor: User, *, year: int, quarter: int, counts: dict[str, int]) -> list[ReachedPeople]:
    """Store (or replace) the people the actor's Kommune reached for the first time in a quarter, per gender.

    Allowed once the quarter's entries per module are reported (which needs an approved application);
    per gender at most as many as entered any module in the quarter.
    """
    if actor.role != Role.KOMMUNE or actor.kommune_id is None:
        raise Forbidden("Die erreichten Personen meldet die Kommune.")
    programme = get_programme()
    if year not in programme.budget_years:
        raise ValidationFailed("Ungültiges Jahr.", errors={"year": [
            f"Das Jahr liegt außerhalb des Programmzeitraums ({min(programme.budget_years)}–"
            f"{max(programme.budget_years)})."]})
    entered = entered_in_quarter(actor.kommune_id, year, quarter)
    if not entered:
        raise Conflict(f"Für das {quarter}. Quartal {year} sind noch keine Eintritte je Baustein gemeldet; "
                       "bitte zuerst die Teilnehmendenzahlen melden.")
    too_many = reach.new_people_errors(counts, entered)
    if too_many:
        raise ValidationFailed("Die erreichten Personen sind nicht plausibel.",
                               errors={gender: [message] for gender, message in too_many.items()})
    existing = {row.gender: row for row in db.session.scalars(select(ReachedPeople).where(
        ReachedPeople.programme_id == programme.id, ReachedPeople.kommune_id == actor.kommune_id,
        ReachedPeople.year == year, ReachedPeople.quarter == quarter))}
    before = {gender: row.new_people for gender, row in existing.items()} or None
    rows = []
    for gender in reach.GENDERS:
        row = existing.get(gender)
        if row is None:
            row = ReachedPeople(programme_id=programme.id, kommune_id=actor.kommune_id, year=year, quarter=quarter,
                                gender=gender)
            db.session.add(row)
        row.new_people = counts.get(gender, 0)
        row.updated_at, row.updated_by_id = clock.now(), actor.id
        rows.append(row)
    db.session.flush()
    audit.record("results.reached.report", "reached_people", f"{actor.kommune_id}/{year}-Q{quarter}",
                 before=before, after={g: counts.get(g, 0) for g in reach.GENDERS}, actor=actor,
                 kommune_id=actor.kommune_id)
    return rows


def _kommune_lookup() -> dict[str, int]:
    """AGS, name and display name (case-insensitive) -> Kommune id, for the target-group CSV."""
    lookup: dict[str, int] = {}
    for kommune_id, ags, official, kind in db.session.execute(
            select(Kommune.id, Kommune.ags, Kommune.name, Kommune.kind)):
        for key in (ags, official, kommune_display_name(official, kind)):
            lookup[key.casefold()] = kommune_id
    return lookup


def parse_targets(text: str) -> dict[int, int]:
    """{kommune id: people} from CSV lines ``Kommune;Anzahl`` (AGS or name; ``;`` or ``,``; a header line
    is skipped); every bad line is named in ValidationFailed on the field ``file``."""
    lookup = _kommune_lookup()
    dialect = ";" if text.count(";") >= text.count(",") else ","
    targets: dict[int, int] = {}
    problems: list[str] = []
    for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=dialect), start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if len(cells) != 2:
            problems.append(f"Zeile {number}: erwartet zwei Spalten (Kommune; Anzahl).")
            continue
        name, raw = cells
        digits = raw.replace(".", "")
        if number == 1 and not digits.isdigit() and name.casefold() not in lookup:
            continue  # header
        kommune_id = lookup.get(name.casefold())
        if kommune_id is None:
            problems.append(f"Zeile {number}: unbekannte Kommune „{name[:NAME]}“.")
        elif not digits.isdigit() or not 0 < int(digits) <= MAX_PEOPLE:
            problems.append(f"Zeile {number}: die Anzahl muss eine ganze Zahl zwischen 1 und 1.000.000 sein.")
        elif kommune_id in targets:
            problems.append(f"Zeile {number}: die Kommune „{name[:NAME]}“ steht mehrfach in der Datei.")
        else:
            targets[kommune_id] = int(digits)
    if not targets and not problems:
        problems.append("Die Datei enthält keine Zeilen.")
    if problems:
        raise ValidationFailed("Die Zielgruppen-Datei enthält Fehler; nichts wurde übernommen.",
                               errors={"file": problems[:50]})
    return targets


def import_targets(actor: User, text: str, source: str) -> int:
    """Replace the programme's target-group counts by the CSV's (all or nothing); the number of Kommunen."""
    if actor.role != Role.PROGRAMME_ADMIN:
        raise Forbidden("Zielgruppenzahlen importiert die Programmverwaltung.")
    if not source.strip():
        raise ValidationFailed("Bitte die Quelle angeben.", errors={"source": ["Bitte die Quelle angeben."]})
    targets = parse_targets(text)
    programme = get_programme()
    before = {row.kommune_id: row.people for row in db.session.scalars(
        select(TargetGroupCount).where(TargetGroupCount.programme_id == programme.id))} or None
    db.session.execute(delete(TargetGroupCount).where(TargetGroupCount.programme_id == programme.id))
    for kommune_id, people in targets.items():
        db.session.add(TargetGroupCount(programme_id=programme.id, kommune_id=kommune_id, people=people,
                                        source=source.strip()[:NAME], imported_at=clock.now()))
    db.session.flush()
    audit.record("results.targets.import", "target_groups", programme.code, before=before,
                 after={"source": source.strip()[:NAME], "kommunen": len(targets),
                        "people": sum(targets.values())}, actor=actor)
    return len(targets)


def results_report(actor: User) -> reach.Report:
    """The report for the actor: staff see every Kommune and the state; a Kommune only itself."""
    programme = get_programme()
    scope = scope_kommune_id(actor)
    names = {ags: kommune_display_name(name, kind) for ags, name, kind in db.session.execute(
        select(Kommune.ags, Kommune.name, Kommune.kind).where(Kommune.id == scope if scope else True))}

    def scoped(statement, model):
        statement = statement.join(Kommune, Kommune.id == model.kommune_id).where(model.programme_id == programme.id)
        return statement.where(model.kommune_id == scope) if scope is not None else statement

    entries = db.session.execute(scoped(select(
        Kommune.ags, ParticipantCount.year, ParticipantCount.quarter, ParticipantCount.module_code,
        ParticipantCount.gender, ParticipantCount.entered), ParticipantCount))
    reached = db.session.execute(scoped(select(
        Kommune.ags, ReachedPeople.year, ReachedPeople.quarter, ReachedPeople.gender, ReachedPeople.new_people),
        ReachedPeople))
    targets = dict(db.session.execute(scoped(select(Kommune.ags, TargetGroupCount.people), TargetGroupCount)).all())
    return reach.build(entries, reached, targets, names)


def target_source() -> str | None:
    """Where the current target-group counts come from (shown beside the reach rate)."""
    return db.session.scalar(select(TargetGroupCount.source).where(
        TargetGroupCount.programme_id == get_programme().id).limit(1))

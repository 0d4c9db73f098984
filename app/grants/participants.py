"""Participant counts (Teilnehmendenzahlen): aggregate numbers only, never personal data.

A Kommune with an approved application reports, per module and quarter and by gender, how many
people entered, left early (``exited``) and finished, and how many of those who entered belong to
the primary target group (young adults 18–27 with Duldung or Gestattung). Reporting a quarter
again replaces its numbers. The programme-wide report sums them per Kommune and module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..auth.models import Role, User
from ..auth.permissions import scope_kommune_id
from ..platform import audit, clock
from ..platform.errors import Conflict, Forbidden, ValidationFailed
from ..platform.extensions import db
from ..platform.formatting import format_date
from ..platform.money import percent
from ..reference.models import Kommune, kommune_display_name
from ..reference.services import get_programme
from .models import GENDERS, ApplicationStatus, ParticipantCount
from .services import application_of_kommune, module_codes

COUNT_FIELDS = ("entered", "exited", "finished", "primary_target")
COUNT_LABELS = {"entered": lazy_gettext("eingetreten"), "exited": lazy_gettext("vorzeitig ausgeschieden"),
                "finished": lazy_gettext("abgeschlossen"), "primary_target": lazy_gettext("davon primäre Zielgruppe")}
MAX_COUNT = 100_000


def quarter_start(year: int, quarter: int) -> date:
    return date(year, 3 * (quarter - 1) + 1, 1)


def count_field(gender: str, name: str) -> str:
    return f"counts.{gender}.{name}"


def report_quarter(actor: User, *, module: str, year: int, quarter: int,
                   counts: dict[str, dict[str, int]]) -> list[ParticipantCount]:
    """Store (or replace) one quarter's counts for one module of the actor's Kommune.

    ``counts`` maps gender ("female", "male", "diverse", "not_stated") to the four numbers.
    """
    if actor.role != Role.KOMMUNE or actor.kommune_id is None:
        raise Forbidden("Teilnehmendenzahlen meldet die Kommune.")
    programme = get_programme()
    application = application_of_kommune(actor.kommune_id, programme)
    if application is None or application.status is not ApplicationStatus.APPROVED:
        raise Conflict("Teilnehmendenzahlen können erst nach der Bewilligung des Antrags gemeldet werden.")
    errors: dict[str, list[str]] = {}
    if module not in module_codes(programme):
        errors["module"] = [f"Unbekannter Förderbaustein – zulässig sind {', '.join(module_codes(programme))}."]
    if year not in programme.budget_years:
        errors["year"] = [f"Das Jahr liegt außerhalb des Programmzeitraums ({min(programme.budget_years)}–"
                          f"{max(programme.budget_years)})."]
    if not 1 <= quarter <= 4:
        errors["quarter"] = ["Das Quartal muss zwischen 1 und 4 liegen."]
    elif year in programme.budget_years and quarter_start(year, quarter) > clock.today():
        errors["quarter"] = ["Für ein Quartal, das noch nicht begonnen hat, können keine Zahlen gemeldet werden."]
    elif quarter_start(year, quarter) > programme.last_expense_date:
        errors["quarter"] = [f"Das Quartal beginnt nach dem Programmende ({format_date(programme.last_expense_date)}); "
                             "dafür können keine Teilnehmendenzahlen gemeldet werden."]
    for gender in counts:
        if gender not in GENDERS:
            errors.setdefault("counts", []).append(f"Unbekannte Geschlechtsangabe „{gender}“.")
    for gender in GENDERS:
        values = counts.get(gender, {})
        for name in COUNT_FIELDS:
            value = values.get(name, 0)
            if value < 0:
                errors.setdefault(count_field(gender, name), []).append("Die Zahl darf nicht negativ sein.")
            elif value > MAX_COUNT:
                errors.setdefault(count_field(gender, name), []).append("Die Zahl ist unplausibel hoch.")
        if values.get("primary_target", 0) > values.get("entered", 0):
            errors.setdefault(count_field(gender, "primary_target"), []).append(
                "Es können nicht mehr Personen zur primären Zielgruppe gehören als eingetreten sind.")
    if errors:
        raise ValidationFailed("Die Teilnehmendenzahlen enthalten ungültige Angaben.", errors=errors)
    existing = {row.gender: row for row in db.session.scalars(select(ParticipantCount).where(
        ParticipantCount.programme_id == programme.id, ParticipantCount.kommune_id == actor.kommune_id,
        ParticipantCount.module_code == module, ParticipantCount.year == year, ParticipantCount.quarter == quarter))}
    before = {g: {n: getattr(r, n) for n in COUNT_FIELDS} for g, r in existing.items()} or None
    rows = []
    for gender in GENDERS:
        row = existing.get(gender)
        if row is None:
            row = ParticipantCount(programme_id=programme.id, kommune_id=actor.kommune_id, module_code=module,
                                   year=year, quarter=quarter, gender=gender)
            db.session.add(row)
        for name in COUNT_FIELDS:
            setattr(row, name, counts.get(gender, {}).get(name, 0))
        row.updated_at, row.updated_by_id = clock.now(), actor.id
        rows.append(row)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict("Die Zahlen wurden gerade gleichzeitig gemeldet; bitte erneut versuchen.") from None
    audit.record("grants.participants.report", "participant_counts", f"{actor.kommune_id}/{module}/{year}-Q{quarter}",
                 before=before, after={g: counts.get(g, {}) for g in GENDERS}, actor=actor,
                 kommune_id=actor.kommune_id)
    return rows


def counts_of_kommune(actor: User, kommune_id: int) -> list[ParticipantCount]:
    return list(db.session.scalars(select(ParticipantCount).where(ParticipantCount.kommune_id == kommune_id)
                                   .order_by(ParticipantCount.year, ParticipantCount.quarter,
                                             ParticipantCount.module_code, ParticipantCount.gender)))


def quarter_table(kommune_id: int, module: str, year: int, quarter: int) -> dict[str, dict[str, int]]:
    rows = db.session.scalars(select(ParticipantCount).where(
        ParticipantCount.kommune_id == kommune_id, ParticipantCount.module_code == module,
        ParticipantCount.year == year, ParticipantCount.quarter == quarter))
    return {row.gender: {n: getattr(row, n) for n in COUNT_FIELDS} for row in rows}


@dataclass
class ReportRow:
    kommune: str
    ags: str
    module: str
    entered: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GENDERS, 0))
    exited: int = 0
    finished: int = 0
    primary_target: int = 0

    @property
    def entered_total(self) -> int:
        return sum(self.entered.values())

    @property
    def share_women(self):
        return percent(self.entered["female"], self.entered_total)

    @property
    def share_men(self):
        return percent(self.entered["male"], self.entered_total)

    @property
    def share_primary(self):
        return percent(self.primary_target, self.entered_total)


def programme_report(actor: User) -> tuple[list[ReportRow], ReportRow]:
    """People reached per Kommune and module, by gender, with the shares of women and men; and the total."""
    programme = get_programme()
    statement = (
        select(Kommune.name, Kommune.kind, Kommune.ags, ParticipantCount.module_code,
               ParticipantCount.gender, func.sum(ParticipantCount.entered), func.sum(ParticipantCount.exited),
               func.sum(ParticipantCount.finished), func.sum(ParticipantCount.primary_target))
        .join(Kommune, Kommune.id == ParticipantCount.kommune_id)
        .where(ParticipantCount.programme_id == programme.id)
        .group_by(Kommune.name, Kommune.kind, Kommune.ags, ParticipantCount.module_code, ParticipantCount.gender)
        .order_by(Kommune.ags, ParticipantCount.module_code)
    )
    scope = scope_kommune_id(actor)
    if scope is not None:
        statement = statement.where(ParticipantCount.kommune_id == scope)
    rows: dict[tuple[str, str], ReportRow] = {}
    total = ReportRow(kommune="Summe", ags="", module="alle")
    for name, kind, ags, module, gender, entered, exited, finished, primary in db.session.execute(statement):
        row = rows.setdefault((ags, module),
                              ReportRow(kommune=kommune_display_name(name, kind), ags=ags, module=module))
        for target in (row, total):
            target.entered[gender] += int(entered or 0)
            target.exited += int(exited or 0)
            target.finished += int(finished or 0)
            target.primary_target += int(primary or 0)
    return list(rows.values()), total

"""Needs and offer analysis: target-group counts per Kommune (imported) against the places offered per module.

Decision (docs/measures.md): modules F1–F4 all address the same target group, so a module's gap is the
Kommune's target-group total minus the places of its measures in that module that are planned or running
(drafts and active ones, from this programme and from other Förderlinien; finished and cancelled ones
no longer offer a place). A negative gap is shown as 0 (more places than people).
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import delete, func, select

from ..auth.models import Role
from ..platform import audit, clock, limits
from ..platform.errors import Forbidden, ValidationFailed
from ..platform.extensions import db
from ..platform.web.sanitation import TEXT_CONTROLS
from ..reference.models import Kommune
from .models import MODULES, Measure, MeasureStatus, TargetGroupCount

HEADER = ("altersgruppe", "aufenthaltsstatus", "anzahl")
MAX_LINES = 1_000
OFFERING = (MeasureStatus.DRAFT, MeasureStatus.ACTIVE)


def parse_counts(data: bytes) -> list[dict]:
    """Rows ``altersgruppe;aufenthaltsstatus;anzahl`` of an uploaded file; any bad line refuses the file."""
    text = data.decode("utf-8-sig", errors="replace")
    if TEXT_CONTROLS.search(text):
        raise ValidationFailed.field("file", "Die Datei enthält Steuerzeichen.")
    records = [r for r in csv.reader(io.StringIO(text), delimiter=";") if any(c.strip() for c in r)]
    if not records or tuple(c.strip().casefold() for c in records[0]) != HEADER:
        raise ValidationFailed.field("file", "Die Kopfzeile muss lauten: altersgruppe;aufenthaltsstatus;anzahl.")
    if len(records) - 1 > MAX_LINES:
        raise ValidationFailed.field("file", f"Höchstens {MAX_LINES:,} Zeilen je Datei.".replace(",", "."))
    rows, errors, seen = [], [], set()
    for line, record in enumerate(records[1:], start=2):
        cells = [c.strip() for c in record]
        if len(cells) != 3 or not cells[0] or not cells[1] or max(len(cells[0]), len(cells[1])) > limits.CODE:
            errors.append(f"Zeile {line}: drei Werte erwartet (Altersgruppe und Aufenthaltsstatus je höchstens "
                          f"{limits.CODE} Zeichen).")
        elif not cells[2].isdigit() or int(cells[2]) > 10_000_000:
            errors.append(f"Zeile {line}, anzahl: Bitte eine ganze Zahl ab 0 angeben.")
        elif (cells[0], cells[1]) in seen:
            errors.append(f"Zeile {line}: {cells[0]}/{cells[1]} steht doppelt in der Datei.")
        else:
            seen.add((cells[0], cells[1]))
            rows.append({"age_band": cells[0], "residence_status": cells[1], "count": int(cells[2])})
    if errors or not rows:
        raise ValidationFailed("Die Datei enthält Fehler; nichts wurde übernommen.",
                               errors={"file": errors or ["Die Datei enthält keine Zahlen."]})
    return rows


def import_counts(actor, rows: list[dict]) -> int:
    """Replace the actor's Kommune's target-group counts by ``rows``; returns the new total."""
    if actor.role is not Role.KOMMUNE:
        raise Forbidden("Nur eine Kommune importiert ihre Zielgruppenzahlen.")
    before = db.session.scalar(select(func.coalesce(func.sum(TargetGroupCount.count), 0))
                               .where(TargetGroupCount.kommune_id == actor.kommune_id))
    db.session.execute(delete(TargetGroupCount).where(TargetGroupCount.kommune_id == actor.kommune_id))
    now = clock.now()
    db.session.add_all(TargetGroupCount(kommune_id=actor.kommune_id, imported_at=now, **row) for row in rows)
    total = sum(row["count"] for row in rows)
    audit.record("measure.needs.import", "kommune", actor.kommune_id, before={"total": before},
                 after={"total": total, "lines": len(rows)}, actor=actor, kommune_id=actor.kommune_id)
    return total


def analysis(kommune_id: int | None) -> list[dict]:
    """Per Kommune (one, or all with counts or measures): target group, places per module and the gaps."""
    scope = (lambda column: column == kommune_id) if kommune_id is not None else (lambda column: True)
    counts = dict(db.session.execute(select(TargetGroupCount.kommune_id, func.sum(TargetGroupCount.count))
                                     .where(scope(TargetGroupCount.kommune_id))
                                     .group_by(TargetGroupCount.kommune_id)).all())
    places: dict[int, dict[str, int]] = {}
    for kid, module, total in db.session.execute(
            select(Measure.kommune_id, Measure.module_code, func.sum(Measure.places))
            .where(scope(Measure.kommune_id), Measure.status.in_(OFFERING))
            .group_by(Measure.kommune_id, Measure.module_code)):
        places.setdefault(kid, {})[module] = int(total)
    ids = sorted(set(counts) | set(places) | ({kommune_id} if kommune_id is not None else set()))
    kommunen = {k.id: k for k in db.session.scalars(select(Kommune).where(Kommune.id.in_(ids)))}
    result = []
    for kid in ids:
        target = int(counts.get(kid, 0))
        offered = {m: places.get(kid, {}).get(m, 0) for m in MODULES}
        result.append({"kommune": kommunen[kid].display_name, "ags": kommunen[kid].ags, "target": target,
                       "places": offered,
                       "gaps": {m: max(0, target - offered[m]) for m in MODULES}})
    return result


def counts_of(kommune_id: int) -> list[TargetGroupCount]:
    return list(db.session.scalars(select(TargetGroupCount).where(TargetGroupCount.kommune_id == kommune_id)
                                   .order_by(TargetGroupCount.age_band, TargetGroupCount.residence_status)))


def gap_values(rows: list[dict], module: str) -> dict[str, int | None]:
    """For the NRW map: ags -> the gap in ``module``, for the Kommunen with target-group counts (a Kommune
    without counts has no known gap: left out, drawn as "keine Daten")."""
    return {row["ags"]: row["gaps"][module] for row in rows if row["target"]}

"""CSV/XLSX exports of a call's sketch list and its ranking (through app/exports.py): the same
columns and rows as the pages ``call.html`` and ``ranking.html`` show (headings in the page language)."""

from __future__ import annotations

from flask_babel import gettext

from ..exports import Column
from .models import Call
from .selection import Proposals


def sketch_rows(call: Call, aggregates: dict) -> tuple[list[Column], list[list]]:
    """The submitted sketches as on the call page."""
    columns = [Column(gettext("Nr.")), Column(gettext("Titel")), Column(gettext("Träger")), Column(gettext("Status")),
               Column(gettext("Beantragt"), "money"), Column(gettext("Punkte"), "decimal"),
               Column(gettext("Starke Abweichung")), Column(gettext("Förderfähigkeit"))]
    rows = [[s.reference, s.title, s.organisation.name, s.status.label, s.requested_cents, aggregates[s.id].mean,
             gettext("ja") if aggregates[s.id].discrepancy else "", s.eligibility_note]
            for s in call.sketches if s.submitted_at is not None]
    return columns, rows


def ranking_rows(result: Proposals) -> tuple[list[Column], list[list]]:
    """The ranking as on the ranking page (position, scores, spread with the discrepancy flag, amount)."""
    columns = [Column(gettext("Rang"), "int"), Column(gettext("Skizze")), Column(gettext("Titel")),
               Column(gettext("Mittel"), "decimal"), Column(gettext("Median"), "decimal"),
               Column(gettext("Std.-abw."), "decimal"), Column(gettext("Spanne"), "decimal"),
               Column(gettext("Starke Abweichung")), Column(gettext("Gutachten"), "int"),
               Column(gettext("Beantragt"), "money")]
    rows = []
    for r in result.ranked:
        sketch = result.sketches[r.id]
        a = result.aggregates[sketch.id]
        rows.append([r.position, sketch.reference, sketch.title, a.mean, a.median, a.stdev, a.spread,
                     gettext("ja") if a.discrepancy else "", a.count, sketch.requested_cents])
    return columns, rows

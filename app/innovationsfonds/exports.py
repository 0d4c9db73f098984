"""CSV/XLSX exports of a call's lists (through app/exports.py): the same columns and rows as the pages
``call.html``, ``ranking.html``, ``matrix.html`` and ``outbox.html`` show (headings in the page language)."""

from __future__ import annotations

from flask_babel import gettext

from ..platform.web.exports import Column
from .models import Sketch, StagedMessage
from .selection import Ranking


def sketch_rows(sketches: list[Sketch], aggregates: dict) -> tuple[list[Column], list[list]]:
    """The submitted sketches (``access.submitted_sketches``) as on the call page."""
    columns = [Column(gettext("Nr.")), Column(gettext("Titel")), Column(gettext("Träger")), Column(gettext("Status")),
               Column(gettext("Beantragt"), "money"), Column(gettext("Punkte"), "decimal"),
               Column(gettext("Starke Abweichung")), Column(gettext("Förderfähigkeit"))]
    rows = [[s.reference, s.title, s.organisation.name, s.status.label, s.requested_cents, aggregates[s.id].mean,
             gettext("ja") if aggregates[s.id].discrepancy else "", s.eligibility_note]
            for s in sketches]
    return columns, rows


def ranking_rows(result: Ranking) -> tuple[list[Column], list[list]]:
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


def matrix_rows(matrix: dict) -> tuple[list[Column], list[list]]:
    """The assignment matrix: one row per sketch, one column per reviewer (by name), the load per reviewer last."""
    marks = {"submitted": gettext("abgegeben"), "assigned": gettext("zugeordnet"),
             "conflict": gettext("Interessenkonflikt")}
    reviewers = matrix["reviewers"]
    columns = [Column(gettext("Skizze")), Column(gettext("Titel"))]
    columns += [Column(f"G{index}: {u.name}") for index, u in enumerate(reviewers, start=1)]
    columns += [Column(gettext("Anzahl"), "int")]
    rows = [[row["sketch"].reference, row["sketch"].title, *[marks.get(cell, "") for cell in row["cells"]],
             row["count"]] for row in matrix["rows"]]
    rows.append([gettext("Last"), "", *[matrix["loads"][u.id] for u in reviewers], None])
    return columns, rows


def outbox_rows(messages: list[StagedMessage]) -> tuple[list[Column], list[list]]:
    """The staged decision messages with their state (waiting or sent, when, to how many)."""
    columns = [Column(gettext("Skizze")), Column(gettext("Betreff")), Column(gettext("Stand")),
               Column(gettext("Vorgemerkt"), "datetime"), Column(gettext("Versandt"), "datetime"),
               Column(gettext("Empfänger"), "int"), Column(gettext("Text"))]
    rows = [[m.sketch.reference, m.subject, gettext("versandt") if m.released_at else gettext("wartet"), m.created_at,
             m.released_at, m.recipients if m.released_at else None, m.body] for m in messages]
    return columns, rows

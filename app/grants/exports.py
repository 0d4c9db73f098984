"""Columns and rows of the grants exports (CSV and XLSX from the one generator in app/exports.py)."""

from __future__ import annotations

from ..auth.models import User
from ..platform.extensions import db
from ..platform.money import percent
from ..platform.web.exports import Column
from .content import eligible_cost_cents
from .decisions import decisions_select
from .models import GENDER_LABELS, GENDERS, Application, DecisionOutcome
from .participants import programme_report
from .services import application_select, ceiling_cents


def application_rows(actor: User) -> tuple[list[Column], list[list]]:
    """One row per application and amendment with its latest revision's amounts per module."""
    applications = list(db.session.scalars(application_select(actor)))
    modules = sorted({m.code for a in applications for m in a.programme.kommune_modules}) or ["F1", "F2", "F3", "F4"]
    columns = [Column("ID", "int"), Column("Art"), Column("AGS"), Column("Kommune"), Column("Status"),
               Column("Revision", "int"), Column("Eingereicht", "datetime"), Column("Entschieden", "datetime"),
               Column("Förderquote %", "percent"), Column("Zuwendungshöchstgrenze", "money")]
    columns += [Column(f"{m} beantragt", "money") for m in modules]
    columns += [Column("Zuwendung gesamt", "money"), Column("Zuwendungsfähige Ausgaben", "money"),
                Column("Eigenanteil", "money")]
    rows = []
    for application in applications:
        revision = application.latest_revision
        lines = revision.line_map() if revision else {}
        rate = revision.funding_rate_bp if revision else application.programme.funding_rate_bp
        total = sum(lines.values())
        eligible = sum(eligible_cost_cents(c, rate) for c in lines.values())
        row = [application.id, application.kind.label, application.kommune.ags, application.kommune.display_name,
               application.status.label, revision.number if revision else None, application.submitted_at,
               application.decided_at, percent(rate, 10000, 2),
               ceiling_cents(application.programme_id, application.kommune_id)]
        row += [sum(c for (m, _y), c in lines.items() if m == module) for module in modules]
        row += [total, eligible, eligible - total]
        rows.append(row)
    return columns, rows


def decision_state(decision, superseded_ids: set[int]) -> str:
    """"in Kraft", "ersetzt" (a later amendment decision took its place) or "abgelehnt"."""
    if decision.outcome is not DecisionOutcome.APPROVED:
        return "abgelehnt"
    return "ersetzt" if decision.id in superseded_ids else "in Kraft"


def decision_rows(actor: User) -> tuple[list[Column], list[list]]:
    """One row per decision line (module and year), so that sums per module or year pivot directly.

    Superseded and rejected decisions stay in the export (the history), marked in "Stand"; only the
    column "Bewilligt, in Kraft" carries amounts of the decisions in force, so its sum is what is granted.
    """
    columns = [Column("Bescheid"), Column("Ergebnis"), Column("Stand"), Column("Datum", "datetime"), Column("AGS"),
               Column("Kommune"), Column("Antrag"), Column("Revision", "int"), Column("Förderquote %", "percent"),
               Column("Baustein"), Column("Haushaltsjahr", "int"), Column("Beantragt", "money"),
               Column("Bewilligt", "money"), Column("Bewilligt, in Kraft", "money"), Column("Begründung der Kürzung"),
               Column("Freigegeben", "money")]
    decisions = list(db.session.scalars(decisions_select(actor)))
    superseded = {d.supersedes_id for d in decisions if d.supersedes_id is not None}
    rows = []
    for decision in decisions:
        application: Application = decision.application
        state = decision_state(decision, superseded)
        for index, line in enumerate(decision.lines):
            rows.append([decision.number, decision.outcome.label, state, decision.decided_at, application.kommune.ags,
                         application.kommune.display_name, application.title, decision.revision.number,
                         percent(decision.funding_rate_bp, 10000, 2), line.module_code, line.budget_year,
                         line.requested_cents, line.approved_cents,
                         line.approved_cents if state == "in Kraft" else 0, line.reason,
                         decision.released_cents if index == 0 else 0])
    return columns, rows


def participant_rows(actor: User) -> tuple[list[Column], list[list]]:
    columns = [Column("AGS"), Column("Kommune"), Column("Baustein")]
    columns += [Column(f"Eingetreten {GENDER_LABELS[g]}", "int") for g in GENDERS]
    columns += [Column("Eingetreten gesamt", "int"), Column("davon primäre Zielgruppe", "int"),
                Column("Vorzeitig ausgeschieden", "int"), Column("Abgeschlossen", "int"),
                Column("Anteil Frauen %", "percent"), Column("Anteil Männer %", "percent")]
    rows_, total = programme_report(actor)
    rows = []
    for row in [*rows_, total]:
        rows.append([row.ags, row.kommune, row.module, *[row.entered[g] for g in GENDERS], row.entered_total,
                     row.primary_target, row.exited, row.finished, row.share_women, row.share_men])
    return columns, rows

"""Read models shared by the API and the pages (no state changes here)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..auth.models import User
from ..platform import clock
from ..platform.money import MoneyFormatError, parse_german_amount
from .content import eligible_cost_cents, line_field
from .models import Application, Revision
from .services import ceiling_cents, funding_rate_bp, module_codes
from .workflow import APPLICATION

EDITABLE = frozenset(state for state, action in APPLICATION.transitions if action == "edit")  # "at application time"


def present_revision(revision: Revision, *, modules: list[str], years: list[int]) -> dict:
    """The revision with every module/year line (zeros included), eligible cost and own share."""
    rate = revision.funding_rate_bp
    planned = revision.line_map()
    keys = sorted({(m, y) for m in modules for y in years} | set(planned))
    lines = []
    for module, year in keys:
        cents = planned.get((module, year), 0)
        eligible = eligible_cost_cents(cents, rate)
        lines.append({"module": module, "year": year, "planned": cents, "eligible_cost": eligible,
                      "own_share": eligible - cents})
    participants = revision.participant_map()
    return {
        "number": revision.number, "created_at": revision.created_at, "submitted_at": revision.submitted_at,
        "funding_rate_bp": rate, "lines": lines,
        "participants": [{"module": m, "planned": participants.get(m, 0)} for m in modules],
        "total_planned": sum(line["planned"] for line in lines),
        "total_eligible_cost": sum(line["eligible_cost"] for line in lines),
        "total_own_share": sum(line["own_share"] for line in lines),
        "measures": revision.measures, "contact_name": revision.contact_name,
        "contact_email": revision.contact_email, "contact_phone": revision.contact_phone,
        "justification": revision.justification,
    }


def present_application(application: Application, actor: User | None) -> dict:
    programme = application.programme
    modules, years = module_codes(programme), list(programme.budget_years)
    revision = application.latest_revision
    actions = APPLICATION.allowed_actions(application.status, actor)
    return {
        "id": application.id, "kind": application.kind.value, "parent_id": application.parent_id,
        "sequence": application.sequence, "kommune": application.kommune, "status": application.status.value,
        "status_label": application.status.label, "created_at": application.created_at,
        "submitted_at": application.submitted_at, "decided_at": application.decided_at,
        "ceiling": ceiling_cents(programme.id, application.kommune_id),
        "funding_rate_bp": funding_rate_bp(programme, application.kommune_id),
        "current_revision": present_revision(revision, modules=modules, years=years) if revision else None,
        "revisions": [r.number for r in application.revisions],
        "decision_ids": [d.id for d in application.decisions],
        "amendment_ids": [a.id for a in application.amendments],
        "allowed_actions": actions,
        "warnings": [{"field": name, "message": messages[0]} for name, messages in closed_year_warnings(
            revision.line_map() if revision and application.status in EDITABLE else {}, clock.today().year).items()],
        "events": [{"action": e.action, "from_status": e.from_status, "to_status": e.to_status,
                    "comment": e.comment, "revision": e.revision.number if e.revision else None,
                    "created_at": e.created_at} for e in application.events],
    }


@dataclass(frozen=True)
class GridSums:
    """What the application grid adds up to: per module (row), per year (column), in all, and the room
    left up to the ceiling (negative: over the ceiling). Fields that do not parse count as 0."""

    rows: dict[str, int]
    columns: dict[int, int]
    total: int
    remaining: int | None


def grid_cents(values: Mapping[str, str], modules: list[str], years: list[int]) -> dict[tuple[str, int], int]:
    """The grid's typed amounts in cents per (module, year); fields that do not parse count as 0."""
    def cents(module: str, year: int) -> int:
        try:
            return parse_german_amount(values.get(line_field(module, year)) or "0")
        except MoneyFormatError:
            return 0

    return {(m, y): cents(m, y) for m in modules for y in years}


def grid_sums(values: Mapping[str, str], modules: list[str], years: list[int], ceiling: int | None) -> GridSums:
    grid = grid_cents(values, modules, years)
    total = sum(grid.values())
    return GridSums(rows={m: sum(grid[m, y] for y in years) for m in modules},
                    columns={y: sum(grid[m, y] for m in modules) for y in years}, total=total,
                    remaining=None if ceiling is None else ceiling - total)


def closed_year_warnings(lines: Mapping[tuple[str, int], int], current_year: int) -> dict[str, list[str]]:
    """Issue #21, 6: per grid field, the German warning for an amount on a budget year already closed.

    A warning, not a refusal (as for expenses before the decision): such money can only pay for
    expenses made before the decision, which are eligible only if the early start was allowed.
    """
    return {line_field(module, year): [
        f"Das Haushaltsjahr {year} ist bereits abgeschlossen: Für {module} {year} sind nur Ausgaben förderfähig, "
        "die vor dem Bescheid angefallen sind, und nur, wenn der vorzeitige Maßnahmebeginn zugelassen wurde."]
        for (module, year), cents in sorted(lines.items()) if cents > 0 and year < current_year}

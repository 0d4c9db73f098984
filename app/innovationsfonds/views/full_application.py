"""The full application of a selected sketch: the organisation's form (amounts per budget year, period,
description) and the administrator's decision (approve, request changes, reject)."""

from __future__ import annotations

from flask import g, render_template, request, url_for
from flask_babel import gettext

from ...auth.permissions import requires
from ...platform.money import format_eur
from ...platform.web.forms import load_form
from .. import projects
from ..access import get_sketch
from ..permissions import IF_APPLY, IF_MANAGE
from ..schemas.decisions import full_application_page
from .blueprint import SKETCH, act, bp
from .sketches import sketch_page


def budget_years(call) -> list[int]:
    return list(range(call.project_start.year, call.project_end.year + 1))


@bp.route(SKETCH + "/vollantrag", methods=["GET", "POST"])
@requires(IF_APPLY)
def full_application_form(sketch_id: int):
    """The selected organisation's full application: amounts per budget year, period, description."""
    sketch = get_sketch(sketch_id, g.actor)
    application = projects.full_application_of(sketch)
    years = budget_years(sketch.call)
    detail = url_for("innovationsfonds.sketch_detail", sketch_id=sketch_id)

    def show_form(errors: dict):
        return render_template("innovationsfonds/full_application_form.html", sketch=sketch, application=application,
                               years=years, form=form, errors=errors), (422 if errors else 200)

    if request.method == "POST":
        form = request.form

        def apply() -> str:
            data = load_form(full_application_page(years))
            lines = {year: amount for year in years if (amount := data.pop(f"line_{year}", None))}
            projects.submit_full_application(sketch_id, g.actor, lines=lines, **data)
            return detail

        return act(apply, success=gettext("Der Vollantrag wurde eingereicht."), back=detail, show_errors=show_form)
    if application is not None:  # date inputs take ISO days
        form = {f"line_{y}": format_eur(c, with_symbol=False) for y, c in application.lines.items()}
        form.update(start_date=application.start_date.isoformat(), end_date=application.end_date.isoformat(),
                    description=application.description)
    else:
        form = {"start_date": max(sketch.start_date, sketch.call.project_start).isoformat(),
                "end_date": min(sketch.end_date, sketch.call.project_end).isoformat()}
    return show_form({})


@bp.route(SKETCH + "/vollantrag/<any(bewilligen, aenderungen, ablehnen):action>", methods=["POST"])
@requires(IF_MANAGE)
def full_application_decide(sketch_id: int, action: str):
    """Approve the full application (grant decision, commitment in the budget), request changes or reject it
    (the sketch leaves the selection; the waiting list moves up). A missing reason is shown beside its field."""
    field = {"bewilligen": "comment", "aenderungen": "reason", "ablehnen": "rejection_reason"}[action]
    made = {}
    messages = {"bewilligen": lambda: gettext("Der Vollantrag wurde bewilligt (Zuwendungsbescheid %(number)s).",
                                              number=made["decision"].number),
                "aenderungen": gettext("Die Änderungswünsche wurden an den Träger gesendet."),
                "ablehnen": gettext("Der Vollantrag wurde abgelehnt; die Skizze ist nicht mehr ausgewählt.")}
    detail = url_for("innovationsfonds.sketch_detail", sketch_id=sketch_id)
    text = request.form.get(field, "")

    def decide() -> str:
        if action == "bewilligen":
            made["decision"] = projects.approve_full_application(sketch_id, g.actor, comment=text)
        elif action == "aenderungen":
            projects.request_changes(sketch_id, g.actor, reason=text)
        else:
            projects.reject_full_application(sketch_id, g.actor, reason=text)
        return detail

    def show_errors(errors: dict):
        return sketch_page(sketch_id, errors={field: [m for ms in errors.values() for m in ms]})

    return act(decide, success=messages[action], back=detail, show_errors=show_errors)

"""Pages of the results report: the report (chart, NRW map, table, export), the quarters, the Kommune's
form for people reached and the programme administration's import of target-group counts."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, g, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from ..auth.permissions import can, requires
from ..grants.models import GENDER_LABELS
from ..platform import clock
from ..platform.formatting import format_percent
from ..platform.web.charts import bar_chart
from ..platform.web.edge import submit
from ..platform.web.forms import load_form
from ..platform.web.listing import export_of
from ..platform.web.navigation import nav_entry
from ..platform.web.nrwmap import render_map
from ..reference.services import get_programme
from . import services
from .exports import kommune_columns, quarter_columns, row_values
from .permissions import RESULTS_READ, RESULTS_REPORT, RESULTS_TARGETS
from .reach import GENDERS
from .schemas import ReachedIn, TargetsIn, counts_of

bp = Blueprint("results", __name__)
nav_entry(lazy_gettext("Ergebnisse"), "results.report", RESULTS_READ, order=215)


@bp.route("/ergebnisse")
@requires(RESULTS_READ)
def report():
    result = services.results_report(g.actor)
    exported = export_of(request.args, "ergebnisse-kommunen", lambda: (
        kommune_columns(result.modules), [row_values(row, result.modules) for row in [*result.kommunen, result.total]]))
    if exported is not None:
        return exported
    rates = {row.ags: int(row.reach_rate * 10) for row in result.kommunen if row.reach_rate is not None}
    reach_map = render_map(rates, title=gettext("Erreichungsquote je Kommune"),
                           link=lambda ags: None, names={row.ags: row.kommune for row in result.kommunen},
                           value_label=lambda tenths: format_percent(Decimal(tenths) / 10))
    chart = bar_chart([(row.kommune, row.reached) for row in result.kommunen if row.reached],
                      title=gettext("Erreichte Personen je Kommune"), value_label=lambda v: f"{v:,}".replace(",", "."))
    return render_template("results/report.html", result=result, reach_map=reach_map, chart=chart,
                           source=services.target_source(),
                           genders=GENDERS, gender_labels=GENDER_LABELS)


@bp.route("/ergebnisse/quartale")
@requires(RESULTS_READ)
def quarters():
    result = services.results_report(g.actor)
    exported = export_of(request.args, "ergebnisse-quartale", lambda: (
        quarter_columns(result.modules), [row_values(row, result.modules, quarter=True) for row in result.quarters]))
    if exported is not None:
        return exported
    return render_template("results/quarters.html", result=result, genders=GENDERS, gender_labels=GENDER_LABELS)


@bp.route("/ergebnisse/erreichte", methods=["GET", "POST"])
@requires(RESULTS_REPORT)
def reached():
    programme = get_programme()
    years = list(programme.budget_years)
    today = clock.today()
    year = request.values.get("year", type=int)
    year = year if year in years else (today.year if today.year in years else years[-1])
    quarter = request.values.get("quarter", type=int)
    quarter = quarter if quarter in (1, 2, 3, 4) else (today.month - 1) // 3 + 1
    errors: dict = {}
    values = {gender: str(count) for gender, count in
              services.reached_in_quarter(g.actor.kommune_id, year, quarter).items()}
    if request.method == "POST":
        values = dict(request.form)

        def change() -> str:
            data = load_form(ReachedIn())
            services.report_reached(g.actor, year=data["year"], quarter=data["quarter"], counts=counts_of(data))
            return url_for("results.reached", year=data["year"], quarter=data["quarter"])

        response, errors = submit(change, success=gettext("Die erreichten Personen wurden gespeichert."))
        if response:
            return response
    entered = services.entered_in_quarter(g.actor.kommune_id, year, quarter)
    return render_template("results/reached.html", year=year, quarter=quarter, years=years, values=values,
                           errors=errors, entered=entered, genders=GENDERS, gender_labels=GENDER_LABELS), (
        422 if errors else 200)


@bp.route("/ergebnisse/zielgruppe", methods=["GET", "POST"])
@requires(RESULTS_TARGETS)
def targets():
    errors: dict = {}
    if request.method == "POST":
        def change() -> str:
            data = load_form(TargetsIn())
            upload = request.files.get("file")
            content = upload.read().decode("utf-8-sig", errors="replace") if upload and upload.filename else ""
            services.import_targets(g.actor, content or request.form.get("content", ""), data["source"])
            return url_for("results.report")

        response, errors = submit(change, success=gettext("Die Zielgruppenzahlen wurden übernommen."))
        if response:
            return response
    return render_template("results/targets.html", errors=errors, form=request.form,
                           may_import=can(g.actor, RESULTS_TARGETS)), (422 if errors else 200)

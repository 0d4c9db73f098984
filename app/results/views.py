"""Pages of the results report: the report (chart, NRW map, table, export), the quarters, the Kommune's
form for people reached, the programme administration's import of target-group counts, the interim proofs
(list, submit, review) and the alliance of each Kommune ("Gemeinsam klappt's")."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, g, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from ..auth.permissions import can, requires
from ..grants.models import GENDER_LABELS
from ..platform import clock
from ..platform.errors import ValidationFailed
from ..platform.formatting import format_percent
from ..platform.web.charts import bar_chart
from ..platform.web.edge import submit
from ..platform.web.forms import load_form
from ..platform.web.listing import export_of
from ..platform.web.navigation import nav_entry
from ..platform.web.nrwmap import render_map
from ..reference.services import get_programme
from . import interim, services
from .exports import (
    interim_columns,
    interim_values,
    kommune_columns,
    partnership_columns,
    partnership_values,
    quarter_columns,
    row_values,
)
from .models import PARTNERSHIP_BODY_LABELS, InterimStatus
from .permissions import (
    INTERIM_READ,
    INTERIM_REVIEW,
    INTERIM_SUBMIT,
    PARTNERSHIP_EDIT,
    PARTNERSHIP_READ,
    RESULTS_READ,
    RESULTS_REPORT,
    RESULTS_TARGETS,
)
from .reach import GENDERS
from .schemas import InterimFilter, InterimReviewIn, InterimSubmitIn, PartnerIn, ReachedIn, TargetsIn, counts_of
from .workflow import INTERIM

bp = Blueprint("results", __name__)
nav_entry(lazy_gettext("Ergebnisse"), "results.report", RESULTS_READ, order=215)
nav_entry(lazy_gettext("Zwischennachweise"), "results.interim_list", INTERIM_READ, order=216)
nav_entry(lazy_gettext("Gemeinsam klappt's"), "results.partnerships", PARTNERSHIP_READ, order=217)


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


@bp.route("/zwischennachweise")
@requires(INTERIM_READ)
def interim_list():
    """Kommune: its years with status and due day. Staff: all, with late flags, filters and export."""
    errors: dict = {}
    try:
        chosen = load_form(InterimFilter(), request.args)
    except ValidationFailed as invalid:  # shown beside the filter fields; the list is shown unfiltered
        chosen, errors = InterimFilter().load({}), invalid.errors
    rows = services.interim_rows(g.actor)
    years = sorted({row.year for row in rows})
    if chosen["year"] is not None:
        rows = [row for row in rows if row.year == chosen["year"]]
    if chosen["status"]:
        rows = [row for row in rows if (row.status.value if row.status else "none") == chosen["status"]]
    if chosen["late"]:
        rows = [row for row in rows if row.late]
    exported = export_of(request.args, "zwischennachweise", lambda: (interim_columns(),
                                                                     [interim_values(row) for row in rows]))
    if exported is not None:
        return exported
    return render_template("results/interim_list.html", rows=rows, years=years, chosen=chosen, errors=errors,
                           statuses=list(InterimStatus), none_label=INTERIM.none_label), (422 if errors else 200)


def _interim_page(row, errors: dict, form: dict, status: int = 200):
    return render_template("results/interim.html", row=row, figures=services.ledger_figures(row.grant, row.year),
                           errors=errors, form=form, actions=INTERIM.allowed_actions(row.status, g.actor),
                           labels=INTERIM.labels,
                           may_submit_now=interim.open_for_submission(row.year, clock.today())), status


@bp.route("/zwischennachweise/<id:grant_id>/<id:year>")
@requires(INTERIM_READ)
def interim_detail(grant_id: int, year: int):
    return _interim_page(services.get_interim(g.actor, grant_id, year), {}, {})


@bp.route("/zwischennachweise/<id:grant_id>/<id:year>/einreichen", methods=["POST"])
@requires(INTERIM_SUBMIT)
def interim_submit(grant_id: int, year: int):
    row = services.get_interim(g.actor, grant_id, year)

    def change() -> str:
        data = load_form(InterimSubmitIn())
        services.submit_interim(g.actor, grant_id, year, report=data["report"])
        return url_for("results.interim_detail", grant_id=grant_id, year=year)

    response, errors = submit(change, success=gettext("Der Zwischennachweis wurde eingereicht."))
    return response or _interim_page(row, errors, dict(request.form), 422)


@bp.route("/zwischennachweise/<id:grant_id>/<id:year>/pruefen", methods=["POST"])
@requires(INTERIM_REVIEW)
def interim_review(grant_id: int, year: int):
    row = services.get_interim(g.actor, grant_id, year)

    def change() -> str:
        data = load_form(InterimReviewIn())
        services.review_interim(g.actor, grant_id, year, action=data["action"], note=data["note"])
        return url_for("results.interim_list")

    response, errors = submit(change, success=gettext("Die Prüfung des Zwischennachweises wurde gespeichert."))
    return response or _interim_page(row, errors, dict(request.form), 422)


@bp.route("/gemeinsam-klappts")
@requires(PARTNERSHIP_READ)
def partnerships():
    """Every alliance the user may see (a Kommune: its own), with export."""
    members = services.all_members(g.actor)
    exported = export_of(request.args, "gemeinsam-klappts", lambda: (
        partnership_columns(), [partnership_values(kommune, member) for kommune, member in members]))
    if exported is not None:
        return exported
    return render_template("results/partnerships.html", members=members, own=g.actor.kommune,
                           may_edit=can(g.actor, PARTNERSHIP_EDIT))


@bp.route("/gemeinsam-klappts/<string(length=5):ags>", methods=["GET", "POST"])
@requires(PARTNERSHIP_EDIT)
def partnership_edit(ags: str):
    kommune, errors = services.kommune_of(g.actor, ags), {}
    if request.method == "POST":
        def change() -> str:
            data = load_form(PartnerIn())
            services.add_member(g.actor, kommune, **data)
            return url_for("results.partnership_edit", ags=ags)

        response, errors = submit(change, success=gettext("Der Eintrag wurde hinzugefügt."))
        if response:
            return response
    return render_template("results/partnership_edit.html", kommune=kommune, members=services.members_of(kommune.id),
                           errors=errors, form=request.form if errors else {},
                           bodies=PARTNERSHIP_BODY_LABELS), (422 if errors else 200)


@bp.route("/gemeinsam-klappts/<string(length=5):ags>/<id:member_id>/entfernen", methods=["POST"])
@requires(PARTNERSHIP_EDIT)
def partnership_remove(ags: str, member_id: int):
    kommune = services.kommune_of(g.actor, ags)

    def change() -> str:
        services.remove_member(g.actor, kommune, member_id)
        return url_for("results.partnership_edit", ags=ags)

    response, _errors = submit(change, success=gettext("Der Eintrag wurde entfernt."))
    return response or (render_template("results/partnership_edit.html", kommune=kommune,
                                        members=services.members_of(kommune.id), errors=_errors, form={},
                                        bodies=PARTNERSHIP_BODY_LABELS), 422)

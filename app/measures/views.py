"""Pages of the catalogue of measures (list with search, filters and CSV/XLSX export, form, status, CSV
import) and the course providers. Views never commit: the request edge does (app.platform.web.edge)."""

from __future__ import annotations

from dataclasses import replace

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from sqlalchemy import select

from ..auth.models import Role
from ..auth.permissions import can, requires, scope_kommune_id
from ..budgets.core.rates import flat_rates
from ..platform.errors import ValidationFailed
from ..platform.extensions import db
from ..platform.formatting import format_decimal
from ..platform.web.edge import discard_changes, flash_errors, submit
from ..platform.web.exports import Column
from ..platform.web.forms import load_form
from ..platform.web.listing import ListColumn, Listing, build_listing, export_of
from ..platform.web.navigation import nav_entry
from ..platform.web.nrwmap import render_map
from ..reference.models import Kommune, Organisation
from . import csv_io, forwarding, forwarding_views, needs, services  # noqa: F401 - forwarding pages on bp
from .blueprint import bp
from .models import MODULES, ForwardingContract, FundingSource, Measure, MeasureKind, MeasureStatus, ProviderKind
from .permissions import FORWARDING_DECIDE, FORWARDING_READ, MEASURES_EDIT, MEASURES_READ, PROVIDER_CONTACTS
from .schemas import MeasureIn, ProviderContactIn, ProviderIn
from .workflow import MEASURE

nav_entry(lazy_gettext("Maßnahmen"), "measures.index", MEASURES_READ, order=350)
nav_entry(lazy_gettext("Weiterleitungen"), "measures.contracts", FORWARDING_READ, order=360)
nav_entry(lazy_gettext("Bedarf und Angebot"), "measures.needs_page", MEASURES_READ, order=370)

_SORTS = {"kommune": Kommune.name, "module": Measure.module_code, "title": Measure.title,
          "start_date": Measure.start_date, "places": Measure.places, "cost_plan": Measure.cost_plan_cents,
          "spent": Measure.spent_cents}
MEASURE_COLUMNS = [ListColumn(key, lazy_gettext(label), (lambda m, i=i: csv_io.export_values(m)[i]), kind,
                              _SORTS.get(key)) for i, (key, label, kind) in enumerate(csv_io.COLUMNS)]
# the page shows what fits 1,280 px (shorter labels for the costs per unit); the export and the measure's own
# page carry every column
_PAGE_LABELS = {"cost_per_place": lazy_gettext("je Platz"), "cost_per_hour": lazy_gettext("je Stunde")}
PAGE_COLUMNS = [replace(column, label=_PAGE_LABELS.get(key, column.label))
                for key in ("kommune", "module", "title", "provider_name", "places", "cost_plan", "spent",
                            "cost_per_place", "cost_per_hour", "status")
                for column in MEASURE_COLUMNS if column.key == key]


def _choices() -> dict:
    """The options of the filters and of the measure form (code, label)."""
    providers = list(db.session.scalars(services.providers_select()))
    return {"modules": MODULES, "statuses": list(MeasureStatus), "providers": providers,
            "module_options": [(m, m) for m in MODULES],
            "kind_options": [(k.value, k.label) for k in MeasureKind],
            "source_options": [(s.value, s.label) for s in FundingSource],
            "provider_options": [("", gettext("– keiner –"))] + [(str(p.organisation_id), p.organisation.name)
                                                                  for p in providers]}


@bp.app_context_processor
def _budgets_helpers() -> dict:
    """For budgets' pages, which import nothing of measures: ``forwarded_by_provider(grant)`` (proof of use)
    and ``expense_measures(grant)`` (the measures an expense may be tied to, on the expense form)."""
    return {"forwarded_by_provider": forwarding.forwarded_by_provider,
            "expense_measures": services.expense_measure_options}


@bp.route("/")
@requires(MEASURES_READ)
def index():
    module = request.args.get("module") if request.args.get("module") in MODULES else None
    status = request.args.get("status") if request.args.get("status") in {s.value for s in MeasureStatus} else None
    statement = services.measures_select(g.actor, module=module, status=status).join(Kommune)
    listing = build_listing(statement, MEASURE_COLUMNS, args=request.args, default_sort="start_date",
                            default_descending=True, tiebreak=Measure.id, filename="massnahmen",
                            search=[Measure.title, Measure.provider_name, Kommune.name, Measure.other_programme])
    if not isinstance(listing, Listing):
        return listing
    return render_template("measures/list.html", listing=listing, page_columns=PAGE_COLUMNS, module=module,
                           status=status, errors={}, **_choices())


@bp.route("/import", methods=["POST"])
@requires(MEASURES_EDIT)
def import_csv():
    return _import_upload("measures.index", lambda upload: gettext(
        "%(count)s Maßnahmen als Entwurf übernommen.", count=len(services.import_measures(
            g.actor, csv_io.parse(upload.read(MAX_UPLOAD)), filename=upload.filename))))


MAX_UPLOAD = 2_000_000  # bytes of an uploaded CSV file that are read (more is a file the parsers refuse)


def _import_upload(endpoint: str, store) -> object:
    """Run ``store(upload) -> success message`` on the uploaded ``file`` and return to ``endpoint``; on an
    error nothing is kept and the messages (line and column) are flashed (the import has no form to show)."""
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise ValidationFailed.field("file", gettext("Bitte eine CSV-Datei wählen."))
        flash(store(upload), "success")
    except ValidationFailed as failed:
        discard_changes()
        flash_errors(failed.errors)
    return redirect(url_for(endpoint))


@bp.route("/neu", methods=["GET", "POST"])
@requires(MEASURES_EDIT)
def new():
    errors: dict = {}
    if request.method == "POST":
        response, errors = submit(lambda: url_for("measures.detail", measure_id=services.create_measure(
            g.actor, load_form(MeasureIn())).id), success=gettext("Die Maßnahme ist angelegt (Entwurf)."))
        if response:
            return response
    return render_template("measures/form.html", measure=None, form=request.form, errors=errors, **_choices()), \
        (422 if errors else 200)


@bp.route("/<id:measure_id>")
@requires(MEASURES_READ)
def detail(measure_id: int):
    measure = services.get_measure(g.actor, measure_id)
    contracts = list(db.session.scalars(forwarding.contracts_select(g.actor).where(
        ForwardingContract.measure_id == measure.id))) if can(g.actor, FORWARDING_READ) else []
    return render_template("measures/detail.html", measure=measure, contracts=contracts, figures=measure.figures,
                           expenses=services.measure_expenses(measure), units=services.flat_rate_units(measure),
                           rates=flat_rates(),
                           actions=[a for a in MEASURE.allowed_actions(measure.status, g.actor) if a != "edit"],
                           can_edit="edit" in MEASURE.allowed_actions(measure.status, g.actor), workflow=MEASURE)


@bp.route("/<id:measure_id>/bearbeiten", methods=["GET", "POST"])
@requires(MEASURES_EDIT)
def edit(measure_id: int):
    measure = services.get_measure(g.actor, measure_id)
    errors: dict = {}
    if request.method == "POST":
        response, errors = submit(lambda: url_for("measures.detail", measure_id=services.update_measure(
            services.get_measure(g.actor, measure_id, lock=True), g.actor, load_form(MeasureIn())).id),
            success=gettext("Gespeichert."))
        if response:
            return response
    return render_template("measures/form.html", measure=measure, form=request.form if errors else None,
                           errors=errors, **_choices()), (422 if errors else 200)


@bp.route("/<id:measure_id>/status", methods=["POST"])
@requires(MEASURES_EDIT)
def change_status(measure_id: int):
    action = request.form.get("action", "")
    measure = services.change_status(services.get_measure(g.actor, measure_id, lock=True), action, g.actor)
    flash(gettext("Neuer Status: %(status)s.", status=measure.status.label), "success")
    return redirect(url_for("measures.detail", measure_id=measure.id))


@bp.route("/traeger")
@requires(FORWARDING_READ)
def providers():
    return _providers_page({})


def _providers_page(errors: dict, contact_errors: dict | None = None):
    organisations = list(db.session.scalars(select(Organisation).order_by(Organisation.name)))
    providers = _choices()["providers"]
    contacts = {p.organisation_id: services.contacts_visible_to(g.actor, p) for p in providers}
    editable = [p for p in providers if g.actor.role is Role.PROGRAMME_ADMIN
                or p.organisation_id == g.actor.organisation_id] if can(g.actor, PROVIDER_CONTACTS) else []
    return render_template("measures/providers.html", providers=providers, kinds=list(ProviderKind),
                           organisations=organisations, errors=errors, form=request.form, contacts=contacts,
                           editable=editable, contact_errors=contact_errors or {}), \
        (422 if errors or contact_errors else 200)


@bp.route("/traeger", methods=["POST"])
@requires(FORWARDING_DECIDE)
def classify_provider():
    """The programme administration records an organisation's kind as a course provider and its recognition."""
    def change() -> str:
        services.set_provider_profile(g.actor, load_form(ProviderIn()))
        return url_for("measures.providers")

    response, errors = submit(change, success=gettext("Gespeichert."))
    return response or _providers_page(errors)


@bp.route("/traeger/ansprechpersonen", methods=["POST"])
@requires(PROVIDER_CONTACTS)
def add_contact():
    """A provider's contact staff: the administration for any provider, a provider user for its own."""
    def change() -> str:
        services.add_contact(g.actor, load_form(ProviderContactIn()))
        return url_for("measures.providers")

    response, errors = submit(change, success=gettext("Die Ansprechperson ist eingetragen."))
    return response or _providers_page({}, errors)


@bp.route("/traeger/ansprechpersonen/<id:contact_id>/entfernen", methods=["POST"])
@requires(PROVIDER_CONTACTS)
def remove_contact(contact_id: int):
    services.remove_contact(g.actor, contact_id)
    flash(gettext("Die Ansprechperson ist entfernt."), "success")
    return redirect(url_for("measures.providers"))



# --------------------------------------------------------------------------- needs and offer analysis

def _needs_columns() -> list[Column]:
    return [Column(gettext("Kommune")), Column(gettext("Zielgruppe"), "int")] + [
        Column(gettext("Plätze %(module)s", module=m), "int") for m in MODULES] + [
        Column(gettext("Lücke %(module)s", module=m), "int") for m in MODULES]


@bp.route("/bedarf")
@requires(MEASURES_READ)
def needs_page():
    rows = needs.analysis(scope_kommune_id(g.actor))
    exported = export_of(request.args, "bedarf-und-angebot", lambda: (_needs_columns(), [
        [r["kommune"], r["target"], *r["places"].values(), *r["gaps"].values()] for r in rows]))
    if exported is not None:
        return exported
    counts = needs.counts_of(g.actor.kommune_id) if g.actor.kommune_id else []
    module = request.args.get("baustein") if request.args.get("baustein") in MODULES else MODULES[0]
    gap_map = render_map(needs.gap_values(rows, module), title=gettext(
        "Lücke im Baustein %(module)s je Kommune (Zielgruppe minus Plätze)", module=module), link=lambda ags: None,
        names={row["ags"]: row["kommune"] for row in rows},
        value_label=lambda gap: gettext("Lücke %(count)s", count=format_decimal(gap, 0)),
        legend_label=lambda gap: format_decimal(gap, 0))
    return render_template("measures/needs.html", rows=rows, counts=counts, modules=MODULES, map_module=module,
                           gap_map=gap_map)


@bp.route("/bedarf", methods=["POST"])
@requires(MEASURES_EDIT)
def import_needs():
    return _import_upload("measures.needs_page", lambda upload: gettext(
        "Zielgruppenzahlen übernommen: %(total)s Personen.",
        total=needs.import_counts(g.actor, needs.parse_counts(upload.read(MAX_UPLOAD)))))



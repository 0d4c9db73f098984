"""Pages of the allocation domain (German), under /zuteilung."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from ..auth.models import Role
from ..auth.permissions import can, requires
from ..platform.errors import ValidationFailed
from ..platform.extensions import db
from ..platform.money import format_eur
from ..platform.web import edge
from ..platform.web.forms import load_form
from ..platform.web.listing import export_of
from ..platform.web.navigation import nav_entry
from ..reference.services import get_programme, list_kommunen
from . import distribution, keydata, services
from .exporting import dataset_rows, give_back_rows, give_back_state, positions_export, version_export
from .models import KeyDatasetKind
from .parameters import Parameters
from .permissions import (
    ALLOCATION_MANAGE,
    ALLOCATION_READ,
    GIVE_BACK_DECLARE,
    GIVE_BACK_READ,
    KEYDATA_IMPORT,
    KEYDATA_READ,
    OWN_CEILING,
    POSITIONS_READ,
)
from .schemas import GiveBackIn, KeyDatasetMeta, PositionsQuery, PositionsVersionIn, VersionIn
from .workflow import VERSION

bp = Blueprint("allocation", __name__, url_prefix="/zuteilung")
nav_entry(lazy_gettext("Zuteilung"), "allocation.index", OWN_CEILING, order=200)
PREVIEW_ROWS = 15


@bp.route("/")
@requires(OWN_CEILING)
def index():
    programme = get_programme()
    versions = list(db.session.scalars(services.visible_versions(g.actor, programme.id)))
    current = services.current_version(programme.id)
    own = None
    if g.actor.role == Role.KOMMUNE and current is not None:
        own = next((c for c in current.ceilings if c.kommune_id == g.actor.kommune_id), None)
    return render_template("allocation/index.html", programme=programme, versions=versions, current=current,
                           own=own, datasets=services.list_datasets() if can(g.actor, KEYDATA_READ) else [])


# --------------------------------------------------------------------------- key data


@bp.route("/schluesseldaten")
@requires(KEYDATA_READ)
def datasets():
    items = services.list_datasets()
    return export_of(request.args, "schluesseldaten", lambda: dataset_rows(items)) or render_template(
        "allocation/datasets.html", datasets=items, form={}, errors={}, problems=[], preview=None)


@bp.route("/schluesseldaten/import", methods=["POST"])
@requires(KEYDATA_IMPORT)
def import_dataset():
    """Step 1 (a file): check and preview. Step 2 (``confirm``): import the previewed content."""
    form = request.form
    kind = form.get("kind", "gemeinden")
    errors: dict = {}
    problems: list[str] = []
    preview = None
    content = form.get("content", "")
    upload = request.files.get("file")
    try:
        if upload is not None and upload.filename:
            content = keydata.decode(upload.read())
        elif not content:
            raise ValidationFailed.field("file", "Bitte eine CSV-Datei auswählen.")
        meta = load_form(KeyDatasetMeta())
        if form.get("confirm") == "1":
            dataset = keydata.import_dataset(text=content, actor=g.actor, **meta)
            flash(gettext("Datensatz „%(name)s“ mit %(count)s Zeilen übernommen.", name=dataset.label,
                          count=dataset.row_count), "success")
            return redirect(url_for("allocation.datasets"))
        parsed = keydata.parse(meta["kind"], content)
        if parsed.problems:
            raise keydata.KeyFileRefused(parsed)
        preview = {"rows": parsed.rows[:PREVIEW_ROWS], "count": len(parsed.rows), "content": content,
                   "total": sum(r.get("population") or r.get("count") or 0 for r in parsed.rows)}
    except keydata.KeyFileRefused as refused:
        edge.discard_changes()
        problems = refused.errors["file"]
    except ValidationFailed as failed:
        edge.discard_changes()
        errors = failed.errors
    status = 422 if errors or problems else 200
    return render_template("allocation/datasets.html", datasets=services.list_datasets(), form=form,
                           errors=errors, problems=problems, preview=preview, kind=kind), status


# --------------------------------------------------------------------------- versions


@bp.route("/versionen/neu", methods=["GET", "POST"])
@requires(ALLOCATION_MANAGE)
def new_version():
    programme = get_programme()
    errors: dict = {}
    form = request.form if request.method == "POST" else {
        "pool": format_eur(programme.pool_cents, with_symbol=False), "population_weight_percent": "90",
        "area_weight_percent": "10", "cap_percent": "125", "secondary_weight_percent": "0"}
    if request.method == "POST":
        created = {}

        def create() -> str:
            created["version"] = services.create_version(programme, actor=g.actor, **load_form(VersionIn()))
            return url_for("allocation.version", version_id=created["version"].id)

        response, errors = edge.submit(create, success=lambda: gettext("Entwurf %(number)s berechnet.",
                                                                       number=created["version"].number))
        if response:
            return response
    return render_template("allocation/version_new.html", form=form, errors=errors, programme=programme,
                           key_datasets=services.list_datasets(KeyDatasetKind.GEMEINDEN),
                           count_datasets=services.list_datasets(KeyDatasetKind.COUNTS)), 422 if errors else 200


@bp.route("/versionen/<id:version_id>")
@requires(OWN_CEILING)
def version(version_id: int):
    found = services.get_version(version_id, g.actor)
    sort = request.args.get("sort", "ags")
    sort = sort if sort in services.SORT_KEYS else "ags"
    descending = request.args.get("richtung") == "ab"
    rows = services.table_rows(found, g.actor, sort=sort, descending=descending)
    actions = VERSION.allowed_actions(found.status, g.actor, among=("publish", "redistribute"))
    return render_template("allocation/version.html", version=found, rows=rows, sort=sort, descending=descending,
                           actions=actions,
                           chain=services.version_chain(found), parameters=Parameters.from_json(found.parameters),
                           open_give_backs=services.open_give_backs(found) if "redistribute" in actions else [],
                           total=sum(r.ceiling_cents for r in rows),
                           total_population=sum(r.population for r in rows),
                           total_area=sum(r.area_hundredths for r in rows),
                           total_share=sum((r.share for r in rows), 0))


@bp.route("/versionen/<id:version_id>/veroeffentlichen", methods=["POST"])
@requires(ALLOCATION_MANAGE)
def publish(version_id: int):
    found = services.publish_version(services.get_version(version_id, g.actor), actor=g.actor)
    flash(gettext("Version %(number)s ist veröffentlicht.", number=found.number), "success")
    return redirect(url_for("allocation.version", version_id=found.id))


@bp.route("/versionen/<id:version_id>/umverteilen", methods=["POST"])
@requires(ALLOCATION_MANAGE)
def redistribute(version_id: int):
    new = services.redistribute_version(services.get_version(version_id, g.actor), actor=g.actor,
                                        note=request.form.get("note", ""))
    flash(gettext("Umverteilung als Version %(number)s veröffentlicht.", number=new.number), "success")
    return redirect(url_for("allocation.version", version_id=new.id))


@bp.route("/versionen/<id:version_id>/export.<any(csv, xlsx):fmt>")
@requires(ALLOCATION_READ)
def export(version_id: int, fmt: str):
    found = services.get_version(version_id, g.actor)
    return version_export(found, services.table_rows(found, g.actor), fmt)


@bp.route("/versionen/<id:version_id>/kommunen/<string(length=5):ags>")
@requires(OWN_CEILING)
def explain(version_id: int, ags: str):
    found = services.get_version(version_id, g.actor)
    ceiling = services.ceiling_of(found, ags, g.actor)
    return render_template("allocation/explain.html", version=found, ceiling=ceiling,
                           steps=services.explain(found, ceiling))


# --------------------------------------------------------------------------- give-backs


@bp.route("/rueckgaben")
@requires(GIVE_BACK_READ)
def give_backs():
    items = services.list_give_backs(g.actor, get_programme().id)
    return export_of(request.args, "rueckgaben", lambda: give_back_rows(items)) or _give_backs_page({}, {})


def _give_backs_page(form, errors, status: int = 200):
    programme = get_programme()
    return render_template("allocation/give_backs.html", give_backs=services.list_give_backs(g.actor, programme.id),
                           give_back_state=give_back_state, current=services.current_version(programme.id), form=form,
                           errors=errors,
                           kommunen=list_kommunen() if g.actor.role != Role.KOMMUNE else []), status


@bp.route("/rueckgaben", methods=["POST"])
@requires(GIVE_BACK_DECLARE)
def declare_give_back():
    def declare() -> str:
        services.declare_give_back(get_programme(), actor=g.actor, **load_form(GiveBackIn()))
        return url_for("allocation.give_backs")

    response, errors = edge.submit(declare, success=gettext("Die Erklärung wurde gespeichert."))
    return response or _give_backs_page(request.form, errors, 422)


# --------------------------------------------------------------------------- F6 positions


def _positions_query() -> dict:
    """The chosen data set and total (the page's GET form; the same schema as the API's query)."""
    return load_form(PositionsQuery(), request.args)


@bp.route("/stellen")
@requires(POSITIONS_READ)
def positions():
    datasets = services.list_datasets(KeyDatasetKind.COUNTS)
    rows, errors = None, {}
    query = {"dataset_id": None, "total": request.args.get("total") or services.F6_POSITIONS}
    if request.args.get("dataset_id"):
        try:
            query = _positions_query()
            rows = services.positions(query["dataset_id"], query["total"])
        except ValidationFailed as failed:
            errors = failed.errors
    return _positions_page(datasets, rows, errors, query)


def _positions_page(datasets, rows, errors, query):
    programme = get_programme()
    versions = services.positions_versions(programme.id)
    published = next((v for v in versions if v.status.value == "published"), None)
    return render_template("allocation/positions.html", datasets=datasets, rows=rows, errors=errors,
                           dataset_id=query["dataset_id"], total=query["total"], versions=versions,
                           published=published, version_actions=lambda v: VERSION.allowed_actions(v.status, g.actor),
                           ), 422 if errors else 200


@bp.route("/stellen/versionen", methods=["POST"])
@requires(ALLOCATION_MANAGE)
def positions_version_create():
    def create() -> str:
        data = load_form(PositionsVersionIn())
        version = services.create_positions_version(get_programme(), actor=g.actor, dataset_id=data["dataset_id"],
                                                    total_positions=data["total"], title=data["title"])
        return url_for("allocation.positions", dataset_id=version.dataset_id, total=version.total_halves // 2)

    response, errors = edge.submit(create, success=gettext("Die Stellenversion wurde als Entwurf angelegt."))
    if response:
        return response
    query = {"dataset_id": None, "total": request.form.get("total") or services.F6_POSITIONS}
    return _positions_page(services.list_datasets(KeyDatasetKind.COUNTS), None, errors, query)


@bp.route("/stellen/versionen/<id:version_id>/veroeffentlichen", methods=["POST"])
@requires(ALLOCATION_MANAGE)
def positions_version_publish(version_id: int):
    version = services.publish_positions_version(services.get_positions_version(version_id), actor=g.actor)
    flash(gettext("Stellenversion %(number)s ist veröffentlicht.", number=version.number), "success")
    return redirect(url_for("allocation.positions"))


@bp.route("/stellen/export.<any(csv, xlsx):fmt>")
@requires(POSITIONS_READ)
def positions_download(fmt: str):
    if not request.args.get("dataset_id"):
        abort(404)
    query = _positions_query()
    return positions_export(services.positions(query["dataset_id"], query["total"]), fmt)


@bp.context_processor
def _number_helpers():
    """Exact shares and quotas, rounded for display only."""
    def share_pct(value) -> str:
        return distribution.format_number(value * 100, 6) + "\u00a0%"

    def quota_eur(cents) -> str:
        return distribution.format_number(cents / 100, 4) + "\u00a0€"

    return {"share_pct": share_pct, "quota_eur": quota_eur}

"""Pages of the allocation domain (German), under /zuteilung."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from ..auth.models import Role
from ..auth.permissions import can, requires
from ..platform.errors import ValidationFailed
from ..platform.extensions import db
from ..platform.money import MoneyFormatError, format_eur, parse_german_amount
from ..platform.web.listing import export_of
from ..platform.web.navigation import nav_entry
from ..reference.services import get_programme, list_kommunen
from . import distribution, keydata, services
from .exporting import dataset_rows, give_back_rows, give_back_state, positions_export, version_export
from .models import KeyDatasetKind
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


def _reference_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


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
    if upload is not None and upload.filename:
        try:
            content = keydata.decode(upload.read())
        except ValidationFailed as failed:
            errors = failed.errors
    elif not content:
        errors = {"file": ["Bitte eine CSV-Datei auswählen."]}
    reference_date = _reference_date(form.get("reference_date", ""))
    if not errors:
        try:
            if form.get("confirm") == "1":
                dataset = keydata.import_dataset(kind=kind, name=form.get("name", ""), reference_date=reference_date,
                                                 source=form.get("source", ""), text=content, actor=g.actor)
                db.session.commit()
                flash(gettext("Datensatz „%(name)s“ mit %(count)s Zeilen übernommen.", name=dataset.label,
                              count=dataset.row_count), "success")
                return redirect(url_for("allocation.datasets"))
            parsed = keydata.parse(kind, content)
            if parsed.problems:
                raise keydata.KeyFileRefused(parsed)
            keydata.check_meta(kind, form.get("name", "").strip(), reference_date, form.get("source", "").strip())
            preview = {"rows": parsed.rows[:PREVIEW_ROWS], "count": len(parsed.rows), "content": content,
                       "total": sum(r.get("population") or r.get("count") or 0 for r in parsed.rows)}
        except keydata.KeyFileRefused as refused:
            db.session.rollback()
            problems = refused.errors["file"]
        except ValidationFailed as failed:
            db.session.rollback()
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
        try:
            try:
                pool = parse_german_amount(form.get("pool", ""))
            except MoneyFormatError as bad:
                raise ValidationFailed.field("pool", str(bad)) from None
            parameters = services.parse_parameters(
                population_weight_percent=form.get("population_weight_percent", ""),
                area_weight_percent=form.get("area_weight_percent", ""), cap_percent=form.get("cap_percent", ""),
                secondary_weight_percent=form.get("secondary_weight_percent") or "0")
            version = services.create_version(
                programme, actor=g.actor, pool_cents=pool, key_dataset_id=_int(form.get("key_dataset_id")),
                parameters=parameters, secondary_dataset_id=_int(form.get("secondary_dataset_id")),
                title=form.get("title", ""), note=form.get("note", ""))
            db.session.commit()
            flash(gettext("Entwurf %(number)s berechnet.", number=version.number), "success")
            return redirect(url_for("allocation.version", version_id=version.id))
        except ValidationFailed as failed:
            db.session.rollback()
            errors = failed.errors
    return render_template("allocation/version_new.html", form=form, errors=errors, programme=programme,
                           key_datasets=services.list_datasets(KeyDatasetKind.GEMEINDEN),
                           count_datasets=services.list_datasets(KeyDatasetKind.COUNTS)), 422 if errors else 200


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 10 else None


@bp.route("/versionen/<int(max=2147483647):version_id>")
@requires(OWN_CEILING)
def version(version_id: int):
    found = services.get_version(version_id, g.actor)
    sort = request.args.get("sort", "ags")
    sort = sort if sort in services.SORT_KEYS else "ags"
    descending = request.args.get("richtung") == "ab"
    rows = services.table_rows(found, g.actor, sort=sort, descending=descending)
    return render_template("allocation/version.html", version=found, rows=rows, sort=sort, descending=descending,
                           chain=services.version_chain(found), parameters=services.Parameters.from_json(
                               found.parameters),
                           open_give_backs=services.open_give_backs(found) if can(g.actor, ALLOCATION_MANAGE) else [],
                           total=sum(r.ceiling_cents for r in rows),
                           total_population=sum(r.population for r in rows),
                           total_area=sum(r.area_hundredths for r in rows),
                           total_share=sum((r.share for r in rows), 0))


@bp.route("/versionen/<int(max=2147483647):version_id>/veroeffentlichen", methods=["POST"])
@requires(ALLOCATION_MANAGE)
def publish(version_id: int):
    found = services.publish_version(services.get_version(version_id, g.actor), actor=g.actor)
    db.session.commit()
    flash(gettext("Version %(number)s ist veröffentlicht.", number=found.number), "success")
    return redirect(url_for("allocation.version", version_id=found.id))


@bp.route("/versionen/<int(max=2147483647):version_id>/umverteilen", methods=["POST"])
@requires(ALLOCATION_MANAGE)
def redistribute(version_id: int):
    new = services.redistribute_version(services.get_version(version_id, g.actor), actor=g.actor,
                                        note=request.form.get("note", ""))
    db.session.commit()
    flash(gettext("Umverteilung als Version %(number)s veröffentlicht.", number=new.number), "success")
    return redirect(url_for("allocation.version", version_id=new.id))


@bp.route("/versionen/<int(max=2147483647):version_id>/export.<any(csv, xlsx):fmt>")
@requires(ALLOCATION_READ)
def export(version_id: int, fmt: str):
    found = services.get_version(version_id, g.actor)
    return version_export(found, services.table_rows(found, g.actor), fmt)


@bp.route("/versionen/<int(max=2147483647):version_id>/kommunen/<string(length=5):ags>")
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
    form = request.form
    try:
        amount = _amount(form.get("amount", ""), "amount", default=0)
        max_usable = _amount(form.get("max_usable", ""), "max_usable", default=None)
        services.declare_give_back(get_programme(), actor=g.actor, kommune_ags=form.get("kommune_ags") or None,
                                   amount_cents=amount, max_usable_cents=max_usable, note=form.get("note", ""))
        db.session.commit()
    except ValidationFailed as failed:
        db.session.rollback()
        return _give_backs_page(form, failed.errors, 422)
    flash(gettext("Die Erklärung wurde gespeichert."), "success")
    return redirect(url_for("allocation.give_backs"))


def _amount(text: str, field: str, default):
    if not (text or "").strip():
        return default
    try:
        return parse_german_amount(text)
    except MoneyFormatError as bad:
        raise ValidationFailed.field(field, str(bad)) from None


# --------------------------------------------------------------------------- F6 positions


@bp.route("/stellen")
@requires(POSITIONS_READ)
def positions():
    datasets = services.list_datasets(KeyDatasetKind.COUNTS)
    rows, errors = None, {}
    dataset_id = _int(request.args.get("dataset_id"))
    total = _int(request.args.get("total")) or services.F6_POSITIONS
    if dataset_id is not None:
        try:
            rows = services.positions(dataset_id, total)
        except ValidationFailed as failed:
            errors = failed.errors
    return render_template("allocation/positions.html", datasets=datasets, rows=rows, errors=errors,
                           dataset_id=dataset_id, total=total), 422 if errors else 200


@bp.route("/stellen/export.<any(csv, xlsx):fmt>")
@requires(POSITIONS_READ)
def positions_download(fmt: str):
    dataset_id = _int(request.args.get("dataset_id"))
    total = _int(request.args.get("total")) or services.F6_POSITIONS
    if dataset_id is None:
        abort(404)
    return positions_export(services.positions(dataset_id, total), fmt)


@bp.context_processor
def _number_helpers():
    """Exact shares and quotas, rounded for display only."""
    def share_pct(value) -> str:
        return distribution.format_number(value * 100, 6) + "\u00a0%"

    def quota_eur(cents) -> str:
        return distribution.format_number(cents / 100, 4) + "\u00a0€"

    return {"share_pct": share_pct, "quota_eur": quota_eur}

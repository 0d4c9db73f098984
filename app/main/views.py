"""The start page (one per role; the domains contribute their panels), health and readiness."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext, lazy_gettext
from sqlalchemy import select, text

from ..auth.models import Role
from ..auth.permissions import AUDIT_READ, PUBLIC, START_PAGE, can, ensure_kommune_access, requires
from ..budgets import status as budget_status
from ..budgets.models import Grant, RecipientKind
from ..budgets.spend_chart import short_eur
from ..grants import services as grant_services
from ..platform.audit import AuditEntry
from ..platform.errors import NotFound, ValidationFailed
from ..platform.extensions import db
from ..platform.web import export_jobs
from ..platform.web.dashboard import panels_for
from ..platform.web.edge import submit
from ..platform.web.forms import load_form
from ..platform.web.listing import ListColumn, Listing, build_listing
from ..platform.web.navigation import nav_entry
from ..platform.web.nrwmap import ATTRIBUTION, render_map
from ..reference.services import get_programme, kommune_by_ags
from ..results import services as results_services
from ..results.permissions import PARTNERSHIP_EDIT
from . import audit_labels, insights
from .audit_query import audit_select
from .permissions import EXPORTS_OWN, KOMMUNE_PAGE, MAP_READ, REPORTS_READ
from .schemas import AuditFilter, ExportRequestIn

bp = Blueprint("main", __name__)
nav_entry(lazy_gettext("Auswertungen"), "main.reports", REPORTS_READ, order=400)
nav_entry(lazy_gettext("Karte"), "main.nrw_map", MAP_READ, order=410)


@bp.route("/")
@requires(START_PAGE)
def start():
    return render_template("main/start.html", panels=panels_for(g.actor))


@bp.route("/healthz")
@requires(PUBLIC)
def healthz():
    return jsonify(status="ok")


@bp.route("/readyz")
@requires(PUBLIC)
def readyz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any driver error means: not ready
        current_app.logger.exception("readiness check failed")
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/sprache/<any(de, en):language>", methods=["POST"])
@requires(PUBLIC)
def set_language(language: str):
    session["language"] = language
    target = request.referrer or "/"
    return redirect(target if target.startswith(request.host_url) or target.startswith("/") else "/")


@bp.route("/audit")
@requires(AUDIT_READ)
def audit_log():
    errors = {}
    try:
        filters = load_form(AuditFilter(), request.args)
    except ValidationFailed as invalid:  # shown beside the filter fields; the trail is listed unfiltered
        filters, errors = {}, invalid.errors
    listing = build_listing(audit_select(filters), AUDIT_COLUMNS, args=request.args, default_sort="time",
                            default_descending=True, tiebreak=AuditEntry.id, per_page=100, filename="audit-trail")
    if not isinstance(listing, Listing):
        return listing
    return render_template("main/audit.html", listing=listing, filters=request.args, errors=errors,
                           columns=AUDIT_PAGE_COLUMNS, labels=audit_labels)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str) if value else ""


def _changes_text(entry) -> str:
    return "; ".join(f"{c.field}: {c.before + ' → ' if c.before else ''}{c.after}"
                     for c in audit_labels.changes(entry.before, entry.after))


AUDIT_COLUMNS = [
    ListColumn("time", lazy_gettext("Zeit"), lambda e: e.occurred_at, "datetime", sort=AuditEntry.occurred_at),
    ListColumn("actor", lazy_gettext("Benutzer"), lambda e: e.actor_label, sort=AuditEntry.actor_label),
    ListColumn("action", lazy_gettext("Aktion"), lambda e: audit_labels.action_label(e.action), sort=AuditEntry.action),
    ListColumn("object", lazy_gettext("Objekt"), lambda e: audit_labels.object_label(e.object_type, e.object_id),
               sort=AuditEntry.object_type),
    ListColumn("changes", lazy_gettext("Änderungen"), _changes_text),
    ListColumn("code", lazy_gettext("Aktionscode"), lambda e: e.action),
    ListColumn("before", lazy_gettext("Vorher (JSON)"), lambda e: _json(e.before)),
    ListColumn("after", lazy_gettext("Nachher (JSON)"), lambda e: _json(e.after)),
    ListColumn("request", lazy_gettext("Anfrage"), lambda e: e.request_id or ""),
]
# on the page: time, user, action, object, changes (the JSON and request id inside the row's details)
AUDIT_PAGE_COLUMNS = AUDIT_COLUMNS[:5]


@bp.route("/api/docs")
@requires(PUBLIC)
def api_docs():
    """A browsable API reference rendered on the server from the OpenAPI document (no CDN, no JS)."""
    spec = current_app.extensions["rest_api"].spec.to_dict()
    return render_template("main/api_docs.html", spec=spec)


# --------------------------------------------------------------------------- map, reports, Kommune page


def _is_staff(user) -> bool:
    return user.role in (Role.PROGRAMME_ADMIN, Role.FINANCE, Role.AUDITOR)


@bp.route("/karte")
@requires(MAP_READ)
def nrw_map():
    """The 53 Kreise and kreisfreie Städte coloured by a measure; Kommune users: ceilings only."""
    staff = _is_staff(g.actor)
    measures = insights.measures_for(staff)
    wanted = request.args.get("mass", "hoechstgrenze")
    measure = next((m for m in measures if m.key == wanted), measures[0])
    values = insights.measure_values(measure.key)
    names = insights.kommune_names()
    own_ags = g.actor.kommune.ags if g.actor.kommune is not None else None
    if not staff:  # like the API: a Kommune sees its own ceiling, the other areas are drawn without figures
        values = {ags: value for ags, value in values.items() if ags == own_ags}

    def link(ags: str) -> str | None:
        if staff or ags == own_ags:
            return url_for("main.kommune_page", ags=ags)
        return None

    svg = render_map(values, title=gettext("Karte NRW: %(measure)s", measure=measure.label), names=names, link=link,
                     value_label=lambda v: insights.format_measure(measure, v),
                     categories=insights.CATEGORIES.get(measure.key),
                     legend_label=short_eur if measure.unit == "money" else None)
    rows = [{"ags": ags, "name": name, "value": values.get(ags), "link": link(ags)}
            for ags, name in sorted(names.items(), key=lambda item: item[1]) if staff or ags == own_ags]
    return render_template("main/map.html", svg=svg, rows=rows, measure=measure, measures=measures,
                           format_measure=insights.format_measure, attribution=ATTRIBUTION, staff=staff)


@bp.route("/auswertungen")
@requires(REPORTS_READ)
def reports():
    statuses = [s for _ags, s in insights.kommune_grant_statuses()]
    spend = insights.statewide_spend_chart(statuses)
    allocation_svg, allocation_rows, allocation_total = insights.allocation_chart()
    at_risk = sorted((s for s in statuses if s.at_risk), key=lambda s: s.recipient)
    return render_template("main/reports.html", spend=spend, allocation_svg=allocation_svg,
                           allocation_rows=allocation_rows, allocation_total=allocation_total, at_risk=at_risk)


@bp.route("/kommunen/<string(length=5):ags>")
@requires(KOMMUNE_PAGE)
def kommune_page(ags: str):
    kommune = kommune_by_ags(ags)
    if kommune is None:
        raise NotFound("Kommune nicht gefunden.")
    ensure_kommune_access(g.actor, kommune.id, "Kommune")
    programme = get_programme()
    application = grant_services.application_of_kommune(kommune.id, programme)
    decision = grant_services.current_decision(application) if application is not None else None
    grant = db.session.scalar(select(Grant).where(Grant.kommune_id == kommune.id,
                                                  Grant.recipient_kind == RecipientKind.KOMMUNE)
                              .order_by(Grant.id).limit(1))
    current = chart = None
    if grant is not None:
        current = budget_status.status_for([grant])[0]
        chart = insights.grant_spend_chart(grant, current)
    participants = insights.measure_values("teilnehmende").get(ags)
    return render_template("main/kommune.html", kommune=kommune, ceiling=grant_services.ceiling_cents(
        programme.id, kommune.id), application=application, decision=decision, grant=grant, status=current,
        chart=chart, participants=participants, members=results_services.members_of(kommune.id),
        may_edit=can(g.actor, PARTNERSHIP_EDIT))


@bp.route("/exporte", methods=["GET", "POST"])
@requires(EXPORTS_OWN)
def exports():
    """"Meine Exporte": the actor's background exports with progress and download (POST: queue one)."""
    errors = {}
    if request.method == "POST":
        response, errors = submit(lambda: export_jobs.request_export(g.actor, load_form(ExportRequestIn())["token"])
                                  and url_for("main.exports"),
                                  success=gettext("Der Export wird im Hintergrund erstellt."))
        if response:
            return response
    jobs = export_jobs.jobs_of(g.actor)
    busy = any(job.status in (export_jobs.PENDING, export_jobs.RUNNING) for job in jobs)
    return render_template("main/exports.html", jobs=jobs, busy=busy, errors=errors,
                           keep_hours=current_app.config["EXPORT_KEEP_HOURS"]), 422 if errors else 200


@bp.route("/exporte/<id:job_id>/datei")
@requires(EXPORTS_OWN)
def export_file(job_id: int):
    job, path = export_jobs.download_path(g.actor, job_id)
    response = send_file(path, as_attachment=True, download_name=job.filename,
                         mimetype="text/csv" if job.filename.endswith(".csv") else
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Cache-Control"] = "no-store"
    return response

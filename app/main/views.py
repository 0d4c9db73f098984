"""The start page (one per role; the domains contribute their panels), health and readiness."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, session
from marshmallow import ValidationError
from sqlalchemy import text

from ..auth.permissions import AUDIT_READ, PUBLIC, START_PAGE, requires
from ..extensions import db
from .audit_query import FILTERS, audit_select
from .dashboard import panels_for
from .schemas import AuditFilter

bp = Blueprint("main", __name__)


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
        db.session.rollback()
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
        filters = AuditFilter().load({k: v for k, v in request.args.items() if k in FILTERS and v})
    except ValidationError as invalid:
        filters, errors = {}, invalid.messages
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 100000 else 1
    per_page = 100
    statement = audit_select(filters)
    entries = list(db.session.scalars(statement.offset((page - 1) * per_page).limit(per_page + 1)))
    return render_template("main/audit.html", entries=entries[:per_page], has_next=len(entries) > per_page,
                           page=page, filters=request.args, errors=errors)


@bp.route("/api/docs")
@requires(PUBLIC)
def api_docs():
    """A browsable API reference rendered on the server from the OpenAPI document (no CDN, no JS)."""
    spec = current_app.extensions["rest_api"].spec.to_dict()
    return render_template("main/api_docs.html", spec=spec)

"""The Durchstarten grant and budget service: ``create_app`` builds the Flask application."""

from __future__ import annotations

import importlib
import os
import uuid
from pathlib import Path
from typing import Any

from flask import Flask, abort, g, has_request_context, request, session
from flask_smorest import Api

from .platform import database
from .platform.errors import ValidationFailed, register_error_handlers
from .platform.extensions import babel, csrf, db, login_manager, migrate
from .platform.money import Money
from .platform.web import sanitation
from .platform.web.api import DecimalText, document_conventions
from .platform.web.edge import EdgeFlask
from .platform.web.templates import register_template_helpers

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIGS = {"default": "default.py", "testing": "testing.py", "production": "production.py"}
# Every domain package may provide: models, permissions, views (bp), api (blp), commands, panels, jobs.
# app.benchdata is no domain (synthetic data for bench/): app/cli.py registers its one command itself.
DOMAINS = ["app.auth", "app.main", "app.notifications", "app.scheduler", "app.allocation", "app.grants",
           "app.budgets", "app.innovationsfonds", "app.documents"]
DEFAULT_SECRET = "dev-only-not-secret"  # noqa: S105 - the value production refuses


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    config_name = config_name or os.environ.get("DURCHSTARTEN_CONFIG", "default")
    app = EdgeFlask(
        __name__,
        instance_path=os.environ.get("DURCHSTARTEN_INSTANCE", str(PROJECT_ROOT / "instance")),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    _configure(app, config_name, overrides or {})
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:  # behind a TLS-terminating proxy: trust its X-Forwarded-* (scheme for HSTS, client address)
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True,
                     include_name=_include_in_migrations)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale,
                   default_translation_directories=str(PROJECT_ROOT / "translations"))
    rest_api = Api(app)  # one per application: the OpenAPI spec belongs to the app
    rest_api.register_field(Money, "string", "decimal")
    rest_api.register_field(DecimalText, "string", "decimal")
    app.extensions["rest_api"] = rest_api

    from .auth.permissions import can
    from .auth.session import init_session

    init_session(app)
    register_error_handlers(app)
    register_template_helpers(app, can)
    _register_domains(app, rest_api)
    document_conventions(rest_api)
    _register_request_hooks(app)
    return app


def _configure(app: Flask, config_name: str, overrides: dict[str, Any]) -> None:
    app.config.from_pyfile(str(PROJECT_ROOT / "config" / CONFIGS["default"]))
    if config_name != "default":
        app.config.from_pyfile(str(PROJECT_ROOT / "config" / CONFIGS[config_name]))
    for key in list(app.config) + ["FAKE_TODAY", "SMTP_HOST", "UPLOAD_FOLDER"]:
        if key in os.environ:
            app.config[key] = os.environ[key]
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    app.config.update(overrides)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'durchstarten.db'}"
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://") or uri.startswith("postgres://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri.split("://", 1)[1]
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    if app.config.get("REQUIRE_SECRET_KEY") and app.config["SECRET_KEY"] in (DEFAULT_SECRET, "", None):
        raise RuntimeError("Production needs SECRET_KEY from the environment; refusing to start with the default.")


def _include_in_migrations(name, type_, _parent_names) -> bool:
    """APScheduler owns its job table; Alembic must neither create nor drop it."""
    return not (type_ == "table" and name == "apscheduler_jobs")


def _select_locale() -> str:
    """German unless the person switched to English (``main.set_language``); jobs and CLI speak German."""
    return (session.get("language") if has_request_context() else None) or "de"


def _register_domains(app: Flask, rest_api: Api) -> None:
    for package in DOMAINS:
        # jobs: their notification kinds must be known to the web process too (preferences page).
        # hooks: subscribers to other domains' events (app.platform.events), e.g. the documents a decision issues.
        for part in ("models", "permissions", "panels", "jobs", "hooks"):
            _optional_import(f"{package}.{part}")
        views = _optional_import(f"{package}.views")
        if views is not None and hasattr(views, "bp"):
            app.register_blueprint(views.bp)
        api = _optional_import(f"{package}.api")
        if api is not None and hasattr(api, "blp"):
            rest_api.register_blueprint(api.blp)


def _optional_import(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as missing:
        if missing.name == name:
            return None
        raise


def _register_request_hooks(app: Flask) -> None:
    def _mark_read_only():
        # First of all hooks: the session/token lookup already opens the transaction, which on SQLite
        # must begin deferred for GET/HEAD (else every read takes the write lock, BEGIN IMMEDIATE).
        g.db_read_only_token = database.mark_read_only(request.method in ("GET", "HEAD", "OPTIONS"))

    def _refuse_control_characters():
        """The one input sanitation step (app/platform/web/sanitation.py): before any view, schema or database."""
        if sanitation.path_has_controls(request):
            abort(404)
        field = sanitation.refused_field(request)
        if field is not None:
            raise ValidationFailed(f"{field}: {sanitation.MESSAGE}", errors={field: [sanitation.MESSAGE]})

    app.before_request_funcs.setdefault(None, []).insert(0, _mark_read_only)
    app.before_request_funcs[None].insert(1, _refuse_control_characters)

    @app.before_request
    def _request_context():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        if not request.path.startswith("/api/"):
            csrf.protect()  # the API authenticates with Bearer tokens only, never cookies: no CSRF there

    @app.teardown_request
    def _reset_read_only(_exc):
        token = g.pop("db_read_only_token", None)
        if token is not None:
            database.reset_read_only(token)

    @app.after_request
    def _security_headers(response):
        response.headers["X-Request-ID"] = getattr(g, "request_id", "")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("HSTS") and request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.path.startswith("/api/") or "text/html" in response.content_type:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

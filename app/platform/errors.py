"""Domain exceptions and their translation to HTTP.

Services raise these; they never know about HTTP. The edge turns them into
``application/problem+json`` (RFC 9457) for ``/api/...`` and into German pages or form errors
for HTML. Messages are German (the users' language); ``title`` is the English summary.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError as MarshmallowValidationError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from werkzeug.exceptions import HTTPException

PROBLEM_TYPE_BASE = "https://durchstarten.invalid/problems/"


class DomainError(Exception):
    """Base of every expected failure; ``status`` is the HTTP status the edge answers with."""

    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(self, detail: str, *, errors: dict[str, list[str]] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}
        self.extra = extra


class ValidationFailed(DomainError):
    """Input is wrong; ``errors`` names each field with its messages."""

    status = 422
    title = "Validation failed"
    slug = "validation-failed"

    @classmethod
    def field(cls, field: str, message: str, **extra: Any) -> ValidationFailed:
        return cls(message, errors={field: [message]}, **extra)


class NotFound(DomainError):
    status = 404
    title = "Not found"
    slug = "not-found"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


class Conflict(DomainError):
    """The object's state forbids the action (e.g. an illegal workflow transition)."""

    status = 409
    title = "Conflict"
    slug = "conflict"


class InvalidTransition(Conflict):
    slug = "invalid-transition"

    def __init__(self, action: str, current_status: str, label: str | None = None) -> None:
        super().__init__(
            f"Die Aktion „{action}“ ist im Status „{label or current_status}“ nicht zulässig.",
            current_status=current_status,
        )


def problem(status: int, title: str, detail: str, *, slug: str | None = None, **extra: Any):
    body = {
        "type": PROBLEM_TYPE_BASE + (slug or str(status)),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def N_(text: str) -> str:  # noqa: N802 - the gettext convention: mark for extraction, translate later
    """Marks a German text for the catalogue without translating it (the API answers German)."""
    return text


GERMAN_HTTP_TEXT = {
    400: (N_("Ungültige Anfrage"), N_("Die Anfrage konnte nicht verarbeitet werden.")),
    401: (N_("Anmeldung erforderlich"), N_("Bitte melden Sie sich an.")),
    403: (N_("Keine Berechtigung"), N_("Sie haben keine Berechtigung für diese Seite oder Aktion.")),
    404: (N_("Nicht gefunden"), N_("Die angeforderte Seite oder das Objekt existiert nicht.")),
    405: (N_("Methode nicht erlaubt"), N_("Diese Aktion ist hier nicht möglich.")),
    409: (N_("Konflikt"), N_("Die Aktion passt nicht zum aktuellen Stand.")),
    413: (N_("Datei zu groß"), N_("Die hochgeladene Datei ist zu groß.")),
    422: (N_("Ungültige Eingabe"), N_("Bitte prüfen Sie die Eingaben.")),
    429: (N_("Zu viele Versuche"), N_("Bitte warten Sie einen Moment und versuchen Sie es erneut.")),
    500: (N_("Interner Fehler"), N_("Ein unerwarteter Fehler ist aufgetreten. Er wurde protokolliert.")),
    503: (N_("Vorübergehend nicht verfügbar"),
          N_("Die Datenbank ist vorübergehend nicht erreichbar. Bitte versuchen Sie es in einigen Sekunden erneut.")),
}
RETRY_AFTER_SECONDS = "5"
CSRF_TEXT = N_("Die Sicherheitsprüfung des Formulars ist fehlgeschlagen: Das Formular ist abgelaufen (z. B. nach "
               "einer Anmeldung in einem anderen Fenster oder nach langer Pause) oder wurde nicht von dieser Seite "
               "gesendet. Es wurde nichts gespeichert. Bitte gehen Sie zurück, laden Sie die Seite neu und senden "
               "Sie das Formular erneut.")


def _html_error(status: int, detail: str | None = None):
    heading, text = GERMAN_HTTP_TEXT.get(status, (str(status), ""))
    return render_template("errors/error.html", status=status, heading=gettext(heading),
                           text=detail or (gettext(text) if text else "")), status


def register_error_handlers(app: Flask) -> None:
    from .extensions import db

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        db.session.rollback()
        if wants_json():
            return problem(exc.status, exc.title, exc.detail, slug=exc.slug, errors=exc.errors or None, **exc.extra)
        return _html_error(exc.status, exc.detail)

    @app.errorhandler(MarshmallowValidationError)
    def _schema_error(exc: MarshmallowValidationError):
        db.session.rollback()
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return problem(422, "Validation failed", "Die Eingabe ist ungültig.", slug="validation-failed",
                       errors=messages)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        db.session.rollback()
        status = exc.code or 500
        if wants_json():
            data = getattr(exc, "data", None) or {}
            messages = data.get("messages")
            errors = _flatten_webargs(messages) if messages else None
            detail = GERMAN_HTTP_TEXT.get(status, ("", exc.description or ""))[1]
            if status == 422 and errors:
                detail = "Die Eingabe ist ungültig."
            response = problem(status, exc.name, detail, slug=str(status), errors=errors)
        else:
            response = app.make_response(_html_error(status))
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        db.session.rollback()
        if wants_json():
            return problem(400, "CSRF check failed", CSRF_TEXT, slug="csrf")
        return _html_error(400, gettext(CSRF_TEXT))

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(DisconnectionError)
    @app.errorhandler(SQLAlchemyTimeoutError)
    def _database_unavailable(exc: Exception):
        """The database is down, restarting, unreachable or locked too long: 503 with Retry-After, nothing kept."""
        app.logger.warning("Database unavailable: %s", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection may be gone; the pool replaces it
            db.session.remove()
        if wants_json():
            response = problem(503, "Service Unavailable", GERMAN_HTTP_TEXT[503][1], slug="database-unavailable")
        else:
            try:
                response = app.make_response(_html_error(503))
            except Exception:  # noqa: BLE001 - the page layout itself may need the database
                heading, text = GERMAN_HTTP_TEXT[503]
                response = app.make_response((f"{heading}: {text}", 503, {"Content-Type": "text/plain; charset=utf-8"}))
        response.headers["Retry-After"] = RETRY_AFTER_SECONDS
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("Unhandled error")
        db.session.rollback()
        if wants_json():
            return problem(500, "Internal Server Error", GERMAN_HTTP_TEXT[500][1], slug="internal")
        return _html_error(500)


def _flatten_webargs(messages: dict) -> dict[str, Any]:
    """webargs nests messages by location ({"json": {"amount": [...]}}); problem+json wants fields."""
    flat: dict[str, Any] = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat

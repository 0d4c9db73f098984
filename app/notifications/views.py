"""The inbox page (every user's messages) and the page "Benachrichtigungen" (preferences)."""

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from ..auth.permissions import requires
from ..platform.errors import ValidationFailed
from ..platform.web.edge import discard_changes
from ..platform.web.exports import Column
from ..platform.web.listing import export_of
from ..platform.web.navigation import nav_entry
from .permissions import INBOX, PREFERENCES
from .services import inbox, mark_read, preferences, set_preferences

bp = Blueprint("notifications", __name__, url_prefix="/nachrichten")
nav_entry(lazy_gettext("Nachrichten"), "notifications.index", INBOX, order=900)
nav_entry(lazy_gettext("Benachrichtigungen"), "notifications.preferences_page", PREFERENCES, order=910)


@bp.route("/")
@requires(INBOX)
def index():
    messages = inbox(g.actor)
    return export_of(request.args, "nachrichten", lambda: _message_rows(messages)) or render_template(
        "notifications/inbox.html", messages=messages)


def _message_rows(messages) -> tuple[list[Column], list[list]]:
    columns = [Column(gettext("Eingegangen"), "datetime"), Column(gettext("Betreff")),
               Column(gettext("Gelesen"), "datetime"), Column(gettext("Text")), Column(gettext("Link"))]
    return columns, [[m.created_at, m.subject, m.read_at, m.body, m.link or ""] for m in messages]


@bp.route("/<id:message_id>/gelesen", methods=["POST"])
@requires(INBOX)
def read(message_id: int):
    mark_read(g.actor, message_id)
    return redirect(url_for("notifications.index"))


@bp.route("/einstellungen", methods=["GET", "POST"])
@requires(PREFERENCES)
def preferences_page():
    errors: dict = {}
    if request.method == "POST":
        choices = {kind.kind: request.form[f"mode-{kind.kind}"] for kind, _mode in preferences(g.actor)
                   if not kind.mandatory and f"mode-{kind.kind}" in request.form}
        try:
            changed = set_preferences(g.actor, choices)
        except ValidationFailed as invalid:
            discard_changes()
            errors = invalid.errors
        else:
            flash(gettext("Einstellungen gespeichert.") if changed else gettext("Keine Änderungen."), "success")
            return redirect(url_for("notifications.preferences_page"))
    return render_template("notifications/preferences.html", items=preferences(g.actor), errors=errors)

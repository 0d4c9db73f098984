"""The inbox page: every user's messages (reminders, decisions, notices)."""

from flask import Blueprint, g, redirect, render_template, url_for

from ..auth.permissions import requires
from ..extensions import db
from ..navigation import nav_entry
from .permissions import INBOX
from .services import inbox, mark_read

bp = Blueprint("notifications", __name__, url_prefix="/nachrichten")
nav_entry("Nachrichten", "notifications.index", INBOX, order=900)


@bp.route("/")
@requires(INBOX)
def index():
    return render_template("notifications/inbox.html", messages=inbox(g.actor))


@bp.route("/<int(max=2147483647):message_id>/gelesen", methods=["POST"])
@requires(INBOX)
def read(message_id: int):
    mark_read(g.actor, message_id)
    db.session.commit()
    return redirect(url_for("notifications.index"))

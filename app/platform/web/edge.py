"""The request edge: one unit of work per request (indico's ``RH.process`` is the model).

Views and API routes never call ``commit()`` or ``rollback()``. :class:`EdgeFlask` runs the view;
when it returns a response below 400 the edge commits once, otherwise it rolls back, and a
raised ``DomainError`` is rolled back and translated by ``app.platform.errors`` (problem+json for
``/api/``, a German page or flash otherwise). Mail is not sent from the request: messages are
written to the outbox in the same transaction and delivered by the scheduler after the commit
(transactional outbox, app/notifications/delivery.py), so a rolled-back request sends nothing.

Two explicit exceptions to the rule:

* :func:`discard_changes` — a page re-renders its form with field errors (status 200): roll back now
  and commit nothing at the end.
* :func:`keep_changes` — a refusal that must still be recorded (a failed login counts against the
  throttle and is audited): commit even though the answer is 4xx.

Example (a page with a form)::

    @bp.route("/…", methods=["GET", "POST"])
    def edit(item_id):
        errors = {}
        if request.method == "POST":
            response, errors = submit(lambda: services.change(item_id, g.actor, load_form(ChangeIn())),
                                      success=gettext("Gespeichert."))
            if response:
                return response
        return render_template("….html", errors=errors)
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, flash, g, redirect
from werkzeug.routing import IntegerConverter

from ..errors import ValidationFailed
from ..extensions import db
from ..limits import MAX_ID


class IdConverter(IntegerConverter):
    """``<id:application_id>``: a positive database id (larger numbers are a 404, not a database error)."""

    def __init__(self, map, **kwargs):  # noqa: A002 - werkzeug's signature
        super().__init__(map, min=1, max=MAX_ID, **kwargs)


class EdgeFlask(Flask):
    """Flask with one commit per request (see the module docstring) and the ``id`` URL converter."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.url_map.converters["id"] = IdConverter

    def dispatch_request(self):
        response = self.make_response(super().dispatch_request())
        finish_unit_of_work(response.status_code)
        return response


def finish_unit_of_work(status: int) -> None:
    """Commit a successful request once; roll back a failed or discarded one."""
    if g.pop("_discard_changes", False):
        db.session.rollback()
    elif status < 400 or g.pop("_keep_changes", False):
        db.session.commit()
    else:
        db.session.rollback()


def discard_changes() -> None:
    """Roll back now; the edge commits nothing for this request (a form shown again with its errors)."""
    db.session.rollback()
    g._discard_changes = True


def keep_changes() -> None:
    """Commit this request's changes even though it answers with an error status (see module docstring)."""
    g._keep_changes = True


def submit(change: Callable[[], str], *,
           success: str | Callable[[], str]) -> tuple[Response | None, dict[str, list[str]]]:
    """Run a page's state change ``change() -> URL``: flash ``success`` and redirect there (the edge
    commits), or, on ``ValidationFailed``, discard everything and return the field errors for the form.
    ``success`` may be a function, called after the change (a message naming what it created)."""
    try:
        target = change()
    except ValidationFailed as failed:
        discard_changes()
        return None, failed.errors
    flash(success() if callable(success) else success, "success")
    return redirect(target), {}


def flash_errors(errors: dict[str, list[str]]) -> None:
    """Show field errors as messages (for actions whose page has no form to show them beside)."""
    for messages in errors.values():
        for message in messages:
            flash(message, "error")

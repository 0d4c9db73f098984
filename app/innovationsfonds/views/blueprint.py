"""The Innovationsfonds blueprint, its URL prefixes and what every page group shares.

Pages never commit: the request edge (app/platform/web/edge.py) commits once when a page answers
below 400. A form page loads its input with ``load_form`` and runs its change through ``submit``; a
button without a form of its own runs through :func:`act`.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext

from ...platform.errors import Conflict, Forbidden
from ...platform.web.edge import discard_changes, flash_errors, submit
from ...platform.web.navigation import nav_entry
from ..permissions import IF_READ
from ..presenters import score_text

bp = Blueprint("innovationsfonds", __name__, url_prefix="/innovationsfonds")
nav_entry(lazy_gettext("Innovationsfonds"), "innovationsfonds.index", IF_READ, order=250)
CALL = "/aufrufe/<id:call_id>"
SKETCH = "/skizzen/<id:sketch_id>"


bp.add_app_template_filter(score_text, "if_score")  # the ``score`` macro


@bp.context_processor
def _sketch_path() -> dict:
    """``sketch_path(id)``: the sketch page's path, built with ``url_for`` once per page instead of once per row
    (the ranking and the call page list ~1,000 sketches; only the id differs)."""
    prefix = url_for("innovationsfonds.sketch_detail", sketch_id=1).removesuffix("1")
    return {"sketch_path": lambda sketch_id: f"{prefix}{sketch_id}"}


def act(change: Callable[[], str], *, success: str | Callable[[], str], back: str,
        show_errors: Callable[[dict[str, list[str]]], ResponseReturnValue] | None = None) -> ResponseReturnValue:
    """Run a page's action ``change() -> URL`` through the edge's ``submit``. Field errors go to ``show_errors``
    (the form again, beside the fields) or, for a button without a form, become messages on the page ``back``
    leads to; a refusal (403, 409) becomes a message there too. Nothing of a refused request is kept; a 404
    stays a 404 (another organisation's sketch)."""
    try:
        response, errors = submit(change, success=success)
    except (Conflict, Forbidden) as refused:
        discard_changes()
        flash(refused.detail, "error")
        return redirect(back)
    if response is not None:
        return response
    if show_errors is not None:
        return show_errors(errors)
    flash_errors(errors)
    return redirect(back)

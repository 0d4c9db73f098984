"""What the budget pages share: the blueprint, the menu entries, the recipient's name, the form step."""


from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, g, request
from flask_babel import lazy_gettext

from ...auth.permissions import can
from ...platform.web.edge import submit
from ...platform.web.navigation import nav_entry
from ..models import Grant
from ..permissions import BUDGET_READ

bp = Blueprint("budgets", __name__, url_prefix="/budgets")
nav_entry(lazy_gettext("Budget"), "budgets.index", BUDGET_READ, order=300)
nav_entry(lazy_gettext("Mittelabrufe"), "budgets.drawdowns", BUDGET_READ, order=310)


def recipient_name(item: Grant) -> str:
    """The grant's recipient as lists show it: the Kommune's display name or the organisation's name."""
    if item.kommune is not None:
        return item.kommune.display_name
    return item.organisation.name if item.organisation else ""


def form_post(permission: str, change: Callable[[], str], *, success: str | Callable[[], str]
              ) -> tuple[Response | None, dict[str, list[str]]]:
    """A page's form: on POST 403 without ``permission``, else ``edge.submit(change)``; on GET no errors."""
    if request.method != "POST":
        return None, {}
    if not can(g.actor, permission):
        abort(403)
    return submit(change, success=success)


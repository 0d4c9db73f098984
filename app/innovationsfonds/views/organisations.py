"""Organisations (Träger): the list for staff and the administrator's form."""

from __future__ import annotations

from flask import g, render_template, request, url_for
from flask_babel import gettext

from ...auth.permissions import requires
from ...platform.web.edge import submit
from ...platform.web.forms import load_form
from ...reference.models import ORGANISATION_KINDS
from ...reference.services import list_kommunen
from .. import organisations
from ..permissions import IF_MANAGE, IF_STAFF
from ..schemas.calls import OrganisationIn
from .blueprint import bp


def _organisations_page(errors: dict | None = None):
    return render_template("innovationsfonds/organisations.html", organisations=organisations.list_organisations(),
                           kinds=ORGANISATION_KINDS,
                           kind_options=[(k, gettext(v)) for k, v in ORGANISATION_KINDS.items()],
                           kommune_options=[(k.id, k.display_name) for k in list_kommunen()],
                           errors=errors or {}, form=request.form), (422 if errors else 200)


@bp.route("/traeger")
@requires(IF_STAFF)
def organisations_page():
    return _organisations_page()


@bp.route("/traeger/neu", methods=["POST"])
@requires(IF_MANAGE)
def organisation_new():
    """Create a Träger (so that an empty installation can run a call); the page's checkbox decides the public
    body (unticked: private), where the API's default follows the kind."""

    def create() -> str:
        data = load_form(OrganisationIn(exclude=("is_public_body",)))
        data["is_public_body"] = request.form.get("is_public_body") == "1"
        organisations.create_organisation(g.actor, data)
        return url_for("innovationsfonds.organisations_page")

    response, errors = submit(create, success=gettext("Der Träger wurde angelegt."))
    return response or _organisations_page(errors)

"""API: calls (set-up, rules, closing the window) and organisations (Träger)."""

from __future__ import annotations

from flask import g

from ...auth.permissions import requires
from ...platform.web.pagination import SelectPage
from ...reference.services import get_programme
from .. import access, organisations
from ..permissions import IF_MANAGE, IF_READ, IF_STAFF
from ..schemas.calls import CallIn, CallOut, CloseOut, OrganisationIn, OrganisationOut
from ..services import calls, eligibility
from .blueprint import CALL, blp


@blp.route("/calls")
@requires(IF_READ)
@blp.response(200, CallOut(many=True))
@blp.paginate(SelectPage)
def list_calls():
    """All calls (Stichtage) of the programme, newest deadline first."""
    return access.calls_select()


@blp.route("/calls", methods=["POST"])
@requires(IF_MANAGE)
@blp.arguments(CallIn)
@blp.response(201, CallOut)
def create_call(data):
    """Set up a call with its rules and weighted criteria."""
    call = calls.create_call(g.actor, get_programme(), data)
    return call


@blp.route(CALL)
@requires(IF_READ)
@blp.response(200, CallOut)
def get_call(call_id: int):
    return access.get_call(call_id)


@blp.route(CALL, methods=["PUT"])
@requires(IF_MANAGE)
@blp.arguments(CallIn)
@blp.response(200, CallOut)
def update_call(data, call_id: int):
    """Change the rules; a field frozen by the call's progress (``calls.FIELD_LOCKS``) is a 422 naming it."""
    call = calls.update_call(call_id, g.actor, data)
    return call


@blp.route(CALL + "/close", methods=["POST"])
@requires(IF_MANAGE)
@blp.response(200, CloseOut)
def close_call(call_id: int):
    """Close the window after the deadline and run the automatic eligibility check (the job does it too)."""
    result = eligibility.close_window(call_id, actor=g.actor)
    return result


@blp.route("/organisations")
@requires(IF_STAFF)
@blp.response(200, OrganisationOut(many=True))
def list_organisations():
    """The organisations (Träger), by name."""
    return organisations.list_organisations()


@blp.route("/organisations", methods=["POST"])
@requires(IF_MANAGE)
@blp.arguments(OrganisationIn)
@blp.response(201, OrganisationOut)
def create_organisation(data):
    """Create an organisation (Träger); its users are then created with role ``organisation``."""
    organisation = organisations.create_organisation(g.actor, data)
    return organisation

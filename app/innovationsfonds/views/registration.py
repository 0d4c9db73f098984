"""Pages of the self-registration of organisations and of invitations (``registrations.py``). A blueprint
nested in ``views.bp`` (``innovationsfonds.registration.*``); the registration form, the confirmation and
the invitation are public (``app.auth.session.PUBLIC_ENDPOINTS``); an organisation user invites colleagues
on "Kolleginnen und Kollegen" (``colleagues``). A confirmation link only shows a button:
the state changes with the POST (mail scanners open links)."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request, url_for
from flask_babel import gettext

from ...auth.permissions import PUBLIC, requires
from ...platform.web.edge import submit
from ...reference.models import ORGANISATION_KINDS
from .. import registrations
from ..organisations import list_organisations
from ..permissions import IF_APPLY, IF_MANAGE

bp = Blueprint("registration", __name__)


def _client() -> str:
    return request.remote_addr or ""


@bp.route("/registrierung", methods=["GET", "POST"])
@requires(PUBLIC)
def register():
    errors: dict = {}
    if request.method == "POST":
        response, errors = submit(lambda: registrations.register(request.form.to_dict(), _client()) and url_for(
            "innovationsfonds.registration.register", gesendet=1), success=gettext(
            "Bitte bestätigen Sie Ihre E-Mail-Adresse über den Link, den wir Ihnen geschickt haben."))
        if response:
            return response
    return render_template("innovationsfonds/registration.html", form=request.form, errors=errors,
                           kinds=ORGANISATION_KINDS), (422 if errors else 200)


@bp.route("/registrierung/<token>", methods=["GET", "POST"])
@requires(PUBLIC)
def confirm(token: str):
    if request.method == "POST":
        registrations.confirm_email(token, _client())
        return render_template("innovationsfonds/registration_confirmed.html")
    return render_template("innovationsfonds/registration_confirm.html", token=token)


@bp.route("/einladung/<token>", methods=["GET", "POST"])
@requires(PUBLIC)
def invitation(token: str):
    invitation = registrations.invitation_for(token)
    errors: dict = {}
    if request.method == "POST":
        response, errors = submit(lambda: registrations.accept_invitation(
            token, _client(), password=request.form.get("password", ""), repeat=request.form.get("repeat", ""))
            and url_for("auth.login"), success=gettext("Ihr Passwort ist festgelegt; bitte melden Sie sich an."))
        if response:
            return response
    return render_template("innovationsfonds/invitation.html", invitation=invitation, errors=errors), \
        (422 if errors else 200)


def _registrations_page(errors: dict | None = None):
    return render_template("innovationsfonds/registrations.html", registrations=registrations.pending(),
                           organisations=list_organisations(), kinds=ORGANISATION_KINDS, errors=errors or {},
                           form=request.form), (422 if errors else 200)


@bp.route("/registrierungen")
@requires(IF_MANAGE)
def pending():
    return _registrations_page()


@bp.route("/registrierungen/<id:registration_id>", methods=["POST"])
@requires(IF_MANAGE)
def decide(registration_id: int):
    approve = request.form.get("decision") == "approve"
    response, errors = submit(lambda: registrations.decide(
        registration_id, g.actor, approve=approve, kind=request.form.get("kind", ""),
        recognition=request.form.get("recognition", ""), reason=request.form.get("reason", "")) and url_for(
        "innovationsfonds.registration.pending"),
        success=gettext("Registrierung genehmigt; die Ansprechperson ist eingeladen.") if approve
        else gettext("Registrierung abgelehnt."))
    return response or _registrations_page(errors)


@bp.route("/einladungen", methods=["POST"])
@requires(IF_MANAGE)
def invite():
    organisation_id = request.form.get("organisation_id", type=int) or 0
    response, errors = submit(lambda: registrations.invite(
        organisation_id, g.actor, email=request.form.get("email", ""), name=request.form.get("name", ""))
        and url_for("innovationsfonds.registration.pending"), success=gettext("Die Einladung ist verschickt."))
    return response or _registrations_page(errors)


@bp.route("/kollegium", methods=["GET", "POST"])
@requires(IF_APPLY)  # the organisation's own users (the administrator invites on the registrations page)
def colleagues():
    organisation_id = g.actor.organisation_id
    errors: dict = {}
    if request.method == "POST":
        response, errors = submit(lambda: registrations.invite(
            organisation_id, g.actor, email=request.form.get("email", ""), name=request.form.get("name", ""))
            and url_for("innovationsfonds.registration.colleagues"), success=gettext("Die Einladung ist verschickt."))
        if response:
            return response
    users, invitations = registrations.colleagues(organisation_id, g.actor)
    return render_template("innovationsfonds/colleagues.html", users=users, invitations=invitations, errors=errors,
                           form=request.form), (422 if errors else 200)

"""Sketch pages: the organisation's form (new, edit, submit, withdraw), the sketch page for every role
(status, attachments, decision, the Steuerkreis block for staff), PDF attachments and the administrator's
eligibility decision."""

from __future__ import annotations

from flask import g, render_template, request, send_file, url_for
from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from ...auth.models import Role
from ...auth.permissions import requires
from ...platform.errors import ValidationFailed
from ...platform.web.edge import submit
from ...platform.web.forms import load_form
from ...reference.models import ORGANISATION_KINDS
from ...reference.services import list_kommunen
from .. import projects, steering, stored_aggregates
from ..access import STAFF_ROLES, get_call, get_sketch
from ..models import TARGET_GROUPS
from ..permissions import IF_APPLY, IF_MANAGE, IF_READ
from ..presenters import present_sketch
from ..schemas.sketches import SketchIn
from ..services import sketches
from ..services.eligibility import decide_eligibility
from ..workflow import FULL_APPLICATION
from .blueprint import SKETCH, act, bp


def _detail(sketch_id: int) -> str:
    return url_for("innovationsfonds.sketch_detail", sketch_id=sketch_id)


def sketch_page(sketch_id: int, errors: dict | None = None):
    """The sketch page (with the errors of one of its forms when it is shown again)."""
    sketch = get_sketch(sketch_id, g.actor)
    staff = g.actor.role in STAFF_ROLES
    view = present_sketch(sketch, g.actor, stored_aggregates.of(sketch) if staff else None)
    application = projects.full_application_of(sketch) if g.actor.role != Role.REVIEWER else None
    sheet = steering.sheet_of(sketch) if staff else None
    return render_template(
        "innovationsfonds/sketch.html", sketch=sketch, view=view,
        full_application=application, project_decision=projects.decision_of(sketch), errors=errors or {},
        form=request.form,
        application_actions=FULL_APPLICATION.allowed_actions(application.status, g.actor) if application else [],
        rejectable=projects.rejectable(sketch, application, g.actor),
        sheet=sheet, calibrations=steering.calibration(sketch.call, steering.reviewers_of(sheet)) if staff else {},
    ), (422 if errors else 200)


def _sketch_form_page(call, sketch, form, errors: dict):
    return render_template("innovationsfonds/sketch_form.html", call=call, sketch=sketch, form=form,
                           errors=errors, kommunen=list_kommunen(), groups=TARGET_GROUPS,
                           kinds=ORGANISATION_KINDS), (422 if errors else 200)


@bp.route("/skizzen/neu", methods=["GET", "POST"])
@requires(IF_APPLY)
def sketch_new():
    call = get_call(request.args.get("call", type=int) or request.form.get("call_id", type=int) or 0)
    errors: dict = {}
    if request.method == "POST":
        response, errors = submit(lambda: _detail(sketches.create_sketch(g.actor, call.id, load_form(SketchIn())).id),
                                  success=gettext("Der Entwurf wurde gespeichert."))
        if response:
            return response
    return _sketch_form_page(call, None, request.form, errors)


@bp.route(SKETCH)
@requires(IF_READ)
def sketch_detail(sketch_id: int):
    return sketch_page(sketch_id)


@bp.route(SKETCH + "/bearbeiten", methods=["GET", "POST"])
@requires(IF_APPLY)
def sketch_edit(sketch_id: int):
    sketch = get_sketch(sketch_id, g.actor)
    errors: dict = {}
    if request.method == "POST":
        response, errors = submit(lambda: _detail(sketches.update_sketch(sketch_id, g.actor, load_form(SketchIn())).id),
                                  success=gettext("Der Entwurf wurde gespeichert."))
        if response:
            return response
        sketch = get_sketch(sketch_id, g.actor)
    return _sketch_form_page(sketch.call, sketch, request.form, errors)


@bp.route(SKETCH + "/<any(einreichen, zurueckziehen):action>", methods=["POST"])
@requires(IF_APPLY)
def sketch_action(sketch_id: int, action: str):
    """Submit (an incomplete sketch or one that breaks the call's rules: the form with the message beside each
    field) or withdraw."""
    if action == "einreichen":
        change, success = sketches.submit_sketch, gettext("Die Skizze wurde eingereicht.")
    else:
        change, success = sketches.withdraw_sketch, gettext("Die Skizze wurde zurückgezogen.")

    def show_form(errors: dict):
        sketch = get_sketch(sketch_id, g.actor)
        return _sketch_form_page(sketch.call, sketch, MultiDict(), errors)

    return act(lambda: _detail(change(sketch_id, g.actor).id), success=success, back=_detail(sketch_id),
               show_errors=show_form)


@bp.route(SKETCH + "/anlagen", methods=["POST"])
@requires(IF_APPLY)
def upload(sketch_id: int):
    def add() -> str:
        upload_file = request.files.get("file")
        if upload_file is None:
            raise ValidationFailed.field("file", "Bitte eine PDF-Datei auswählen.")
        sketches.add_attachment(sketch_id, g.actor, upload_file.filename or "", upload_file.read())
        return _detail(sketch_id)

    return act(add, success=gettext("Die Anlage wurde hochgeladen."), back=_detail(sketch_id))


@bp.route(SKETCH + "/anlagen/<id:attachment_id>/loeschen", methods=["POST"])
@requires(IF_APPLY)
def delete_attachment(sketch_id: int, attachment_id: int):
    def delete() -> str:
        sketches.delete_attachment(sketch_id, attachment_id, g.actor)
        return _detail(sketch_id)

    return act(delete, success=gettext("Die Anlage wurde gelöscht."), back=_detail(sketch_id))


@bp.route(SKETCH + "/anlagen/<id:attachment_id>")
@requires(IF_READ)
def download(sketch_id: int, attachment_id: int):
    attachment, path = sketches.get_attachment(sketch_id, attachment_id, g.actor)
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=attachment.original_name)


@bp.route(SKETCH + "/foerderfaehigkeit", methods=["POST"])
@requires(IF_MANAGE)
def eligibility(sketch_id: int):
    """The administrator's decision (select "1"/"0") with a reason (checked by the service, as for the API)."""

    def decide() -> str:
        decide_eligibility(sketch_id, g.actor, eligible=request.form.get("eligible") == "1",
                           reason=request.form.get("reason", ""))
        return _detail(sketch_id)

    return act(decide, success=gettext("Die Förderfähigkeit wurde festgelegt."), back=_detail(sketch_id))

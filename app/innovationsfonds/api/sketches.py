"""API: sketches (drafts, submission, withdrawal), PDF attachments and the eligibility decision."""

from __future__ import annotations

from flask import g, request, send_file

from ...auth.permissions import requires
from ...platform.errors import ValidationFailed
from ...platform.web.pagination import SelectPage
from .. import access
from ..permissions import IF_APPLY, IF_MANAGE, IF_READ
from ..schemas.sketches import (
    AttachmentOut,
    EligibilityIn,
    SketchCreateIn,
    SketchFilter,
    SketchIn,
    SketchListOut,
    SketchOut,
)
from ..services import eligibility, sketches
from .blueprint import SKETCH, blp, sketch_out


@blp.route("/sketches")
@requires(IF_READ)
@blp.arguments(SketchFilter, location="query")
@blp.response(200, SketchListOut(many=True))
@blp.paginate(SelectPage)
def list_sketches(filters):
    """Organisations: their own sketches; staff: all (reviewers: see /assignments)."""
    return access.sketches_select(g.actor, **filters)


@blp.route("/sketches", methods=["POST"])
@requires(IF_APPLY)
@blp.arguments(SketchCreateIn)
@blp.response(201, SketchOut)
def create_sketch(data):
    """Start a draft of the own organisation in a call (before its deadline)."""
    call_id = data.pop("call_id")
    sketch = sketches.create_sketch(g.actor, call_id, data)
    return sketch_out(sketch.id)


@blp.route(SKETCH)
@requires(IF_READ)
@blp.response(200, SketchOut)
def get_sketch(sketch_id: int):
    """404 for another organisation's sketch and for reviewers not (conflict-free) assigned to it."""
    return sketch_out(sketch_id)


@blp.route(SKETCH, methods=["PATCH"])
@requires(IF_APPLY)
@blp.arguments(SketchIn)
@blp.response(200, SketchOut)
def update_sketch(data, sketch_id: int):
    sketches.update_sketch(sketch_id, g.actor, data)
    return sketch_out(sketch_id)


@blp.route(SKETCH + "/submit", methods=["POST"])
@requires(IF_APPLY)
@blp.response(200, SketchOut)
def submit_sketch(sketch_id: int):
    """Submit inside the window; one second after the deadline: 409 with the deadline named."""
    sketches.submit_sketch(sketch_id, g.actor)
    return sketch_out(sketch_id)


@blp.route(SKETCH + "/withdraw", methods=["POST"])
@requires(IF_APPLY)
@blp.response(200, SketchOut)
def withdraw_sketch(sketch_id: int):
    """Withdraw; a selected project's withdrawal moves the next fitting waiting sketch up."""
    sketches.withdraw_sketch(sketch_id, g.actor)
    return sketch_out(sketch_id)


@blp.route(SKETCH + "/attachments", methods=["POST"])
@requires(IF_APPLY)
@blp.response(201, AttachmentOut)
def upload_attachment(sketch_id: int):
    """multipart/form-data with ``file``: a PDF (magic bytes checked), at most 10 MB."""
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed.field("file", "Bitte eine PDF-Datei hochladen (Feld „file“).")
    attachment = sketches.add_attachment(sketch_id, g.actor, upload.filename or "", upload.read())
    return {"id": attachment.id, "name": attachment.original_name, "size": attachment.size_bytes,
            "uploaded_at": attachment.uploaded_at}


@blp.route(SKETCH + "/attachments/<id:attachment_id>")
@requires(IF_READ)
def download_attachment(sketch_id: int, attachment_id: int):
    """The PDF (owning organisation, assigned non-conflicted reviewers, staff)."""
    attachment, path = sketches.get_attachment(sketch_id, attachment_id, g.actor)
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=attachment.original_name)


@blp.route(SKETCH + "/attachments/<id:attachment_id>", methods=["DELETE"])
@requires(IF_APPLY)
@blp.response(204)
def delete_attachment(sketch_id: int, attachment_id: int):
    sketches.delete_attachment(sketch_id, attachment_id, g.actor)


@blp.route(SKETCH + "/eligibility", methods=["POST"])
@requires(IF_MANAGE)
@blp.arguments(EligibilityIn)
@blp.response(200, SketchOut)
def decide_eligibility(data, sketch_id: int):
    """The administrator's eligibility decision with a reason."""
    eligibility.decide_eligibility(sketch_id, g.actor, eligible=data["eligible"], reason=data["reason"])
    return sketch_out(sketch_id)

"""JSON API of the documents: list (metadata), the stored PDF, and the PDF of a decision by its object."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, validate

from ..auth.permissions import requires
from ..platform.fields import id_field
from ..platform.web.api import ApiBlueprint
from ..platform.web.pagination import SelectPage
from .letters import KINDS
from .permissions import DOCUMENTS_READ
from .services import documents_select, get_document, latest_document_of
from .views import pdf_response

blp = ApiBlueprint("documents_api", __name__, url_prefix="/api/v1",
                   description="Bescheide und Mitteilungen als PDF/A, so gespeichert, wie sie erlassen wurden")
OBJECT_TYPES = ("grant_decision", "drawdown", "proof_of_use", "reclaim", "if_project_decision",
                "if_selection_message", "if_sketch")


class DocumentFilter(Schema):
    kind = fields.Str(validate=validate.OneOf(sorted(KINDS)))
    object_type = fields.Str(validate=validate.OneOf(OBJECT_TYPES))
    object_id = id_field()


class DocumentOut(Schema):
    id = fields.Int()
    kind = fields.Str()
    title = fields.Str()
    reference = fields.Str()
    object_type = fields.Str()
    object_id = fields.Int()
    recipient = fields.Str(attribute="recipient_name")
    kommune_id = fields.Int(allow_none=True)
    organisation_id = fields.Int(allow_none=True)
    issued_at = fields.DateTime()
    sha256 = fields.Str()
    size_bytes = fields.Int()
    replaces_id = fields.Int(allow_none=True)
    document_url = fields.Function(lambda d: f"/api/v1/documents/{d.id}.pdf",
                                   metadata={"description": "das gespeicherte PDF (application/pdf)"})


@blp.route("/documents")
@requires(DOCUMENTS_READ)
@blp.arguments(DocumentFilter, location="query")
@blp.response(200, DocumentOut(many=True))
@blp.paginate(SelectPage)
def list_documents(query: dict):
    """The documents the caller may read (Kommunen and organisations: their own), newest first."""
    return documents_select(g.actor, kind=query.get("kind"), object_type=query.get("object_type"),
                            object_id=query.get("object_id"))


@blp.route("/documents/<id:document_id>.pdf")
@requires(DOCUMENTS_READ)
def download_document(document_id: int):
    """The stored PDF/A, byte for byte as issued (ETag and X-Content-SHA256: its SHA-256)."""
    return pdf_response(get_document(g.actor, document_id))


@blp.route("/documents/of/<string(maxlength=40):object_type>/<id:object_id>.pdf")
@requires(DOCUMENTS_READ)
def document_of(object_type: str, object_id: int):
    """The latest document issued for a decision (e.g. ``grant_decision``/12): the ``document_url``."""
    return pdf_response(latest_document_of(g.actor, object_type, object_id))

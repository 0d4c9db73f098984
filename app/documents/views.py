"""Pages: the documents a user may read (``/dokumente/``), the stored PDF as issued, the correction page."""

from __future__ import annotations

from flask import Blueprint, Response, g, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from sqlalchemy import select

from ..auth.models import Role
from ..auth.permissions import requires
from ..platform.extensions import db
from ..platform.web.edge import submit
from ..platform.web.listing import ListColumn, Listing, build_listing
from ..platform.web.navigation import nav_entry
from .letters import KINDS
from .models import Document
from .permissions import DOCUMENTS_CORRECT, DOCUMENTS_READ
from .services import correct_document, documents_select, get_document, latest_document_of, successor_id

bp = Blueprint("documents", __name__, url_prefix="/dokumente")
nav_entry(lazy_gettext("Dokumente"), "documents.index", DOCUMENTS_READ, order=890)

COLUMNS = [
    ListColumn("issued_at", lazy_gettext("Erlassen am"), lambda d: d.issued_at, "datetime", Document.issued_at),
    ListColumn("title", lazy_gettext("Dokument"), lambda d: d.title, sort=Document.title),
    ListColumn("recipient", lazy_gettext("Empfänger"), lambda d: d.recipient_name, sort=Document.recipient_name),
    ListColumn("sha256", lazy_gettext("SHA-256"), lambda d: d.sha256),
]


def pdf_response(document: Document) -> Response:
    """The stored bytes, unchanged; the ETag is their SHA-256."""
    response = Response(document.content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{document.filename}"'
    response.headers["X-Content-SHA256"] = document.sha256
    response.set_etag(document.sha256)
    return response


@bp.route("/")
@requires(DOCUMENTS_READ)
def index():
    wanted = request.args.get("art", "")
    statement = documents_select(g.actor, kind=wanted if wanted in KINDS else None)
    listing = build_listing(statement, COLUMNS, args=request.args, default_sort="issued_at", default_descending=True,
                            search=[Document.title, Document.recipient_name], tiebreak=Document.id,
                            filename="dokumente")
    if not isinstance(listing, Listing):
        return listing
    ids = [document.id for document in listing.rows]
    replaced_by = dict(db.session.execute(select(Document.replaces_id, Document.id)
                                          .where(Document.replaces_id.in_(ids))).all()) if ids else {}
    return render_template("documents/index.html", listing=listing, kind_groups=_kind_groups(g.actor.role),
                           wanted=wanted, replaced_by=replaced_by)


def _kind_groups(role) -> list[tuple[str, list]]:
    """The filter's document kinds, grouped by line of funding: a Kommune receives no Innovationsfonds letter,
    an organisation nothing else (both programmes have a "Zuwendungsbescheid", so staff see them grouped)."""
    programme = [k for k in KINDS.values() if not k.code.startswith("if_")]
    innovationsfonds = [k for k in KINDS.values() if k.code.startswith("if_")]
    if role == Role.KOMMUNE:
        return [("", programme)]
    if role == Role.ORGANISATION:
        return [("", innovationsfonds)]
    return [(gettext("Landesprogramm (Kommunen)"), programme), (gettext("Innovationsfonds"), innovationsfonds)]


@bp.route("/<id:document_id>.pdf")
@requires(DOCUMENTS_READ)
def download(document_id: int):
    return pdf_response(get_document(g.actor, document_id))


@bp.route("/zu/<string(maxlength=40):object_type>/<id:object_id>.pdf")
@requires(DOCUMENTS_READ)
def of_object(object_type: str, object_id: int):
    """The latest document of a decision, for links from the domains' pages (e.g. the printable Bescheid)."""
    return pdf_response(latest_document_of(g.actor, object_type, object_id))


@bp.route("/<id:document_id>/berichtigen", methods=["GET", "POST"])
@requires(DOCUMENTS_CORRECT)
def correct(document_id: int):
    """Berichtigung nach § 42 VwVfG: a new version from today's data, naming and superseding this one."""
    document = get_document(g.actor, document_id)
    errors: dict = {}
    if request.method == "POST":
        def change() -> str:
            correction = correct_document(document, reason=request.form.get("reason", ""), actor=g.actor)
            return url_for("documents.correct", document_id=correction.id)

        response, errors = submit(change, success=gettext(
            "Die Berichtigung wurde als neues Dokument erlassen; der Empfänger wurde benachrichtigt."))
        if response:
            return response
    return render_template("documents/correct.html", document=document, successor=successor_id(document),
                           errors=errors, form=request.form), (422 if errors else 200)

"""Issue, store and find binding documents.

* ``issue_document(kind, obj)`` builds the letter for ``obj`` (``letters.KINDS``), renders its Jinja
  template (``templates/documents/letters/``) in the DIN 5008 layout to PDF/A-3b with WeasyPrint,
  stores the bytes with their SHA-256, writes the hash into the audit trail and tells the recipient's
  users in their inbox (mandatory kind: also by e-mail). Issuing the same kind for the same object
  again returns the stored document; a correction passes ``replaces``.
* ``correct_document`` (programme administrators, a mandatory reason): a Berichtigung nach § 42 VwVfG of an
  obvious error (address, Aktenzeichen) is a new document built from today's data that names and supersedes
  the old one; both stay, the list shows the relation, the recipient is told like for any document.
* The stored bytes are what was sent: later changes of templates or data never change them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import render_template
from flask_babel import force_locale, lazy_gettext
from sqlalchemy import Select, select
from weasyprint import CSS, HTML

from ..auth.models import Role, User
from ..notifications.kinds import declare_kind
from ..notifications.services import remind, users_with_role
from ..platform import audit, clock, limits
from ..platform.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from ..platform.extensions import db
from ..platform.formatting import format_decimal
from .letters import KINDS, OBJECT_MODELS, Letter
from .models import Document
from .workflow import DOCUMENT

STYLESHEET = Path(__file__).resolve().parents[2] / "templates" / "documents" / "letter.css"
PDF_VARIANT = "pdf/a-3b"  # archivable; WeasyPrint writes the XMP pdfaid claim and an sRGB output intent
STAFF_ROLES = {Role.PROGRAMME_ADMIN, Role.FINANCE, Role.AUDITOR}

DOCUMENT_ISSUED = declare_kind(
    "documents.issued", lazy_gettext("Bescheide und Mitteilungen (rechtlich relevant)"),
    roles={"kommune", "organisation"}, mandatory=True,
    description=lazy_gettext("Ein Bescheid oder eine Mitteilung wurde erlassen; das PDF liegt unter "
                             "„Dokumente“ – nicht abschaltbar."))


def render_pdf(template: str, **context) -> bytes:
    """German letter → PDF/A bytes (fonts from fontconfig: DejaVu/Liberation, see scripts/test)."""
    with force_locale("de"):
        html = render_template(template, **context)
    return HTML(string=html, base_url=str(STYLESHEET.parent)).write_pdf(
        stylesheets=[CSS(filename=str(STYLESHEET))], pdf_variant=PDF_VARIANT)


def issue_document(kind: str, obj, *, actor: User | None = None, replaces: Document | None = None,
                   reason: str | None = None) -> Document:
    """Issue the document of ``kind`` for ``obj`` (once; a correction names the document it ``replaces``
    and, for a Berichtigung, its ``reason``)."""
    builder = KINDS[kind]
    letter: Letter = builder.build(obj)
    if replaces is None:
        existing = db.session.scalar(select(Document).where(
            Document.kind == kind, Document.object_type == letter.object_type,
            Document.object_id == letter.object_id).order_by(Document.id.desc()).limit(1))
        if existing is not None:
            return existing
    issued_at = clock.now()
    content = render_pdf(f"documents/letters/{builder.template}", letter=letter, kind=builder,
                         heading=letter.title or f"{builder.title} {letter.reference}",
                         issued_on=clock.today(), replaces=replaces, reason=reason, **letter.context)
    digest = hashlib.sha256(content).hexdigest()
    document = Document(kind=kind, object_type=letter.object_type, object_id=letter.object_id,
                        reference=letter.reference, title=letter.title or f"{builder.title} {letter.reference}",
                        kommune_id=letter.kommune_id, organisation_id=letter.organisation_id,
                        recipient_name=letter.recipient_name,
                        filename=f"{builder.file_prefix}-{_safe(letter.reference)}.pdf", content=content,
                        sha256=digest, size_bytes=len(content), issued_at=issued_at,
                        issued_by_id=actor.id if actor else None, replaces_id=replaces.id if replaces else None,
                        correction_reason=reason)
    db.session.add(document)
    db.session.flush()
    audit.record("document.issue", "document", document.id, actor=actor,
                 actor_label=None if actor else "system: Bescheiderstellung", kommune_id=letter.kommune_id,
                 after={"kind": kind, "object": f"{letter.object_type}:{letter.object_id}",
                        "reference": letter.reference, "sha256": digest, "size_bytes": len(content),
                        "replaces": replaces.id if replaces else None})
    _notify(document)
    return document


def successor_id(document: Document) -> int | None:
    """The document that corrected ``document``, if any."""
    return db.session.scalar(select(Document.id).where(Document.replaces_id == document.id))


def correct_document(document: Document, *, reason: str, actor: User) -> Document:
    """Berichtigung nach § 42 VwVfG: issue a new version of ``document`` that names and supersedes it."""
    successor = successor_id(document)
    status = "superseded" if successor else "current"
    try:
        DOCUMENT.check(status, "correct", actor)
    except InvalidTransition:  # the engine decides; the message names the newer version
        raise Conflict(f"Dieses Dokument wurde bereits durch Dokument {successor} ersetzt; bitte die neueste "
                       "Fassung berichtigen.", current_status=status) from None
    reason = (reason or "").strip().rstrip(".")
    if not reason:
        raise ValidationFailed.field("reason", "Bitte den Grund der Berichtigung angeben.")
    if len(reason) > limits.CORRECTION_REASON:
        raise ValidationFailed.field(
            "reason", f"Der Grund ist zu lang (höchstens {format_decimal(limits.CORRECTION_REASON, 0)} Zeichen).")
    obj = db.session.get(OBJECT_MODELS[document.object_type], document.object_id)
    correction = issue_document(document.kind, obj, actor=actor, replaces=document, reason=reason)
    audit.record("document.correct", "document", correction.id, actor=actor, kommune_id=document.kommune_id,
                 before={"document": document.id, "sha256": document.sha256},
                 after={"document": correction.id, "sha256": correction.sha256, "reason": reason})
    return correction


def _safe(reference: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in reference)


def _notify(document: Document) -> None:
    if document.kommune_id is not None:
        users = users_with_role(Role.KOMMUNE, kommune_id=document.kommune_id)
    else:
        users = users_with_role(Role.ORGANISATION, organisation_id=document.organisation_id)
    remind(users, DOCUMENT_ISSUED, "emails/document_issued.txt", subject=document.title,
           link=f"/dokumente/{document.id}.pdf", dedup_key=f"document:{document.id}", document=document)


def documents_select(actor: User, *, kind: str | None = None, object_type: str | None = None,
                     object_id: int | None = None) -> Select:
    """The documents ``actor`` may read: staff all, a Kommune its own, an organisation its own."""
    statement = select(Document).order_by(Document.issued_at.desc(), Document.id.desc())
    if actor.role == Role.KOMMUNE:
        statement = statement.where(Document.kommune_id == actor.kommune_id)
    elif actor.role == Role.ORGANISATION:
        statement = statement.where(Document.organisation_id == actor.organisation_id)
    elif actor.role not in STAFF_ROLES:
        statement = statement.where(False)
    if kind:
        statement = statement.where(Document.kind == kind)
    if object_type and object_id is not None:
        statement = statement.where(Document.object_type == object_type, Document.object_id == object_id)
    return statement


def latest_document_of(actor: User, object_type: str, object_id: int) -> Document:
    """The newest document issued for a decision (a correction replaces the original), if ``actor`` may read it."""
    document = db.session.scalar(documents_select(actor, object_type=object_type, object_id=object_id)
                                 .order_by(None).order_by(Document.id.desc()).limit(1))
    if document is None:
        raise NotFound("Zu diesem Vorgang gibt es kein Dokument.")
    return document


def get_document(actor: User, document_id: int) -> Document:
    """The document if ``actor`` may read it; another recipient's document is 404, as if absent."""
    document = db.session.scalar(documents_select(actor).where(Document.id == document_id))
    if document is None:
        raise NotFound("Dokument nicht gefunden.")
    return document

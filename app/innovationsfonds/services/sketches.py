"""Sketches: drafts of an organisation, submission inside the call's window (to the second),
withdrawal (which amends a staged decision or promotes from the waiting list), PDF attachments."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from ...auth.models import Role, User
from ...platform import clock, limits
from ...platform.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...platform.extensions import db
from ...platform.formatting import format_datetime, format_decimal
from ...reference.models import Kommune
from .. import receipts, selection
from ..access import SKETCH_FIELDS, get_call, get_sketch, record, sketch_snapshot
from ..models import (
    TARGET_GROUPS,
    Attachment,
    Call,
    Sketch,
    SketchStatus,
)
from ..workflow import SKETCH
from .eligibility import call_rule_errors

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
TEXT_LIMITS = {"title": limits.NAME, "summary": limits.DESCRIPTION}  # sketch texts (as the schema)


def _check_content(call: Call, data: dict) -> dict[str, list[str]]:
    """Plausibility of sketch content (drafts and submission); eligibility rules are checked later."""
    errors: dict[str, list[str]] = {}
    if data.get("target_group") not in (None, *TARGET_GROUPS):
        errors["target_group"] = ["Bitte „primary“ oder „secondary“ wählen."]
    if data.get("planned_women") is not None and data.get("planned_participants") is not None \
            and data["planned_women"] > data["planned_participants"]:
        errors["planned_women"] = ["Es können nicht mehr Frauen als Teilnehmende geplant sein."]
    if data.get("age_min") is not None and data.get("age_max") is not None and data["age_min"] > data["age_max"]:
        errors["age_max"] = ["Das Höchstalter muss mindestens das Mindestalter sein."]
    if data.get("start_date") and data.get("end_date") and data["start_date"] > data["end_date"]:
        errors["end_date"] = ["Das Projektende muss nach dem Projektbeginn liegen."]
    if data.get("kommune_id") is not None and db.session.get(Kommune, data["kommune_id"]) is None:
        errors["kommune_id"] = ["Unbekannte Kommune."]
    for name, limit in TEXT_LIMITS.items():
        if len(data.get(name) or "") > limit:
            errors.setdefault(name, []).append(f"Höchstens {format_decimal(limit, 0)} Zeichen.")
    return errors


def _complete(sketch: Sketch) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    required = {"title": "Bitte einen Titel angeben.", "summary": "Bitte eine Kurzbeschreibung angeben.",
                "kommune_id": "Bitte den Standort (Kommune) angeben.", "start_date": "Bitte den Projektbeginn angeben.",
                "end_date": "Bitte das Projektende angeben."}
    for name, message in required.items():
        value = getattr(sketch, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[name] = [message]
    if sketch.requested_cents <= 0:
        errors["requested"] = ["Bitte den beantragten Betrag angeben."]
    if sketch.total_cost_cents < sketch.requested_cents:
        errors["total_cost"] = ["Die Gesamtkosten müssen mindestens den beantragten Betrag erreichen."]
    if sketch.planned_participants <= 0:
        errors["planned_participants"] = ["Bitte die geplante Zahl der Teilnehmenden angeben."]
    return errors


def _open_for_drafts(call: Call, now: datetime) -> None:
    if call.closed_at is not None or now > call.closes_at:
        raise Conflict(f"Die Einreichungsfrist dieses Aufrufs ist am {format_datetime(call.closes_at)} Uhr "
                       "abgelaufen; Skizzen können nicht mehr angelegt oder geändert werden.")


def create_sketch(actor: User, call_id: int, data: dict) -> Sketch:
    """Start a draft sketch of the actor's organisation."""
    if actor.role != Role.ORGANISATION or actor.organisation_id is None:
        raise Forbidden("Nur Träger können Projektskizzen anlegen.")
    call = get_call(call_id, lock=True)  # serialises the sketch numbers of the call
    _open_for_drafts(call, clock.now())
    errors = _check_content(call, data)
    if not (data.get("title") or "").strip():
        errors.setdefault("title", []).append("Bitte einen Titel angeben.")
    if errors:
        raise ValidationFailed("Die Skizze enthält ungültige Angaben.", errors=errors)
    number = (db.session.scalar(select(func.max(Sketch.number)).where(Sketch.call_id == call.id)) or 0) + 1
    sketch = Sketch(call_id=call.id, number=number, organisation_id=actor.organisation_id, created_at=clock.now(),
                    created_by_id=actor.id, status=SketchStatus.DRAFT, title=data["title"].strip())
    for name in SKETCH_FIELDS:
        if data.get(name) is not None:
            setattr(sketch, name, data[name])
    db.session.add(sketch)
    db.session.flush()
    record("sketch.create", "if_sketch", sketch.id, actor, after=sketch_snapshot(sketch))
    return sketch


def update_sketch(sketch_id: int, actor: User, data: dict) -> Sketch:
    """Change a draft (only inside the call's open period)."""
    sketch = get_sketch(sketch_id, actor, lock=True)
    SKETCH.check(sketch.status, "edit", actor)
    _open_for_drafts(sketch.call, clock.now())
    merged = {**sketch_snapshot(sketch), **{k: v for k, v in data.items() if v is not None}}
    errors = _check_content(sketch.call, merged)
    if "title" in data and not (data["title"] or "").strip():
        errors.setdefault("title", []).append("Bitte einen Titel angeben.")
    if errors:
        raise ValidationFailed("Die Skizze enthält ungültige Angaben.", errors=errors)
    before = sketch_snapshot(sketch)
    for name in SKETCH_FIELDS:
        if name in data and data[name] is not None:
            setattr(sketch, name, data[name].strip() if isinstance(data[name], str) else data[name])
    db.session.flush()
    record("sketch.update", "if_sketch", sketch.id, actor, before=before, after=sketch_snapshot(sketch))
    return sketch


def submit_sketch(sketch_id: int, actor: User) -> Sketch:
    """Submit inside the window: ``clock.now()`` decides to the second (closes_at itself still counts)."""
    sketch = get_sketch(sketch_id, actor, lock=True)
    new_status = SKETCH.check(sketch.status, "submit", actor)
    now = clock.now()
    call = get_call(sketch.call_id, lock=True)  # serialises the submission numbers of the call
    if now < call.opens_at:
        raise Conflict(f"Die Einreichung ist erst ab {format_datetime(call.opens_at)} Uhr möglich.")
    if now > call.closes_at or call.closed_at is not None:
        raise Conflict(f"Die Einreichungsfrist ist am {format_datetime(call.closes_at)} Uhr abgelaufen; "
                       "die Skizze wurde nicht angenommen.", deadline=call.closes_at.isoformat())
    errors = _complete(sketch)
    if errors:
        raise ValidationFailed("Die Skizze ist unvollständig.", errors=errors)
    rule_errors = call_rule_errors(sketch)
    if rule_errors:
        raise ValidationFailed("Die Skizze erfüllt die Bedingungen des Aufrufs nicht.", errors=rule_errors)
    before = sketch_snapshot(sketch)
    last = db.session.scalar(select(func.max(Sketch.submission_seq)).where(Sketch.call_id == call.id)) or 0
    sketch.status, sketch.submitted_at, sketch.submission_seq = new_status, now, last + 1
    db.session.flush()
    record("sketch.submit", "if_sketch", sketch.id, actor, before=before, after=sketch_snapshot(sketch))
    receipts.send_receipt(sketch)
    return sketch


def withdraw_sketch(sketch_id: int, actor: User) -> Sketch:
    """Withdraw (drafts, submitted, eligible, waiting, selected). A selected project's withdrawal after the
    release moves the next fitting sketch of the waiting list up; before the release a staged decision is
    kept and amended (``selection.amend_staged``)."""

    sketch = get_sketch(sketch_id, actor, lock=True)
    old_status = sketch.status
    new_status = SKETCH.check(sketch.status, "withdraw", actor)
    call = get_call(sketch.call_id, lock=True)
    before = sketch_snapshot(sketch)
    sketch.status, sketch.withdrawn_at = new_status, clock.now()
    db.session.flush()
    record("sketch.withdraw", "if_sketch", sketch.id, actor, before=before, after=sketch_snapshot(sketch))
    if call.released_at is None and call.decision_staged_at is not None and old_status is not SketchStatus.DRAFT:
        selection.amend_staged(call, sketch, actor, change="withdrawal")
    if old_status is SketchStatus.SELECTED and call.released_at is not None:
        selection.promote_after_leaving(call, sketch, actor, cause="withdrawal")
    return sketch


# ---------------------------------------------------------------------------------------- attachments


def upload_dir() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "innovationsfonds"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def add_attachment(sketch_id: int, actor: User, filename: str, data: bytes) -> Attachment:
    """Store a PDF (checked by its magic bytes, size-limited) under a generated name."""
    sketch = get_sketch(sketch_id, actor, lock=True)
    SKETCH.check(sketch.status, "edit", actor)
    _open_for_drafts(sketch.call, clock.now())
    limit = current_app.config.get("INNOVATIONSFONDS_MAX_ATTACHMENT_BYTES", MAX_ATTACHMENT_BYTES)
    if not data:
        raise ValidationFailed.field("file", "Die Datei ist leer.")
    if len(data) > limit:
        raise ValidationFailed.field("file", f"Die Datei ist zu groß (höchstens {limit // (1024 * 1024)} MB).")
    if not data.startswith(b"%PDF-"):
        raise ValidationFailed.field("file", "Nur PDF-Dateien sind erlaubt.")
    if len(sketch.attachments) >= MAX_ATTACHMENTS:
        raise ValidationFailed.field("file", f"Höchstens {MAX_ATTACHMENTS} Anlagen je Skizze.")
    display = "".join(ch for ch in Path(filename or "anlage.pdf").name if ch.isprintable())[:180] or "anlage.pdf"
    stored = f"{uuid.uuid4().hex}.pdf"
    (upload_dir() / stored).write_bytes(data)
    attachment = Attachment(sketch_id=sketch.id, stored_name=stored, original_name=display, size_bytes=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), uploaded_at=clock.now(), uploaded_by_id=actor.id)
    db.session.add(attachment)
    db.session.flush()
    record("attachment.add", "if_attachment", attachment.id, actor,
           after={"sketch_id": sketch.id, "name": display, "size": len(data)})
    return attachment


def get_attachment(sketch_id: int, attachment_id: int, actor: User) -> tuple[Attachment, Path]:
    """The attachment and its file, for the owning organisation, assigned non-conflicted reviewers and staff."""
    sketch = get_sketch(sketch_id, actor)
    attachment = next((a for a in sketch.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound("Anlage nicht gefunden.")
    path = upload_dir() / attachment.stored_name
    if not path.is_file():
        raise NotFound("Die Datei der Anlage fehlt.")
    return attachment, path


def delete_attachment(sketch_id: int, attachment_id: int, actor: User) -> None:
    """Remove a draft's PDF (until the deadline, like every change of a draft)."""
    sketch = get_sketch(sketch_id, actor, lock=True)
    SKETCH.check(sketch.status, "edit", actor)
    _open_for_drafts(sketch.call, clock.now())
    attachment = next((a for a in sketch.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound("Anlage nicht gefunden.")
    sketch.attachments.remove(attachment)
    db.session.flush()
    (upload_dir() / attachment.stored_name).unlink(missing_ok=True)
    record("attachment.delete", "if_attachment", attachment_id, actor, before={"name": attachment.original_name})


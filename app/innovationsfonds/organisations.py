"""Organisations (Träger) created by the programme administrator (page, API, command), so that an empty
installation can run a call: name (unique), kind (``ORGANISATION_KINDS``, the call's eligibility rule),
public body or not (ANBest-G vs. ANBest-P in the project decision), city, contact, Kommune."""

from __future__ import annotations

from sqlalchemy import func, select

from ..auth.models import User
from ..platform.errors import ValidationFailed
from ..platform.extensions import db
from ..platform.fields import EMAIL
from ..reference.models import ORGANISATION_KINDS, Kommune, Organisation
from .access import record

LIMITS = {"name": 200, "city": 120, "contact_name": 200, "contact_email": 200}


def list_organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def create_organisation(actor: User | None, data: dict, *, actor_label: str | None = None) -> Organisation:
    """Create a Träger; every bad field is named (German), nothing is stored then."""
    values = {name: (data.get(name) or "").strip() for name in LIMITS}
    kind = data.get("kind") or ""
    errors: dict[str, list[str]] = {}
    if not values["name"]:
        errors["name"] = ["Bitte den Namen des Trägers angeben."]
    elif db.session.scalar(select(Organisation.id).where(func.lower(Organisation.name) == values["name"].lower())):
        errors["name"] = ["Ein Träger mit diesem Namen ist bereits angelegt."]
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            errors.setdefault(name, []).append(f"Höchstens {limit} Zeichen.")
    if kind not in ORGANISATION_KINDS:
        errors["kind"] = ["Bitte eine Trägerart wählen (" + ", ".join(str(v) for v in ORGANISATION_KINDS.values())
                          + ")."]
    if values["contact_email"] and not EMAIL.match(values["contact_email"]):
        errors["contact_email"] = ["Bitte eine gültige E-Mail-Adresse angeben."]
    kommune_id = data.get("kommune_id")
    if kommune_id is not None and db.session.get(Kommune, kommune_id) is None:
        errors["kommune_id"] = ["Unbekannte Kommune."]
    if errors:
        raise ValidationFailed("Der Träger enthält ungültige Angaben.", errors=errors)
    public = data.get("is_public_body")
    organisation = Organisation(kind=kind, kommune_id=kommune_id,
                                is_public_body=kind == "kommune" if public is None else bool(public), **values)
    db.session.add(organisation)
    db.session.flush()
    record("organisation.create", "organisation", organisation.id, actor, actor_label=actor_label,
           after={"name": organisation.name, "kind": kind, "is_public_body": organisation.is_public_body})
    return organisation

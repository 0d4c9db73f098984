"""Use cases of "Gemeinsam klappt's": a Kommune's Geschäftsführende Stelle and Bündniskerngruppe as
institutions with their role in the alliance and an optional staff contact (a service address and
telephone number; no other personal data). The Kommune keeps its own, the programme administration any."""

from __future__ import annotations

from sqlalchemy import func, select

from ...auth.models import User
from ...auth.permissions import ensure_kommune_access, scope_kommune_id
from ...platform import audit, clock
from ...platform.errors import NotFound, ValidationFailed
from ...platform.extensions import db
from ...platform.fields import EMAIL
from ...reference.models import Kommune
from ...reference.services import kommune_by_ags
from ..models import PartnershipBody, PartnershipMember


def kommune_of(actor: User, ags: str) -> Kommune:
    """The Kommune by AGS whose alliance the actor may see (404 for an unknown or another Kommune)."""
    kommune = kommune_by_ags(ags)
    if kommune is None:
        raise NotFound("Kommune nicht gefunden.")
    ensure_kommune_access(actor, kommune.id, "Kommune")
    return kommune


def members_of(kommune_id: int) -> list[PartnershipMember]:
    """The Kommune's alliance: the Geschäftsführende Stelle first, then the Bündniskerngruppe."""
    return list(db.session.scalars(select(PartnershipMember).where(PartnershipMember.kommune_id == kommune_id)
                                   .order_by(PartnershipMember.body.desc(), PartnershipMember.id)))


def all_members(actor: User) -> list[tuple[Kommune, PartnershipMember]]:
    """Every member the actor may see (a Kommune user: its own), by Kommune."""
    statement = (select(Kommune, PartnershipMember).join(Kommune, Kommune.id == PartnershipMember.kommune_id)
                 .order_by(Kommune.name, PartnershipMember.body.desc(), PartnershipMember.id))
    scope = scope_kommune_id(actor)
    if scope is not None:
        statement = statement.where(PartnershipMember.kommune_id == scope)
    return [(kommune, member) for kommune, member in db.session.execute(statement)]


def add_member(actor: User, kommune: Kommune, *, body: str, institution: str, role: str, contact_email: str = "",
               contact_phone: str = "") -> PartnershipMember:
    """Add an institution to the Kommune's Geschäftsführende Stelle (at most one) or Bündniskerngruppe."""
    ensure_kommune_access(actor, kommune.id, "Kommune")
    body = PartnershipBody(body)
    if contact_email.strip() and not EMAIL.match(contact_email.strip()):
        raise ValidationFailed.field("contact_email", "Bitte eine gültige E-Mail-Adresse angeben.")
    if body is PartnershipBody.LEAD and db.session.scalar(select(func.count()).select_from(PartnershipMember).where(
            PartnershipMember.kommune_id == kommune.id, PartnershipMember.body == PartnershipBody.LEAD)):
        raise ValidationFailed.field("body", "Die Geschäftsführende Stelle ist schon eingetragen; bitte zuerst "
                                             "die bisherige entfernen.")
    member = PartnershipMember(kommune_id=kommune.id, body=body, institution=institution.strip(), role=role.strip(),
                               contact_email=contact_email.strip(), contact_phone=contact_phone.strip(),
                               updated_at=clock.now(), updated_by_id=actor.id)
    db.session.add(member)
    db.session.flush()
    audit.record("results.partnership.add", "partnership_member", member.id, after={
        "body": body.value, "institution": member.institution, "role": member.role,
        "contact_email": member.contact_email, "contact_phone": member.contact_phone},
        actor=actor, kommune_id=kommune.id)
    return member


def remove_member(actor: User, kommune: Kommune, member_id: int) -> None:
    """Remove an institution from the Kommune's alliance (404 for another Kommune's member)."""
    ensure_kommune_access(actor, kommune.id, "Kommune")
    member = db.session.get(PartnershipMember, member_id)
    if member is None or member.kommune_id != kommune.id:
        raise NotFound("Eintrag nicht gefunden.")
    audit.record("results.partnership.remove", "partnership_member", member.id, before={
        "body": member.body.value, "institution": member.institution, "role": member.role}, actor=actor,
        kommune_id=kommune.id)
    db.session.delete(member)
    db.session.flush()

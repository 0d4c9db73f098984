"""Give-backs: a Kommune declares money it gives back (or the most it can still use); money a reducing
amendment released joins the open give-back. ``redistribute_version`` (versions.py) applies them."""

from __future__ import annotations

from sqlalchemy import select

from ...auth.models import Role
from ...auth.permissions import ensure_kommune_access, require, scope_kommune_id
from ...budgets.services import kommune_commitment_cents
from ...platform import audit, clock, limits
from ...platform.database import lock_for_update
from ...platform.errors import Conflict, ValidationFailed
from ...platform.extensions import db
from ...platform.formatting import format_date
from ...platform.money import format_eur
from ...reference.models import Programme
from ...reference.services import kommune_by_ags
from ..models import AllocationVersion, Ceiling, GiveBack
from ..permissions import GIVE_BACK_DECLARE
from .reading import current_version, published_ceiling


def give_back_headroom(programme: Programme, ceiling: Ceiling) -> int:
    """Ceiling less what the Kommune's grants approve: the most it can give back."""
    committed = kommune_commitment_cents(programme.id, ceiling.kommune_id,
                                         [m.code for m in programme.kommune_modules])
    return ceiling.ceiling_cents - committed


def open_give_backs(version: AllocationVersion) -> list[GiveBack]:
    return list(db.session.scalars(select(GiveBack).where(GiveBack.version_id == version.id,
                                                          GiveBack.applied_in_id.is_(None)).order_by(GiveBack.id)))


def list_give_backs(actor, programme_id: int) -> list[GiveBack]:
    statement = (select(GiveBack).join(AllocationVersion, GiveBack.version_id == AllocationVersion.id)
                 .where(AllocationVersion.programme_id == programme_id).order_by(GiveBack.id.desc()))
    scope = scope_kommune_id(actor)
    if scope is not None:
        statement = statement.where(GiveBack.kommune_id == scope)
    return list(db.session.scalars(statement))


def declare_give_back(programme: Programme, *, actor, kommune_ags: str | None, amount_cents: int,
                      max_usable_cents: int | None = None, note: str = "") -> GiveBack:
    """A Kommune declares what it gives back of its published ceiling and/or the most it can still use.

    One open declaration per Kommune and version: a new one replaces the values of the open one.
    """
    require(actor, GIVE_BACK_DECLARE)
    if actor.role == Role.KOMMUNE and not kommune_ags:
        kommune_ags = actor.kommune.ags
    kommune = kommune_by_ags(kommune_ags or "")
    if kommune is None:
        raise ValidationFailed.field("kommune_ags", "Bitte eine Kommune angeben.")
    ensure_kommune_access(actor, kommune.id, "Kommune")
    if clock.today() > programme.last_expense_date:  # nothing left to redistribute to (issue #14, 7)
        raise ValidationFailed.field(
            "amount", f"Nach dem Programmende ({format_date(programme.last_expense_date)}) können keine Mittel mehr "
                      "zurückgegeben werden: Sie könnten nicht mehr umverteilt werden. Nicht verwendete Mittel "
                      "werden mit dem Verwendungsnachweis abgerechnet.")
    version = current_version(programme.id)
    if version is None:
        raise Conflict("Es gibt noch keine veröffentlichte Zuteilung.")
    ceiling = next((c for c in version.ceilings if c.kommune_id == kommune.id), None)
    if ceiling is None:
        raise ValidationFailed.field("kommune_ags", "Diese Kommune hat in der veröffentlichten Zuteilung keine "
                                                    "Höchstgrenze.")
    published_ceiling(programme.id, kommune.id, lock=True)  # serialise with grant decisions against it
    headroom = give_back_headroom(programme, ceiling)
    if amount_cents > headroom:
        raise ValidationFailed.field(
            "amount", f"Die Rückgabe von {format_eur(amount_cents)} übersteigt den nicht bewilligten Teil der "
                      f"Höchstgrenze ({format_eur(max(headroom, 0))}: Höchstgrenze "
                      f"{format_eur(ceiling.ceiling_cents)} abzüglich bewilligter Zuwendung "
                      f"{format_eur(ceiling.ceiling_cents - headroom)}).")
    if amount_cents == 0 and max_usable_cents is None:
        raise ValidationFailed.field("amount", "Bitte einen Rückgabebetrag oder eine Obergrenze angeben.")
    if amount_cents > 0 and max_usable_cents is not None:
        raise ValidationFailed.field("max_usable", "Wer Mittel zurückgibt, erhält keine weiteren: bitte "
                                                   "keine Obergrenze angeben.")
    existing = db.session.scalar(lock_for_update(select(GiveBack).where(
        GiveBack.version_id == version.id, GiveBack.kommune_id == kommune.id, GiveBack.applied_in_id.is_(None))))
    before = None
    if existing is None:
        existing = GiveBack(version_id=version.id, kommune_id=kommune.id, created_at=clock.now(),
                            created_by_id=actor.id)
        db.session.add(existing)
    else:
        before = {"amount_cents": existing.amount_cents, "max_usable_cents": existing.max_usable_cents}
    existing.amount_cents, existing.max_usable_cents = amount_cents, max_usable_cents
    existing.note = (note or "").strip()[:limits.REASON]
    db.session.flush()
    audit.record("allocation.give_back.declare", "allocation_give_back", existing.id, actor=actor,
                 kommune_id=kommune.id, before=before,
                 after={"version": version.number, "amount_cents": amount_cents, "max_usable_cents": max_usable_cents})
    return existing


def release_to_redistribution(programme: Programme, kommune_id: int, amount_cents: int, *, note: str,
                              actor) -> GiveBack | None:
    """Money a reducing amendment released goes into the Kommune's open give-back (created if needed).

    It is offered to the next redistribution like a declared give-back; a "most it can still use" declared
    before is dropped, because who gives back takes nothing. None when nothing is published or released.
    """
    version = current_version(programme.id)
    if version is None or amount_cents <= 0:
        return None
    existing = db.session.scalar(lock_for_update(select(GiveBack).where(
        GiveBack.version_id == version.id, GiveBack.kommune_id == kommune_id, GiveBack.applied_in_id.is_(None))))
    before = None
    if existing is None:
        existing = GiveBack(version_id=version.id, kommune_id=kommune_id, amount_cents=0, note="",
                            created_at=clock.now(), created_by_id=actor.id if actor else None)
        db.session.add(existing)
    else:
        before = {"amount_cents": existing.amount_cents, "max_usable_cents": existing.max_usable_cents}
    existing.amount_cents += amount_cents
    existing.max_usable_cents = None
    existing.note = "\n".join(part for part in (existing.note, note) if part)[:limits.REASON]
    db.session.flush()
    audit.record("allocation.give_back.release", "allocation_give_back", existing.id, actor=actor,
                 kommune_id=kommune_id, before=before,
                 after={"version": version.number, "amount_cents": existing.amount_cents,
                        "released_cents": amount_cents, "note": note})
    return existing

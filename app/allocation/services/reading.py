"""Reading the allocation: key data sets, versions, the published ceilings (what grants check against)."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from ...auth.models import Role
from ...auth.permissions import ensure_kommune_access
from ...platform.database import lock_for_update
from ...platform.errors import NotFound, ValidationFailed
from ...platform.extensions import db
from ...reference.services import kommune_by_ags
from ..models import AllocationStatus, AllocationVersion, Ceiling, GiveBack, KeyDataset


def get_dataset(dataset_id: int | None, field: str = "key_dataset_id", kind: str | None = None) -> KeyDataset:
    dataset = db.session.get(KeyDataset, dataset_id) if dataset_id else None
    if dataset is None or (kind is not None and dataset.kind != kind):
        raise ValidationFailed.field(field, "Bitte einen passenden Schlüsseldatensatz wählen.")
    return dataset


def list_datasets(kind: str | None = None) -> list[KeyDataset]:
    statement = select(KeyDataset).order_by(KeyDataset.name, KeyDataset.version.desc())
    if kind:
        statement = statement.where(KeyDataset.kind == kind)
    return list(db.session.scalars(statement))


def visible_versions(actor, programme_id: int) -> Select:
    """Versions of the programme the actor may see (Kommune users: not the drafts), newest first."""
    statement = select(AllocationVersion).where(AllocationVersion.programme_id == programme_id)
    if actor.role == Role.KOMMUNE:
        statement = statement.where(AllocationVersion.status != AllocationStatus.DRAFT)
    return statement.order_by(AllocationVersion.number.desc())


def get_version(version_id: int, actor) -> AllocationVersion:
    """A version the actor may see; drafts are invisible (404) to Kommune users."""
    version = db.session.get(AllocationVersion, version_id)
    if version is None or (actor.role == Role.KOMMUNE and version.status == AllocationStatus.DRAFT):
        raise NotFound("Zuteilungsversion nicht gefunden.")
    return version


def current_version(programme_id: int) -> AllocationVersion | None:
    return db.session.scalar(select(AllocationVersion).where(
        AllocationVersion.programme_id == programme_id, AllocationVersion.status == AllocationStatus.PUBLISHED))


def ceiling_of(version: AllocationVersion, ags: str, actor) -> Ceiling:
    """One Kommune's ceiling in a version; Kommune users only their own (else 404)."""
    kommune = kommune_by_ags(ags)
    if kommune is None:
        raise NotFound("Kommune nicht gefunden.")
    ensure_kommune_access(actor, kommune.id, "Höchstgrenze")
    ceiling = next((c for c in version.ceilings if c.kommune_id == kommune.id), None)
    if ceiling is None:
        raise NotFound("Für diese Kommune gibt es in der Version keine Höchstgrenze.")
    return ceiling


def published_ceiling(programme_id: int, kommune_id: int, *, lock: bool = False) -> Ceiling | None:
    """The Kommune's ceiling in the programme's currently published allocation version (None if none).

    ``lock=True`` locks the ceiling row (PostgreSQL ``FOR UPDATE``) for a check-then-book sequence.
    """
    statement = (
        select(Ceiling)
        .join(AllocationVersion)
        .where(AllocationVersion.programme_id == programme_id,
               AllocationVersion.status == AllocationStatus.PUBLISHED,
               Ceiling.kommune_id == kommune_id)
    )
    if lock:
        statement = lock_for_update(statement)
    return db.session.scalar(statement)


def open_give_back_cents(programme_id: int, kommune_id: int) -> int:
    """What the Kommune has declared to give back and is not yet redistributed (cents)."""
    return db.session.scalar(
        select(func.coalesce(func.sum(GiveBack.amount_cents), 0))
        .join(AllocationVersion, GiveBack.version_id == AllocationVersion.id)
        .where(AllocationVersion.programme_id == programme_id, AllocationVersion.status == AllocationStatus.PUBLISHED,
               GiveBack.kommune_id == kommune_id, GiveBack.applied_in_id.is_(None))) or 0


def usable_ceiling_cents(programme_id: int, kommune_id: int, *, lock: bool = False) -> int | None:
    """The ceiling a grant decision may use: the published ceiling less the open give-back (None: no ceiling).

    Grant decisions and applications check against this, so money declared as given back can never be
    approved again before the redistribution hands it to others (``lock`` as in ``published_ceiling``).
    """
    ceiling = published_ceiling(programme_id, kommune_id, lock=lock)
    if ceiling is None:
        return None
    return ceiling.ceiling_cents - open_give_back_cents(programme_id, kommune_id)

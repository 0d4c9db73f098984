"""F6 Teilhabemanagement: positions in half steps by the target-group counts of a key data set.

``positions`` computes on demand (the calculator); ``create_positions_version``/``publish_positions_version`` store
the result as a numbered version with the ceilings' workflow (``workflow.VERSION``), so the F6 applications are
checked against published positions (docs/f6.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from ...auth.permissions import require
from ...platform import audit, clock, limits
from ...platform.database import lock_for_update
from ...platform.errors import NotFound, ValidationFailed
from ...platform.extensions import db
from ...platform.formatting import format_decimal
from ...platform.numbering import next_number
from ...reference.models import Kommune, Programme
from .. import distribution
from ..models import AllocationStatus, KeyDatasetKind, PositionShare, PositionVersion
from ..permissions import ALLOCATION_MANAGE
from ..workflow import VERSION
from .reading import get_dataset

F6_POSITIONS = 106  # the programme's positions (the default)
MAX_POSITIONS = 10_000  # the most one call apportions
POSITIONS_MESSAGE = f"Bitte eine Stellenzahl zwischen 1 und {format_decimal(MAX_POSITIONS, 0)} angeben."


@dataclass
class PositionRow:
    ags: str
    name: str
    count: int
    halves: int

    @property
    def positions(self) -> Decimal:
        return Decimal(self.halves) / 2


def positions(dataset_id: int | None, total_positions: int = F6_POSITIONS) -> list[PositionRow]:
    """F6 Teilhabemanagement: ``total_positions`` in half steps by the target-group counts."""
    dataset = get_dataset(dataset_id, "dataset_id", KeyDatasetKind.COUNTS)
    if not 0 < total_positions <= MAX_POSITIONS:
        raise ValidationFailed.field("total", POSITIONS_MESSAGE)
    counts = {r.ags: r.count for r in dataset.count_rows}
    try:
        halves = distribution.apportion_positions(total_positions * 2, counts)
    except distribution.DistributionError as error:
        raise ValidationFailed.field("dataset_id", str(error)) from None
    kommunen = {k.ags: k for k in db.session.scalars(select(Kommune))}
    return [PositionRow(ags, kommunen[ags].display_name if ags in kommunen else ags, counts[ags], halves[ags])
            for ags in sorted(counts)]


# ---------------------------------------------------------------- published positions versions (issue #18)


def _version_snapshot(version: PositionVersion) -> dict:
    return {"number": version.number, "status": version.status, "total_halves": version.total_halves,
            "dataset_id": version.dataset_id, "kommunen": sum(1 for s in version.shares if s.halves)}


def create_positions_version(programme: Programme, *, actor, dataset_id: int | None,
                             total_positions: int = F6_POSITIONS, title: str = "") -> PositionVersion:
    """A draft positions version: ``positions`` stored per Kommune (halves), numbered per programme."""
    if actor is not None:
        require(actor, ALLOCATION_MANAGE)
    rows = positions(dataset_id, total_positions)
    kommunen = {k.ags: k.id for k in db.session.scalars(select(Kommune))}
    unknown = [r.ags for r in rows if r.ags not in kommunen]
    if unknown:
        raise ValidationFailed.field("dataset_id", f"Unbekannte Kommunen im Datensatz: {', '.join(unknown[:5])}.")
    number = next_number(f"positions-{programme.id}")
    version = PositionVersion(
        programme_id=programme.id, number=number, status=AllocationStatus.DRAFT, total_halves=total_positions * 2,
        title=(title or "").strip()[:limits.NAME] or f"Stellen Teilhabemanagement {number}",
        dataset_id=dataset_id, created_at=clock.now(), created_by_id=actor.id if actor is not None else None)
    version.shares = [PositionShare(kommune_id=kommunen[r.ags], count=r.count, halves=r.halves) for r in rows]
    db.session.add(version)
    db.session.flush()
    audit.record("allocation.positions.create", "position_version", version.id, actor=actor,
                 after=_version_snapshot(version))
    return version


def publish_positions_version(version: PositionVersion, *, actor) -> PositionVersion:
    """Publish a draft (immutable from now on); the programme's published positions version is superseded."""
    new_status = VERSION.check(version.status, "publish", actor, system=actor is None)
    current = db.session.scalar(lock_for_update(select(PositionVersion).where(
        PositionVersion.programme_id == version.programme_id, PositionVersion.status == AllocationStatus.PUBLISHED,
        PositionVersion.id != version.id)))
    if current is not None:
        before = _version_snapshot(current)
        current.status = VERSION.check(current.status, "supersede", actor, system=actor is None)
        current.superseded_at = clock.now()
        db.session.flush()
        audit.record("allocation.positions.supersede", "position_version", current.id, actor=actor,
                     before=before, after=_version_snapshot(current))
    before = _version_snapshot(version)
    version.status, version.published_at = new_status, clock.now()
    db.session.flush()
    audit.record("allocation.positions.publish", "position_version", version.id, actor=actor, before=before,
                 after=_version_snapshot(version))
    return version


def positions_versions(programme_id: int) -> list[PositionVersion]:
    return list(db.session.scalars(select(PositionVersion).where(PositionVersion.programme_id == programme_id)
                                   .order_by(PositionVersion.number.desc())))


def get_positions_version(version_id: int) -> PositionVersion:
    version = db.session.get(PositionVersion, version_id)
    if version is None:
        raise NotFound("Stellenversion nicht gefunden.")
    return version


def published_positions(programme_id: int, kommune_id: int | None = None) -> list[PositionShare]:
    """The published positions (all Kommunen, or one): what F6 applications are checked against."""
    statement = (select(PositionShare).join(PositionVersion, PositionVersion.id == PositionShare.version_id)
                 .where(PositionVersion.programme_id == programme_id,
                        PositionVersion.status == AllocationStatus.PUBLISHED).order_by(PositionShare.kommune_id))
    if kommune_id is not None:
        statement = statement.where(PositionShare.kommune_id == kommune_id)
    return list(db.session.scalars(statement))

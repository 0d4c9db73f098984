"""F6 Teilhabemanagement: positions in half steps by the target-group counts of a key data set."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from ...platform.errors import ValidationFailed
from ...platform.extensions import db
from ...platform.formatting import format_decimal
from ...reference.models import Kommune
from .. import distribution
from ..models import KeyDatasetKind
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

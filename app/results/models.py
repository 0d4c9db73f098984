"""Unique people per Kommune and quarter (aggregate counts only) and the imported target-group counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..platform.database import UTCDateTime
from ..platform.extensions import db


class ReachedPeople(db.Model):
    """People reached for the first time in the quarter (in any module), per gender: the Kommune's own
    figure beside the per-module entries, so that a person in F1 and F2 counts once (docs/results.md)."""

    __tablename__ = "results_reached_people"
    __table_args__ = (
        UniqueConstraint("programme_id", "kommune_id", "year", "quarter", "gender", name="uq_results_reached_people"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_range"),
        CheckConstraint("gender IN ('female', 'male', 'diverse', 'not_stated')", name="gender_values"),
        CheckConstraint("new_people >= 0", name="new_people_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"))
    kommune_id: Mapped[int] = mapped_column(ForeignKey("kommunen.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    gender: Mapped[str] = mapped_column(String(20))
    new_people: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class TargetGroupCount(db.Model):
    """The size of a Kommune's target group, as imported from a CSV (Kommune, Anzahl); the reach rate's base."""

    __tablename__ = "results_target_groups"
    __table_args__ = (
        UniqueConstraint("programme_id", "kommune_id", name="uq_results_target_groups"),
        CheckConstraint("people > 0", name="people_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"))
    kommune_id: Mapped[int] = mapped_column(ForeignKey("kommunen.id"))
    people: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())

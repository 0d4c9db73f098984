"""Allocation versions and the grant ceilings (Zuwendungshöchstgrenzen) they fix per Kommune.

A version is a draft until published; a published version is immutable and the basis of the
ceiling applications. A redistribution creates a new version (``parent_id``) and marks the old
one superseded, so the history stays. Shares are stored exactly as a fraction "numerator/denominator".
"""

from __future__ import annotations

import enum
from datetime import datetime
from fractions import Fraction

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..reference.models import Kommune, Programme


class AllocationStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return {"draft": "Entwurf", "published": "veröffentlicht", "superseded": "abgelöst"}[self.value]


class AllocationVersion(db.Model):
    __tablename__ = "allocation_versions"
    __table_args__ = (
        UniqueConstraint("programme_id", "number"),
        CheckConstraint("pool_cents >= 0", name="pool_nonneg"),
        CheckConstraint("(status = 'draft') = (published_at IS NULL)", name="published_at_iff_not_draft"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[AllocationStatus] = mapped_column(
        Enum(AllocationStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=AllocationStatus.DRAFT)
    pool_cents: Mapped[int] = mapped_column(BigInteger)
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("allocation_versions.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    programme: Mapped[Programme] = relationship()
    ceilings: Mapped[list[Ceiling]] = relationship(back_populates="version", cascade="all, delete-orphan",
                                                   order_by="Ceiling.kommune_id")


class Ceiling(db.Model):
    __tablename__ = "ceilings"
    __table_args__ = (
        UniqueConstraint("version_id", "kommune_id"),
        CheckConstraint("ceiling_cents >= 0", name="ceiling_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("allocation_versions.id", ondelete="CASCADE"), index=True)
    kommune_id: Mapped[int] = mapped_column(ForeignKey("kommunen.id"), index=True)
    key_share: Mapped[str] = mapped_column(String(400))  # exact Fraction as "n/d"
    exact_quota: Mapped[str] = mapped_column(String(400))  # exact quota in cents as "n/d"
    ceiling_cents: Mapped[int] = mapped_column(BigInteger)

    version: Mapped[AllocationVersion] = relationship(back_populates="ceilings")
    kommune: Mapped[Kommune] = relationship()

    @property
    def share(self) -> Fraction:
        return Fraction(self.key_share)

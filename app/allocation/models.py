"""Allocation versions and the grant ceilings (Zuwendungshöchstgrenzen) they fix per Kommune.

A version is a draft until published; a published version is immutable and the basis of the
ceiling applications. A redistribution creates a new version (``parent_id``) and marks the old
one superseded, so the history stays. Shares are stored exactly as a fraction "numerator/denominator";
``exact_quota`` is the unrounded key quota of the split (a redistribution copies it from its parent
and records ``given_back_cents``/``received_cents`` instead). Key data sets are immutable imports.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from fractions import Fraction

from flask_babel import gettext
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..platform.database import UTCDateTime, db_enum
from ..platform.extensions import db
from ..reference.models import Kommune, Programme


class AllocationStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return {"draft": gettext("Entwurf"), "published": gettext("veröffentlicht"),
                "superseded": gettext("abgelöst")}[self.value]


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
        db_enum(AllocationStatus),
        default=AllocationStatus.DRAFT)
    pool_cents: Mapped[int] = mapped_column(BigInteger)
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("allocation_versions.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    key_dataset_id: Mapped[int | None] = mapped_column(ForeignKey("allocation_key_datasets.id"))
    secondary_dataset_id: Mapped[int | None] = mapped_column(ForeignKey("allocation_key_datasets.id"))
    unallocated_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # redistribution: nobody could take it

    programme: Mapped[Programme] = relationship()
    ceilings: Mapped[list[Ceiling]] = relationship(back_populates="version", cascade="all, delete-orphan",
                                                   order_by="Ceiling.kommune_id")
    key_dataset: Mapped[KeyDataset | None] = relationship(foreign_keys=[key_dataset_id])
    secondary_dataset: Mapped[KeyDataset | None] = relationship(foreign_keys=[secondary_dataset_id])
    parent: Mapped[AllocationVersion | None] = relationship(remote_side=[id])


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
    # Redistribution versions: what this Kommune gave back and received against the parent version.
    given_back_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    received_cents: Mapped[int] = mapped_column(BigInteger, default=0)

    version: Mapped[AllocationVersion] = relationship(back_populates="ceilings")
    kommune: Mapped[Kommune] = relationship()

    @property
    def share(self) -> Fraction:
        return Fraction(self.key_share)


class KeyDatasetKind(enum.StrEnum):
    GEMEINDEN = "gemeinden"  # population and area per Gemeinde (the FlüAG key input)
    COUNTS = "counts"  # a count per Kommune (second factor, F6 target group)

    @property
    def label(self) -> str:
        return {"gemeinden": gettext("Bevölkerung und Fläche je Gemeinde"),
                "counts": gettext("Anzahl je Kommune")}[self.value]


class KeyDataset(db.Model):
    """One imported key data set; a new import of the same name is the next version.

    Immutable: there is no update path at all.
    """

    __tablename__ = "allocation_key_datasets"
    __table_args__ = (
        UniqueConstraint("name", "version"),
        CheckConstraint("kind IN ('gemeinden', 'counts')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    reference_date: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)
    row_count: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(BigInteger)  # population resp. count total
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    gemeinde_rows: Mapped[list[KeyGemeindeRow]] = relationship(
        back_populates="dataset", cascade="all, delete-orphan", order_by="KeyGemeindeRow.ags")
    count_rows: Mapped[list[KeyCountRow]] = relationship(
        back_populates="dataset", cascade="all, delete-orphan", order_by="KeyCountRow.ags")

    @property
    def label(self) -> str:
        return f"{self.name} (Version {self.version})"


class KeyGemeindeRow(db.Model):
    """Population and area of one Gemeinde; the area is stored exactly, in hundredths of km²."""

    __tablename__ = "allocation_key_gemeinden"
    __table_args__ = (
        UniqueConstraint("dataset_id", "ags"),
        CheckConstraint("population >= 0 AND area_hundredths >= 0", name="nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("allocation_key_datasets.id", ondelete="CASCADE"),
                                            index=True)
    ags: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(120))
    kreis_ags: Mapped[str] = mapped_column(String(5))
    population: Mapped[int] = mapped_column(BigInteger)
    area_hundredths: Mapped[int] = mapped_column(BigInteger)  # km² × 100, exact

    dataset: Mapped[KeyDataset] = relationship(back_populates="gemeinde_rows")

    @property
    def area(self) -> Fraction:
        return Fraction(self.area_hundredths, 100)


class KeyCountRow(db.Model):
    """A count per Kommune (e.g. Geduldete/Gestattete aged 18–27)."""

    __tablename__ = "allocation_key_counts"
    __table_args__ = (
        UniqueConstraint("dataset_id", "ags"),
        CheckConstraint("count >= 0", name="nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("allocation_key_datasets.id", ondelete="CASCADE"),
                                            index=True)
    ags: Mapped[str] = mapped_column(String(5))
    count: Mapped[int] = mapped_column(BigInteger)

    dataset: Mapped[KeyDataset] = relationship(back_populates="count_rows")


class GiveBack(db.Model):
    """A Kommune's declaration against a published version: money it gives back, and/or the most it
    can still use in total (``max_usable_cents``, None = unlimited). Applied by a redistribution."""

    __tablename__ = "allocation_give_backs"
    __table_args__ = (
        CheckConstraint("amount_cents >= 0", name="amount_nonneg"),
        CheckConstraint("max_usable_cents IS NULL OR max_usable_cents >= 0", name="max_usable_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("allocation_versions.id"), index=True)
    kommune_id: Mapped[int] = mapped_column(ForeignKey("kommunen.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    max_usable_cents: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    applied_in_id: Mapped[int | None] = mapped_column(ForeignKey("allocation_versions.id"))

    version: Mapped[AllocationVersion] = relationship(foreign_keys=[version_id])
    kommune: Mapped[Kommune] = relationship()


class PositionVersion(db.Model):
    """F6 Teilhabemanagement: the apportioned positions, published like the ceilings (issue #18).

    Same status and workflow as an ``AllocationVersion`` (``workflow.VERSION``: draft → published →
    superseded), its own number series (``positions-<programme id>``); one published at a time per programme.
    Positions are counted in halves (the guideline's half positions), exactly.
    """

    __tablename__ = "allocation_position_versions"
    __table_args__ = (
        UniqueConstraint("programme_id", "number"),
        CheckConstraint("total_halves > 0", name="total_positive"),
        CheckConstraint("(status = 'draft') = (published_at IS NULL)", name="published_at_iff_not_draft"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[AllocationStatus] = mapped_column(db_enum(AllocationStatus), default=AllocationStatus.DRAFT)
    total_halves: Mapped[int] = mapped_column(Integer)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("allocation_key_datasets.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    dataset: Mapped[KeyDataset] = relationship()
    shares: Mapped[list[PositionShare]] = relationship(back_populates="version", cascade="all, delete-orphan",
                                                       order_by="PositionShare.kommune_id")

    @property
    def positions(self) -> Fraction:
        return Fraction(self.total_halves, 2)


class PositionShare(db.Model):
    """One Kommune's positions in a positions version (halves) and the target-group count they rest on."""

    __tablename__ = "allocation_position_shares"
    __table_args__ = (
        UniqueConstraint("version_id", "kommune_id"),
        CheckConstraint("halves >= 0 AND count >= 0", name="nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("allocation_position_versions.id", ondelete="CASCADE"),
                                            index=True)
    kommune_id: Mapped[int] = mapped_column(ForeignKey("kommunen.id"), index=True)
    count: Mapped[int] = mapped_column(BigInteger)
    halves: Mapped[int] = mapped_column(Integer)

    version: Mapped[PositionVersion] = relationship(back_populates="shares")
    kommune: Mapped[Kommune] = relationship()

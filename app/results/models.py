"""Unique people per Kommune and quarter (aggregate counts only), the imported target-group counts, the
interim proofs per grant and budget year (Zwischennachweis) and the Kommune's alliance ("Gemeinsam klappt's")."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext
from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..budgets.models import Grant
from ..platform import limits
from ..platform.database import UTCDateTime, db_enum
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


class InterimStatus(enum.StrEnum):
    """The interim proof's status; "not submitted" is ``None`` (no row, or a row only flagged late)."""

    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"

    @property
    def label(self) -> str:
        return str(INTERIM_STATUS_LABELS[self])


INTERIM_STATUS_LABELS = {InterimStatus.SUBMITTED: lazy_gettext("eingereicht, in Prüfung"),
                         InterimStatus.CHANGES_REQUESTED: lazy_gettext("Änderungen angefordert"),
                         InterimStatus.ACCEPTED: lazy_gettext("anerkannt")}


class InterimProof(db.Model):
    """Zwischennachweis of one grant for one budget year (docs/results.md).

    The figures are the ledger's for that year's lines, copied at each submission so that the reviewer
    checks what the Kommune saw and confirmed; the page beside them shows the ledger as of today. A row
    with ``status`` None exists only when the scheduler flagged the proof late before it was submitted.
    """

    __tablename__ = "results_interim_proofs"
    __table_args__ = (
        UniqueConstraint("grant_id", "budget_year", name="uq_results_interim_proofs"),
        CheckConstraint("(status IS NULL) = (submitted_at IS NULL)", name="submitted_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), index=True)
    kommune_id: Mapped[int] = mapped_column(ForeignKey("kommunen.id"), index=True)
    budget_year: Mapped[int] = mapped_column(Integer)
    status: Mapped[InterimStatus | None] = mapped_column(db_enum(InterimStatus, length=30))
    report: Mapped[str | None] = mapped_column(Text)
    approved_cents: Mapped[int | None] = mapped_column(BigInteger)
    paid_cents: Mapped[int | None] = mapped_column(BigInteger)
    expenses_cents: Mapped[int | None] = mapped_column(BigInteger)
    earned_cents: Mapped[int | None] = mapped_column(BigInteger)
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    late_flagged_on: Mapped[date | None] = mapped_column(Date)

    grant: Mapped[Grant] = relationship()


class PartnershipBody(enum.StrEnum):
    """The two bodies of a Kommune's alliance in "Gemeinsam klappt's"."""

    LEAD = "lead"  # Geschäftsführende Stelle (one per Kommune)
    CORE = "core"  # Bündniskerngruppe

    @property
    def label(self) -> str:
        return str(PARTNERSHIP_BODY_LABELS[self])


PARTNERSHIP_BODY_LABELS = {PartnershipBody.LEAD: lazy_gettext("Geschäftsführende Stelle"),
                           PartnershipBody.CORE: lazy_gettext("Bündniskerngruppe")}


class PartnershipMember(db.Model):
    """An institution in a Kommune's Geschäftsführende Stelle or Bündniskerngruppe, with its role and an
    optional staff contact (a service address and telephone number; no other personal data)."""

    __tablename__ = "results_partnership_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    kommune_id: Mapped[int] = mapped_column(ForeignKey("kommunen.id"), index=True)
    body: Mapped[PartnershipBody] = mapped_column(db_enum(PartnershipBody))
    institution: Mapped[str] = mapped_column(String(limits.NAME))
    role: Mapped[str] = mapped_column(String(limits.NAME))
    contact_email: Mapped[str] = mapped_column(String(limits.NAME), default="")
    contact_phone: Mapped[str] = mapped_column(String(limits.PHONE), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

"""The round of a call: calls (rules as data) and criteria, sketches and attachments, conflicts of interest,
assignments, reviews and revised reviews (the classes that refer to each other), and the score helpers."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import gettext, lazy_gettext
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

from ...auth.models import User
from ...platform.database import UTCDateTime, db_enum
from ...platform.extensions import db
from ...reference.models import Kommune, Organisation, Programme


def points(hundredths: int | None) -> Decimal | None:
    """Integer hundredths -> Decimal score with two places (8333 -> Decimal('83.33'))."""
    return None if hundredths is None else Decimal(hundredths).scaleb(-2)


def hundredths(score: Decimal | None) -> int | None:
    """Decimal score with at most two places -> integer hundredths."""
    return None if score is None else int(score * 100)


class SelectionRule(enum.StrEnum):
    FUNDING_LINE_STOP = "funding_line_stop"
    FUNDING_LINE_SKIP = "funding_line_skip"
    MAX_SCORE = "max_score"

    @property
    def label(self) -> str:
        return str(SELECTION_RULE_LABELS[self])


SELECTION_RULE_LABELS = {
    SelectionRule.FUNDING_LINE_STOP: lazy_gettext("Förderlinie (Stopp beim ersten nicht passenden Vorhaben)"),
    SelectionRule.FUNDING_LINE_SKIP: lazy_gettext("Förderlinie (nicht passende Vorhaben überspringen)"),
    SelectionRule.MAX_SCORE: lazy_gettext("Punktmaximierung im Budget"),
}


PROMOTION_DAYS_DEFAULT = 42  # six weeks for the full application of a sketch promoted late


class Call(db.Model):
    """A competition round (Stichtag) of one programme."""

    __tablename__ = "if_calls"
    __table_args__ = (
        CheckConstraint("budget_cents > 0", name="budget_positive"),
        CheckConstraint("max_per_project_cents > 0", name="max_positive"),
        CheckConstraint("opens_at < closes_at", name="window_order"),
        CheckConstraint("reviewers_per_sketch BETWEEN 1 AND 20", name="reviewers_range"),
        CheckConstraint("project_start <= project_end", name="period_order"),
        CheckConstraint("funding_rate_bp BETWEEN 1 AND 10000", name="rate_range"),
        CheckConstraint("discrepancy_threshold >= 0", name="threshold_nonneg"),
        CheckConstraint("full_application_days_after_promotion BETWEEN 1 AND 365", name="promotion_days_range"),
        CheckConstraint("waiting_list_limit IS NULL OR waiting_list_limit >= 0", name="waiting_limit_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    budget_cents: Mapped[int] = mapped_column(BigInteger)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    review_deadline: Mapped[date] = mapped_column(Date)
    full_application_deadline: Mapped[date] = mapped_column(Date)  # of the sketches selected in the batch
    # a sketch promoted from the waiting list has at least this many days for its full application
    full_application_days_after_promotion: Mapped[int] = mapped_column(Integer, default=PROMOTION_DAYS_DEFAULT)
    # at most this many left-out sketches wait (in ranking order); the others are rejected with a reason (None: all)
    waiting_list_limit: Mapped[int | None] = mapped_column(Integer)
    max_per_project_cents: Mapped[int] = mapped_column(BigInteger)
    eligible_kinds: Mapped[list] = mapped_column(JSON)  # Organisation.kind values
    target_groups: Mapped[list] = mapped_column(JSON)  # "primary" (18–27, Duldung/Gestattung), "secondary"
    project_start: Mapped[date] = mapped_column(Date)  # projects must run inside [start, end]
    project_end: Mapped[date] = mapped_column(Date)
    funding_rate_bp: Mapped[int] = mapped_column(Integer)
    reviewers_per_sketch: Mapped[int] = mapped_column(Integer, default=3)
    reviewers_see_names: Mapped[bool] = mapped_column(default=False)
    show_scores_to_rejected: Mapped[bool] = mapped_column(default=True)
    selection_rule: Mapped[SelectionRule] = mapped_column(db_enum(SelectionRule))
    min_score: Mapped[int | None] = mapped_column(Integer)  # hundredths
    discrepancy_threshold: Mapped[int] = mapped_column(Integer, default=2500)  # hundredths
    group_minimums: Mapped[dict] = mapped_column(JSON, default=dict)  # {"region:Köln": 1, "target:primary": 5}
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # window closed, eligibility run
    decision_basis: Mapped[str | None] = mapped_column(String(20))  # proposal the Steuerkreis decided on
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decision_staged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # why the staged decision must be looked at again before the release ("" = it can be released)
    decision_review: Mapped[str] = mapped_column(Text, default="")
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    programme: Mapped[Programme] = relationship()
    criteria: Mapped[list[Criterion]] = relationship(back_populates="call", order_by="Criterion.position",
                                                     cascade="all, delete-orphan")
    sketches: Mapped[list[Sketch]] = relationship(back_populates="call", order_by="Sketch.id")

    def is_open(self, moment: datetime) -> bool:
        """Inside the submission window, to the second (both ends inclusive)."""
        return self.opens_at <= moment <= self.closes_at

    def promotion_deadline(self, promoted_on: date) -> date:
        """The full-application deadline of a sketch promoted on ``promoted_on``: the call's deadline, but at
        least ``full_application_days_after_promotion`` days after the promotion."""
        return max(self.full_application_deadline,
                   promoted_on + timedelta(days=self.full_application_days_after_promotion))

    @property
    def funding_rate_percent(self) -> Decimal:
        return Decimal(self.funding_rate_bp).scaleb(-2)

    @property
    def decision_fixed(self) -> bool:
        """A decision is staged and not waiting for a review: assignments and reviews are closed."""
        return self.released_at is not None or (self.decision_staged_at is not None and not self.decision_review)

    @property
    def min_score_points(self) -> Decimal | None:
        return points(self.min_score)

    @property
    def threshold_points(self) -> Decimal:
        return points(self.discrepancy_threshold)


class Criterion(db.Model):
    __tablename__ = "if_criteria"
    __table_args__ = (
        UniqueConstraint("call_id", "key", name="uq_if_criteria_key"),
        CheckConstraint("weight > 0", name="weight_positive"),
        CheckConstraint("scale_min < scale_max", name="scale_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("if_calls.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int] = mapped_column(Integer)
    scale_min: Mapped[int] = mapped_column(Integer, default=0)
    scale_max: Mapped[int] = mapped_column(Integer, default=10)
    position: Mapped[int] = mapped_column(Integer, default=0)

    call: Mapped[Call] = relationship(back_populates="criteria")


class SketchStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    SELECTED = "selected"
    WAITING = "waiting"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    FUNDED = "funded"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


# the sketches that passed the eligibility check (the pool that is reviewed, ranked and decided)
PASSED_ELIGIBILITY = (SketchStatus.ELIGIBLE, SketchStatus.SELECTED, SketchStatus.WAITING, SketchStatus.REJECTED,
                      SketchStatus.FUNDED)


STATUS_LABELS = {
    SketchStatus.DRAFT: lazy_gettext("Entwurf"),
    SketchStatus.SUBMITTED: lazy_gettext("eingereicht"),
    SketchStatus.ELIGIBLE: lazy_gettext("förderfähig, in Begutachtung"),
    SketchStatus.INELIGIBLE: lazy_gettext("nicht förderfähig"),
    SketchStatus.SELECTED: lazy_gettext("ausgewählt"),
    SketchStatus.WAITING: lazy_gettext("Warteliste"),
    SketchStatus.REJECTED: lazy_gettext("nicht ausgewählt"),
    SketchStatus.WITHDRAWN: lazy_gettext("zurückgezogen"),
    SketchStatus.FUNDED: lazy_gettext("gefördert"),
}


TARGET_GROUPS = {"primary": lazy_gettext("18–27 Jahre mit Duldung/Gestattung"),
                 "secondary": lazy_gettext("weitere junge Menschen mit Förderbedarf")}


def sketch_reference(call_id: int, number: int | None, sketch_id: int) -> str:
    """``Sketch.reference`` from the plain columns (for pages that read rows, not objects)."""
    return f"IF-{call_id}-{number or sketch_id:04d}"


class Sketch(db.Model):
    """A project sketch (Projektskizze) of one organisation in one call."""

    __tablename__ = "if_sketches"
    __table_args__ = (
        UniqueConstraint("call_id", "submission_seq", name="uq_if_sketches_seq"),
        UniqueConstraint("call_id", "number", name="uq_if_sketches_number"),
        CheckConstraint("requested_cents >= 0 AND total_cost_cents >= 0", name="amounts_nonneg"),
        CheckConstraint("planned_women >= 0 AND planned_women <= planned_participants", name="women_within"),
        CheckConstraint("status <> 'draft' OR submitted_at IS NULL", name="draft_not_submitted"),
        CheckConstraint("status IN ('draft', 'withdrawn') OR submitted_at IS NOT NULL", name="submitted_has_time"),
        CheckConstraint("status <> 'ineligible' OR eligibility_reason <> ''", name="ineligible_has_reason"),
        CheckConstraint("status <> 'selected' OR full_application_deadline IS NOT NULL", name="selected_has_deadline"),
        CheckConstraint("(review_count = 0) = (score_mean IS NULL)", name="aggregate_complete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("if_calls.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[SketchStatus] = mapped_column(db_enum(SketchStatus), default=SketchStatus.DRAFT, index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    target_group: Mapped[str] = mapped_column(String(20), default="primary")
    age_min: Mapped[int] = mapped_column(Integer, default=18)
    age_max: Mapped[int] = mapped_column(Integer, default=27)
    planned_participants: Mapped[int] = mapped_column(Integer, default=0)
    planned_women: Mapped[int] = mapped_column(Integer, default=0)
    kommune_id: Mapped[int | None] = mapped_column(ForeignKey("kommunen.id"), index=True)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    requested_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    total_cost_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submission_seq: Mapped[int | None] = mapped_column(Integer)  # 1, 2, ... per call: the tie-break
    number: Mapped[int | None] = mapped_column(Integer)  # 1, 2, ... per call in order of creation: the reference
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    eligibility_checks: Mapped[dict | None] = mapped_column(JSON)  # {rule: message} of failed automatic checks
    eligibility_reason: Mapped[str] = mapped_column(Text, default="")
    eligibility_manual: Mapped[bool] = mapped_column(default=False)
    staged_outcome: Mapped[str | None] = mapped_column(String(20))  # selected | waiting | rejected
    staged_reason: Mapped[str] = mapped_column(Text, default="")  # deviation from the proposal / rejection
    waiting_position: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    # this sketch's own full-application deadline (inclusive), set when it is invited: the call's deadline when
    # the batch decision is staged (its message names it), ``Call.promotion_deadline`` when promoted later;
    # every reader uses this column
    full_application_deadline: Mapped[date | None] = mapped_column(Date)
    # The aggregate of the submitted review scores (``core.scoring.aggregate``) as integer hundredths, exactly
    # as the core rounds it; kept by ``stored_aggregates.refresh`` in the transaction that changes a submitted
    # review, so the ranking reads plain rows (decision in docs/innovationsfonds.md, "Stored aggregates").
    # No reviews: count 0, the figures NULL. The discrepancy flag is ``max - min`` against the call's threshold.
    review_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    score_mean: Mapped[int | None] = mapped_column(Integer)
    score_median: Mapped[int | None] = mapped_column(Integer)
    score_stdev: Mapped[int | None] = mapped_column(Integer)
    score_min: Mapped[int | None] = mapped_column(Integer)
    score_max: Mapped[int | None] = mapped_column(Integer)

    call: Mapped[Call] = relationship(back_populates="sketches")
    organisation: Mapped[Organisation] = relationship()
    kommune: Mapped[Kommune | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(back_populates="sketch", order_by="Attachment.id",
                                                         cascade="all, delete-orphan")
    assignments: Mapped[list[Assignment]] = relationship(back_populates="sketch", order_by="Assignment.reviewer_id",
                                                         cascade="all, delete-orphan")
    reviews: Mapped[list[Review]] = relationship(back_populates="sketch", order_by="Review.id",
                                                 cascade="all, delete-orphan")

    @property
    def reference(self) -> str:
        """Short public number, e.g. "IF-3-0012" (the 12th sketch of call 3)."""
        return sketch_reference(self.call_id, self.number, self.id)

    @property
    def target_group_label(self) -> str:
        """The label of ``target_group`` in the request's language (the key itself if unknown)."""
        return str(TARGET_GROUPS.get(self.target_group, self.target_group))

    @property
    def eligibility_note(self) -> str:
        """The eligibility column of the call's sketch list (page and export)."""
        return self.eligibility_reason or (gettext("automatisch geprüft") if self.eligibility_checks == {} else "")

    @property
    def women_share(self) -> Decimal | None:
        if not self.planned_participants:
            return None
        return (Decimal(self.planned_women * 100) / Decimal(self.planned_participants)).quantize(Decimal("0.1"))


class Attachment(db.Model):
    """A PDF stored under UPLOAD_FOLDER with a generated name (never the user's file name)."""

    __tablename__ = "if_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    sketch_id: Mapped[int] = mapped_column(ForeignKey("if_sketches.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    sketch: Mapped[Sketch] = relationship(back_populates="attachments")


class ReviewerConflict(db.Model):
    """A conflict of interest between a reviewer and an organisation or a Kommune (all calls), or one
    sketch (the reviewer's recusal). Declared by the reviewer, or by the organisation (``declared_by_id``
    is then an organisation user)."""

    __tablename__ = "if_conflicts"
    __table_args__ = (
        CheckConstraint("(CASE WHEN organisation_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN kommune_id IS NULL "
                        "THEN 0 ELSE 1 END) + (CASE WHEN sketch_id IS NULL THEN 0 ELSE 1 END) = 1", name="one_target"),
        UniqueConstraint("reviewer_id", "organisation_id", "kommune_id", "sketch_id", name="uq_if_conflicts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    kommune_id: Mapped[int | None] = mapped_column(ForeignKey("kommunen.id"))
    sketch_id: Mapped[int | None] = mapped_column(ForeignKey("if_sketches.id", ondelete="CASCADE"), index=True)
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the reviewer (older rows)
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime())

    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
    sketch: Mapped[Sketch | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    kommune: Mapped[Kommune | None] = relationship()


class Assignment(db.Model):
    __tablename__ = "if_assignments"
    __table_args__ = (UniqueConstraint("sketch_id", "reviewer_id", name="uq_if_assignments"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sketch_id: Mapped[int] = mapped_column(ForeignKey("if_sketches.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    manual: Mapped[bool] = mapped_column(default=False)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())

    sketch: Mapped[Sketch] = relationship(back_populates="assignments")
    reviewer: Mapped[User] = relationship()


class Review(db.Model):
    """One reviewer's marks on one sketch; ``score`` (hundredths) is computed by ``core.scoring.review_score``."""

    __tablename__ = "if_reviews"
    __table_args__ = (
        UniqueConstraint("sketch_id", "reviewer_id", name="uq_if_reviews"),
        CheckConstraint("(submitted_at IS NULL) OR (score IS NOT NULL)", name="submitted_has_score"),
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 10000", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sketch_id: Mapped[int] = mapped_column(ForeignKey("if_sketches.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    marks: Mapped[dict] = mapped_column(JSON, default=dict)  # {criterion key: int | None (n/a)}
    comment: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[int | None] = mapped_column(Integer)  # hundredths
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    sketch: Mapped[Sketch] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship()

    @property
    def score_points(self) -> Decimal | None:
        return points(self.score)


class ReviewRevision(db.Model):
    """A submitted version of a review replaced by a revision before the review deadline (kept as it was)."""

    __tablename__ = "if_review_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("if_reviews.id", ondelete="CASCADE"), index=True)
    marks: Mapped[dict] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[int] = mapped_column(Integer)  # hundredths
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime())

"""Ceiling applications (Anträge) and amendments (Änderungsanträge), their revisions, the grant
decisions (Zuwendungsbescheide) and the participant counts the Kommunen report.

* An ``Application`` is one Kommune's application for one programme (``sequence = 0``); an
  amendment is an ``Application`` of kind ``amendment`` with ``parent_id`` the original and
  ``sequence`` 1, 2, ... — same workflow, same revisions, same decisions.
* A ``Revision`` holds the content (planned grant per module and budget year, participants,
  measures, contact). The working copy is the one revision with ``submitted_at IS NULL``;
  submitting freezes it. A frozen revision and its lines refuse every update and delete (ORM events).
* A ``Decision`` is pinned to the revision it decided (unique per application and revision, so
  two administrators approving the same revision at once produce one decision). It records what
  was decided; the amounts committed for drawdowns live in ``app.budgets`` (``Grant``) alone.
* Rates are basis points (8000 = 80 %); money is integer cents.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext, lazy_gettext
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..platform.database import UTCDateTime, db_enum
from ..platform.extensions import db
from ..reference.models import Kommune, Programme


class ApplicationStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    ApplicationStatus.DRAFT: lazy_gettext("Entwurf"),
    ApplicationStatus.SUBMITTED: lazy_gettext("eingereicht"),
    ApplicationStatus.CHANGES_REQUESTED: lazy_gettext("Änderungen angefordert"),
    ApplicationStatus.APPROVED: lazy_gettext("bewilligt"),
    ApplicationStatus.REJECTED: lazy_gettext("abgelehnt"),
    ApplicationStatus.WITHDRAWN: lazy_gettext("zurückgezogen"),
}
OPEN_STATUSES = (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.CHANGES_REQUESTED)


class ApplicationKind(enum.StrEnum):
    APPLICATION = "application"
    AMENDMENT = "amendment"

    @property
    def label(self) -> str:
        return gettext("Antrag") if self is ApplicationKind.APPLICATION else gettext("Änderungsantrag")


class Application(db.Model):
    __tablename__ = "grant_applications"
    __table_args__ = (
        UniqueConstraint("programme_id", "kommune_id", "sequence", name="uq_grant_applications_sequence"),
        CheckConstraint("(kind = 'application') = (parent_id IS NULL)", name="amendment_has_parent"),
        CheckConstraint("(kind = 'application') = (sequence = 0)", name="sequence_by_kind"),
        CheckConstraint("(status IN ('approved', 'rejected')) = (decided_at IS NOT NULL)",
                        name="decided_at_iff_decided"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    kommune_id: Mapped[int] = mapped_column(ForeignKey("kommunen.id"), index=True)
    kind: Mapped[ApplicationKind] = mapped_column(db_enum(ApplicationKind), default=ApplicationKind.APPLICATION)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("grant_applications.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[ApplicationStatus] = mapped_column(db_enum(ApplicationStatus), default=ApplicationStatus.DRAFT,
                                                      index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    programme: Mapped[Programme] = relationship()
    kommune: Mapped[Kommune] = relationship()
    parent: Mapped[Application | None] = relationship(remote_side="Application.id", back_populates="amendments")
    amendments: Mapped[list[Application]] = relationship(back_populates="parent", order_by="Application.sequence")
    revisions: Mapped[list[Revision]] = relationship(back_populates="application", order_by="Revision.number",
                                                     cascade="all, delete-orphan")
    decisions: Mapped[list[Decision]] = relationship(back_populates="application", order_by="Decision.id")
    events: Mapped[list[ApplicationEvent]] = relationship(back_populates="application",
                                                          order_by="ApplicationEvent.id")

    @property
    def root(self) -> Application:
        return self.parent if self.parent is not None else self

    @property
    def title(self) -> str:
        if self.kind is ApplicationKind.AMENDMENT:
            return gettext("Änderungsantrag %(number)s", number=self.sequence)
        return gettext("Antrag")

    @property
    def latest_revision(self) -> Revision | None:
        return self.revisions[-1] if self.revisions else None

    @property
    def working_revision(self) -> Revision | None:
        """The editable copy (not yet submitted), if any."""
        latest = self.latest_revision
        return latest if latest is not None and latest.submitted_at is None else None

    @property
    def submitted_revisions(self) -> list[Revision]:
        return [r for r in self.revisions if r.submitted_at is not None]

    @property
    def last_submitted_revision(self) -> Revision | None:
        submitted = self.submitted_revisions
        return submitted[-1] if submitted else None

    @property
    def decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None


class Revision(db.Model):
    """One version of an application's content; frozen (immutable) once submitted."""

    __tablename__ = "grant_application_revisions"
    __table_args__ = (
        UniqueConstraint("application_id", "number", name="uq_grant_revisions_number"),
        CheckConstraint("funding_rate_bp BETWEEN 1 AND 10000", name="rate_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("grant_applications.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    funding_rate_bp: Mapped[int] = mapped_column(Integer)  # the rate in force for this Kommune when written
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(String(60), default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    justification: Mapped[str] = mapped_column(Text, default="")  # amendments: why the change

    application: Mapped[Application] = relationship(back_populates="revisions")
    lines: Mapped[list[RevisionLine]] = relationship(
        back_populates="revision", cascade="all, delete-orphan",
        order_by="(RevisionLine.module_code, RevisionLine.budget_year)")
    modules: Mapped[list[RevisionModule]] = relationship(back_populates="revision", cascade="all, delete-orphan",
                                                         order_by="RevisionModule.module_code")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])

    @property
    def frozen(self) -> bool:
        return self.submitted_at is not None

    def line_map(self) -> dict[tuple[str, int], int]:
        return {(line.module_code, line.budget_year): line.planned_cents for line in self.lines}

    def participant_map(self) -> dict[str, int]:
        return {m.module_code: m.planned_participants for m in self.modules}

    @property
    def total_cents(self) -> int:
        return sum(line.planned_cents for line in self.lines)


class RevisionLine(db.Model):
    __tablename__ = "grant_revision_lines"
    __table_args__ = (
        UniqueConstraint("revision_id", "module_code", "budget_year", name="uq_grant_revision_lines"),
        CheckConstraint("planned_cents >= 0", name="planned_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("grant_application_revisions.id", ondelete="CASCADE"),
                                             index=True)
    module_code: Mapped[str] = mapped_column(String(10))
    budget_year: Mapped[int] = mapped_column(Integer)
    planned_cents: Mapped[int] = mapped_column(BigInteger)

    revision: Mapped[Revision] = relationship(back_populates="lines")


class RevisionModule(db.Model):
    __tablename__ = "grant_revision_modules"
    __table_args__ = (
        UniqueConstraint("revision_id", "module_code", name="uq_grant_revision_modules"),
        CheckConstraint("planned_participants >= 0", name="participants_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("grant_application_revisions.id", ondelete="CASCADE"),
                                             index=True)
    module_code: Mapped[str] = mapped_column(String(10))
    planned_participants: Mapped[int] = mapped_column(Integer)

    revision: Mapped[Revision] = relationship(back_populates="modules")


def _was_frozen(revision: Revision) -> bool:
    history = inspect(revision).attrs.submitted_at.history
    previous = history.deleted or history.unchanged
    return bool(previous) and previous[0] is not None


@event.listens_for(Revision, "before_update")
def _refuse_revision_update(_mapper, _conn, target: Revision) -> None:
    if _was_frozen(target):
        raise RuntimeError("submitted revisions are immutable")


@event.listens_for(Revision, "before_delete")
def _refuse_revision_delete(_mapper, _conn, target: Revision) -> None:
    if target.submitted_at is not None:
        raise RuntimeError("submitted revisions are immutable")


def _refuse_frozen_child(_mapper, _conn, target) -> None:
    if target.revision is not None and _was_frozen(target.revision):
        raise RuntimeError("submitted revisions are immutable")


for _child in (RevisionLine, RevisionModule):
    event.listen(_child, "before_update", _refuse_frozen_child)
    event.listen(_child, "before_delete", _refuse_frozen_child)


class ApplicationEvent(db.Model):
    """The visible history of an application: each transition, with the reviewer's comment."""

    __tablename__ = "grant_application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("grant_applications.id", ondelete="CASCADE"), index=True)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("grant_application_revisions.id"))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship(back_populates="events")
    revision: Mapped[Revision | None] = relationship()
    actor: Mapped[User | None] = relationship()


class DecisionOutcome(enum.StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return gettext("Bewilligung") if self is DecisionOutcome.APPROVED else gettext("Ablehnung")


class Decision(db.Model):
    """A numbered decision (Zuwendungs- or Ablehnungsbescheid) on exactly one submitted revision."""

    __tablename__ = "grant_decisions"
    __table_args__ = (
        UniqueConstraint("application_id", "revision_id", name="uq_grant_decisions_revision"),
        CheckConstraint("funding_rate_bp BETWEEN 1 AND 10000", name="rate_range"),
        CheckConstraint("released_cents >= 0", name="released_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("grant_applications.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("grant_application_revisions.id"))
    number: Mapped[str] = mapped_column(String(40), unique=True)
    outcome: Mapped[DecisionOutcome] = mapped_column(db_enum(DecisionOutcome))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    recipient_name: Mapped[str] = mapped_column(String(200))
    funding_rate_bp: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    last_expense_date: Mapped[date] = mapped_column(Date)
    proof_of_use_deadline: Mapped[date] = mapped_column(Date)
    drawdown_period_months: Mapped[int] = mapped_column(Integer)
    side_conditions: Mapped[str] = mapped_column(String(20), default="ANBest-G")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("grant_decisions.id"))
    released_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # money freed by a reducing amendment

    application: Mapped[Application] = relationship(back_populates="decisions")
    revision: Mapped[Revision] = relationship()
    decided_by: Mapped[User | None] = relationship()
    supersedes: Mapped[Decision | None] = relationship(remote_side="Decision.id")
    lines: Mapped[list[DecisionLine]] = relationship(
        back_populates="decision", cascade="all, delete-orphan",
        order_by="(DecisionLine.module_code, DecisionLine.budget_year)")

    @property
    def approved_cents(self) -> int:
        return sum(line.approved_cents for line in self.lines)

    @property
    def requested_cents(self) -> int:
        return sum(line.requested_cents for line in self.lines)

    def line_map(self) -> dict[tuple[str, int], int]:
        return {(line.module_code, line.budget_year): line.approved_cents for line in self.lines}


class DecisionLine(db.Model):
    __tablename__ = "grant_decision_lines"
    __table_args__ = (
        UniqueConstraint("decision_id", "module_code", "budget_year", name="uq_grant_decision_lines"),
        CheckConstraint("requested_cents >= 0 AND approved_cents >= 0", name="amounts_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("grant_decisions.id", ondelete="CASCADE"), index=True)
    module_code: Mapped[str] = mapped_column(String(10))
    budget_year: Mapped[int] = mapped_column(Integer)
    requested_cents: Mapped[int] = mapped_column(BigInteger)
    approved_cents: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text, default="")

    decision: Mapped[Decision] = relationship(back_populates="lines")


class KommuneRate(db.Model):
    """A funding rate that differs from the programme's for one Kommune (basis points)."""

    __tablename__ = "grant_kommune_rates"
    __table_args__ = (
        UniqueConstraint("programme_id", "kommune_id", name="uq_grant_kommune_rates"),
        CheckConstraint("funding_rate_bp BETWEEN 1 AND 10000", name="rate_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"))
    kommune_id: Mapped[int] = mapped_column(ForeignKey("kommunen.id"), index=True)
    funding_rate_bp: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")

    kommune: Mapped[Kommune] = relationship()


GENDERS = ("female", "male", "diverse", "not_stated")
GENDER_LABELS = {"female": lazy_gettext("weiblich"), "male": lazy_gettext("männlich"),
                 "diverse": lazy_gettext("divers"), "not_stated": lazy_gettext("keine Angabe")}


class ParticipantCount(db.Model):
    """Aggregate counts only (no personal data): per Kommune, module, quarter and gender."""

    __tablename__ = "grant_participant_counts"
    __table_args__ = (
        UniqueConstraint("programme_id", "kommune_id", "module_code", "year", "quarter", "gender",
                         name="uq_grant_participant_counts"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_range"),
        CheckConstraint("gender IN ('female', 'male', 'diverse', 'not_stated')", name="gender_values"),
        CheckConstraint("entered >= 0 AND exited >= 0 AND finished >= 0 AND primary_target >= 0",
                        name="counts_nonneg"),
        CheckConstraint("primary_target <= entered", name="primary_within_entered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"))
    kommune_id: Mapped[int] = mapped_column(ForeignKey("kommunen.id"), index=True)
    module_code: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    gender: Mapped[str] = mapped_column(String(20))
    entered: Mapped[int] = mapped_column(Integer, default=0)
    exited: Mapped[int] = mapped_column(Integer, default=0)  # left early
    finished: Mapped[int] = mapped_column(Integer, default=0)
    primary_target: Mapped[int] = mapped_column(Integer, default=0)  # of those entered: primary target group
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    kommune: Mapped[Kommune] = relationship()


# ---------------------------------------------------------------- F6 Teilhabemanagement (issue #18, docs/f6.md)
class F6CostMode(enum.StrEnum):
    RATE = "rate"  # a flat rate per FTE and month
    ACTUAL = "actual"  # actual personnel costs, planned per FTE and month

    @property
    def label(self) -> str:
        return {"rate": gettext("Pauschale je VZÄ und Monat"),
                "actual": gettext("tatsächliche Personalkosten")}[self.value]


class F6Application(db.Model):
    """A Kommune's application for its F6 positions: one per programme, the applications' workflow
    (``workflow.APPLICATION``); editable while draft or changes requested, fixed from submission on.

    ``positions_halves`` ≤ the Kommune's published positions; ``monthly_cost_cents`` the cost per FTE and
    month (a flat rate or the planned actual cost); the period is the programme's F6 period; the rate the
    Kommune's (Haushaltssicherung: ``KommuneRate``), stored at submission and decision.
    """

    __tablename__ = "grant_f6_applications"
    __table_args__ = (
        UniqueConstraint("programme_id", "kommune_id", name="uq_grant_f6_applications"),
        CheckConstraint("positions_halves >= 1", name="positions_positive"),
        CheckConstraint("monthly_cost_cents >= 1", name="cost_positive"),
        CheckConstraint("start_date <= end_date", name="period_order"),
        CheckConstraint("funding_rate_bp BETWEEN 1 AND 10000", name="rate_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"))
    kommune_id: Mapped[int] = mapped_column(ForeignKey("kommunen.id"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(db_enum(ApplicationStatus), default=ApplicationStatus.DRAFT)
    positions_halves: Mapped[int] = mapped_column(Integer)
    cost_mode: Mapped[F6CostMode] = mapped_column(db_enum(F6CostMode))
    monthly_cost_cents: Mapped[int] = mapped_column(BigInteger)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    funding_rate_bp: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    comment: Mapped[str] = mapped_column(Text, default="")  # the reviewer's last comment or reason
    decision_number: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    programme: Mapped[Programme] = relationship()
    kommune: Mapped[Kommune] = relationship()
    staffing: Mapped[list[F6Staffing]] = relationship(back_populates="application", order_by="F6Staffing.month",
                                                      cascade="all, delete-orphan")

    @property
    def positions(self) -> Decimal:
        return Decimal(self.positions_halves) / 2


class F6Staffing(db.Model):
    """One month's staffing report of an F6 grant: FTE filled (hundredths); vacant = approved − filled."""

    __tablename__ = "grant_f6_staffing"
    __table_args__ = (
        UniqueConstraint("application_id", "month", name="uq_grant_f6_staffing"),
        CheckConstraint("filled_centi >= 0", name="filled_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("grant_f6_applications.id", ondelete="CASCADE"),
                                                index=True)
    month: Mapped[date] = mapped_column(Date)  # the first day of the month
    filled_centi: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    application: Mapped[F6Application] = relationship(back_populates="staffing")

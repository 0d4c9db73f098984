"""Grants (Zuwendungen) with their approved lines, and the nightly risk flag of a grant."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...platform import limits
from ...platform.database import UTCDateTime, db_enum
from ...platform.extensions import db
from ...reference.models import Kommune, Organisation, Programme


class RecipientKind(enum.StrEnum):
    KOMMUNE = "kommune"
    ORGANISATION = "organisation"


class Grant(db.Model):
    __tablename__ = "grants"
    __table_args__ = (
        CheckConstraint("(recipient_kind = 'kommune') = (kommune_id IS NOT NULL)", name="kommune_recipient"),
        CheckConstraint("(recipient_kind = 'organisation') = (organisation_id IS NOT NULL)",
                        name="organisation_recipient"),
        CheckConstraint("funding_rate_bp BETWEEN 1 AND 10000", name="rate_range"),
        CheckConstraint("start_date <= last_expense_date", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    source: Mapped[str] = mapped_column(String(80), unique=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)  # the decision number shown to people
    recipient_kind: Mapped[RecipientKind] = mapped_column(
        db_enum(RecipientKind))
    kommune_id: Mapped[int | None] = mapped_column(ForeignKey("kommunen.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    funding_rate_bp: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    last_expense_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set once, by the job after the last expense date (``phases.close_expense_entry``): from then on
    # no expense can be recorded and the proof of use is due. None: the expense period is running.
    expense_entry_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    programme: Mapped[Programme] = relationship()
    kommune: Mapped[Kommune | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    lines: Mapped[list[GrantLine]] = relationship(back_populates="grant", cascade="all, delete-orphan",
                                                  order_by="(GrantLine.module_code, GrantLine.budget_year)")

    @property
    def approved_cents(self) -> int:
        return sum(line.approved_cents for line in self.lines)


class GrantLine(db.Model):
    __tablename__ = "grant_lines"
    __table_args__ = (
        UniqueConstraint("grant_id", "module_code", "budget_year"),
        CheckConstraint("approved_cents >= 0", name="approved_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), index=True)
    module_code: Mapped[str] = mapped_column(String(limits.MODULE_CODE))
    budget_year: Mapped[int] = mapped_column(Integer)
    approved_cents: Mapped[int] = mapped_column(BigInteger)

    grant: Mapped[Grant] = relationship(back_populates="lines")



class GrantRiskFlag(db.Model):
    """The nightly forecast of one grant (``budgets.nightly_check``): at risk or not, as of ``checked_on``.

    Status pages compute the forecast on the fly; this stored result is what the next night compares
    against, so that "newly at risk" and "recovered" can be told and reported once.
    """

    __tablename__ = "grant_risk_flags"

    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), primary_key=True)
    at_risk: Mapped[bool] = mapped_column(default=False)
    at_risk_since: Mapped[date | None] = mapped_column(Date)
    projected_earned_cents: Mapped[int] = mapped_column(BigInteger)
    approved_cents: Mapped[int] = mapped_column(BigInteger)
    checked_on: Mapped[date] = mapped_column(Date)


class EligibleCap(db.Model):
    """An upper limit on the eligible costs (100 %, cents) of one module of a grant, set by the domain that
    knows it (F6: the staffing reports, ``app.grants.f6``). The final decision recognises the module's grant
    earned at most up to ``rate x cap`` (``core.final_grant.settle``); drawdowns and expenses are unaffected."""

    __tablename__ = "grant_eligible_caps"
    __table_args__ = (
        UniqueConstraint("grant_id", "module_code"),
        CheckConstraint("cap_cents >= 0", name="cap_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), index=True)
    module_code: Mapped[str] = mapped_column(String(limits.MODULE_CODE))
    cap_cents: Mapped[int] = mapped_column(BigInteger)
    basis: Mapped[str] = mapped_column(String(limits.NAME))  # what the cap rests on, e.g. "Personalmeldungen"
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())

"""Programmes (loaded from ``config/programmes/*.toml``) and the administrative map of NRW.

A *Kommune* here is a grant recipient of modules F1–F4/F6: one of the 53 Kreise (incl. the
Städteregion Aachen) and kreisfreie Städte, keyed by its 5-digit AGS. Its Gemeinden (8-digit AGS)
carry the key data but cannot apply themselves.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

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

from ..platform.errors import N_
from ..platform.extensions import db


class Programme(db.Model):
    __tablename__ = "programmes"
    __table_args__ = (
        CheckConstraint("total_cents >= 0", name="total_nonneg"),
        CheckConstraint("pool_cents >= 0 AND innovationsfonds_cents >= 0", name="parts_nonneg"),
        CheckConstraint("funding_rate_bp BETWEEN 1 AND 10000", name="rate_range"),
        CheckConstraint("start_date <= last_expense_date", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    total_cents: Mapped[int] = mapped_column(BigInteger)
    pool_cents: Mapped[int] = mapped_column(BigInteger)  # F1–F4 pool split by the FlüAG key
    innovationsfonds_cents: Mapped[int] = mapped_column(BigInteger)
    funding_rate_bp: Mapped[int] = mapped_column(Integer)  # basis points: 8000 = 80 %
    start_date: Mapped[date] = mapped_column(Date)
    last_expense_date: Mapped[date] = mapped_column(Date)
    proof_of_use_deadline: Mapped[date] = mapped_column(Date)
    drawdown_period_months: Mapped[int] = mapped_column(Integer, default=2)
    # § 49a Abs. 4 VwVfG: interest on paid money not used within the drawdown period (points above Basiszinssatz)
    interest_on_unused_drawdowns: Mapped[bool] = mapped_column(default=False)
    unused_drawdown_interest_points: Mapped[str] = mapped_column(String(10), default="5")
    budget_years: Mapped[list] = mapped_column(JSON)
    # ANBest-G Nr. 1.2: at the final decision a module's approved amount may be exceeded by up to this many
    # percent where other modules save as much (docs/budgets.md, "Final grant").
    line_overrun_percent: Mapped[int] = mapped_column(Integer, default=20, server_default="20")
    settings: Mapped[dict] = mapped_column(JSON, default=dict)

    modules: Mapped[list[FundingModule]] = relationship(
        back_populates="programme", order_by="FundingModule.code", cascade="all, delete-orphan"
    )

    @property
    def funding_rate(self) -> Decimal:
        """The funding rate as a fraction, e.g. Decimal('0.8')."""
        return Decimal(self.funding_rate_bp) / Decimal(10000)

    def module(self, code: str) -> FundingModule | None:
        return next((m for m in self.modules if m.code == code), None)

    @property
    def kommune_modules(self) -> list[FundingModule]:
        """The modules F1–F4 that the ceiling covers (recipient Kommune, excluding F6 positions)."""
        return [m for m in self.modules if m.recipient == "kommune" and m.code != "F6"]


class FundingModule(db.Model):
    __tablename__ = "funding_modules"
    __table_args__ = (
        UniqueConstraint("programme_id", "code"),
        CheckConstraint("recipient IN ('kommune', 'organisation')", name="recipient_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    recipient: Mapped[str] = mapped_column(String(20))

    programme: Mapped[Programme] = relationship(back_populates="modules")


class Kommune(db.Model):
    __tablename__ = "kommunen"
    __table_args__ = (CheckConstraint("kind IN ('Kreis', 'kreisfreie Stadt')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ags: Mapped[str] = mapped_column(String(5), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    regierungsbezirk: Mapped[str] = mapped_column(String(40))

    gemeinden: Mapped[list[Gemeinde]] = relationship(back_populates="kommune", order_by="Gemeinde.ags")

    @property
    def display_name(self) -> str:
        return kommune_display_name(self.name, self.kind)


def kommune_display_name(name: str, kind: str) -> str:
    """The one name people see for a Kommune, from the official reference name and kind.

    Kreisfreie Städte drop the suffix after the comma ("Köln, Stadt" → "Köln"). A Kreis whose official
    name already says it is one ("Hochsauerlandkreis", "Rhein-Kreis Neuss", "Märkischer Kreis",
    "Städteregion Aachen") keeps it; the others get the prefix of their official name ("Kreis Kleve").
    Use this wherever only the columns are loaded (SQL rows), ``Kommune.display_name`` otherwise.
    """
    base = name.split(",")[0].strip()
    if kind == "Kreis" and "kreis" not in base.casefold() and not base.startswith("Städteregion"):
        return f"Kreis {base}"
    return base


class Gemeinde(db.Model):
    __tablename__ = "gemeinden"

    id: Mapped[int] = mapped_column(primary_key=True)
    ags: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kommune_id: Mapped[int] = mapped_column(ForeignKey("kommunen.id"), index=True)

    kommune: Mapped[Kommune] = relationship(back_populates="gemeinden")


# German names (also in German service messages); pages translate them with ``_(label)``.
ORGANISATION_KINDS = {
    "firm": N_("Unternehmen"),
    "education_provider": N_("Bildungsträger"),
    "chamber": N_("Kammer"),
    "association": N_("Verband"),
    "club": N_("Verein"),
    "foundation": N_("Stiftung"),
    "kommune": N_("Kommune"),
}


class Organisation(db.Model):
    """An Innovationsfonds applicant (Träger). Private ones get ANBest-P, public ones ANBest-G."""

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('firm', 'education_provider', 'chamber', 'association', 'club', 'foundation', 'kommune')",
            name="kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    is_public_body: Mapped[bool] = mapped_column(default=False)
    city: Mapped[str] = mapped_column(String(120), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    kommune_id: Mapped[int | None] = mapped_column(ForeignKey("kommunen.id"))

    @property
    def side_conditions(self) -> str:
        return "ANBest-G" if self.is_public_body else "ANBest-P"

"""What an application says, independent of storage: validation, eligible cost, and the diff.

Field names in error messages are the same for the API and the pages:
``lines.F1.2020`` (planned grant of module F1 in budget year 2020), ``participants.F1``,
``measures``, ``contact_name``, ``contact_email``, ``contact_phone``, ``justification``, and
``lines`` for the sum (ceiling).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext

from ..platform import limits
from ..platform.errors import ValidationFailed
from ..platform.fields import EMAIL
from ..platform.formatting import format_percent
from ..platform.money import MAX_CENTS, cents_to_api, format_eur

RATE_BASE = 10000  # basis points: 8000 = 80 %
MAX_PARTICIPANTS = 1_000_000
TEXT_LIMITS = {"contact_name": limits.NAME, "contact_email": limits.NAME, "contact_phone": limits.PHONE,
               "measures": limits.DESCRIPTION, "justification": limits.DESCRIPTION}
TEXT_LABELS = {"measures": lazy_gettext("Geplante Maßnahmen"), "contact_name": lazy_gettext("Ansprechperson"),
               "contact_email": lazy_gettext("E-Mail"), "contact_phone": lazy_gettext("Telefon"),
               "justification": lazy_gettext("Begründung der Änderung")}


def line_field(module: str, year: int) -> str:
    return f"lines.{module}.{year}"


def participants_field(module: str) -> str:
    return f"participants.{module}"


def eligible_cost_cents(grant_cents: int, rate_bp: int) -> int:
    """Eligible cost implied by a grant: grant = rate × cost, so cost = grant ÷ rate.

    Exact in integers, rounded once per line, half up (8000 bp: 100,00 € grant -> 125,00 € cost).
    """
    quotient, remainder = divmod(grant_cents * RATE_BASE, rate_bp)
    return quotient + (1 if 2 * remainder >= rate_bp else 0)


def format_rate(rate_bp: int) -> str:
    """8000 -> "80 %", 8550 -> "85,5 %" (as many decimals as the rate has)."""
    percent = (Decimal(rate_bp) / 100).normalize()
    return format_percent(percent, max(0, -percent.as_tuple().exponent))


@dataclass
class Content:
    """The editable content of an application or amendment (amounts in cents)."""

    lines: dict[tuple[str, int], int] = field(default_factory=dict)
    participants: dict[str, int] = field(default_factory=dict)
    measures: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    justification: str = ""

    @property
    def total_cents(self) -> int:
        return sum(self.lines.values())

    def texts(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in TEXT_LABELS}


def validate(content: Content, *, modules: list[str], years: list[int], ceiling_cents: int | None,
             complete: bool, amendment: bool = False) -> None:
    """Raise ValidationFailed naming every wrong field (German messages).

    ``complete`` adds what a submission needs (contact, measures, at least one amount).
    ``ceiling_cents`` None means: no published ceiling (only checked when ``complete``).
    """
    errors: dict[str, list[str]] = {}
    year_span = f"{min(years)}–{max(years)}" if years else "–"
    for (module, year), cents in content.lines.items():
        name = line_field(module, year)
        if module not in modules:
            errors.setdefault(name, []).append(
                f"Unbekannter Förderbaustein „{module}“ – zulässig sind {', '.join(modules)}.")
        if year not in years:
            errors.setdefault(name, []).append(
                f"Das Haushaltsjahr {year} liegt außerhalb des Programmzeitraums ({year_span}).")
        if cents < 0:
            errors.setdefault(name, []).append("Der Betrag darf nicht negativ sein.")
        elif cents >= MAX_CENTS:
            errors.setdefault(name, []).append("Der Betrag ist zu groß.")
    for module, count in content.participants.items():
        name = participants_field(module)
        if module not in modules:
            errors.setdefault(name, []).append(
                f"Unbekannter Förderbaustein „{module}“ – zulässig sind {', '.join(modules)}.")
        if count < 0:
            errors.setdefault(name, []).append("Die Zahl der Teilnehmenden darf nicht negativ sein.")
        elif count > MAX_PARTICIPANTS:
            errors.setdefault(name, []).append("Die Zahl der Teilnehmenden ist unplausibel hoch.")
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(content, name) or "") > limit:
            errors.setdefault(name, []).append(f"Höchstens {limit} Zeichen.")
    if content.contact_email and not EMAIL.match(content.contact_email):
        errors.setdefault("contact_email", []).append("Bitte eine gültige E-Mail-Adresse angeben.")
    if complete:
        if not content.contact_name.strip():
            errors.setdefault("contact_name", []).append("Bitte eine Ansprechperson angeben.")
        if not content.contact_email.strip():
            errors.setdefault("contact_email", []).append("Bitte eine E-Mail-Adresse der Ansprechperson angeben.")
        if not content.measures.strip():
            errors.setdefault("measures", []).append("Bitte die geplanten Maßnahmen beschreiben.")
        if amendment and not content.justification.strip():
            errors.setdefault("justification", []).append("Bitte begründen Sie die Änderung.")
        if content.total_cents <= 0 and not amendment:
            errors.setdefault("lines", []).append("Bitte planen Sie mindestens einen Betrag.")
        if ceiling_cents is None:
            errors.setdefault("lines", []).append(
                "Für Ihre Kommune ist noch keine Zuwendungshöchstgrenze veröffentlicht.")
    extra = {}
    if ceiling_cents is not None and content.total_cents > ceiling_cents:
        errors.setdefault("lines", []).append(
            f"Die Summe der geplanten Zuwendungen ({format_eur(content.total_cents)}) übersteigt die "
            f"Zuwendungshöchstgrenze Ihrer Kommune von {format_eur(ceiling_cents)}.")
        extra = {"ceiling": cents_to_api(ceiling_cents), "requested": cents_to_api(content.total_cents)}
    if errors:
        raise ValidationFailed("Der Antrag enthält ungültige Angaben.", errors=errors, **extra)


@dataclass(frozen=True)
class DiffRow:
    key: str
    label: str
    kind: str  # "money", "int" or "text"
    old: object
    new: object

    @property
    def changed(self) -> bool:
        return self.old != self.new


def diff(old: Content | None, new: Content, *, modules: list[str], years: list[int]) -> list[DiffRow]:
    """Row by row: amounts per module and year, participants per module, the text fields, the total."""
    base = old or Content()
    rows = []
    keys = sorted({(m, y) for m in modules for y in years} | set(base.lines) | set(new.lines))
    for module, year in keys:
        rows.append(DiffRow(line_field(module, year), f"{module} · {year}", "money",
                            base.lines.get((module, year), 0), new.lines.get((module, year), 0)))
    rows.append(DiffRow("lines", "Summe", "money", base.total_cents, new.total_cents))
    for module in sorted(set(modules) | set(base.participants) | set(new.participants)):
        rows.append(DiffRow(participants_field(module), f"Teilnehmende {module}", "int",
                            base.participants.get(module, 0), new.participants.get(module, 0)))
    for name, label in TEXT_LABELS.items():
        rows.append(DiffRow(name, label, "text", getattr(base, name), getattr(new, name)))
    return rows

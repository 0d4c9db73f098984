"""What differs between two selections, with a short German explanation for the selection page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from app.platform.formatting import format_decimal
from app.platform.money import format_eur

from .funding import METHOD_TEXT, Selection


@dataclass(frozen=True)
class Comparison:
    """Difference between two selections (``a - b``) with a short German explanation."""

    only_in_a: tuple[str, ...]
    only_in_b: tuple[str, ...]
    in_both: tuple[str, ...]
    total_difference_cents: int
    score_difference: Decimal
    explanation: str



def _count_text(n: int) -> str:
    return "1 Skizze" if n == 1 else f"{n} Skizzen"


def compare(a: Selection, b: Selection, label: Callable[[str], str] = str) -> Comparison:
    """What differs between two selections, with a short German explanation (A minus B); ``label`` names a
    sketch id in the text (the sketch number instead of the database id)."""
    set_a, set_b = a.selected_set, b.selected_set
    only_a = tuple(i for i in a.selected if i not in set_b)
    only_b = tuple(i for i in b.selected if i not in set_a)
    both = tuple(i for i in a.selected if i in set_b)
    total_diff = a.total_cents - b.total_cents
    score_diff = a.score_total - b.score_total
    label_a = METHOD_TEXT.get(a.method, a.method)
    label_b = METHOD_TEXT.get(b.method, b.method)
    lines = [
        f"A – {label_a}: {_count_text(len(a.selected))}, {format_eur(a.total_cents)}, "
        f"{format_decimal(a.score_total)} Punkte.",
        f"B – {label_b}: {_count_text(len(b.selected))}, {format_eur(b.total_cents)}, "
        f"{format_decimal(b.score_total)} Punkte.",
    ]
    if not only_a and not only_b:
        lines.append("Beide Verfahren wählen dieselben Skizzen.")
    else:
        lines.append(f"Nur in A: {', '.join(map(label, only_a)) or '–'}. "
                     f"Nur in B: {', '.join(map(label, only_b)) or '–'}.")
        sign_cents = "+" if total_diff > 0 else ("−" if total_diff < 0 else "±")
        sign_score = "+" if score_diff > 0 else ("−" if score_diff < 0 else "±")
        lines.append(
            f"A gegenüber B: {sign_cents}{format_eur(abs(total_diff))} Fördersumme, "
            f"{sign_score}{format_decimal(abs(score_diff))} Punkte."
        )
    return Comparison(only_a, only_b, both, total_diff, score_diff, " ".join(lines))

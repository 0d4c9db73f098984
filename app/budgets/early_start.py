"""Vorzeitiger Maßnahmebeginn: an expense dated before the grant decision.

The grant period may begin before the decision (the grants domain sets it), so such an expense is booked,
but the recipient is warned when recording it: it is eligible only where the early start was allowed
(VV Nr. 1.3 zu § 44 LHO), which is decided outside this service. A warning, not a refusal.
The CSV import warns once for the whole file, naming the file lines (``import_warnings``).
The decision date is the day the commitment was first set (``Grant.created_at``, Berlin time); amendments
do not move it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ..platform import clock
from .models import Grant


def decision_date(grant: Grant) -> date:
    return grant.created_at.astimezone(clock.BERLIN).date()


ONLY_IF_ALLOWED = "Sie ist nur förderfähig, wenn der vorzeitige Maßnahmebeginn zugelassen wurde."
SHOWN_LINES = 20  # file lines named in the import warning; more are counted


def early_start_warnings(grant: Grant, expense_date: date) -> list[str]:
    """The warning (German, for the recipient) for an expense dated before the decision; empty otherwise."""
    decided = decision_date(grant)
    if expense_date >= decided:
        return []
    return [f"Die Ausgabe vom {expense_date:%d.%m.%Y} liegt vor dem Zuwendungsbescheid vom {decided:%d.%m.%Y} "
            f"(vorzeitiger Maßnahmebeginn). {ONLY_IF_ALLOWED}"]


def import_warnings(grant: Grant, count: int, lines: Sequence[int]) -> list[str]:
    """One warning for the ``count`` imported lines dated before the decision; ``lines``: the first of them."""
    if not count:
        return []
    named = ", ".join(str(line) for line in lines[:SHOWN_LINES]) + (" …" if count > SHOWN_LINES else "")
    return [f"{count} Ausgaben liegen vor dem Zuwendungsbescheid vom {decision_date(grant):%d.%m.%Y} (vorzeitiger "
            f"Maßnahmebeginn; Zeilen {named}). Jede ist nur förderfähig, wenn der vorzeitige Maßnahmebeginn "
            "zugelassen wurde."]

"""Answers to budgets' question whether an expense may be tied to a measure (``app.platform.events``).

Budgets sits below this package and knows a measure only by its number; ``validate_expense`` emits
``budgets.expense_measure`` for the form, the API and every CSV line alike, and this handler appends the
German refusal (or "" for yes). It runs in the same transaction and changes nothing.
"""

from __future__ import annotations

from ..platform.events import subscribe
from . import services


@subscribe("budgets.expense_measure")
def on_expense_measure(grant, module: str, measure_id: int, answers: list[str]) -> None:
    answers.append(services.expense_measure_problem(grant, module, measure_id) or "")

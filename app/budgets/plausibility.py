"""Plausibility limits on expense amounts (form, API and CSV import alike).

A typing slip such as 5.000.000,00 € instead of 5.000,00 € would otherwise be booked: the status
would show far more earned than approved and hide the Kommune's risk flags. Two limits:

* ``max_expense`` (programme ``[settings]``): no single expense above this amount (absent: no limit);
* the module: an expense whose grant share (funding rate × amount), added to what the module already
  earned in all its budget years, exceeds the module's approved grant plus the programme's
  ``line_overrun_percent`` is refused: the final decision could never recognise it
  (``final_grant.settle``), and budget years are no cap there either.

Checked in the transaction that books the expenses, with the module's expense balances locked; the
rows of one import count together, in file order.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from ..platform.formatting import format_exact
from ..platform.money import decimal_to_cents, format_eur
from . import ledger
from .core.posting import earned_grant
from .models import AccountKind, Grant


def _max_expense_cents(grant: Grant) -> int | None:
    value = (grant.programme.settings or {}).get("max_expense")
    try:
        return decimal_to_cents(Decimal(str(value))) if value is not None else None
    except InvalidOperation:
        return None


class AmountCheck:
    """The two limits for rows met one after the other (an import's rows count together, in file order).

    A module's expense balances are read (and locked, ``lock``) when its first row is met; ``load_all`` reads
    every module's at once, for the CSV import's second pass, which runs after its journals are posted.
    """

    def __init__(self, grant: Grant, *, lock: bool = True) -> None:
        self.grant, self.lock = grant, lock
        self.cap_cents = _max_expense_cents(grant)
        self.percent = grant.programme.line_overrun_percent
        self.approved: dict[str, int] = defaultdict(int)
        for line in grant.lines:
            self.approved[line.module_code] += line.approved_cents
        self.accounts = ledger.accounts_of(grant.id)
        self.spent: dict[str, int] = {}

    def load_all(self) -> AmountCheck:
        for module in sorted({module for _kind, module, _year in self.accounts}):
            self._spent(module)
        return self

    def _spent(self, module: str) -> int:
        if module not in self.spent:
            self.spent[module] = sum(ledger.balance(account_id, lock=self.lock) for (kind, m, _y), account_id
                                     in sorted(self.accounts.items()) if kind == AccountKind.EXPENSES and m == module)
        return self.spent[module]

    def problem(self, row: dict) -> str | None:
        """German message for the row's amount, or None (then the row counts towards the next ones)."""
        amount, module, grant = row["amount_cents"], row["module_code"], self.grant
        if self.cap_cents is not None and amount > self.cap_cents:
            return (f"Der Betrag {format_eur(amount)} liegt über der Plausibilitätsgrenze von "
                    f"{format_eur(self.cap_cents)} je Ausgabe; bitte prüfen (Tippfehler?).")
        limit = self.approved[module] + self.approved[module] * self.percent // 100
        if earned_grant(self._spent(module) + amount, grant.funding_rate_bp) > limit:
            free = max(0, limit - earned_grant(self.spent[module], grant.funding_rate_bp))
            rate = format_exact(Decimal(grant.funding_rate_bp) / 100)
            return (f"Der Betrag {format_eur(amount)} übersteigt, was im Baustein {module} noch als "
                    f"Zuwendung anerkannt werden kann ({format_eur(free)} bei einer Förderquote von "
                    f"{rate} %, Bewilligung plus {self.percent} %); bitte prüfen (Tippfehler?).")
        self.spent[module] += amount
        return None


def amount_problems(grant: Grant, rows: list[dict]) -> dict[int, str]:
    """Index of each implausible row in ``rows`` -> German message for its amount field."""
    check = AmountCheck(grant)
    return {index: message for index, row in enumerate(rows) if (message := check.problem(row))}

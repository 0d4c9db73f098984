"""Plausibility limits on expense amounts (form, API and CSV import alike).

A typing slip such as 5.000.000,00 € instead of 5.000,00 € would otherwise be booked: the status
would show far more earned than approved and hide the Kommune's risk flags. Two limits, both
programme settings (``[settings]`` in config/programmes/*.toml):

* ``max_expense``: no single expense above this amount (absent: no such limit);
* the line: an expense whose grant share (funding rate × amount) exceeds what is still free of the
  approved grant of its line (module and budget year) is refused. ``line_excess_percent`` allows
  the line to be exceeded by that share of its approved amount (ANBest Nr. 1.2: a line may be
  exceeded where others save; absent: 0).

Checked in the transaction that books the expenses, with the line's expense balance locked; the
rows of one import count together, in file order.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..money import decimal_to_cents, format_eur
from . import ledger
from .models import AccountKind, Grant


def _setting(grant: Grant, name: str) -> Decimal | None:
    value = (grant.programme.settings or {}).get(name)
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def amount_problems(grant: Grant, rows: list[dict]) -> dict[int, str]:
    """Index of each implausible row in ``rows`` -> German message for its amount field."""
    cap = _setting(grant, "max_expense")
    cap_cents = decimal_to_cents(cap) if cap is not None else None
    excess_bp = int((_setting(grant, "line_excess_percent") or 0) * 100)
    approved = {(line.module_code, line.budget_year): line.approved_cents for line in grant.lines}
    accounts = ledger.accounts_of(grant.id)
    spent: dict[tuple[str, int], int] = {}
    problems: dict[int, str] = {}
    for index, row in enumerate(rows):
        amount, key = row["amount_cents"], (row["module_code"], row["budget_year"])
        if cap_cents is not None and amount > cap_cents:
            problems[index] = (f"Der Betrag {format_eur(amount)} liegt über der Plausibilitätsgrenze von "
                               f"{format_eur(cap_cents)} je Ausgabe; bitte prüfen (Tippfehler?).")
            continue
        if key not in spent:
            account = accounts.get((AccountKind.EXPENSES, *key))
            spent[key] = ledger.balance(account, lock=True) if account is not None else 0
        limit = approved.get(key, 0) * (10000 + excess_bp) // 10000
        if ledger.earned_for(spent[key] + amount, grant.funding_rate_bp) > limit:
            free = max(0, limit - ledger.earned_for(spent[key], grant.funding_rate_bp))
            rate = str(Decimal(grant.funding_rate_bp) / 100).replace(".", ",")
            problems[index] = (f"Der Betrag {format_eur(amount)} übersteigt die noch freie Zuwendung der Zeile "
                               f"{key[0]}/{key[1]} ({format_eur(free)} bei einer Förderquote von {rate} %); "
                               "bitte prüfen (Tippfehler?).")
            continue
        spent[key] += amount
    return problems

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


def amount_problems(grant: Grant, rows: list[dict]) -> dict[int, str]:
    """Index of each implausible row in ``rows`` -> German message for its amount field."""
    cap_cents = _max_expense_cents(grant)
    percent = grant.programme.line_overrun_percent
    approved: dict[str, int] = defaultdict(int)
    for line in grant.lines:
        approved[line.module_code] += line.approved_cents
    accounts = ledger.accounts_of(grant.id)
    spent: dict[str, int] = {}
    problems: dict[int, str] = {}
    for index, row in enumerate(rows):
        amount, module = row["amount_cents"], row["module_code"]
        if cap_cents is not None and amount > cap_cents:
            problems[index] = (f"Der Betrag {format_eur(amount)} liegt über der Plausibilitätsgrenze von "
                               f"{format_eur(cap_cents)} je Ausgabe; bitte prüfen (Tippfehler?).")
            continue
        if module not in spent:
            spent[module] = sum(ledger.balance(account_id, lock=True) for (kind, m, _y), account_id
                                in sorted(accounts.items()) if kind == AccountKind.EXPENSES and m == module)
        limit = approved[module] + approved[module] * percent // 100
        if earned_grant(spent[module] + amount, grant.funding_rate_bp) > limit:
            free = max(0, limit - earned_grant(spent[module], grant.funding_rate_bp))
            rate = format_exact(Decimal(grant.funding_rate_bp) / 100)
            problems[index] = (f"Der Betrag {format_eur(amount)} übersteigt, was im Baustein {module} noch als "
                               f"Zuwendung anerkannt werden kann ({format_eur(free)} bei einer Förderquote von "
                               f"{rate} %, Bewilligung plus {percent} %); bitte prüfen (Tippfehler?).")
            continue
        spent[module] += amount
    return problems

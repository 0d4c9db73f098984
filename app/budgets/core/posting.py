"""The earned-grant rule, once: the grant share of eligible expenses (rate in basis points, 8000 = 80 %).

Per grant, module and budget year the grant earned is ``rate x cumulative eligible expenses``, rounded half
up (away from zero) to whole cents; each booking posts the difference to what is already booked
(``earned_increment``), so many small expenses never drift from the rate applied to their sum. The
ledger, the plausibility check, the verification, the status forecast and the § 49a Abs. 4 uses all call
these functions; ``expenses_for_grant`` is the inverse (the expenses that earn a whole approval).
"""

from __future__ import annotations

RATE_BASE = 10000  # basis points: 10000 = 100 %


def earned_grant(expenses_cents: int, rate_bp: int) -> int:
    """Grant earned on cumulative eligible expenses: rate x expenses, rounded half up to whole cents."""
    numerator = expenses_cents * rate_bp
    if numerator >= 0:
        return (2 * numerator + RATE_BASE) // (2 * RATE_BASE)
    return -((-2 * numerator + RATE_BASE) // (2 * RATE_BASE))


def earned_increment(before_cents: int, added_cents: int, rate_bp: int) -> int:
    """What ``added_cents`` more expenses (negative: fewer) add to the grant earned on ``before_cents``."""
    return earned_grant(before_cents + added_cents, rate_bp) - earned_grant(before_cents, rate_bp)


def expenses_for_grant(grant_cents: int, rate_bp: int) -> int:
    """The expenses (cents, rounded up) whose rate share reaches ``grant_cents``; without a rate the grant itself."""
    return -(-grant_cents * RATE_BASE // rate_bp) if rate_bp else grant_cents

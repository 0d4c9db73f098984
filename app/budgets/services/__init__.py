"""Budget use cases, one module per aggregate; each flushes, writes an audit entry and books the ledger in the
same transaction, and none commits (the request edge, a command or a job does).

* ``grants``: access rule and reading grants; ``commitments``: the approved amounts (``set_commitment``);
* ``drawdowns``: request, decision, payment; ``expenses``: recording and CSV import; ``booking``: their
  ledger postings; ``reversals``: Storno by the recipient;
* ``caps``: a cap on a module's eligible costs (F6 staffing), applied by the final grant;
* ``settlement``: proof of use, Aberkennung, final decision; ``outcome``: its figures as of today;
  ``hearings``: the Anhörung before a final decision that takes money back; ``reclaims``: reclaim, interest,
  repayments.

Callers (pages, API, other domains) import the use cases from this package: ``services.request_drawdown``.
"""

from .booking import ImportTotals, book_expenses
from .caps import eligible_caps, set_eligible_cap
from .commitments import set_commitment, used_by_line
from .drawdowns import (
    add_months,
    decide_drawdown,
    drawdown_export_rows,
    drawdowns_page_select,
    drawdowns_select,
    four_eyes_bar,
    get_drawdown,
    pay_drawdown,
    recent_drawdowns,
    request_drawdown,
)
from .expenses import (
    approved_keys,
    ensure_open_for_expenses,
    expenses_select,
    get_expense,
    get_import,
    import_expense_batches,
    import_expenses,
    imports_select,
    record_expense,
    validate_expense,
)
from .grants import (
    ensure_grant_access,
    get_grant,
    grant_for_source,
    grants_visible_to,
    kommune_commitment_cents,
    proof_of,
)
from .hearings import (
    conclude_hearing,
    current_hearing,
    get_hearing,
    heard_on,
    hearing_days,
    hearings_of,
    open_hearing,
    submit_comment,
)
from .outcome import Outcome, intended_outcome, line_figures, settlement_lines, settlement_modules
from .reclaims import (
    ReclaimStatement,
    UnusedInterest,
    get_reclaim,
    interest_until,
    reclaim_interest,
    reclaim_of,
    reclaim_statement,
    reclaim_unused_interest,
    reclaimed_from,
    record_repayment,
    unused_interest,
    unused_interest_cents,
    unused_interest_lines,
    unused_interest_points,
)
from .reversals import reverse_expense, reverse_import
from .settlement import (
    RECLAIM_PAYMENT_DAYS,
    decide_final,
    final_payment_orders,
    mark_ineligible,
    submit_proof,
)

__all__ = [
    "Outcome", "conclude_hearing", "current_hearing", "get_hearing", "heard_on", "hearing_days", "hearings_of",
    "intended_outcome", "open_hearing", "reclaimed_from", "submit_comment",
    "ImportTotals", "RECLAIM_PAYMENT_DAYS", "ReclaimStatement", "UnusedInterest", "add_months", "approved_keys",
    "book_expenses",
    "decide_drawdown", "drawdown_export_rows", "eligible_caps", "set_eligible_cap",
    "decide_final", "drawdowns_page_select", "drawdowns_select", "ensure_grant_access",
    "ensure_open_for_expenses",
    "expenses_select", "final_payment_orders", "four_eyes_bar", "get_drawdown", "get_expense", "get_grant",
    "get_import", "get_reclaim", "grant_for_source", "grants_visible_to", "import_expense_batches", "import_expenses",
    "imports_select",
    "interest_until", "kommune_commitment_cents", "line_figures", "mark_ineligible", "pay_drawdown", "proof_of",
    "reclaim_interest", "recent_drawdowns",
    "reclaim_of", "reclaim_statement", "reclaim_unused_interest", "record_expense", "record_repayment",
    "request_drawdown", "reverse_expense", "reverse_import", "set_commitment",
    "settlement_lines", "settlement_modules", "submit_proof", "unused_interest", "unused_interest_cents",
    "unused_interest_lines", "unused_interest_points", "used_by_line", "validate_expense",
]

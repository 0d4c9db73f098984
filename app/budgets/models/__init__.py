"""The financial side of an approved grant (Zuwendung): who receives it, at what rate, and the
approved amounts per module and budget year that drawdowns, payments and expenses book against.

Grants come from the grants domain (a Kommune's ceiling application) or from the Innovationsfonds
(a funded project); ``source`` names the record that decided it, e.g. "application:12".

The tables are declared per aggregate in the modules of this package; import them from here.
"""

from .drawdowns import (
    DRAWDOWN_KIND_LABELS,
    DRAWDOWN_STATUS_LABELS,
    Drawdown,
    DrawdownKind,
    DrawdownStatus,
)
from .expenses import (
    Expense,
    ExpenseDaily,
    ExpenseImport,
    ExpensePeriod,
    period_end,
    period_start,
)
from .grants import (
    EligibleCap,
    Grant,
    GrantLine,
    GrantRiskFlag,
    RecipientKind,
)
from .ledger import (
    ACCOUNT_LABELS,
    GRANT_LEVEL,
    LINE_KINDS,
    RECLAIM_KINDS,
    AccountKind,
    Journal,
    LedgerAccount,
    LedgerBalance,
    LedgerCheck,
    LedgerCheckSum,
    LedgerEntry,
)
from .settlement import (
    HEARING_STATUS_LABELS,
    PROOF_STATUS_LABELS,
    RECLAIM_STATUS_LABELS,
    Hearing,
    HearingStatus,
    ProofOfUse,
    ProofStatus,
    Reclaim,
    ReclaimStatus,
    Repayment,
)

__all__ = [
    "LedgerCheck",
    "LedgerCheckSum",
    "HEARING_STATUS_LABELS",
    "Hearing",
    "HearingStatus",
    "ACCOUNT_LABELS",
    "AccountKind",
    "DRAWDOWN_KIND_LABELS",
    "DRAWDOWN_STATUS_LABELS",
    "Drawdown",
    "DrawdownKind",
    "DrawdownStatus",
    "EligibleCap",
    "Expense",
    "ExpenseDaily",
    "ExpenseImport",
    "ExpensePeriod",
    "GRANT_LEVEL",
    "Grant",
    "GrantLine",
    "GrantRiskFlag",
    "Journal",
    "LINE_KINDS",
    "LedgerAccount",
    "LedgerBalance",
    "LedgerEntry",
    "PROOF_STATUS_LABELS",
    "ProofOfUse",
    "ProofStatus",
    "RECLAIM_KINDS",
    "RECLAIM_STATUS_LABELS",
    "RecipientKind",
    "Reclaim",
    "ReclaimStatus",
    "Repayment",
    "period_end",
    "period_start",
]

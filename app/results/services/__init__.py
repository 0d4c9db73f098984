"""Use cases of app.results: people reached and target groups (``reached``), interim proofs (``interim``),
the alliance of a Kommune, "Gemeinsam klappt's" (``partnership``). Services flush, never commit."""

from .interim import (
    InterimRow,
    flag_late,
    get_interim,
    interim_rows,
    ledger_figures,
    remind_due,
    review_interim,
    submit_interim,
)
from .partnership import add_member, all_members, kommune_of, members_of, remove_member
from .reached import (
    MAX_PEOPLE,
    entered_in_quarter,
    import_targets,
    parse_targets,
    reached_in_quarter,
    report_reached,
    results_report,
    target_source,
)

__all__ = [
    "MAX_PEOPLE", "InterimRow", "add_member", "all_members", "entered_in_quarter", "flag_late", "get_interim",
    "import_targets", "interim_rows", "kommune_of", "ledger_figures", "members_of", "parse_targets",
    "reached_in_quarter",
    "remind_due", "remove_member", "report_reached", "results_report", "review_interim", "submit_interim",
    "target_source",
]

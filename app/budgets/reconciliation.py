"""The reconciliation kept current (issue #19): stored check results, the quick check since the last one.

``verify-ledger`` recomputes every account from the whole journal, which grows with every booking
(1M lines: seconds). The ledger is append-only (corrections are reversal journals), so the journal's
sum per account up to a journal id never changes unless a line is tampered with. A check therefore
stores, beside its result (``LedgerCheck``), each account's sum of entries up to the last journal it
saw (``LedgerCheckSum``).

The *quick* check (``full=False`` after a stored check) costs what the journals since that check touch:
1. it sums only the entries of the journals after the stored ``last_journal_id`` (a primary-key range);
2. the grants it checks are those of these journals (and of the accounts their entries move): every
   change of a grant line, drawdown, expense, reclaim or final decision that moves money books a journal
   of its grant, so an untouched grant's balances and source records are as the last check saw them;
3. for those grants only it runs every check of ``verify_ledger`` (stored balance = stored sum + new
   entries, lines against grant lines / drawdowns / expenses, reclaims, decisions, final payments) and
   updates the stored sums of the accounts the new entries moved. No new journals: nothing to check.
While the last stored check has findings, the quick check checks every grant (a finding stays until a
check clears it, and the stored result does not say which grants the findings were about).

What the quick check cannot see (the full recomputation finds all of it):
- a line changed at or before the last verified journal id (the stored sums were taken before the change);
- in a grant without new journals: a stored balance or a source record (grant line, drawdown, expense,
  reclaim, proof of use) changed without a journal, e.g. by hand in the database;
- recomputations whose inputs are not journals: the § 49a interest of a reclaim or final decision after
  a change of the base rate table or the programme's setting, a final decision that booked nothing.
The full recomputation runs as an explicit action (the button on ``/budgets/abgleich``,
``durchstarten verify-ledger``) and every night (``budgets.nightly_check``), so such a change is found
the next morning at the latest.

Decision (the issue is silent on it): ``/budgets/abgleich`` shows the last stored check and how many
journals came after it, and runs nothing on GET; a check is a recorded action (audit ``ledger.verify``)
for the roles allowed to record it. Caveat: a booking that commits after the check read the highest
journal id, but with a lower id, is left out of the stored sums and shows as a difference in the next
quick check; the full recomputation clears such a finding (bookings take milliseconds, checks
run rarely).
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select

from ..platform import clock
from ..platform.extensions import db
from .ledger import journal_totals, recomputed_balances
from .models import Journal, LedgerAccount, LedgerCheck, LedgerCheckSum
from .verify import record_check, verify_ledger

PROBLEMS_KEPT = 200  # findings stored with a check (the count is always complete)


def latest_check() -> LedgerCheck | None:
    return db.session.scalar(select(LedgerCheck).order_by(LedgerCheck.id.desc()).limit(1))


def journals_since(check: LedgerCheck | None, cap: int | None = None) -> int:
    """How many journals were booked after ``check`` (all of them without one): one index range count.

    With ``cap`` it counts at most ``cap + 1`` (a result above ``cap`` reads "more than cap"): without a stored
    check the range is the whole journal, a full count of a million rows on every view (issue #19).
    """
    statement = select(Journal.id)
    if check is not None:
        statement = statement.where(Journal.id > check.last_journal_id)
    if cap is not None:
        statement = statement.limit(cap + 1)
    return db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def run_check(*, full: bool, actor_label: str | None = None) -> LedgerCheck:
    """Check the ledger (quick unless ``full`` or no check is stored), store and audit the result."""
    previous = None if full else latest_check()
    last = db.session.scalar(select(func.max(Journal.id))) or 0
    after = previous.last_journal_id if previous is not None else 0
    sums = recomputed_balances(after=after, upto=last)  # the new journals' entries per account
    moved = set(sums)
    grants = None if previous is None or previous.problem_count else _touched_grants(after, last, moved)
    if previous is not None:
        for account_id, cents in _stored_sums(grants).items():
            sums[account_id] = sums.get(account_id, 0) + cents
    problems = verify_ledger(totals=journal_totals(after=after, upto=last), recomputed=sums, grants=grants)
    _store_sums(sums if previous is None else {a: sums[a] for a in moved}, replace_all=previous is None)
    check = LedgerCheck(checked_at=clock.now(), full=previous is None, from_journal_id=after + 1,
                        last_journal_id=last, problem_count=len(problems), problems=problems[:PROBLEMS_KEPT],
                        actor_label=actor_label or "")
    db.session.add(check)
    record_check(problems, actor_label=actor_label, full=check.full, from_journal_id=after + 1,
                 last_journal_id=last, grants_checked="all" if grants is None else len(grants))
    return check


def _touched_grants(after: int, upto: int, accounts: set[int]) -> set[int]:
    """The grants of the journals ``after < id <= upto`` and of the accounts their entries moved."""
    grants = set(db.session.scalars(select(Journal.grant_id).where(Journal.id > after, Journal.id <= upto)
                                    .distinct()))
    if accounts:
        grants |= set(db.session.scalars(select(LedgerAccount.grant_id).where(LedgerAccount.id.in_(sorted(accounts)))
                                         .distinct()))
    return grants


def _stored_sums(grants: set[int] | None) -> dict[int, int]:
    """The stored per-account sums of the last check (of ``grants``' accounts only, if given)."""
    statement = select(LedgerCheckSum.account_id, LedgerCheckSum.sum_cents)
    if grants is not None:
        if not grants:
            return {}
        statement = statement.join(LedgerAccount, LedgerAccount.id == LedgerCheckSum.account_id).where(
            LedgerAccount.grant_id.in_(sorted(grants)))
    return dict(db.session.execute(statement).all())


def _store_sums(sums: dict[int, int], *, replace_all: bool) -> None:
    """Keep ``sums`` as the base of the next quick check: all accounts after a full run (a few thousand rows
    at full scale), only the accounts the new journals moved after a quick one."""
    if replace_all:
        db.session.execute(delete(LedgerCheckSum))
    elif sums:
        db.session.execute(delete(LedgerCheckSum).where(LedgerCheckSum.account_id.in_(sorted(sums))))
    if sums:
        db.session.execute(insert(LedgerCheckSum), [{"account_id": a, "sum_cents": c} for a, c in sums.items()])

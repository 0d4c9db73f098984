"""The double-entry ledger: accounts, journals of transfers, balances kept current, verification.

Representation: a journal (one business event) holds entries; each entry moves a positive amount
from a credit account to a debit account. A single entry therefore balances by construction and
the database enforces it on SQLite and PostgreSQL alike (CHECK ``amount_cents > 0`` and two
different accounts): a journal whose lines do not sum to zero cannot be stored. ``post`` also
checks the sum of its signed lines before writing, and ``verify`` recomputes everything.

Balances (``ledger_balances``) are debit-positive and changed by ``post`` in the same transaction
with one ``UPDATE ... SET balance = balance + delta`` per account. The limit checks lock the
balance row they check (``lock_for_update``; SQLite holds the write lock from ``BEGIN IMMEDIATE``).

Grant earned: per grant, module and budget year, ``earned = rate x cumulative eligible expenses``
rounded half up to whole cents (``core.posting.earned_grant``); each booking posts the difference to what is
already booked, so many small expenses never drift from the rate applied to their sum.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, insert, select, update

from ..platform import clock
from ..platform.database import lock_for_update, sum_cents
from ..platform.extensions import db
from .models import (
    GRANT_LEVEL,
    LINE_KINDS,
    RECLAIM_KINDS,
    AccountKind,
    Journal,
    LedgerAccount,
    LedgerBalance,
    LedgerEntry,
)

AccountKey = tuple[AccountKind, str, int]  # (kind, module, year)


class LedgerImbalance(RuntimeError):
    """A journal whose lines do not sum to zero reached ``post`` (a programming error)."""


_INSERT_ACCOUNTS = insert(LedgerAccount.__table__).returning(LedgerAccount.__table__.c.id,
                                                              sort_by_parameter_order=True)
_INSERT_BALANCES = insert(LedgerBalance.__table__)
_ACCOUNTS = (select(LedgerAccount.id, LedgerAccount.kind, LedgerAccount.module_code, LedgerAccount.budget_year)
             .where(LedgerAccount.grant_id == bindparam("grant_id")))
_LINE_ACCOUNTS = _ACCOUNTS.where(LedgerAccount.module_code == bindparam("module"),
                                 LedgerAccount.budget_year == bindparam("year"))


def accounts_of(grant_id: int, module: str | None = None, year: int | None = None) -> dict[AccountKey, int]:
    """The grant's account ids by (kind, module, year); only one line's when ``module`` and ``year`` are given."""
    if module is not None and year is not None:
        rows = db.session.execute(_LINE_ACCOUNTS, {"grant_id": grant_id, "module": module, "year": year})
    else:
        rows = db.session.execute(_ACCOUNTS, {"grant_id": grant_id})
    return {(kind, module, year): account_id for account_id, kind, module, year in rows}


def ensure_accounts(grant_id: int, module: str, year: int) -> dict[AccountKey, int]:
    """Create the accounts (and zero balances) of one grant line, or of the grant level for ("*", 0).

    One multi-row ``INSERT … RETURNING`` for the accounts and one for their balances (a grant of 16 lines
    used to flush 128 accounts one by one); nobody holds the accounts as ORM objects."""
    kinds = RECLAIM_KINDS if (module, year) == GRANT_LEVEL else LINE_KINDS
    existing = accounts_of(grant_id, module, year)
    missing = [kind for kind in kinds if (kind, module, year) not in existing]
    if missing:
        connection = db.session.connection()
        created = connection.execute(_INSERT_ACCOUNTS, [
            {"grant_id": grant_id, "kind": kind, "module_code": module, "budget_year": year} for kind in missing])
        ids = [account_id for account_id, in created]
        connection.execute(_INSERT_BALANCES, [{"account_id": account_id, "balance_cents": 0} for account_id in ids])
        existing.update({(kind, module, year): account_id for kind, account_id in zip(missing, ids, strict=True)})
    return existing


@dataclass(frozen=True)
class Transfer:
    debit: int  # account id
    credit: int
    cents: int


# The booking statements, built once: a booking runs them on the session's connection (same transaction),
# skipping the ORM unit of work. Journals and entries are append-only rows nobody reads back in the request.
_JOURNALS, _ENTRIES, _BALANCES = Journal.__table__, LedgerEntry.__table__, LedgerBalance.__table__
_INSERT_JOURNAL = insert(_JOURNALS).returning(_JOURNALS.c.id)
_INSERT_ENTRIES = insert(_ENTRIES)
_APPLY_DELTA = (update(_BALANCES).where(_BALANCES.c.account_id == bindparam("b_account"))
                .values(balance_cents=_BALANCES.c.balance_cents + bindparam("b_delta")))
_BALANCE = select(_BALANCES.c.balance_cents).where(_BALANCES.c.account_id == bindparam("account_id"))
_BALANCE_LOCKED = lock_for_update(_BALANCE)


def post(grant_id: int, kind: str, transfers: Iterable[Transfer], *, value_date: date, source_type: str,
         source_id: object = None, description: str = "", reverses_id: int | None = None) -> int | None:
    """Book one journal; negative amounts swap sides, zero amounts are dropped.

    Returns the journal id, None if nothing moves.
    """
    entries = []
    for transfer in transfers:
        debit, credit, cents = transfer.debit, transfer.credit, transfer.cents
        if cents < 0:
            debit, credit, cents = credit, debit, -cents
        if cents:
            entries.append((debit, credit, cents))
    if not entries:
        return None
    deltas: dict[int, int] = defaultdict(int)
    for debit, credit, cents in entries:
        deltas[debit] += cents
        deltas[credit] -= cents
    if sum(deltas.values()) != 0 or any(debit == credit for debit, credit, _ in entries):
        raise LedgerImbalance(f"journal {kind} does not balance")
    connection = db.session.connection()
    journal_id = connection.execute(_INSERT_JOURNAL, {
        "grant_id": grant_id, "kind": kind, "source_type": source_type,
        "source_id": None if source_id is None else str(source_id), "value_date": value_date,
        "booked_at": clock.now(), "description": description[:300], "reverses_id": reverses_id}).scalar_one()
    connection.execute(_INSERT_ENTRIES, [
        {"journal_id": journal_id, "debit_account_id": d, "credit_account_id": c, "amount_cents": a}
        for d, c, a in entries])
    apply_deltas(deltas)
    return journal_id


def apply_deltas(deltas: dict[int, int]) -> None:
    rows = [{"b_account": account, "b_delta": delta} for account, delta in deltas.items() if delta]
    if rows:
        db.session.connection().execute(_APPLY_DELTA, rows)


def balance(account_id: int, *, lock: bool = False) -> int:
    statement = _BALANCE_LOCKED if lock else _BALANCE
    return db.session.connection().execute(statement, {"account_id": account_id}).scalar() or 0


def balances_of(grant_id: int) -> dict[AccountKey, int]:
    rows = db.session.execute(
        select(LedgerAccount.kind, LedgerAccount.module_code, LedgerAccount.budget_year, LedgerBalance.balance_cents)
        .join(LedgerBalance, LedgerBalance.account_id == LedgerAccount.id)
        .where(LedgerAccount.grant_id == grant_id))
    return {(kind, module, year): cents for kind, module, year, cents in rows}


def _journals_between(statement, after: int, upto: int | None):
    """``statement`` over entries limited to journals ``after < id <= upto`` (the incremental check)."""
    if after:
        statement = statement.where(LedgerEntry.journal_id > after)
    return statement if upto is None else statement.where(LedgerEntry.journal_id <= upto)


def journal_totals(after: int = 0, upto: int | None = None) -> list[tuple[int, int]]:
    """(journal id, sum of signed lines) for every journal that does not sum to zero (should be none)."""
    debit = _journals_between(select(LedgerEntry.journal_id.label("j"), LedgerEntry.amount_cents.label("a")),
                              after, upto)
    credit = _journals_between(select(LedgerEntry.journal_id.label("j"), (-LedgerEntry.amount_cents).label("a")),
                               after, upto)
    lines = debit.union_all(credit).subquery()
    rows = db.session.execute(select(lines.c.j, sum_cents(lines.c.a)).group_by(lines.c.j)
                              .having(func.sum(lines.c.a) != 0))
    return [(j, total) for j, total in rows]


def recomputed_balances(after: int = 0, upto: int | None = None) -> dict[int, int]:
    """Every account's balance recomputed from the entries (of the journals ``after < id <= upto`` if given)."""
    result: dict[int, int] = defaultdict(int)
    for account, cents in db.session.execute(_journals_between(
            select(LedgerEntry.debit_account_id, sum_cents(LedgerEntry.amount_cents))
            .group_by(LedgerEntry.debit_account_id), after, upto)):
        result[account] += cents
    for account, cents in db.session.execute(_journals_between(
            select(LedgerEntry.credit_account_id, sum_cents(LedgerEntry.amount_cents))
            .group_by(LedgerEntry.credit_account_id), after, upto)):
        result[account] -= cents
    return result

"""Booking expenses in the ledger: eligible expenses move the grant earned (the rounding rule of
``core.posting``) and the own share; bulk inserts for imports; the per-day totals; reversals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ...platform import clock
from ...platform.extensions import db
from ...platform.web.exports import batched
from .. import ledger
from ..core.posting import earned_grant
from ..ledger import Transfer
from ..models import (
    AccountKind,
    Expense,
    ExpenseDaily,
    ExpensePeriod,
    Grant,
    period_start,
)


def _post_expenses(grant: Grant, accounts: dict, module: str, year: int, cents: int, *, kind: str,
                   **journal) -> int | None:
    """Book ``cents`` more (or, negative, fewer) eligible expenses on one line: expenses <- earned (the change of
    rate x cumulative expenses, the rounding rule) and own share (the rest). Returns the journal id."""
    expenses_id = accounts[(AccountKind.EXPENSES, module, year)]
    before = ledger.balance(expenses_id, lock=True)
    earned_booked = -ledger.balance(accounts[(AccountKind.EARNED, module, year)])
    earned_delta = earned_grant(before + cents, grant.funding_rate_bp) - earned_booked
    return ledger.post(grant.id, kind, [
        Transfer(expenses_id, accounts[(AccountKind.EARNED, module, year)], earned_delta),
        Transfer(expenses_id, accounts[(AccountKind.OWN_SHARE, module, year)], cents - earned_delta)],
        value_date=clock.today(), **journal)


def book_expenses(grant: Grant, rows: list[dict], *, import_id: int | None) -> list[Expense]:
    """Insert expense rows and post one journal per (module, year); returns the objects of small groups."""
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row["module_code"], row["budget_year"])].append(row)
    # one line (a single expense, most imports): only its accounts
    accounts = ledger.accounts_of(grant.id, *next(iter(groups))) if len(groups) == 1 else ledger.accounts_of(grant.id)
    now = clock.now()
    small: list[Expense] = []
    for (module, year), group in sorted(groups.items()):
        journal_id = _post_expenses(grant, accounts, module, year, sum(row["amount_cents"] for row in group),
                                    kind="expense", source_type="expense_import" if import_id else "expense",
                                    source_id=import_id, description=f"Ausgaben {module}/{year} ({len(group)} Zeilen)")
        constants = {"grant_id": grant.id, "import_id": import_id, "journal_id": journal_id, "eligible": True,
                     "ineligible_reason": "", "reversal_reason": "", "created_at": now}
        if len(group) <= 10:  # ORM objects: the caller finds them in the session without reading them back
            for row in group:
                expense = Expense(**row, **constants)
                db.session.add(expense)
                small.append(expense)
        else:
            _bulk_insert(Expense.__table__, group, constants)
    if small:
        db.session.flush()
    _add_daily(grant.id, rows, sign=1)
    return small


@dataclass
class ImportTotals:
    """What booking an import needs from its rows, gathered while they stream past: sums per module and year
    (one journal each) and per module and day, and the voucher numbers (the duplicate check). Its size grows
    with the distinct vouchers only, not with the rows."""

    lines: int = 0
    total_cents: int = 0
    groups: dict[tuple[str, int], list[int]] = field(default_factory=dict)  # (module, year) -> [cents, lines]
    daily: dict[tuple[str, date], int] = field(default_factory=lambda: defaultdict(int))
    vouchers: dict[str, int] = field(default_factory=dict)  # voucher -> its first line
    repeated: list[tuple[int, str]] = field(default_factory=list)  # (line, voucher) met before in the file

    def add(self, row: dict, line: int) -> None:
        cents = row["amount_cents"]
        self.lines += 1
        self.total_cents += cents
        group = self.groups.setdefault((row["module_code"], row["budget_year"]), [0, 0])
        group[0] += cents
        group[1] += 1
        self.daily[(row["module_code"], row["expense_date"])] += cents
        if voucher := row["voucher_ref"]:
            if voucher in self.vouchers:
                self.repeated.append((line, voucher))
            else:
                self.vouchers[voucher] = line

    @classmethod
    def of(cls, rows: Iterable[dict]) -> ImportTotals:
        """The totals of rows in memory (lines named by ``import_line``, else by position)."""
        totals = cls()
        for index, row in enumerate(rows, start=1):
            totals.add(row, row.get("import_line") or index)
        return totals


def book_import(grant: Grant, totals: ImportTotals, batches: Iterable[list[dict]], *, import_id: int,
                progress: Callable[[int], None] | None = None) -> None:
    """Post one journal per (module, year) from ``totals``, then insert the rows batch by batch (bulk insert).

    The journals come first because every expense row names its journal (``journal_id`` is NOT NULL); the
    rows' sums are the caller's to check against ``totals`` (the CSV import's second pass does).
    ``progress`` is told the rows inserted so far after each batch.
    """
    accounts = ledger.accounts_of(grant.id)
    journals = {(module, year): _post_expenses(grant, accounts, module, year, cents, kind="expense",
                                               source_type="expense_import", source_id=import_id,
                                               description=f"Ausgaben {module}/{year} ({count} Zeilen)")
                for (module, year), (cents, count) in sorted(totals.groups.items())}
    constants = {"grant_id": grant.id, "import_id": import_id, "eligible": True, "ineligible_reason": "",
                 "reversal_reason": "", "created_at": clock.now()}
    inserted = 0
    for batch in batches:
        for row in batch:
            row["journal_id"] = journals[(row["module_code"], row["budget_year"])]
        _bulk_insert(Expense.__table__, batch, constants)
        inserted += len(batch)
        if progress is not None:
            progress(inserted)
    _add_daily_sums(grant.id, totals.daily)


_INSERT_BATCH = 5000  # rows per executemany (engines without COPY)


def _bulk_insert(table, rows: list[dict], constants: dict) -> None:
    """Insert many rows in the current transaction without per-row statement compilation.

    PostgreSQL: ``COPY ... FROM STDIN`` through psycopg 3 on the session's connection (a 20,000-line import went
    from about 4,600 to 15,400 lines/s, bench/README.md; rolled back with the transaction like any insert).
    Other engines: a driver-level ``executemany``.
    Constant columns are processed once.
    """
    connection = db.session.connection()
    dialect = connection.dialect
    varying = list(rows[0])

    def processor(name):
        return table.c[name].type.bind_processor(dialect)

    fixed = tuple(value if value is None or processor(name) is None else processor(name)(value)
                  for name, value in constants.items())
    plain = [name for name in varying if processor(name) is None]
    processed = [(name, processor(name)) for name in varying if processor(name) is not None]
    columns = plain + [name for name, _p in processed] + list(constants)
    names = ", ".join(dialect.identifier_preparer.quote(name) for name in columns)
    target = f"{dialect.identifier_preparer.format_table(table)} ({names})"
    params = (tuple([row[name] for name in plain]
                    + [None if row[name] is None else proc(row[name]) for name, proc in processed]) + fixed
              for row in rows)  # a generator: the driver's parameters are never a second copy of all rows
    if dialect.name == "postgresql":
        with connection.connection.driver_connection.cursor() as cursor, \
                cursor.copy(f"COPY {target} FROM STDIN") as copy:  # noqa: S608
            for row in params:
                copy.write_row(row)
        return
    if dialect.paramstyle == "qmark":
        marks = ", ".join("?" for _ in columns)
    elif dialect.paramstyle == "format":
        marks = ", ".join("%s" for _ in columns)
    else:
        marks = ", ".join(f"%({name})s" for name in columns)
    sql = f"INSERT INTO {target} VALUES ({marks})"  # noqa: S608
    for batch in batched(params, _INSERT_BATCH):
        if dialect.paramstyle not in ("qmark", "format"):
            batch = [dict(zip(columns, row, strict=True)) for row in batch]
        connection.exec_driver_sql(sql, batch)


_DAILY = ExpenseDaily.__table__


def _daily_upsert(maker):
    statement = maker(_DAILY)
    return statement.on_conflict_do_update(
        index_elements=[_DAILY.c.grant_id, _DAILY.c.module_code, _DAILY.c.day],
        set_={"amount_cents": _DAILY.c.amount_cents + statement.excluded.amount_cents})


_PERIODS = ExpensePeriod.__table__


def _period_upsert(maker):
    statement = maker(_PERIODS)
    return statement.on_conflict_do_update(
        index_elements=[_PERIODS.c.grant_id, _PERIODS.c.start],
        set_={"amount_cents": _PERIODS.c.amount_cents + statement.excluded.amount_cents})


# One upsert per (module, day) and one per period, built once per dialect, run on the session's connection.
_ADD_DAILY = {"postgresql": _daily_upsert(pg_insert), "sqlite": _daily_upsert(sqlite_insert)}
_ADD_PERIODS = {"postgresql": _period_upsert(pg_insert), "sqlite": _period_upsert(sqlite_insert)}


def _add_daily(grant_id: int, rows: list[dict], *, sign: int) -> None:
    daily: dict[tuple[str, date], int] = defaultdict(int)
    for row in rows:
        daily[(row["module_code"], row["expense_date"])] += sign * row["amount_cents"]
    _add_daily_sums(grant_id, daily)


def _add_daily_sums(grant_id: int, daily: dict[tuple[str, date], int]) -> None:
    """Add eligible expenses (or, negative, take them out) to ``expense_daily`` and ``expense_periods``."""
    values = [{"grant_id": grant_id, "module_code": m, "day": d, "amount_cents": c} for (m, d), c in daily.items()]
    if values:
        periods: dict[date, int] = defaultdict(int)
        for (_module, day), cents in daily.items():
            periods[period_start(day)] += cents
        connection = db.session.connection()
        connection.execute(_ADD_DAILY[connection.dialect.name], values)
        connection.execute(_ADD_PERIODS[connection.dialect.name],
                           [{"grant_id": grant_id, "start": start, "amount_cents": c} for start, c in periods.items()])


def booking_of(expense) -> dict:
    return {"journal_id": expense.journal_id, "module_code": expense.module_code,
            "budget_year": expense.budget_year, "expense_date": expense.expense_date,
            "amount_cents": expense.amount_cents}


def reverse_bookings(grant: Grant, bookings: list[dict], *, kind: str, **journal) -> dict[int, int]:
    """Reverse eligible expenses in the ledger (aberkannt or storniert): per original journal one new journal
    (``reverses_id``) taking their amounts out of the line (grant earned re-booked by the rounding rule), and
    ``expense_daily`` decremented. Returns {original journal id: reversal journal id}."""
    groups: dict[int, list[dict]] = defaultdict(list)
    for booking in bookings:
        groups[booking["journal_id"]].append(booking)
    accounts = ledger.accounts_of(grant.id)
    reversals = {}
    for journal_id, group in sorted(groups.items()):
        module, year = group[0]["module_code"], group[0]["budget_year"]
        reversals[journal_id] = _post_expenses(grant, accounts, module, year,
                                               -sum(b["amount_cents"] for b in group), kind=kind,
                                               reverses_id=journal_id, **journal)
    _add_daily(grant.id, bookings, sign=-1)
    return reversals

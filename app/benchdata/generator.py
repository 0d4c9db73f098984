"""Synthetic, ledger-consistent data at scale for benchmarks and load tests (never for production).

``seed(kommunen=53, lines=1_000_000)`` creates one grant per Kommune through
``budgets.services.set_commitment`` (so commitments are booked exactly as in production), then
bulk-writes expenses and drawdowns (requested, approved, paid) with their journals and ledger
entries until ``lines`` ledger entries exist, keeping every rule ``verify-ledger`` checks:

* each entry moves a positive amount between two accounts of the same grant line;
* drawdowns: request ``requested <- available``, approve ``approved <- requested``, pay
  ``paid <- approved``; the available balance never goes negative; a line's payments stay below the
  grant earned on it, so a new drawdown is not refused for unspent money (issue #14);
* expenses: one journal per expense, ``expenses <- earned`` with the rounding rule's difference
  (``budgets.core.posting.earned_increment``) and ``expenses <- own_share`` for the rest;
* balances are accumulated in Python and written once; ``expense_daily`` likewise.

Writes go through the driver: ``executemany`` on SQLite, ``COPY`` on PostgreSQL, in chunks, with
the column types' bind processors applied (dates, aware timestamps, enums), and the PostgreSQL id
sequences are moved past the explicit ids afterwards. Deterministic for a given ``seed_value``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import bindparam, func, select, text

from ..platform import clock
from ..platform.extensions import db

MODULES = ("F1", "F2", "F3", "F4")
YEARS = (2020, 2021, 2022, 2023)
START, LAST_EXPENSE = date(2020, 7, 1), date(2023, 6, 30)
SOURCE_PREFIX = "bench:"
CHUNK = 50_000


class AlreadySeeded(RuntimeError):
    """The database already holds bench grants."""


@dataclass
class SeedResult:
    grant_ids: list[int] = field(default_factory=list)
    entries: int = 0
    journals: int = 0
    expenses: int = 0
    drawdowns: int = 0


class BulkWriter:
    """Buffered driver-level inserts of plain tuples into one table (executemany or COPY)."""

    def __init__(self, table, columns: Sequence[str], *, after: Sequence[BulkWriter] = ()) -> None:
        self.connection = db.session.connection()
        self.dialect = self.connection.dialect
        self.table, self.columns = table, list(columns)
        self.processors = [table.c[name].type.bind_processor(self.dialect) for name in self.columns]
        self.rows: list[tuple] = []
        self.count = 0
        self.after = list(after)  # writers whose rows this table references: flushed first

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        for writer in self.after:
            writer.flush()
        procs = self.processors
        rows = [tuple(value if proc is None or value is None else proc(value) for proc, value in zip(procs, row,
                                                                                                    strict=True))
                for row in self.rows]
        quote = self.dialect.identifier_preparer.quote
        names = ", ".join(quote(name) for name in self.columns)
        target = self.dialect.identifier_preparer.format_table(self.table)
        cursor = self.connection.connection.driver_connection.cursor()
        if self.dialect.name == "postgresql":
            with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in self.columns)
            cursor.executemany(f"INSERT INTO {target} ({names}) VALUES ({marks})", rows)  # noqa: S608
        self.count += len(rows)
        self.rows = []


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _fix_sequences(models: Iterable) -> None:
    if db.engine.dialect.name != "postgresql":
        return
    for model in models:
        name = model.__tablename__
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"))


def ensure_reference_data(app_config) -> None:
    from ..reference.models import Kommune, Programme
    from ..reference.services import load_programme, load_reference_data

    if db.session.scalar(select(func.count()).select_from(Programme)) == 0:
        load_programme(app_config["PROGRAMME_FILE"])
    if db.session.scalar(select(func.count()).select_from(Kommune)) == 0:
        load_reference_data()
    db.session.flush()


def seed(*, kommunen: int = 53, lines: int = 1_000_000, today: date = date(2022, 6, 15), seed_value: int = 2020,
         app_config=None) -> SeedResult:
    """Create the bench grants and about ``lines`` ledger entries (see the module docstring); flushes, no commit."""
    from ..budgets import ledger
    from ..budgets.core.posting import earned_increment
    from ..budgets.models import (
        AccountKind,
        Drawdown,
        DrawdownStatus,
        Expense,
        ExpenseDaily,
        ExpensePeriod,
        Grant,
        Journal,
        LedgerBalance,
        LedgerEntry,
        period_start,
    )
    from ..budgets.services import set_commitment
    from ..reference.models import Kommune
    from ..reference.services import get_programme

    if app_config is not None:
        ensure_reference_data(app_config)
    if db.session.scalar(select(func.count()).select_from(Grant).where(Grant.source.like(SOURCE_PREFIX + "%"))):
        raise AlreadySeeded("Die Datenbank enthält bereits Bench-Daten (Zuwendungen bench:…).")
    K, S = AccountKind, DrawdownStatus
    rng = random.Random(seed_value)  # noqa: S311 - synthetic data, deterministic
    programme = get_programme()
    result = SeedResult()
    grants = []
    with clock.freeze(date(2020, 6, 1)):
        for kommune in db.session.scalars(select(Kommune).order_by(Kommune.ags).limit(kommunen)):
            amounts = {(m, y): rng.randint(200_000, 900_000) * 100 for m in MODULES for y in YEARS}
            grants.append(set_commitment(
                programme_id=programme.id, source=f"{SOURCE_PREFIX}{kommune.ags}", reference=f"BENCH-{kommune.ags}",
                recipient_kind="kommune", kommune_id=kommune.id, funding_rate_bp=programme.funding_rate_bp,
                start_date=START, last_expense_date=LAST_EXPENSE, lines=amounts))
    db.session.flush()
    result.grant_ids = [grant.id for grant in grants]
    entries_before = db.session.scalar(select(func.count()).select_from(LedgerEntry)) or 0
    budget = max(lines - entries_before, 0)

    now = clock.now()
    journal_id, expense_id, drawdown_id = _next_id(Journal), _next_id(Expense), _next_id(Drawdown)
    journals = BulkWriter(Journal.__table__, ["id", "grant_id", "kind", "source_type", "source_id", "value_date",
                                              "booked_at", "description"])
    entries = BulkWriter(LedgerEntry.__table__, ["journal_id", "debit_account_id", "credit_account_id",
                                                 "amount_cents"], after=[journals])
    expenses = BulkWriter(Expense.__table__, ["id", "grant_id", "module_code", "budget_year", "expense_date",
                                              "amount_cents", "voucher_ref", "description", "journal_id", "eligible",
                                              "ineligible_reason", "created_at"], after=[journals])
    drawdowns = BulkWriter(Drawdown.__table__, [
        "id", "grant_id", "module_code", "budget_year", "status", "amount_requested_cents", "amount_approved_cents",
        "purpose", "period_start", "period_end", "requested_at", "decided_at", "decision_reason", "value_date",
        "payment_reference", "paid_at"])
    deltas: dict[int, int] = defaultdict(int)
    daily: dict[tuple[int, str, date], int] = defaultdict(int)
    written = 0

    def book(grant_id: int, kind: str, source_type: str, source_id, day: date, moves: list[tuple[int, int, int]],
             description: str) -> None:
        nonlocal journal_id, written
        journals.add((journal_id, grant_id, kind, source_type, str(source_id), day, now, description))
        for debit, credit, cents in moves:
            if cents:
                entries.add((journal_id, debit, credit, cents))
                deltas[debit] += cents
                deltas[credit] -= cents
                written += 1
        journal_id += 1

    open_lines = [(grant, m, y) for grant in grants for m in MODULES for y in YEARS if date(y, 1, 1) <= today]
    accounts = {grant.id: ledger.accounts_of(grant.id) for grant in grants}
    approved = {(grant.id, line.module_code, line.budget_year): line.approved_cents
                for grant in grants for line in grant.lines}
    drawdown_budget = budget // 50
    per_line = max(drawdown_budget // (3 * max(len(open_lines), 1)), 1)

    # Expenses first: two entries each, spread over the grants, modules and days up to ``today``.
    spent: dict[tuple[int, str, int], int] = defaultdict(int)
    days = (today - START).days + 1
    rates = {grant.id: grant.funding_rate_bp for grant in grants}
    grant_ids = [grant.id for grant in grants]
    earned: dict[tuple[int, str, int], int] = defaultdict(int)  # grant earned per line: what payments may cover
    while written < budget - drawdown_budget and grant_ids:
        grant_id = grant_ids[result.expenses % len(grant_ids)]
        module = MODULES[rng.randrange(4)]
        day = START + timedelta(days=rng.randrange(days))
        key = (grant_id, module, day.year)
        acc = accounts[grant_id]
        amount = rng.randint(1_000, 40_000)
        before = spent[key]
        spent[key] = before + amount
        earned_delta = earned_increment(before, amount, rates[grant_id])
        earned[key] += earned_delta
        book(grant_id, "expense", "expense", expense_id, today, [
            (acc[(K.EXPENSES, module, day.year)], acc[(K.EARNED, module, day.year)], earned_delta),
            (acc[(K.EXPENSES, module, day.year)], acc[(K.OWN_SHARE, module, day.year)], amount - earned_delta)],
            f"Ausgaben {module}/{day.year} (1 Zeile)")
        expenses.add((expense_id, grant_id, module, day.year, day, amount, f"B-{expense_id}", "Synthetisch",
                      journal_id - 1, True, "", now))
        daily[(grant_id, module, day)] += amount
        expense_id += 1
        result.expenses += 1

    # Then the drawdowns of the lines whose years have begun by ``today`` (~2 % of the entries): each line's
    # payments add up to less than the grant earned on it, so no payment is unspent past its need period
    # (the rule of issue #14 would refuse every new drawdown of the module otherwise).
    for grant, module, year in open_lines:
        if written >= budget:
            break
        acc = accounts[grant.id]
        limit = min(approved[(grant.id, module, year)] // 2, earned[(grant.id, module, year)])
        if limit < 100 * (per_line + 1):
            continue  # (almost) nothing earned on this line: no payments
        first = max(date(year, 1, 1), START)
        last = min(date(year, 12, 31), today)
        span = max((last - first).days, 1)
        for number in range(per_line):
            amount = limit // (per_line + 1)
            day = first + timedelta(days=span * number // per_line)
            status = (S.PAID, S.PAID, S.APPROVED, S.REQUESTED)[number % 4] if number >= per_line - 4 else S.PAID
            result.drawdowns += 1
            moves = [(acc[(K.REQUESTED, module, year)], acc[(K.AVAILABLE, module, year)], amount)]
            book(grant.id, "drawdown.request", "drawdown", drawdown_id, day, moves, f"Mittelabruf {module}")
            if status in (S.APPROVED, S.PAID):
                book(grant.id, "drawdown.approve", "drawdown", drawdown_id, day,
                     [(acc[(K.APPROVED, module, year)], acc[(K.REQUESTED, module, year)], amount)],
                     f"Genehmigung {module}")
            if status == S.PAID:
                book(grant.id, "drawdown.pay", "drawdown", drawdown_id, day,
                     [(acc[(K.PAID, module, year)], acc[(K.APPROVED, module, year)], amount)], f"Auszahlung {module}")
            drawdowns.add((drawdown_id, grant.id, module, year, status, amount,
                           amount if status in (S.APPROVED, S.PAID) else None, "Synthetische Bench-Daten", day,
                           day + timedelta(days=59), now, now if status != S.REQUESTED else None, "",
                           day if status == S.PAID else None, f"BENCH-{drawdown_id}" if status == S.PAID else "",
                           now if status == S.PAID else None))
            drawdown_id += 1

    for writer in (journals, entries, drawdowns, expenses):
        writer.flush()
    daily_writer = BulkWriter(ExpenseDaily.__table__, ["grant_id", "module_code", "day", "amount_cents"])
    for (grant_id, module, day), cents in sorted(daily.items()):
        daily_writer.add((grant_id, module, day, cents))
    daily_writer.flush()
    periods: dict[tuple[int, date], int] = defaultdict(int)
    for (grant_id, _module, day), cents in daily.items():
        periods[(grant_id, period_start(day))] += cents
    period_writer = BulkWriter(ExpensePeriod.__table__, ["grant_id", "start", "amount_cents"])
    for key, cents in sorted(periods.items()):
        period_writer.add((*key, cents))
    period_writer.flush()
    balance = LedgerBalance.__table__
    db.session.execute(
        balance.update().where(balance.c.account_id == bindparam("b_account"))
        .values(balance_cents=balance.c.balance_cents + bindparam("b_delta")),
        [{"b_account": account, "b_delta": delta} for account, delta in deltas.items() if delta],
        execution_options={"synchronize_session": False})
    _fix_sequences([Journal, Expense, Drawdown])
    db.session.flush()
    result.entries, result.journals = written, journals.count
    return result

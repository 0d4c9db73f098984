"""Expenses: one recorded by form or API, or a CSV import booked at once; duplicates refused; lists."""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Callable, Iterable, Sequence
from datetime import date

from sqlalchemy import bindparam, select

from ...platform import audit, clock, limits
from ...platform.database import lock_for_update
from ...platform.errors import Conflict, ValidationFailed
from ...platform.events import emit
from ...platform.extensions import db
from ...platform.money import format_eur
from .. import plausibility
from ..core.rates import flat_rates, priced
from ..models import (
    Expense,
    ExpenseImport,
    Grant,
    GrantLine,
    ProofOfUse,
)
from .booking import ImportTotals, book_expenses, book_import
from .common import berlin_day
from .grants import ensure_grant_access, of_visible_grant


def validate_expense(grant: Grant, *, module: str, expense_date: date | None, amount_cents: int | None,
                     units_centi: int | None = None, rate_code: str | None = None, voucher_ref: str = "",
                     description: str = "", today: date | None = None, rates=None,
                     approved_lines: set[tuple[str, int]] | None = None,
                     measure_id: int | None = None) -> tuple[dict, dict]:
    """Check one expense; returns (row for the insert, errors by field). Shared by the form, API and CSV import.

    ``measure_id`` (optional) ties the expense to a measure of the grant's Kommune (app.measures): checked by
    ``measure_problem``."""
    errors: dict[str, str] = {}
    today = today or clock.today()
    module = (module or "").strip().upper()
    lines = approved_lines if approved_lines is not None else approved_keys(grant)
    if module not in {m for m, _y in lines}:  # a handful of lines: cheap
        errors["module"] = f"Baustein „{module}“ ist für diese Zuwendung nicht bewilligt."
    if expense_date is None:
        errors["expense_date"] = "Bitte ein Datum angeben."
    elif expense_date > grant.last_expense_date:
        errors["expense_date"] = (f"Das Datum {expense_date:%d.%m.%Y} liegt nach dem letzten Ausgabetag "
                                  f"({grant.last_expense_date:%d.%m.%Y}); solche Ausgaben sind nicht förderfähig.")
    elif expense_date < grant.start_date:
        errors["expense_date"] = (f"Das Datum {expense_date:%d.%m.%Y} liegt vor Beginn des Bewilligungszeitraums "
                                  f"({grant.start_date:%d.%m.%Y}).")
    elif expense_date > today:
        errors["expense_date"] = f"Das Datum {expense_date:%d.%m.%Y} liegt in der Zukunft."
    elif "module" not in errors and (module, expense_date.year) not in lines:
        errors["module"] = f"Für Baustein {module} ist im Haushaltsjahr {expense_date.year} nichts bewilligt."
    if rate_code:
        rate = (rates if rates is not None else flat_rates(grant.programme.code)).get(rate_code)
        if rate is None:
            errors["rate_code"] = f"Unbekannte Pauschale „{rate_code}“."
        elif rate.module != module:
            errors["rate_code"] = f"Die Pauschale „{rate_code}“ gilt für Baustein {rate.module}, nicht {module}."
        elif not units_centi or units_centi <= 0:
            errors["units"] = "Bitte die Anzahl der Einheiten angeben (größer als 0)."
        else:
            computed = priced(units_centi, rate)
            if amount_cents is not None and amount_cents != computed:
                errors["amount"] = (f"Der Betrag passt nicht zur Pauschale: {units_centi / 100:g} × "
                                    f"{format_eur(rate.rate_cents)} = {format_eur(computed)}.")
            amount_cents = computed
    elif units_centi:
        errors["rate_code"] = "Zu Einheiten bitte die Pauschale angeben."
    if amount_cents is None:
        errors.setdefault("amount", "Bitte einen Betrag angeben.")
    elif amount_cents <= 0:
        errors.setdefault("amount", "Der Betrag muss größer als 0 sein.")
    elif amount_cents >= 10**13:
        errors.setdefault("amount", "Der Betrag ist zu groß.")
    if len(voucher_ref or "") > limits.PAYMENT_REFERENCE:
        errors["voucher_ref"] = f"Die Belegnummer ist zu lang (höchstens {limits.PAYMENT_REFERENCE} Zeichen)."
    if len(description or "") > limits.EXPENSE_DESCRIPTION:
        errors["description"] = f"Die Beschreibung ist zu lang (höchstens {limits.EXPENSE_DESCRIPTION} Zeichen)."
    if measure_id is not None and "module" not in errors and (problem := measure_problem(grant, module, measure_id)):
        errors["measure_id"] = problem
    row = {"module_code": module, "budget_year": expense_date.year if expense_date else 0,
           "expense_date": expense_date, "amount_cents": amount_cents, "units_centi": units_centi or None,
           "rate_code": rate_code or None, "voucher_ref": (voucher_ref or "").strip(),
           "description": (description or "").strip(), "measure_id": measure_id}
    return row, errors


def measure_problem(grant: Grant, module: str, measure_id: int) -> str | None:
    """Why ``measure_id`` cannot be tied to an expense of ``grant`` in ``module``, or None if it can.

    Budgets knows measures only as numbers: the question goes out as the event ``budgets.expense_measure``
    and the package that keeps the measures answers (``app/measures/hooks.py``) by appending a message, or
    "" for a measure of the grant's Kommune in that module. No answer is a refusal (fail closed).
    """
    answers: list[str] = []
    emit("budgets.expense_measure", grant=grant, module=module, measure_id=measure_id, answers=answers)
    if not answers:
        return f"Eine Maßnahme Nr. {measure_id} gibt es nicht."
    return answers[0] or None


_APPROVED_KEYS = (select(GrantLine.module_code, GrantLine.budget_year)
                  .where(GrantLine.grant_id == bindparam("grant_id"), GrantLine.approved_cents > 0))


def approved_keys(grant: Grant) -> set[tuple[str, int]]:
    """(module, year) of the grant's lines with an approved amount: two columns, no line objects built."""
    return {(module, year) for module, year in db.session.execute(_APPROVED_KEYS, {"grant_id": grant.id})}


_PROOF_EXISTS = select(ProofOfUse.id).where(ProofOfUse.grant_id == bindparam("grant_id"))


def ensure_open_for_expenses(grant: Grant, verb: str = "erfasst") -> None:
    """409 once expense entry is closed or the proof of use is submitted (recording and Storno alike)."""
    if grant.expense_entry_closed_at is not None:  # set by the job after the last expense date (phases.py)
        raise Conflict(f"Die Ausgabenerfassung ist seit dem Ende des Bewilligungszeitraums "
                       f"({grant.last_expense_date:%d.%m.%Y}) geschlossen; bitte reichen Sie den "
                       "Verwendungsnachweis ein.")
    if db.session.connection().execute(_PROOF_EXISTS, {"grant_id": grant.id}).first() is not None:
        raise Conflict(f"Der Verwendungsnachweis ist eingereicht; Ausgaben können nicht mehr {verb} werden.")


def record_expense(grant: Grant, *, actor, **fields) -> Expense:
    """One expense (form or API); booked like an import of one line."""
    ensure_grant_access(actor, grant)
    ensure_open_for_expenses(grant)
    row, errors = validate_expense(grant, **fields)
    if not errors and row["voucher_ref"]:
        _lock_grant(grant)
        earlier = _booked_vouchers(grant, [row["voucher_ref"]])
        if earlier:
            errors["voucher_ref"] = (f"Der Beleg „{row['voucher_ref']}“ ist bereits gebucht "
                                     f"({earlier[row['voucher_ref']]}); bitte stornieren Sie zuerst die frühere "
                                     "Buchung, wenn sie falsch ist.")
    if not errors and (implausible := plausibility.amount_problems(grant, [row])):
        errors["amount"] = implausible[0]
    if errors:
        raise ValidationFailed("Die Ausgabe ist unvollständig oder unzulässig.",
                               errors={field: [message] for field, message in errors.items()})
    expense = book_expenses(grant, [row], import_id=None)[0]
    audit.record("expense.create", "expense", expense.id, after=row, actor=actor, kommune_id=grant.kommune_id)
    return expense


def import_expenses(grant: Grant, rows: list[dict], *, actor, filename: str = "",
                    content: bytes | None = None) -> ExpenseImport:
    """Book rows held in memory (the demo, tests) as one import; ``content`` stands for the file's bytes."""
    return import_expense_batches(grant, ImportTotals.of(rows), lambda: [rows], actor=actor, filename=filename,
                                  file_sha256=hashlib.sha256(content).hexdigest() if content is not None else None)


def import_expense_batches(grant: Grant, totals: ImportTotals, batches: Callable[[], Iterable[list[dict]]], *,
                           actor, filename: str = "", file_sha256: str | None = None,
                           progress: Callable[[int], None] | None = None) -> ExpenseImport:
    """Book validated import rows all at once: one journal per module and year, bulk insert, balances once.

    ``totals`` were gathered over all rows beforehand (the CSV import's first pass); ``batches()`` gives the rows
    (the second pass), called after the checks here, so rows need not be in memory together. ``file_sha256`` (of
    the uploaded file) is stored, and a file or voucher numbers already booked for the grant (on an import or
    expense not reversed) refuse the whole import (``_refuse_duplicates``).
    """
    ensure_grant_access(actor, grant)
    ensure_open_for_expenses(grant)
    _refuse_duplicates(grant, totals, file_sha256)
    record = ExpenseImport(grant_id=grant.id, filename=filename[:limits.NAME], file_sha256=file_sha256,
                           line_count=totals.lines, total_cents=totals.total_cents, created_at=clock.now(),
                           created_by_id=actor.id if actor else None)
    db.session.add(record)
    db.session.flush()
    book_import(grant, totals, batches(), import_id=record.id, progress=progress)
    audit.record("expense.import", "expense_import", record.id,
                 after={"lines": totals.lines, "total_cents": totals.total_cents, "filename": filename}, actor=actor,
                 kommune_id=grant.kommune_id)
    return record


_LISTED_ERRORS = 100  # like the CSV parser: at most this many line errors are listed


def _lock_grant(grant: Grant) -> None:
    """Serialise the duplicate check and the booking per grant (PostgreSQL; SQLite holds the write lock)."""
    db.session.execute(lock_for_update(select(Grant.id).where(Grant.id == grant.id)))


def _import_text(record: ExpenseImport) -> str:
    return f"Import Nr. {record.id} „{record.filename or 'ohne Dateiname'}“ vom {berlin_day(record.created_at)}"


def _booked_vouchers(grant: Grant, vouchers: Sequence[str]) -> dict[str, str]:
    """Voucher number -> German description of its active (not reversed) booking, for the given numbers."""
    found: dict[str, str] = {}
    unique = sorted(set(vouchers))
    for start in range(0, len(unique), 5000):  # bounded IN lists (SQLite's variable limit)
        rows = db.session.execute(
            select(Expense.id, Expense.voucher_ref, Expense.expense_date, Expense.created_at, Expense.import_line,
                   ExpenseImport).outerjoin(ExpenseImport, ExpenseImport.id == Expense.import_id)
            .where(Expense.grant_id == grant.id, Expense.reversed_at.is_(None),
                   Expense.voucher_ref != "",  # the partial unique index's predicate: it serves this lookup
                   Expense.voucher_ref.in_(unique[start:start + 5000])))
        for expense_id, voucher, day, created, line, record in rows:
            if record is not None:
                found[voucher] = _import_text(record) + (f", Zeile {line}" if line else "")
            else:
                found[voucher] = f"Ausgabe Nr. {expense_id} vom {day:%d.%m.%Y}, erfasst am {berlin_day(created)}"
    return found


def _refuse_duplicates(grant: Grant, totals: ImportTotals, file_sha256: str | None) -> None:
    """ValidationFailed (whole import) for a file already imported or voucher numbers already booked.

    Lines are the file's physical lines (``import_line``, set by the CSV parser). A voucher number twice in the
    same file is refused too: it could not be booked by two imports either.
    """
    _lock_grant(grant)
    messages: list[str] = []
    if file_sha256 is not None:
        earlier = db.session.scalar(select(ExpenseImport).where(
            ExpenseImport.grant_id == grant.id, ExpenseImport.file_sha256 == file_sha256,
            ExpenseImport.reversed_at.is_(None)))
        if earlier is not None:
            messages.append(f"Diese Datei wurde bereits importiert ({_import_text(earlier)}, {earlier.line_count} "
                            "Zeilen). Um sie zu korrigieren, stornieren Sie zuerst den früheren Import.")
    booked = _booked_vouchers(grant, list(totals.vouchers))
    lines: list[dict] = []
    for line, voucher in heapq.merge(sorted((line, voucher) for voucher, line in totals.vouchers.items()
                                            if voucher in booked), totals.repeated):
        if voucher in booked:
            message = f"Beleg „{voucher}“ ist bereits gebucht ({booked[voucher]})."
        else:
            message = f"Beleg „{voucher}“ steht bereits in Zeile {totals.vouchers[voucher]} dieser Datei."
        lines.append({"line": line, "field": "beleg", "message": message})
    if not messages and not lines:
        return
    shown = lines[:_LISTED_ERRORS]
    messages += [f"Zeile {e['line']}, {e['field']}: {e['message']}" for e in shown]
    if len(lines) > _LISTED_ERRORS:
        messages.append(f"… und {len(lines) - _LISTED_ERRORS} weitere Fehler.")
    detail = (f"Die Datei enthält bereits gebuchte oder doppelte Belege in {len(lines)} Zeile(n)" if lines
              else "Diese Datei wurde bereits importiert")
    raise ValidationFailed(detail + "; es wurde nichts importiert.", errors={"file": messages}, lines=shown)


def expenses_select(grant: Grant, *, eligible: bool | None = None):
    """The grant's expenses; ``eligible=False``: those marked ineligible (not the reversed ones)."""
    statement = select(Expense).where(Expense.grant_id == grant.id).order_by(Expense.expense_date, Expense.id)
    if eligible is not None:
        statement = statement.where(Expense.eligible.is_(eligible))
    if eligible is False:
        statement = statement.where(Expense.reversed_at.is_(None))
    return statement


def get_expense(user, expense_id: int) -> Expense:
    return of_visible_grant(user, Expense, expense_id, "Ausgabe nicht gefunden.")


def get_import(user, import_id: int) -> ExpenseImport:
    return of_visible_grant(user, ExpenseImport, import_id, "Import nicht gefunden.")


def imports_select(grant: Grant):
    return select(ExpenseImport).where(ExpenseImport.grant_id == grant.id).order_by(ExpenseImport.id.desc())

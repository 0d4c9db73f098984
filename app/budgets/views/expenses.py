"""Expense pages: record one, import a CSV file, Storno of an expense or an import, the list and its export."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from ...auth.permissions import can, requires
from ...platform import background, clock, limits
from ...platform.errors import ValidationFailed
from ...platform.extensions import db
from ...platform.formatting import format_date
from ...platform.web.edge import discard_changes, submit
from ...platform.web.exports import Column, batched_rows, count_rows, export_response
from ...platform.web.forms import load_form
from ...platform.web.listing import ListColumn, Listing, build_listing
from .. import importing, services
from ..core.rates import flat_rates
from ..csv_import import open_upload
from ..early_start import early_start_warnings
from ..models import Expense, Grant
from ..permissions import (
    BUDGET_READ,
    EXPENSE_RECORD,
    EXPENSE_REVERSE,
)
from ..schemas import (
    ExpenseIn,
    ReversalIn,
)
from .common import bp, form_post

PAGE_SIZE = 100


@bp.route("/zuwendungen/<id:grant_id>/ausgaben", methods=["GET", "POST"])
@requires(BUDGET_READ)
def expenses(grant_id: int):
    item = services.get_grant(g.actor, grant_id)

    def record() -> str:
        expense = services.record_expense(item, actor=g.actor, **load_form(ExpenseIn()))
        for warning in early_start_warnings(item, expense.expense_date):
            flash(warning, "warning")
        return url_for("budgets.expenses", grant_id=item.id)

    response, errors = form_post(EXPENSE_RECORD, record, success=gettext("Die Ausgabe wurde erfasst."))
    if response:
        return response
    return _expenses_page(item, errors=errors), (422 if errors else 200)


def _expenses_page(item: Grant, **extra):
    listing = build_listing(services.expenses_select(item), _expense_columns(), args=request.args,
                            search=[Expense.voucher_ref, Expense.description], tiebreak=Expense.id,
                            per_page=PAGE_SIZE, filename=f"ausgaben-{item.reference}",
                            base=url_for("budgets.expenses", grant_id=item.id), export_table_rows=True)
    if not isinstance(listing, Listing):
        return listing
    modules = sorted({line.module_code for line in item.lines if line.approved_cents})
    extra.setdefault("errors", {})
    proof = services.proof_of(item)
    imports = list(db.session.scalars(services.imports_select(item)))
    can_reverse = can(g.actor, EXPENSE_REVERSE) and proof is None and item.expense_entry_closed_at is None
    return render_template("budgets/expenses.html", grant=item, listing=listing, modules=modules,
                           rates=flat_rates().values(), form=request.form, proof=proof, imports=imports,
                           can_reverse=can_reverse, statement_limit=limits.STATEMENT, **extra)


def _expense_columns() -> list[ListColumn]:
    """The expense list's columns; they read only the expense's own columns (the export reads table rows)."""
    yes = gettext("ja")  # translated once per list: per row it was a fifth of a 200,000-row export's time
    return [
        ListColumn("date", lazy_gettext("Datum"), lambda e: e.expense_date, "date", sort=Expense.expense_date),
        ListColumn("module", lazy_gettext("Baustein"), lambda e: e.module_code, sort=Expense.module_code),
        ListColumn("amount", lazy_gettext("Betrag"), lambda e: e.amount_cents, "money", sort=Expense.amount_cents),
        ListColumn("rate", lazy_gettext("Pauschale"), lambda e: e.rate_code or ""),
        ListColumn("voucher", lazy_gettext("Beleg"), lambda e: e.voucher_ref, sort=Expense.voucher_ref),
        ListColumn("description", lazy_gettext("Beschreibung"), lambda e: e.description),
        ListColumn("eligible", lazy_gettext("Förderfähig"), lambda e: _eligibility(e, with_reason=True, yes=yes),
                   sort=Expense.eligible),
    ]


def _eligibility(expense, *, with_reason: bool = False, yes: str | None = None) -> str:
    """ja (``yes``, if translated already) / nein (aberkannt) / storniert, with the reason when asked
    (``expense``: object or SQL row)."""
    if expense.reversed_at is None and expense.eligible:
        return yes if yes is not None else gettext("ja")
    if expense.reversed_at is not None:
        if not with_reason:
            return gettext("storniert")
        return gettext("storniert am %(day)s: %(reason)s", day=format_date(expense.reversed_at),
                       reason=expense.reversal_reason)
    return gettext("nein: %(reason)s", reason=expense.ineligible_reason) if with_reason else gettext("nein")


@bp.route("/zuwendungen/<id:grant_id>/ausgaben/import", methods=["POST"])
@requires(EXPENSE_RECORD)
def import_expenses(grant_id: int):
    item = services.get_grant(g.actor, grant_id)
    upload = request.files.get("file")
    import_errors: dict = {}
    result, warnings = None, []
    try:
        if upload is None or not upload.filename:
            raise ValidationFailed.field("file", "Bitte eine CSV-Datei auswählen.")
        services.ensure_open_for_expenses(item)
        data = open_upload(upload.stream)  # streamed: hashed and counted in chunks, never read whole
        if importing.in_background(data):
            job = importing.queue(item, data, actor=g.actor, filename=upload.filename)
            return redirect(url_for("budgets.import_job", job_id=job.id), 303)
        result, warnings = importing.import_now(item, data, actor=g.actor, filename=upload.filename,
                                                today=clock.today())
    except ValidationFailed as failed:
        discard_changes()
        import_errors = failed.errors
    return (_expenses_page(item, import_errors=import_errors, import_result=result, import_warnings=warnings),
            422 if import_errors else 200)


@bp.route("/importauftraege/<id:job_id>")
@requires(BUDGET_READ)
def import_job(job_id: int):
    """A background import: progress while it runs, then its result or its errors as the expenses page names them."""
    job = background.get_own(g.actor, job_id, importing.KIND)
    grant = services.get_grant(g.actor, job.params["grant_id"])
    return render_template("budgets/import_job.html", job=job, grant=grant, result=job.result or {})


@bp.route("/ausgaben/<id:expense_id>/stornieren", methods=["POST"])
@requires(EXPENSE_REVERSE)
def reverse_expense(expense_id: int):
    expense = services.get_expense(g.actor, expense_id)
    return _reverse(expense.grant_id, "expense", expense_id, lambda reason: services.reverse_expense(
        expense, reason=reason, actor=g.actor), gettext("Die Ausgabe wurde storniert."))


@bp.route("/importe/<id:import_id>/stornieren", methods=["POST"])
@requires(EXPENSE_REVERSE)
def reverse_import(import_id: int):
    record = services.get_import(g.actor, import_id)
    return _reverse(record.grant_id, "import", import_id, lambda reason: services.reverse_import(
        record, reason=reason, actor=g.actor), gettext("Der Import Nr. %(number)s wurde storniert.", number=import_id))


def _reverse(grant_id: int, kind: str, object_id: int, reverse, message: str):
    """Storno from the expenses page: done (flash, back to the list) or the reason's error beside its field."""
    response, errors = submit(lambda: reverse(load_form(ReversalIn())["reason"]) and url_for(
        "budgets.expenses", grant_id=grant_id), success=message)
    if response:
        return response
    reversal = {"kind": kind, "id": object_id, "errors": errors, "reason": request.form.get("reason", "")}
    return _expenses_page(services.get_grant(g.actor, grant_id), reversal=reversal), 422


@bp.route("/zuwendungen/<id:grant_id>/ausgaben/export.<any(csv, xlsx):fmt>")
@requires(BUDGET_READ)
def expenses_export(grant_id: int, fmt: str):
    item = services.get_grant(g.actor, grant_id)
    columns = [Column(gettext("Datum"), "date"), Column(gettext("Baustein")), Column(gettext("Betrag"), "money"),
               Column(gettext("Pauschale")), Column(gettext("Beleg")), Column(gettext("Beschreibung")),
               Column(gettext("Förderfähig")), Column(gettext("Grund"))]
    statement = services.expenses_select(item).with_only_columns(
        Expense.expense_date, Expense.module_code, Expense.amount_cents, Expense.rate_code, Expense.voucher_ref,
        Expense.description, Expense.eligible, Expense.ineligible_reason, Expense.reversed_at,
        Expense.reversal_reason)
    yes = gettext("ja")
    rows = ((e.expense_date, e.module_code, e.amount_cents, e.rate_code or "", e.voucher_ref, e.description,
             _eligibility(e, yes=yes), e.reversal_reason or e.ineligible_reason)
            for e in batched_rows(db.session, statement))
    return export_response(f"ausgaben-{item.reference}", fmt, columns, rows, lazy=True,
                           count=lambda: count_rows(db.session, statement))

"""Budget pages (German; English after main.set_language): my budget, drawdowns, expenses with import, proof
of use, final decision, reclaims; for finance the drawdown queue, state-wide status, reconciliation and exports."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from ..auth.models import Role, User
from ..auth.permissions import can, requires
from ..platform import clock
from ..platform.errors import ValidationFailed
from ..platform.extensions import db
from ..platform.formatting import format_date
from ..platform.money import MoneyFormatError, format_eur, parse_german_amount
from ..platform.web.exports import FORMATS, Column, batched_rows, export_response, today_stamp
from ..platform.web.listing import ListColumn, Listing, build_listing, export_of
from ..platform.web.navigation import nav_entry
from ..reference.models import Kommune, kommune_display_name
from . import hearings, monitoring, reconciliation, services, settlement, status
from .csv_import import parse_expense_csv, parse_units
from .early_start import early_start_warnings, import_warnings
from .models import Drawdown, DrawdownStatus, Expense, Grant, ProofOfUse, Reclaim, ReclaimStatus
from .permissions import (
    BUDGET_READ,
    DRAWDOWN_CONTEXT,
    DRAWDOWN_DECIDE,
    DRAWDOWN_REQUEST,
    EXPENSE_RECORD,
    EXPENSE_REVERSE,
    LEDGER_CHECK,
    PROOF_CHECK,
    PROOF_SUBMIT,
    REPAYMENT_RECORD,
    STATUS_ALL,
)
from .rates import flat_rates
from .spend_chart import grant_spend_chart

bp = Blueprint("budgets", __name__, url_prefix="/budgets")
nav_entry(lazy_gettext("Budget"), "budgets.index", BUDGET_READ, order=300)
nav_entry(lazy_gettext("Mittelabrufe"), "budgets.drawdowns", BUDGET_READ, order=310)
ID = "<int(max=2147483647):{}>"
PAGE_SIZE = 100


def _amount(name: str, errors: dict, *, required: bool = True) -> int | None:
    text = request.form.get(name, "").strip()
    if not text:
        if required:
            errors[name] = ["Bitte einen Betrag angeben."]
        return None
    try:
        return parse_german_amount(text)
    except MoneyFormatError as exc:
        errors[name] = [str(exc)]
        return None


def _date(name: str, errors: dict) -> date | None:
    text = request.form.get(name, "").strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        try:
            day, month, year = text.split(".")
            return date(int(year), int(month), int(day))
        except ValueError:
            errors[name] = ["Bitte ein Datum angeben (TT.MM.JJJJ)."]
            return None


# --------------------------------------------------------------------------- overview and grant


@bp.route("/")
@requires(BUDGET_READ)
def index():
    if can(g.actor, STATUS_ALL):
        return redirect(url_for("budgets.statewide"))
    grants = services.grants_visible_to(g.actor)
    if len(grants) == 1:
        return redirect(url_for("budgets.grant", grant_id=grants[0].id))
    return render_template("budgets/grants.html", grants=grants)


@bp.route("/zuwendungen/" + ID.format("grant_id"), methods=["GET", "POST"])
@requires(BUDGET_READ)
def grant(grant_id: int):
    item = services.get_grant(g.actor, grant_id)
    errors: dict = {}
    if request.method == "POST":
        if not can(g.actor, DRAWDOWN_REQUEST):
            abort(403)
        amount = _amount("amount", errors)
        if not errors:
            try:
                drawdown = services.request_drawdown(item, module=request.form.get("module", ""), amount_cents=amount,
                                                     purpose=request.form.get("purpose", ""), actor=g.actor)
                db.session.commit()
                flash(gettext("Mittelabruf Nr. %(number)s über %(amount)s wurde beantragt.", number=drawdown.id,
                              amount=format_eur(drawdown.amount_requested_cents)), "success")
                return redirect(url_for("budgets.grant", grant_id=item.id))
            except ValidationFailed as failed:
                db.session.rollback()
                errors = failed.errors
    current = status.status_for([item])[0]
    chart = grant_spend_chart(item, current)
    drawdowns = list(db.session.scalars(services.drawdowns_select(g.actor, grant_id=item.id)))
    modules = sorted({line.module_code for line in item.lines if line.budget_year == clock.today().year
                      and line.approved_cents})
    return render_template("budgets/grant.html", grant=item, status=current, chart=chart, drawdowns=drawdowns,
                           modules=modules, errors=errors, form=request.form, proof=services.proof_of(item),
                           reclaim=settlement.reclaim_of(item), recent=RECENT_DRAWDOWNS), (422 if errors else 200)


RECENT_DRAWDOWNS = 10  # on the budget page of a grant; the older ones are folded away below the form


# --------------------------------------------------------------------------- drawdowns


@bp.route("/mittelabrufe")
@requires(BUDGET_READ)
def drawdowns():
    wanted = request.args.get("status", "")
    statuses = [DrawdownStatus(wanted)] if wanted in {s.value for s in DrawdownStatus} else None
    if statuses is None and not wanted and g.actor.role == Role.FINANCE:
        statuses = [DrawdownStatus.REQUESTED, DrawdownStatus.APPROVED]
    statement = services.drawdowns_select(g.actor, statuses=statuses).outerjoin(
        Kommune, Kommune.id == Grant.kommune_id)
    listing = build_listing(statement, DRAWDOWN_COLUMNS, args=request.args, default_sort="id",
                            default_descending=True, search=[Grant.reference, Drawdown.purpose, Kommune.name],
                            tiebreak=Drawdown.id, filename="mittelabrufe")
    if not isinstance(listing, Listing):
        return listing
    return render_template("budgets/drawdowns.html", listing=listing, wanted=wanted, statuses=list(DrawdownStatus))


DRAWDOWN_COLUMNS = [
    ListColumn("id", lazy_gettext("Nr."), lambda d: d.id, "int", sort=Drawdown.id),
    ListColumn("grant", lazy_gettext("Zuwendung"), lambda d: d.grant.reference, sort=Grant.reference),
    ListColumn("recipient", lazy_gettext("Empfänger"), lambda d: _recipient(d.grant), sort=Kommune.name),
    ListColumn("module", lazy_gettext("Baustein/Jahr"), lambda d: f"{d.module_code}/{d.budget_year}",
               sort=Drawdown.module_code),
    ListColumn("kind", lazy_gettext("Art"), lambda d: d.kind.label, sort=Drawdown.kind),
    ListColumn("status", lazy_gettext("Status"), lambda d: d.status.label, sort=Drawdown.status),
    ListColumn("requested", lazy_gettext("Beantragt"), lambda d: d.amount_requested_cents, "money",
               sort=Drawdown.amount_requested_cents),
    ListColumn("approved", lazy_gettext("Genehmigt"), lambda d: d.amount_approved_cents, "money",
               sort=Drawdown.amount_approved_cents),
    ListColumn("requested_at", lazy_gettext("Beantragt am"), lambda d: d.requested_at, "datetime",
               sort=Drawdown.requested_at),
    ListColumn("value_date", lazy_gettext("Wertstellung"), lambda d: d.value_date, "date", sort=Drawdown.value_date),
    ListColumn("purpose", lazy_gettext("Zweck"), lambda d: d.purpose),
]


@bp.route("/mittelabrufe/export.<any(csv, xlsx):fmt>")
@requires(STATUS_ALL)
def drawdowns_export(fmt: str):
    columns = [Column(gettext("Nr."), "int"), Column(gettext("Zuwendung")), Column(gettext("Empfänger")),
               Column(gettext("Baustein")), Column(gettext("Haushaltsjahr"), "int"), Column(gettext("Status")),
               Column(gettext("Beantragt"), "money"), Column(gettext("Genehmigt"), "money"),
               Column(gettext("Wertstellung"), "date"), Column(gettext("Kassenzeichen"))]
    rows = ((r.id, r.reference, kommune_display_name(r.kommune_name, r.kommune_kind) if r.kommune_name
             else r.organisation_name or "", r.module_code, r.budget_year, r.status.label, r.amount_requested_cents,
             r.amount_approved_cents, r.value_date, r.payment_reference)
            for r in batched_rows(db.session, services.drawdown_export_rows(g.actor)))
    return export_response(f"mittelabrufe-{today_stamp(clock.today())}", fmt, columns, rows, lazy=True)


def _recipient(item: Grant) -> str:
    if item.kommune is not None:
        return item.kommune.display_name
    return item.organisation.name if item.organisation else ""


@bp.route("/mittelabrufe/" + ID.format("drawdown_id"))
@requires(BUDGET_READ)
def drawdown(drawdown_id: int, errors: dict | None = None, failed: str = ""):
    """``failed``: the action whose form is shown again with ``errors`` (approve and reject both have a reason)."""
    item = services.get_drawdown(g.actor, drawdown_id)
    actions = _allowed_actions(item)
    four_eyes = "pay" in actions and services.four_eyes_bar(item, g.actor)
    decider = db.session.get(User, item.decided_by_id) if item.decided_by_id else None
    context = monitoring.drawdown_context(item) if can(g.actor, DRAWDOWN_CONTEXT) else None
    return render_template("budgets/drawdown.html", drawdown=item, errors=errors or {}, form=request.form,
                           failed=failed, actions=[a for a in actions if not (four_eyes and a == "pay")],
                           four_eyes=four_eyes, decided_by_name=decider.name if decider else "–", context=context
                           ), (422 if errors else 200)


def _allowed_actions(item: Drawdown) -> list[str]:
    rule_roles = {action: roles for (state, action), (_n, roles) in services.TRANSITIONS.items()
                  if state == item.status}
    return [action for action, roles in rule_roles.items() if g.actor.role in roles]


@bp.route("/mittelabrufe/" + ID.format("drawdown_id") + "/<any(approve, reject, pay):action>", methods=["POST"])
@requires(DRAWDOWN_DECIDE)
def decide(drawdown_id: int, action: str):
    return _act(drawdown_id, action)


@bp.route("/mittelabrufe/" + ID.format("drawdown_id") + "/zurueckziehen", methods=["POST"])
@requires(DRAWDOWN_REQUEST)
def withdraw(drawdown_id: int):
    return _act(drawdown_id, "withdraw")


def _act(drawdown_id: int, action: str):
    item = services.get_drawdown(g.actor, drawdown_id, lock=True)
    errors: dict = {}
    try:
        if action == "pay":
            value_date = _date("value_date", errors)
            if errors:
                raise ValidationFailed("Bitte prüfen.", errors=errors)
            services.pay_drawdown(item, actor=g.actor, value_date=value_date,
                                  reference=request.form.get("reference", ""))
        else:
            amount = _amount("amount", errors, required=False) if action == "approve" else None
            if errors:
                raise ValidationFailed("Bitte prüfen.", errors=errors)
            services.decide_drawdown(item, action, actor=g.actor, amount_cents=amount,
                                     reason=request.form.get("reason", ""))
        db.session.commit()
    except ValidationFailed as failed:
        db.session.rollback()
        return drawdown(drawdown_id, errors=failed.errors, failed=action)
    messages = {"approve": gettext("Mittelabruf Nr. %(number)s wurde genehmigt.", number=drawdown_id),
                "reject": gettext("Mittelabruf Nr. %(number)s wurde abgelehnt.", number=drawdown_id),
                "pay": gettext("Mittelabruf Nr. %(number)s wurde als ausgezahlt gebucht.", number=drawdown_id),
                "withdraw": gettext("Mittelabruf Nr. %(number)s wurde zurückgezogen.", number=drawdown_id)}
    flash(messages[action], "success")
    return redirect(url_for("budgets.drawdown", drawdown_id=drawdown_id))


# --------------------------------------------------------------------------- expenses


@bp.route("/zuwendungen/" + ID.format("grant_id") + "/ausgaben", methods=["GET", "POST"])
@requires(BUDGET_READ)
def expenses(grant_id: int):
    item = services.get_grant(g.actor, grant_id)
    errors: dict = {}
    if request.method == "POST":
        if not can(g.actor, EXPENSE_RECORD):
            abort(403)
        expense_date = _date("expense_date", errors)
        amount = _amount("amount", errors, required=not request.form.get("rate_code"))
        units = None
        if request.form.get("units", "").strip():
            try:
                units = parse_units(request.form["units"])
            except MoneyFormatError:
                errors["units"] = ["Bitte eine Anzahl angeben, z. B. 12,5."]
        if not errors:
            try:
                services.record_expense(item, actor=g.actor, module=request.form.get("module", ""),
                                        expense_date=expense_date, amount_cents=amount, units_centi=units,
                                        rate_code=request.form.get("rate_code") or None,
                                        voucher_ref=request.form.get("voucher_ref", ""),
                                        description=request.form.get("description", ""))
                db.session.commit()
                flash(gettext("Die Ausgabe wurde erfasst."), "success")
                for warning in early_start_warnings(item, expense_date):
                    flash(warning, "warning")
                return redirect(url_for("budgets.expenses", grant_id=item.id))
            except ValidationFailed as failed:
                db.session.rollback()
                errors = failed.errors
    return _expenses_page(item, errors=errors), (422 if errors else 200)


def _expenses_page(item: Grant, **extra):
    listing = build_listing(services.expenses_select(item), EXPENSE_COLUMNS, args=request.args,
                            search=[Expense.voucher_ref, Expense.description], tiebreak=Expense.id,
                            per_page=PAGE_SIZE, filename=f"ausgaben-{item.reference}",
                            base=url_for("budgets.expenses", grant_id=item.id))
    if not isinstance(listing, Listing):
        return listing
    modules = sorted({line.module_code for line in item.lines if line.approved_cents})
    extra.setdefault("errors", {})
    proof = services.proof_of(item)
    imports = list(db.session.scalars(services.imports_select(item)))
    can_reverse = can(g.actor, EXPENSE_REVERSE) and proof is None and item.expense_entry_closed_at is None
    return render_template("budgets/expenses.html", grant=item, listing=listing, modules=modules,
                           rates=flat_rates().values(), form=request.form, proof=proof, imports=imports,
                           can_reverse=can_reverse, **extra)


EXPENSE_COLUMNS = [
    ListColumn("date", lazy_gettext("Datum"), lambda e: e.expense_date, "date", sort=Expense.expense_date),
    ListColumn("module", lazy_gettext("Baustein"), lambda e: e.module_code, sort=Expense.module_code),
    ListColumn("amount", lazy_gettext("Betrag"), lambda e: e.amount_cents, "money", sort=Expense.amount_cents),
    ListColumn("rate", lazy_gettext("Pauschale"), lambda e: e.rate_code or ""),
    ListColumn("voucher", lazy_gettext("Beleg"), lambda e: e.voucher_ref, sort=Expense.voucher_ref),
    ListColumn("description", lazy_gettext("Beschreibung"), lambda e: e.description),
    ListColumn("eligible", lazy_gettext("Förderfähig"), lambda e: _eligibility(e, with_reason=True),
               sort=Expense.eligible),
]


def _eligibility(expense, *, with_reason: bool = False) -> str:
    """ja / nein (aberkannt) / storniert, with the reason when asked (``expense``: object or SQL row)."""
    if expense.reversed_at is not None:
        if not with_reason:
            return gettext("storniert")
        return gettext("storniert am %(day)s: %(reason)s", day=format_date(expense.reversed_at),
                       reason=expense.reversal_reason)
    if expense.eligible:
        return gettext("ja")
    return gettext("nein: %(reason)s", reason=expense.ineligible_reason) if with_reason else gettext("nein")


@bp.route("/zuwendungen/" + ID.format("grant_id") + "/ausgaben/import", methods=["POST"])
@requires(EXPENSE_RECORD)
def import_expenses(grant_id: int):
    item = services.get_grant(g.actor, grant_id)
    upload = request.files.get("file")
    import_errors: dict = {}
    result = None
    try:
        if upload is None or not upload.filename:
            raise ValidationFailed.field("file", "Bitte eine CSV-Datei auswählen.")
        services._ensure_open_for_expenses(item)
        data = upload.read()
        rows = parse_expense_csv(data, item, today=clock.today())
        result = services.import_expenses(item, rows, actor=g.actor, filename=upload.filename, content=data)
        db.session.commit()
    except ValidationFailed as failed:
        db.session.rollback()
        import_errors = failed.errors
    warnings = import_warnings(item, rows) if result is not None else []
    return (_expenses_page(item, import_errors=import_errors, import_result=result, import_warnings=warnings),
            422 if import_errors else 200)


@bp.route("/ausgaben/" + ID.format("expense_id") + "/stornieren", methods=["POST"])
@requires(EXPENSE_REVERSE)
def reverse_expense(expense_id: int):
    expense = services.get_expense(g.actor, expense_id)
    return _reverse(expense.grant_id, "expense", expense_id, lambda reason: services.reverse_expense(
        expense, reason=reason, actor=g.actor), gettext("Die Ausgabe wurde storniert."))


@bp.route("/importe/" + ID.format("import_id") + "/stornieren", methods=["POST"])
@requires(EXPENSE_REVERSE)
def reverse_import(import_id: int):
    record = services.get_import(g.actor, import_id)
    return _reverse(record.grant_id, "import", import_id, lambda reason: services.reverse_import(
        record, reason=reason, actor=g.actor), gettext("Der Import Nr. %(number)s wurde storniert.", number=import_id))


def _reverse(grant_id: int, kind: str, object_id: int, reverse, message: str):
    """Storno from the expenses page: done (flash, back to the list) or the reason's error beside its field."""
    reason = request.form.get("reason", "")
    try:
        reverse(reason)
        db.session.commit()
    except ValidationFailed as failed:
        db.session.rollback()
        item = services.get_grant(g.actor, grant_id)
        reversal = {"kind": kind, "id": object_id, "errors": failed.errors, "reason": reason}
        return _expenses_page(item, reversal=reversal), 422
    flash(message, "success")
    return redirect(url_for("budgets.expenses", grant_id=grant_id))


@bp.route("/zuwendungen/" + ID.format("grant_id") + "/ausgaben/export.<any(csv, xlsx):fmt>")
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
    rows = ((e.expense_date, e.module_code, e.amount_cents, e.rate_code or "", e.voucher_ref, e.description,
             _eligibility(e), e.reversal_reason or e.ineligible_reason) for e in batched_rows(db.session, statement))
    return export_response(f"ausgaben-{item.reference}", fmt, columns, rows, lazy=True)


# --------------------------------------------------------------------------- proof of use, decision, reclaim


@bp.route("/zuwendungen/" + ID.format("grant_id") + "/verwendungsnachweis", methods=["GET", "POST"])
@requires(BUDGET_READ)
def proof(grant_id: int):
    item = services.get_grant(g.actor, grant_id)
    errors: dict = {}
    if request.method == "POST":
        if not can(g.actor, PROOF_SUBMIT):
            abort(403)
        try:
            settlement.submit_proof(item, narrative=request.form.get("narrative", ""),
                                    confirmed=request.form.get("confirmed") == "ja", actor=g.actor)
            db.session.commit()
            flash(gettext("Der Verwendungsnachweis wurde eingereicht."), "success")
            return redirect(url_for("budgets.proof", grant_id=item.id))
        except ValidationFailed as failed:
            db.session.rollback()
            errors = failed.errors
    current = services.proof_of(item)
    expense_rows = []
    if current is not None and can(g.actor, PROOF_CHECK):
        expense_rows = list(db.session.scalars(services.expenses_select(item).limit(500)))
    ineligible = list(db.session.scalars(services.expenses_select(item, eligible=False)))
    orders = settlement.final_payment_orders(item)
    final_payment_state = (gettext("ausgezahlt") if orders and all(o.status == DrawdownStatus.PAID for o in orders)
                           else gettext("Auszahlung durch die Finanzabteilung offen"))
    return render_template("budgets/proof.html", grant=item, proof=current, errors=errors, form=request.form,
                           final_payment_state=final_payment_state, final_payment_orders=orders,
                           lines=settlement.settlement_lines(item), expenses=expense_rows, ineligible=ineligible,
                           reclaim=settlement.reclaim_of(item), deadline_passed=clock.today() > item.last_expense_date,
                           hearings=hearings.hearings_of(current), hearing_needed=_hearing_needed(item, current),
                           ), (422 if errors else 200)


def _hearing_needed(item: Grant, proof: ProofOfUse | None) -> bool | None:
    """For the reviewer: whether today's figures need a (new) hearing before the final decision; None: unknown."""
    if proof is None or proof.final_grant_cents is not None or not can(g.actor, PROOF_CHECK):
        return False
    try:
        outcome = settlement.intended_outcome(item)
    except ValidationFailed:
        return None
    current = hearings.current_hearing(proof)
    return outcome.takes_money_back and (current is None or not hearings.heard_on(current, outcome))


@bp.route("/ausgaben/" + ID.format("expense_id") + "/aberkennen", methods=["POST"])
@requires(PROOF_CHECK)
def mark_ineligible(expense_id: int):
    expense = services.get_expense(g.actor, expense_id)
    try:
        services.mark_ineligible(expense, reason=request.form.get("reason", ""), actor=g.actor)
        db.session.commit()
        flash(gettext("Die Ausgabe wurde als nicht förderfähig markiert."), "success")
    except ValidationFailed as failed:
        db.session.rollback()
        flash(" ".join(m for messages in failed.errors.values() for m in messages), "error")
    return redirect(url_for("budgets.proof", grant_id=expense.grant_id))


@bp.route("/zuwendungen/" + ID.format("grant_id") + "/schlussbescheid", methods=["POST"])
@requires(PROOF_CHECK)
def final_decision(grant_id: int):
    item = services.get_grant(g.actor, grant_id)
    settlement.decide_final(item, actor=g.actor)
    db.session.commit()
    flash(gettext("Der Schlussbescheid wurde erlassen."), "success")
    return redirect(url_for("budgets.proof", grant_id=item.id))


@bp.route("/rueckforderungen")
@requires(STATUS_ALL)
def reclaims():
    items = list(db.session.scalars(db.select(Reclaim).order_by(Reclaim.status.desc(), Reclaim.id)))
    exported = export_of(request.args, "rueckforderungen", lambda: (RECLAIM_COLUMNS, [
        (r.id, r.grant.reference, _recipient(r.grant), r.status.label, r.created_at, r.principal_cents,
         r.principal_repaid_cents, r.principal_cents - r.principal_repaid_cents, r.interest_repaid_cents)
        for r in items]))
    return exported or render_template("budgets/reclaims.html", reclaims=items)


RECLAIM_COLUMNS = [Column(lazy_gettext("Nr."), "int"), Column(lazy_gettext("Zuwendung")),
                   Column(lazy_gettext("Empfänger")), Column(lazy_gettext("Status")),
                   Column(lazy_gettext("Festgesetzt"), "datetime"), Column(lazy_gettext("Hauptforderung"), "money"),
                   Column(lazy_gettext("Zurückgezahlt (Hauptforderung)"), "money"),
                   Column(lazy_gettext("Offen (Hauptforderung)"), "money"),
                   Column(lazy_gettext("Zinsen gezahlt"), "money")]


@bp.route("/rueckforderungen/" + ID.format("reclaim_id"), methods=["GET", "POST"])
@requires(BUDGET_READ)
def reclaim(reclaim_id: int):
    item = settlement.get_reclaim(g.actor, reclaim_id)
    errors: dict = {}
    if request.method == "POST":
        if not can(g.actor, REPAYMENT_RECORD):
            abort(403)
        amount = _amount("amount", errors)
        value_date = _date("value_date", errors)
        try:
            if errors:
                raise ValidationFailed("Bitte prüfen.", errors=errors)
            settlement.record_repayment(item, amount_cents=amount, value_date=value_date,
                                        reference=request.form.get("reference", ""), actor=g.actor)
            db.session.commit()
            flash(gettext("Die Rückzahlung wurde gebucht."), "success")
            return redirect(url_for("budgets.reclaim", reclaim_id=item.id))
        except ValidationFailed as failed:
            db.session.rollback()
            errors = failed.errors
    as_of = clock.today()
    if item.status == ReclaimStatus.CLOSED and item.repayments:
        as_of = item.repayments[-1].value_date
    statement = settlement.reclaim_statement(item, as_of)
    return render_template("budgets/reclaim.html", reclaim=item, statement=statement, as_of=as_of, errors=errors,
                           form=request.form), (422 if errors else 200)


# --------------------------------------------------------------------------- state-wide, reconciliation


@bp.route("/uebersicht")
@requires(STATUS_ALL)
def statewide():
    statuses = status.status_for()
    overall, by_module = status.totals(statuses)
    waiting = db.session.scalar(db.select(db.func.count()).select_from(Drawdown).where(
        Drawdown.status == DrawdownStatus.REQUESTED))
    # after every last expense day the page is about settlement: proof of use per grant instead of a forecast
    settling = bool(statuses) and all(clock.today() > s.last_expense_date for s in statuses)
    proofs = {p.grant_id: p for p in db.session.scalars(db.select(ProofOfUse))} if settling else {}
    open_reclaims = db.session.scalar(db.select(db.func.count()).select_from(Reclaim).where(
        Reclaim.status == ReclaimStatus.OPEN)) if settling else 0
    return render_template("budgets/statewide.html", statuses=statuses, overall=overall, by_module=by_module,
                           waiting=waiting, formats=FORMATS, settling=settling, proofs=proofs,
                           open_reclaims=open_reclaims)


@bp.route("/uebersicht.<any(csv, xlsx):fmt>")
@requires(STATUS_ALL)
def statewide_export(fmt: str):
    columns = [Column(gettext("Zuwendung")), Column(gettext("Empfänger")), Column(gettext("Bewilligt"), "money"),
               Column(gettext("Ausgezahlt"), "money"), Column(gettext("Ausgaben"), "money"),
               Column(gettext("Zuwendung verdient"), "money"), Column(gettext("Abgerufen, nicht verausgabt"), "money"),
               Column(gettext("Seit"), "date"), Column(gettext("Rest"), "money"),
               Column(gettext("Ausschöpfung %"), "percent"), Column(gettext("Prognose Zuwendung"), "money"),
               Column(gettext("Gefährdet"))]
    rows = [(s.reference, s.recipient, s.total.approved, s.total.paid, s.total.spent, s.total.earned,
             s.total.drawn_not_spent, s.drawn_since, s.total.remaining, s.total.share_used, s.projected_earned,
             gettext("ja") if s.at_risk else gettext("nein")) for s in status.status_for()]
    return export_response(f"budgetstand-{today_stamp(clock.today())}", fmt, columns, rows)


@bp.route("/abgleich")
@requires(STATUS_ALL)
def reconcile():
    """The last stored check and the journals booked since; nothing is recomputed here (issue #19)."""
    return _reconcile_page(reconciliation.latest_check())


@bp.route("/abgleich", methods=["POST"])
@requires(LEDGER_CHECK)
def reconcile_record():
    full = request.form.get("mode") == "full"
    check = reconciliation.run_check(full=full)  # committed by the request edge
    flash(gettext("Vollständig neu berechnet; das Ergebnis wurde protokolliert.") if full else
          gettext("Seit der letzten Prüfung geprüft; das Ergebnis wurde protokolliert."), "success")
    return _reconcile_page(check)


def _reconcile_page(check):
    return render_template("budgets/reconcile.html", check=check, since=reconciliation.journals_since(check))


from . import hearing_views  # noqa: E402,F401 - registers the hearing pages on bp

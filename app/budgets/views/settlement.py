"""Settlement pages: proof of use and its check, the final decision, reclaims and repayments."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from ...auth.permissions import can, requires
from ...platform import clock
from ...platform.errors import ValidationFailed
from ...platform.extensions import db
from ...platform.web.edge import flash_errors, submit
from ...platform.web.exports import Column
from ...platform.web.forms import load_form
from ...platform.web.listing import export_of
from .. import services
from ..models import DrawdownStatus, Grant, ProofOfUse, Reclaim, ReclaimStatus
from ..permissions import (
    BUDGET_READ,
    PROOF_CHECK,
    PROOF_SUBMIT,
    REPAYMENT_RECORD,
    STATUS_ALL,
)
from ..schemas import (
    IneligibleIn,
    ProofIn,
    RepaymentIn,
)
from .common import bp, form_post, recipient_name


@bp.route("/zuwendungen/<id:grant_id>/verwendungsnachweis", methods=["GET", "POST"])
@requires(BUDGET_READ)
def proof(grant_id: int):
    item = services.get_grant(g.actor, grant_id)
    response, errors = form_post(PROOF_SUBMIT, lambda: services.submit_proof(item, actor=g.actor, **load_form(
        ProofIn())) and url_for("budgets.proof", grant_id=item.id),
        success=gettext("Der Verwendungsnachweis wurde eingereicht."))
    if response:
        return response
    current = services.proof_of(item)
    expense_rows = []
    if current is not None and can(g.actor, PROOF_CHECK):
        expense_rows = list(db.session.scalars(services.expenses_select(item).limit(500)))
    ineligible = list(db.session.scalars(services.expenses_select(item, eligible=False)))
    orders = services.final_payment_orders(item)
    final_payment_state = (gettext("ausgezahlt") if orders and all(o.status == DrawdownStatus.PAID for o in orders)
                           else gettext("Auszahlung durch die Finanzabteilung offen"))
    return render_template("budgets/proof.html", grant=item, proof=current, errors=errors, form=request.form,
                           final_payment_state=final_payment_state, final_payment_orders=orders,
                           lines=services.settlement_lines(item), expenses=expense_rows, ineligible=ineligible,
                           reclaim=services.reclaim_of(item), deadline_passed=clock.today() > item.last_expense_date,
                           hearings=services.hearings_of(current), hearing_needed=_hearing_needed(item, current),
                           ), (422 if errors else 200)


def _hearing_needed(item: Grant, proof: ProofOfUse | None) -> bool | None:
    """For the reviewer: whether today's figures need a (new) hearing before the final decision; None: unknown."""
    if proof is None or proof.final_grant_cents is not None or not can(g.actor, PROOF_CHECK):
        return False
    try:
        outcome = services.intended_outcome(item)
    except ValidationFailed:
        return None
    current = services.current_hearing(proof)
    return outcome.takes_money_back and (current is None or not services.heard_on(current, outcome))


@bp.route("/ausgaben/<id:expense_id>/aberkennen", methods=["POST"])
@requires(PROOF_CHECK)
def mark_ineligible(expense_id: int):
    expense = services.get_expense(g.actor, expense_id)
    back = url_for("budgets.proof", grant_id=expense.grant_id)
    response, errors = submit(lambda: services.mark_ineligible(expense, actor=g.actor, **load_form(IneligibleIn()))
                              and back, success=gettext("Die Ausgabe wurde als nicht förderfähig markiert."))
    flash_errors(errors)
    return response or redirect(back)


@bp.route("/zuwendungen/<id:grant_id>/schlussbescheid", methods=["POST"])
@requires(PROOF_CHECK)
def final_decision(grant_id: int):
    item = services.get_grant(g.actor, grant_id)
    services.decide_final(item, actor=g.actor)
    flash(gettext("Der Schlussbescheid wurde erlassen."), "success")
    return redirect(url_for("budgets.proof", grant_id=item.id))


@bp.route("/rueckforderungen")
@requires(STATUS_ALL)
def reclaims():
    items = list(db.session.scalars(db.select(Reclaim).order_by(Reclaim.status.desc(), Reclaim.id)))
    exported = export_of(request.args, "rueckforderungen", lambda: (RECLAIM_COLUMNS, [
        (r.id, r.grant.reference, recipient_name(r.grant), r.status.label, r.created_at, r.principal_cents,
         r.principal_repaid_cents, r.principal_cents - r.principal_repaid_cents, r.interest_repaid_cents)
        for r in items]))
    return exported or render_template("budgets/reclaims.html", reclaims=items)


RECLAIM_COLUMNS = [Column(lazy_gettext("Nr."), "int"), Column(lazy_gettext("Zuwendung")),
                   Column(lazy_gettext("Empfänger")), Column(lazy_gettext("Status")),
                   Column(lazy_gettext("Festgesetzt"), "datetime"), Column(lazy_gettext("Hauptforderung"), "money"),
                   Column(lazy_gettext("Zurückgezahlt (Hauptforderung)"), "money"),
                   Column(lazy_gettext("Offen (Hauptforderung)"), "money"),
                   Column(lazy_gettext("Zinsen gezahlt"), "money")]


@bp.route("/rueckforderungen/<id:reclaim_id>", methods=["GET", "POST"])
@requires(BUDGET_READ)
def reclaim(reclaim_id: int):
    item = services.get_reclaim(g.actor, reclaim_id)
    response, errors = form_post(REPAYMENT_RECORD, lambda: services.record_repayment(
        item, actor=g.actor, **load_form(RepaymentIn())) and url_for("budgets.reclaim", reclaim_id=item.id),
        success=gettext("Die Rückzahlung wurde gebucht."))
    if response:
        return response
    as_of = clock.today()
    if item.status == ReclaimStatus.CLOSED and item.repayments:
        as_of = item.repayments[-1].value_date
    statement = services.reclaim_statement(item, as_of)
    return render_template("budgets/reclaim.html", reclaim=item, statement=statement, as_of=as_of, errors=errors,
                           form=request.form), (422 if errors else 200)

"""Finance pages: the state-wide status with its export, the ledger reconciliation."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from ...auth.permissions import requires
from ...platform import clock
from ...platform.extensions import db
from ...platform.web.exports import FORMATS, Column, export_response, today_stamp
from .. import reconciliation, status
from ..models import Drawdown, DrawdownStatus, ProofOfUse, Reclaim, ReclaimStatus
from ..permissions import (
    LEDGER_CHECK,
    STATUS_ALL,
)
from .common import bp


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
    check = reconciliation.latest_check()
    cap = current_app.config["LIST_COUNT_CAP"]  # like the lists: "mehr als 1.000", never a full count per view
    return render_template("budgets/reconcile.html", check=check, cap=cap,
                           since=reconciliation.journals_since(check, cap))


@bp.route("/abgleich", methods=["POST"])
@requires(LEDGER_CHECK)
def reconcile_record():
    """Run and store a check, then Post/Redirect/Get to the page that shows the stored result."""
    full = request.form.get("mode") == "full"
    reconciliation.run_check(full=full)  # committed by the request edge
    flash(gettext("Vollständig neu berechnet; das Ergebnis wurde protokolliert.") if full else
          gettext("Seit der letzten Prüfung geprüft; das Ergebnis wurde protokolliert."), "success")
    return redirect(url_for("budgets.reconcile"))


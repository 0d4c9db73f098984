"""Budget pages of a grant and its drawdowns: my budget, the drawdown form, queue, detail and decisions."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from ...auth.models import Role, User
from ...auth.permissions import can, requires
from ...platform import clock
from ...platform.extensions import db
from ...platform.money import format_eur
from ...platform.web.edge import submit
from ...platform.web.exports import Column, batched_rows, count_rows, export_response, today_stamp
from ...platform.web.forms import load_form
from ...platform.web.listing import ListColumn, Listing, build_listing
from ...reference.models import Kommune, kommune_display_name
from .. import monitoring, services, status
from ..models import Drawdown, DrawdownStatus, Grant
from ..permissions import (
    BUDGET_READ,
    DRAWDOWN_CONTEXT,
    DRAWDOWN_DECIDE,
    DRAWDOWN_REQUEST,
    STATUS_ALL,
)
from ..schemas import (
    DrawdownApproveIn,
    DrawdownIn,
    PaymentIn,
    ReasonIn,
)
from ..spend_chart import grant_spend_chart
from ..workflow import DRAWDOWN
from .common import bp, form_post, recipient_name


@bp.route("/")
@requires(BUDGET_READ)
def index():
    if can(g.actor, STATUS_ALL):
        return redirect(url_for("budgets.statewide"))
    grants = services.grants_visible_to(g.actor)
    if len(grants) == 1:
        return redirect(url_for("budgets.grant", grant_id=grants[0].id))
    return render_template("budgets/grants.html", grants=grants)


@bp.route("/zuwendungen/<id:grant_id>", methods=["GET", "POST"])
@requires(BUDGET_READ)
def grant(grant_id: int):
    item = services.get_grant(g.actor, grant_id)
    made: list[Drawdown] = []

    def request_drawdown() -> str:
        made.append(services.request_drawdown(item, actor=g.actor, **load_form(DrawdownIn())))
        return url_for("budgets.grant", grant_id=item.id)

    response, errors = form_post(DRAWDOWN_REQUEST, request_drawdown, success=lambda: gettext(
        "Mittelabruf Nr. %(number)s über %(amount)s wurde beantragt.", number=made[0].id,
        amount=format_eur(made[0].amount_requested_cents)))
    if response:
        return response
    current = status.status_for([item])[0]
    chart = grant_spend_chart(item, current)
    drawdowns, drawdown_count = services.recent_drawdowns(item, RECENT_DRAWDOWNS)
    modules = sorted({line.module_code for line in item.lines if line.budget_year == clock.today().year
                      and line.approved_cents})
    return render_template("budgets/grant.html", grant=item, status=current, chart=chart, drawdowns=drawdowns,
                           modules=modules, errors=errors, form=request.form, proof=services.proof_of(item),
                           reclaim=services.reclaim_of(item), drawdown_count=drawdown_count), (422 if errors else 200)


RECENT_DRAWDOWNS = 10  # on the budget page of a grant; all of them: the drawdown list filtered to the grant


# --------------------------------------------------------------------------- drawdowns


@bp.route("/mittelabrufe")
@requires(BUDGET_READ)
def drawdowns():
    wanted = request.args.get("status", "")
    raw_grant = request.args.get("zuwendung", "")
    # one grant's drawdowns (the budget page links its older ones here); checks access like the page
    grant = services.get_grant(g.actor, int(raw_grant)) if raw_grant.isdigit() and len(raw_grant) < 10 else None
    grant_id = grant.id if grant is not None else None
    statuses = [DrawdownStatus(wanted)] if wanted in {s.value for s in DrawdownStatus} else None
    if statuses is None and not wanted and grant is None and g.actor.role == Role.FINANCE:
        statuses = [DrawdownStatus.REQUESTED, DrawdownStatus.APPROVED]
    statement = services.drawdowns_page_select(g.actor, statuses=statuses, grant_id=grant_id)
    listing = build_listing(statement, DRAWDOWN_COLUMNS, args=request.args, default_sort="id",
                            default_descending=True, search=[Grant.reference, Drawdown.purpose, Kommune.name],
                            tiebreak=Drawdown.id, filename="mittelabrufe")
    if not isinstance(listing, Listing):
        return listing
    return render_template("budgets/drawdowns.html", listing=listing, wanted=wanted, statuses=list(DrawdownStatus),
                           grant=grant)


DRAWDOWN_COLUMNS = [
    ListColumn("id", lazy_gettext("Nr."), lambda d: d.id, "int", sort=Drawdown.id),
    ListColumn("grant", lazy_gettext("Zuwendung"), lambda d: d.grant.reference, sort=Grant.reference),
    ListColumn("recipient", lazy_gettext("Empfänger"), lambda d: recipient_name(d.grant), sort=Kommune.name),
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
    statement = services.drawdown_export_rows(g.actor)
    rows = ((r.id, r.reference, kommune_display_name(r.kommune_name, r.kommune_kind) if r.kommune_name
             else r.organisation_name or "", r.module_code, r.budget_year, r.status.label, r.amount_requested_cents,
             r.amount_approved_cents, r.value_date, r.payment_reference)
            for r in batched_rows(db.session, statement))
    return export_response(f"mittelabrufe-{today_stamp(clock.today())}", fmt, columns, rows, lazy=True,
                           count=lambda: count_rows(db.session, statement))


@bp.route("/mittelabrufe/<id:drawdown_id>")
@requires(BUDGET_READ)
def drawdown(drawdown_id: int, errors: dict | None = None, failed: str = ""):
    """``failed``: the action whose form is shown again with ``errors`` (approve and reject both have a reason)."""
    item = services.get_drawdown(g.actor, drawdown_id)
    actions = DRAWDOWN.allowed_actions(item.status, g.actor)
    four_eyes = "pay" in actions and services.four_eyes_bar(item, g.actor)
    decider = db.session.get(User, item.decided_by_id) if item.decided_by_id else None
    context = monitoring.drawdown_context(item) if can(g.actor, DRAWDOWN_CONTEXT) else None
    return render_template("budgets/drawdown.html", drawdown=item, errors=errors or {}, form=request.form,
                           failed=failed, actions=[a for a in actions if not (four_eyes and a == "pay")],
                           four_eyes=four_eyes, decided_by_name=decider.name if decider else "–", context=context
                           ), (422 if errors else 200)


@bp.route("/mittelabrufe/<id:drawdown_id>/<any(approve, reject, pay):action>", methods=["POST"])
@requires(DRAWDOWN_DECIDE)
def decide(drawdown_id: int, action: str):
    return _act(drawdown_id, action)


@bp.route("/mittelabrufe/<id:drawdown_id>/zurueckziehen", methods=["POST"])
@requires(DRAWDOWN_REQUEST)
def withdraw(drawdown_id: int):
    return _act(drawdown_id, "withdraw")


def _act(drawdown_id: int, action: str):
    item = services.get_drawdown(g.actor, drawdown_id, lock=True)

    def change() -> str:
        if action == "pay":
            services.pay_drawdown(item, actor=g.actor, **load_form(PaymentIn()))
        else:
            services.decide_drawdown(item, action, actor=g.actor,
                                     **load_form(DrawdownApproveIn() if action == "approve" else ReasonIn()))
        return url_for("budgets.drawdown", drawdown_id=drawdown_id)

    messages = {"approve": gettext("Mittelabruf Nr. %(number)s wurde genehmigt.", number=drawdown_id),
                "reject": gettext("Mittelabruf Nr. %(number)s wurde abgelehnt.", number=drawdown_id),
                "pay": gettext("Mittelabruf Nr. %(number)s wurde als ausgezahlt gebucht.", number=drawdown_id),
                "withdraw": gettext("Mittelabruf Nr. %(number)s wurde zurückgezogen.", number=drawdown_id)}
    response, errors = submit(change, success=messages[action])
    return response or drawdown(drawdown_id, errors=errors, failed=action)

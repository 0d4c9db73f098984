"""JSON API of the ceiling applications, decisions, amendments and participant counts."""

from __future__ import annotations

from decimal import Decimal

from flask import g, request

from ..auth.permissions import requires
from ..platform.limits import MAX_ID
from ..platform.web import idempotency
from ..platform.web.api import ApiBlueprint
from ..platform.web.pagination import SelectPage
from ..reference.services import get_kommune, get_programme
from . import decisions, f6, participants, services
from .content import Content
from .permissions import (
    F6_OVERVIEW,
    F6_STAFFING,
    GRANTS_APPLY,
    GRANTS_DECIDE,
    GRANTS_RATES,
    GRANTS_READ,
    PARTICIPANTS_OVERVIEW,
    PARTICIPANTS_READ,
    PARTICIPANTS_REPORT,
)
from .presenters import present_application, present_revision
from .schemas import (
    ApplicationFilter,
    ApplicationListOut,
    ApplicationOut,
    ApproveIn,
    CommentIn,
    DecisionOut,
    DiffOut,
    DiffQuery,
    DraftIn,
    F6ApplicationIn,
    F6ApplicationOut,
    F6CommentIn,
    F6DetailOut,
    F6OverviewOut,
    F6OverviewQuery,
    F6ReasonIn,
    F6StaffingIn,
    ParticipantCountOut,
    QuarterIn,
    RateIn,
    RateOut,
    RejectIn,
    ReleasedOut,
    ReportOut,
    RevisionOut,
)
from .workflow import APPLICATION

blp = ApiBlueprint("grants_api", __name__, url_prefix="/api/v1",
                   description="Anträge auf die Zuwendungshöchstgrenze, Bescheide, Änderungsanträge, Teilnehmende")
ID = "<id:application_id>"


def _content(data: dict) -> Content:
    return Content(lines={(line["module"], line["year"]): line["amount"] for line in data["lines"]},
                   participants={p["module"]: p["planned"] for p in data["participants"]},
                   measures=data["measures"], contact_name=data["contact_name"],
                   contact_email=data["contact_email"], contact_phone=data["contact_phone"],
                   justification=data["justification"])


@blp.route("/applications")
@requires(GRANTS_READ)
@blp.arguments(ApplicationFilter, location="query")
@blp.response(200, ApplicationListOut(many=True))
@blp.paginate(SelectPage)
def list_applications(filters):
    """Applications and amendments (Kommunen: only their own); filters status, kind, kommune_id."""
    return services.application_select(g.actor, **filters)


@blp.route("/applications", methods=["POST"])
@requires(GRANTS_APPLY)
@blp.response(201, ApplicationOut)
def create_application():
    """Start the own Kommune's application (one per programme; 409 if it exists)."""
    application = services.create_application(g.actor)
    return present_application(application, g.actor)


@blp.route(f"/applications/{ID}")
@requires(GRANTS_READ)
@blp.response(200, ApplicationOut)
def get_application(application_id: int):
    return present_application(services.get_application(application_id, g.actor), g.actor)


@blp.route(f"/applications/{ID}/draft", methods=["PUT"])
@requires(GRANTS_APPLY)
@blp.arguments(DraftIn)
@blp.response(200, ApplicationOut)
def save_draft(data, application_id: int):
    """Replace the working copy (draft, or after changes were requested)."""
    services.save_draft(application_id, g.actor, _content(data))
    return present_application(services.get_application(application_id, g.actor), g.actor)


def _transition(application_id: int, func, *args):
    func(application_id, g.actor, *args)
    return present_application(services.get_application(application_id, g.actor), g.actor)


@blp.route(f"/applications/{ID}/submit", methods=["POST"])
@requires(GRANTS_APPLY)
@blp.response(200, ApplicationOut)
def submit(application_id: int):
    """Freeze the working copy as a revision; 422 naming ``lines`` and the ceiling if the sum exceeds it."""
    return _transition(application_id, services.submit)


@blp.route(f"/applications/{ID}/withdraw", methods=["POST"])
@requires(GRANTS_APPLY)
@blp.response(200, ApplicationOut)
def withdraw(application_id: int):
    return _transition(application_id, services.withdraw)


@blp.route(f"/applications/{ID}/reapply", methods=["POST"])
@requires(GRANTS_APPLY)
@blp.response(200, ApplicationOut)
def reapply(application_id: int):
    """Take up a withdrawn or rejected application again as a draft (the history stays)."""
    return _transition(application_id, services.reapply)


@blp.route(f"/applications/{ID}/request-changes", methods=["POST"])
@requires(GRANTS_DECIDE)
@blp.arguments(CommentIn)
@blp.response(200, ApplicationOut)
def request_changes(data, application_id: int):
    return _transition(application_id, services.request_changes, data["comment"])


def _decision_scope(application_id: int) -> str:
    """Approval and rejection of one application share an ``Idempotency-Key`` scope (a key names one decision)."""
    return f"grant-decision:application:{application_id}"


@blp.route(f"/applications/{ID}/approve", methods=["POST"])
@requires(GRANTS_DECIDE)
@blp.arguments(ApproveIn)
@blp.doc(**idempotency.IDEMPOTENCY_DOC)
@blp.response(201, DecisionOut)
def approve(data, application_id: int):
    """Approve the submitted revision (Idempotency-Key: a retry replays the first decision)."""
    lines = {(line["module"], line["year"]): line["amount"] for line in data["lines"]}
    reasons = {(line["module"], line["year"]): line["reason"] for line in data["lines"]}
    return idempotency.respond_once(_decision_scope(application_id), lambda: (201, DecisionOut().dump(
        decisions.approve(application_id, g.actor, lines=lines, reasons=reasons, comment=data["comment"]))))


@blp.route(f"/applications/{ID}/reject", methods=["POST"])
@requires(GRANTS_DECIDE)
@blp.arguments(RejectIn)
@blp.doc(**idempotency.IDEMPOTENCY_DOC)
@blp.response(201, DecisionOut)
def reject(data, application_id: int):
    """Reject the submitted revision with a reason (Idempotency-Key: a retry replays the first decision)."""
    return idempotency.respond_once(_decision_scope(application_id), lambda: (201, DecisionOut().dump(
        decisions.reject(application_id, g.actor, data["reason"]))))


@blp.route(f"/applications/{ID}/amendments", methods=["POST"])
@requires(GRANTS_APPLY)
@blp.response(201, ApplicationOut)
def create_amendment(application_id: int):
    """Start an amendment (Änderungsantrag), prefilled with the committed amounts."""
    amendment = services.create_amendment(application_id, g.actor)
    return present_application(amendment, g.actor)


@blp.route(f"/applications/{ID}/revisions/<id:number>")
@requires(GRANTS_READ)
@blp.response(200, RevisionOut)
def get_revision(application_id: int, number: int):
    application = services.get_application(application_id, g.actor)
    programme = application.programme
    return present_revision(services.revision_by_number(application, number),
                            modules=services.module_codes(programme), years=list(programme.budget_years))


@blp.route(f"/applications/{ID}/diff")
@requires(GRANTS_READ)
@blp.arguments(DiffQuery, location="query")
@blp.response(200, DiffOut)
def get_diff(query, application_id: int):
    """Differences between two revisions (default: the last submitted one against its predecessor)."""
    application = services.get_application(application_id, g.actor)
    old, new, rows = services.review_diff(application, new_number=query.get("new"), old_number=query.get("old"))
    return {"old": old, "new": new, "rows": rows}


@blp.route("/decisions")
@requires(GRANTS_READ)
@blp.response(200, DecisionOut(many=True))
@blp.paginate(SelectPage)
def list_decisions():
    return decisions.decisions_select(g.actor)


@blp.route("/decisions/<id:decision_id>")
@requires(GRANTS_READ)
@blp.response(200, DecisionOut)
def get_decision(decision_id: int):
    return decisions.get_decision(decision_id, g.actor)


@blp.route("/released-funds")
@requires(GRANTS_RATES)
@blp.response(200, ReleasedOut(many=True))
def released_funds():
    """Money released by approved reducing amendments, per Kommune (input to redistribution)."""
    released = decisions.released_by_kommune(get_programme().id)
    return [{"kommune_id": k, "released": v} for k, v in sorted(released.items())]


@blp.route("/kommune-rates/<id:kommune_id>", methods=["PUT"])
@requires(GRANTS_RATES)
@blp.arguments(RateIn)
@blp.response(200, RateOut)
def set_rate(data, kommune_id: int):
    """A Kommune's own funding rate (basis points), e.g. 9000 for a Kommune under Haushaltssicherung."""
    get_kommune(kommune_id)
    services.set_kommune_rate(g.actor, kommune_id, data["funding_rate_bp"], data["note"])
    return {"kommune_id": kommune_id, "funding_rate_bp": services.funding_rate_bp(get_programme(), kommune_id),
            "note": data["note"]}


@blp.route("/participant-counts")
@requires(PARTICIPANTS_READ)
@blp.response(200, ParticipantCountOut(many=True))
def list_participant_counts():
    """The own Kommune's reported counts (staff: pass ``kommune_id``)."""
    kommune_id = g.actor.kommune_id or request.args.get("kommune_id", type=int)
    if kommune_id is None or not 0 < kommune_id <= MAX_ID:
        return []
    return participants.counts_of_kommune(g.actor, kommune_id)


@blp.route("/participant-counts", methods=["PUT"])
@requires(PARTICIPANTS_REPORT)
@blp.arguments(QuarterIn)
@blp.response(200, ParticipantCountOut(many=True))
def report_participant_counts(data):
    """Report (or replace) one quarter of one module, by gender. Counts only, no personal data."""
    rows = participants.report_quarter(g.actor, module=data["module"], year=data["year"], quarter=data["quarter"],
                                       counts=data["counts"])
    return rows


@blp.route("/participant-counts/report")
@requires(PARTICIPANTS_OVERVIEW)
@blp.response(200, ReportOut)
def participant_report():
    """People reached per Kommune and module, by gender, with the shares of women and men."""
    rows, total = participants.programme_report(g.actor)
    return {"rows": rows, "total": total}



# ---------------------------------------------------------------- F6 Teilhabemanagement (docs/f6.md)
def _f6_detail(application) -> dict:
    return {"application": application, "allowed_actions": APPLICATION.allowed_actions(application.status, g.actor),
            "months": f6.month_rows(application), "figures": f6.figures(application)}


def _f6_change(application_id: int, func, *args) -> dict:
    func(application_id, g.actor, *args)
    return _f6_detail(f6.get_f6(application_id, g.actor))


@blp.route("/f6/applications")
@requires(GRANTS_READ)
@blp.response(200, F6ApplicationOut(many=True))
@blp.paginate(SelectPage)
def list_f6_applications():
    """F6 applications (Kommunen: only their own), oldest submission first."""
    return f6.f6_select(g.actor)


@blp.route("/f6/application", methods=["PUT"])
@requires(GRANTS_APPLY)
@blp.arguments(F6ApplicationIn)
@blp.response(200, F6DetailOut)
def save_f6_application(data):
    """Create or change the own Kommune's F6 application (draft, changes requested); positions in half steps."""
    application = f6.save_f6(g.actor, get_programme(), positions=data["positions"], cost_mode=data["cost_mode"],
                             monthly_cost_cents=data["monthly_cost"], description=data.get("description") or "")
    return _f6_detail(application)


@blp.route(f"/f6/applications/{ID}")
@requires(GRANTS_READ)
@blp.response(200, F6DetailOut)
def get_f6_application(application_id: int):
    """The F6 application with its months (FTE approved, filled, vacant) and figures (planned, cap, counted)."""
    return _f6_detail(f6.get_f6(application_id, g.actor))


@blp.route(f"/f6/applications/{ID}/submit", methods=["POST"])
@requires(GRANTS_APPLY)
@blp.response(200, F6DetailOut)
def submit_f6_application(application_id: int):
    return _f6_change(application_id, f6.submit_f6)


@blp.route(f"/f6/applications/{ID}/withdraw", methods=["POST"])
@requires(GRANTS_APPLY)
@blp.response(200, F6DetailOut)
def withdraw_f6_application(application_id: int):
    return _f6_change(application_id, f6.withdraw_f6)


@blp.route(f"/f6/applications/{ID}/reapply", methods=["POST"])
@requires(GRANTS_APPLY)
@blp.response(200, F6DetailOut)
def reapply_f6_application(application_id: int):
    return _f6_change(application_id, f6.reapply_f6)


@blp.route(f"/f6/applications/{ID}/request-changes", methods=["POST"])
@requires(GRANTS_DECIDE)
@blp.arguments(CommentIn)
@blp.response(200, F6DetailOut)
def request_f6_changes(data, application_id: int):
    return _f6_change(application_id, f6.request_changes_f6, data["comment"])


@blp.route(f"/f6/applications/{ID}/approve", methods=["POST"])
@requires(GRANTS_DECIDE)
@blp.arguments(F6CommentIn)
@blp.doc(**idempotency.IDEMPOTENCY_DOC)
@blp.response(200, F6DetailOut)
def approve_f6_application(data, application_id: int):
    """Approve: the F6 grant is committed in the budgets' ledger (Idempotency-Key: a retry replays the answer)."""
    return idempotency.respond_once(f"f6-decision:{application_id}", lambda: (200, F6DetailOut().dump(
        _f6_change(application_id, f6.approve_f6, data.get("comment") or ""))))


@blp.route(f"/f6/applications/{ID}/reject", methods=["POST"])
@requires(GRANTS_DECIDE)
@blp.arguments(F6ReasonIn)
@blp.doc(**idempotency.IDEMPOTENCY_DOC)
@blp.response(200, F6DetailOut)
def reject_f6_application(data, application_id: int):
    return idempotency.respond_once(f"f6-decision:{application_id}", lambda: (200, F6DetailOut().dump(
        _f6_change(application_id, f6.reject_f6, data["reason"]))))


@blp.route(f"/f6/applications/{ID}/staffing", methods=["PUT"])
@requires(F6_STAFFING)
@blp.arguments(F6StaffingIn)
@blp.response(200, F6DetailOut)
def report_f6_staffing(data, application_id: int):
    """Report (or correct) one month's FTE filled; the cap on the eligible costs follows at once."""
    f6.report_staffing(application_id, g.actor, month=data["month"], filled_centi=int(data["filled"] * 100),
                       note=data.get("note") or "")
    return _f6_detail(f6.get_f6(application_id, g.actor))


@blp.route("/f6/overview")
@requires(F6_OVERVIEW)
@blp.arguments(F6OverviewQuery, location="query")
@blp.response(200, F6OverviewOut)
def f6_overview(query):
    """State-wide: published and approved positions and the FTE filled per Kommune in a month (default: last)."""
    programme = get_programme()
    month = (query.get("month") or f6.overview_month(programme)).replace(day=1)
    rows = f6.statewide(programme, month, g.actor)
    return {"month": month, "positions": str(Decimal(sum(r.published_halves for r in rows)) / 2),
            "filled": str(Decimal(sum(r.filled_centi or 0 for r in rows)) / 100), "rows": rows}

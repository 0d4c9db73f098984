"""JSON API for budgets: status, drawdowns, expenses (with CSV import), proof of use, reclaims."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import current_app, g, jsonify, request, url_for

from ..auth.permissions import requires
from ..platform import background, clock
from ..platform.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..platform.web import idempotency
from ..platform.web.api import ApiBlueprint
from ..platform.web.idempotency import IDEMPOTENCY_DOC
from ..platform.web.pagination import SelectPage
from . import importing, services, status
from .csv_import import open_upload, spool
from .early_start import early_start_warnings
from .models import DrawdownStatus
from .permissions import (
    BUDGET_READ,
    DRAWDOWN_DECIDE,
    DRAWDOWN_REQUEST,
    EXPENSE_RECORD,
    EXPENSE_REVERSE,
    HEARING_COMMENT,
    PROOF_CHECK,
    PROOF_SUBMIT,
    REPAYMENT_RECORD,
    STATUS_ALL,
)
from .schemas import (
    AsOfQuery,
    DecisionIn,
    DrawdownApproveIn,
    DrawdownFilter,
    DrawdownIn,
    DrawdownOut,
    ExpenseCreatedOut,
    ExpenseIn,
    ExpenseOut,
    GrantOut,
    GrantStatusOut,
    HearingCommentIn,
    HearingOut,
    ImportCreatedOut,
    ImportJobOut,
    ImportOut,
    IneligibleIn,
    PaymentIn,
    ProofIn,
    ProofOut,
    ReasonIn,
    ReclaimOut,
    RepaymentIn,
    ReversalIn,
    SeriesPointOut,
    StatewideOut,
    VerifyOut,
)
from .verify import verify_ledger

blp = ApiBlueprint("budgets_api", __name__, url_prefix="/api/v1/budgets",
                   description="Budgets: Ledger, Mittelabrufe, Ausgaben, Verwendungsnachweis, Rückforderung")


# --------------------------------------------------------------------------- grants and status


@blp.route("/grants")
@requires(BUDGET_READ)
@blp.response(200, GrantOut(many=True))
def list_grants():
    return services.grants_visible_to(g.actor)


@blp.route("/grants/<id:grant_id>")
@requires(BUDGET_READ)
@blp.response(200, GrantStatusOut)
def grant_status(grant_id: int):
    grant = services.get_grant(g.actor, grant_id)
    return _status_dump(status.status_for([grant])[0])


def _figures(figures) -> dict:
    return {name: getattr(figures, name) for name in ("approved", "requested", "approved_open", "paid", "spent",
                                                      "earned", "available", "drawn_not_spent", "remaining",
                                                      "share_used")}


def _status_dump(item) -> dict:
    return {"grant_id": item.grant_id, "reference": item.reference, "recipient": item.recipient,
            "kommune_id": item.kommune_id, "ceiling": item.ceiling, "last_expense_date": item.last_expense_date,
            "days_left": item.days_left, "total": _figures(item.total),
            "modules": {m: _figures(f) for m, f in item.modules.items()}, "drawn_since": item.drawn_since,
            "projected_earned": item.projected_earned, "at_risk": item.at_risk}


@blp.route("/grants/<id:grant_id>/series")
@requires(BUDGET_READ)
@blp.response(200, SeriesPointOut(many=True))
def grant_series(grant_id: int):
    return status.daily_series(services.get_grant(g.actor, grant_id))


@blp.route("/status")
@requires(STATUS_ALL)
@blp.response(200, StatewideOut)
def statewide():
    statuses = status.status_for()
    overall, by_module = status.totals(statuses)
    return {"total": _figures(overall), "modules": {m: _figures(f) for m, f in by_module.items()},
            "grants": [_status_dump(item) for item in statuses]}


@blp.route("/verify")
@requires(STATUS_ALL)
@blp.response(200, VerifyOut)
def verify():
    problems = verify_ledger()
    return {"ok": not problems, "problems": problems}


# --------------------------------------------------------------------------- drawdowns

# Schema instances built once (issue #19): a schema class given to ``arguments`` or instantiated in the view is
# built again on every request (its fields deep-copied), a tenth of a booking's CPU. Loading and dumping keep
# no state in the instance.
DRAWDOWN_IN, DRAWDOWN_OUT = DrawdownIn(), DrawdownOut()


@blp.route("/grants/<id:grant_id>/drawdowns", methods=["POST"])
@requires(DRAWDOWN_REQUEST)
@blp.arguments(DRAWDOWN_IN)
@blp.response(201, DrawdownOut)
@blp.doc(**IDEMPOTENCY_DOC)
def request_drawdown(data, grant_id: int):
    grant = services.get_grant(g.actor, grant_id, recipient=False)

    def create():
        drawdown = services.request_drawdown(grant, actor=g.actor, **data)
        return 201, DRAWDOWN_OUT.dump(drawdown)

    return idempotency.respond_once(f"drawdown:grant:{grant_id}", create)


@blp.route("/drawdowns")
@requires(BUDGET_READ)
@blp.arguments(DrawdownFilter, location="query")
@blp.response(200, DrawdownOut(many=True))
@blp.paginate(SelectPage)
def list_drawdowns(filters):
    statuses = [DrawdownStatus(filters["status"])] if filters.get("status") else None
    return services.drawdowns_select(g.actor, statuses=statuses, grant_id=filters.get("grant_id"))


@blp.route("/drawdowns/<id:drawdown_id>")
@requires(BUDGET_READ)
@blp.response(200, DrawdownOut)
def get_drawdown(drawdown_id: int):
    return services.get_drawdown(g.actor, drawdown_id)


@blp.route("/drawdowns/<id:drawdown_id>/approve", methods=["POST"])
@requires(DRAWDOWN_DECIDE)
@blp.arguments(DrawdownApproveIn)
@blp.response(200, DrawdownOut)
def approve_drawdown(data, drawdown_id: int):
    drawdown = services.get_drawdown(g.actor, drawdown_id, lock=True)
    services.decide_drawdown(drawdown, "approve", actor=g.actor, **data)
    return drawdown


@blp.route("/drawdowns/<id:drawdown_id>/reject", methods=["POST"])
@requires(DRAWDOWN_DECIDE)
@blp.arguments(ReasonIn)
@blp.response(200, DrawdownOut)
def reject_drawdown(data, drawdown_id: int):
    drawdown = services.get_drawdown(g.actor, drawdown_id, lock=True)
    services.decide_drawdown(drawdown, "reject", actor=g.actor, reason=data["reason"])
    return drawdown


@blp.route("/drawdowns/<id:drawdown_id>/withdraw", methods=["POST"])
@requires(DRAWDOWN_REQUEST)
@blp.arguments(ReasonIn)
@blp.response(200, DrawdownOut)
def withdraw_drawdown(data, drawdown_id: int):
    drawdown = services.get_drawdown(g.actor, drawdown_id, lock=True)
    services.decide_drawdown(drawdown, "withdraw", actor=g.actor, reason=data["reason"])
    return drawdown


@blp.route("/drawdowns/<id:drawdown_id>/pay", methods=["POST"])
@requires(DRAWDOWN_DECIDE)
@blp.arguments(PaymentIn)
@blp.response(200, DrawdownOut)
def pay_drawdown(data, drawdown_id: int):
    drawdown = services.get_drawdown(g.actor, drawdown_id, lock=True)
    services.pay_drawdown(drawdown, actor=g.actor, **data)
    return drawdown


# --------------------------------------------------------------------------- expenses


@blp.route("/grants/<id:grant_id>/expenses", methods=["POST"])
@requires(EXPENSE_RECORD)
@blp.arguments(ExpenseIn)
@blp.response(201, ExpenseCreatedOut)
@blp.doc(**IDEMPOTENCY_DOC)
def create_expense(data, grant_id: int):
    grant = services.get_grant(g.actor, grant_id)

    def create():
        expense = services.record_expense(grant, actor=g.actor, **data)
        return 201, {**ExpenseOut().dump(expense), "warnings": early_start_warnings(grant, expense.expense_date)}

    return idempotency.respond_once(f"expense:grant:{grant_id}", create)


@blp.route("/grants/<id:grant_id>/expenses")
@requires(BUDGET_READ)
@blp.response(200, ExpenseOut(many=True))
@blp.paginate(SelectPage)
def list_expenses(grant_id: int):
    return services.expenses_select(services.get_grant(g.actor, grant_id))


@blp.route("/grants/<id:grant_id>/expenses/import", methods=["POST"])
@requires(EXPENSE_RECORD)
@blp.response(201, ImportCreatedOut)
@blp.alt_response(202, schema=ImportJobOut, description="More lines than ``IMPORT_BACKGROUND_LINES``: the file is "
                  "imported in the background; poll the ``Location`` (``/import-jobs/<id>``).")
@blp.doc(description="CSV as the request body (text/csv) or as the multipart field ``file``. All or nothing: "
                     "errors name the line (422 with ``errors.file`` and ``lines``); ``warnings`` as for one "
                     "expense (lines dated before the grant decision). Large files answer 202 at once and are "
                     "imported by a background job.")
def import_expenses(grant_id: int):
    grant = services.get_grant(g.actor, grant_id)
    upload = request.files.get("file")
    # streamed: the upload (spooled by Werkzeug) or the body (spooled here) is hashed and parsed in chunks
    data = open_upload(upload.stream if upload is not None
                       else spool(request.stream, current_app.config["MAX_CONTENT_LENGTH"]))
    if not data.size:
        raise ValidationFailed.field("file", "Bitte eine CSV-Datei senden.")
    filename = upload.filename if upload is not None and upload.filename else ""
    if importing.in_background(data):
        job = importing.queue(grant, data, actor=g.actor, filename=filename)
        response = jsonify(ImportJobOut().dump(job))
        response.status_code = 202
        response.headers["Location"] = url_for("budgets_api.import_job", job_id=job.id)
        return response
    record, warnings = importing.import_now(grant, data, actor=g.actor, filename=filename, today=clock.today())
    record.warnings = warnings  # shown in the answer only, not stored
    return record


_FAILURES = {404: NotFound, 403: Forbidden, 409: Conflict, 422: ValidationFailed}


@blp.route("/import-jobs/<id:job_id>")
@requires(BUDGET_READ)
@blp.response(200, ImportJobOut)
@blp.doc(description="A background expense import of the caller (another user's: 404): ``status`` pending or "
                     "running with ``stage`` and ``lines_done`` of ``lines_total``; done with ``import``; a failed "
                     "import answers the problem the synchronous import would have (e.g. 422 with "
                     "``errors.file`` and ``lines``).")
def import_job(job_id: int):
    job = background.get_own(g.actor, job_id, importing.KIND)
    result = job.result or {}
    if job.status == background.FAILED:
        failure = _FAILURES.get(result.get("status"), Conflict)
        raise failure(job.error or "", errors=result.get("errors") or None, lines=result.get("lines", []))
    if job.status == background.DONE:
        record = services.get_import(g.actor, result["import_id"])
        record.warnings = result.get("warnings", [])
        job.outcome = record
    return job


@blp.route("/expenses/<id:expense_id>/reverse", methods=["POST"])
@requires(EXPENSE_REVERSE)
@blp.arguments(ReversalIn)
@blp.response(200, ExpenseOut)
@blp.doc(**IDEMPOTENCY_DOC, description="Storno by the recipient until its proof of use (409 after): a reversal "
                                        "journal; the expense stays listed, no longer eligible.")
def reverse_expense(data, expense_id: int):
    expense = services.get_expense(g.actor, expense_id)

    def reverse():
        return 200, ExpenseOut().dump(services.reverse_expense(expense, reason=data["reason"], actor=g.actor))

    return idempotency.respond_once(f"expense:reverse:{expense_id}", reverse)


@blp.route("/grants/<id:grant_id>/expense-imports")
@requires(BUDGET_READ)
@blp.response(200, ImportOut(many=True))
@blp.paginate(SelectPage)
def list_imports(grant_id: int):
    return services.imports_select(services.get_grant(g.actor, grant_id))


@blp.route("/expense-imports/<id:import_id>/reverse", methods=["POST"])
@requires(EXPENSE_REVERSE)
@blp.arguments(ReversalIn)
@blp.response(200, ImportOut)
@blp.doc(**IDEMPOTENCY_DOC, description="Storno of every line of the import still booked; the same file may then "
                                        "be imported again.")
def reverse_import(data, import_id: int):
    record = services.get_import(g.actor, import_id)

    def reverse():
        return 200, ImportOut().dump(services.reverse_import(record, reason=data["reason"], actor=g.actor))

    return idempotency.respond_once(f"expense-import:reverse:{import_id}", reverse)


@blp.route("/expenses/<id:expense_id>/ineligible", methods=["POST"])
@requires(PROOF_CHECK)
@blp.arguments(IneligibleIn)
@blp.response(200, ExpenseOut)
def mark_ineligible(data, expense_id: int):
    expense = services.get_expense(g.actor, expense_id)
    services.mark_ineligible(expense, reason=data["reason"], actor=g.actor)
    return expense


# --------------------------------------------------------------------------- proof of use, decision, reclaim


def _proof_dump(proof) -> dict:
    data = ProofOut().dump(proof)
    reclaim = services.reclaim_of(proof.grant)
    data["reclaim_id"] = reclaim.id if reclaim else None
    return data


@blp.route("/grants/<id:grant_id>/proof-of-use")
@requires(BUDGET_READ)
@blp.response(200, ProofOut)
def get_proof(grant_id: int):
    proof = services.proof_of(services.get_grant(g.actor, grant_id))
    if proof is None:
        raise NotFound("Es wurde noch kein Verwendungsnachweis eingereicht.")
    return jsonify(_proof_dump(proof))


@blp.route("/grants/<id:grant_id>/proof-of-use", methods=["POST"])
@requires(PROOF_SUBMIT)
@blp.arguments(ProofIn)
@blp.response(201, ProofOut)
def submit_proof(data, grant_id: int):
    grant = services.get_grant(g.actor, grant_id)
    proof = services.submit_proof(grant, narrative=data["narrative"], confirmed=data["confirmed"], actor=g.actor)
    response = jsonify(_proof_dump(proof))
    response.status_code = 201
    return response


@blp.route("/grants/<id:grant_id>/final-decision", methods=["POST"])
@requires(PROOF_CHECK)
@blp.arguments(DecisionIn)
@blp.response(200, ProofOut)
def final_decision(data, grant_id: int):
    grant = services.get_grant(g.actor, grant_id)
    proof = services.decide_final(grant, actor=g.actor, points=Decimal(data["points"]), day_count=data["day_count"])
    return jsonify(_proof_dump(proof))


def reclaim_view(reclaim, as_of: date) -> dict:
    statement = services.reclaim_statement(reclaim, as_of)
    return {"id": reclaim.id, "grant_id": reclaim.grant_id, "status": reclaim.status.value,
            "principal_cents": reclaim.principal_cents, "principal_repaid_cents": reclaim.principal_repaid_cents,
            "interest_repaid_cents": reclaim.interest_repaid_cents,
            "interest_booked_cents": reclaim.interest_booked_cents, "as_of": as_of, "message": statement.message,
            "interest_to_date": statement.interest.interest_cents if statement.interest else None,
            "amount_due": statement.amount_due, "calculation": statement.lines,
            "periods": statement.interest.periods if statement.interest else [],
            "unused_interest_cents": reclaim.unused_interest_cents,
            "unused_interest_until": reclaim.unused_interest_until,
            "unused_interest_calculation": statement.unused_lines, "unused_interest_drawdowns": statement.unused}


@blp.route("/reclaims/<id:reclaim_id>")
@requires(BUDGET_READ)
@blp.arguments(AsOfQuery, location="query")
@blp.response(200, ReclaimOut)
def get_reclaim(query, reclaim_id: int):
    reclaim = services.get_reclaim(g.actor, reclaim_id)
    return reclaim_view(reclaim, query.get("as_of") or clock.today())


@blp.route("/reclaims/<id:reclaim_id>/repayments", methods=["POST"])
@requires(REPAYMENT_RECORD)
@blp.arguments(RepaymentIn)
@blp.response(201, ReclaimOut)
@blp.doc(**IDEMPOTENCY_DOC)
def record_repayment(data, reclaim_id: int):
    reclaim = services.get_reclaim(g.actor, reclaim_id)

    def create():
        services.record_repayment(reclaim, actor=g.actor, **data)
        return 201, ReclaimOut().dump(reclaim_view(reclaim, data["value_date"]))

    return idempotency.respond_once(f"repayment:reclaim:{reclaim_id}", create)


# --------------------------------------------------------------------------- hearing (Anhörung)


@blp.route("/grants/<id:grant_id>/hearing", methods=["POST"])
@requires(PROOF_CHECK)
@blp.response(201, HearingOut)
def open_hearing(grant_id: int):
    hearing = services.open_hearing(services.get_grant(g.actor, grant_id), actor=g.actor)
    response = jsonify(HearingOut().dump(hearing))
    response.status_code = 201
    return response


@blp.route("/hearings/<id:hearing_id>")
@requires(BUDGET_READ)
@blp.response(200, HearingOut)
def get_hearing(hearing_id: int):
    return jsonify(HearingOut().dump(services.get_hearing(g.actor, hearing_id)))


@blp.route("/hearings/<id:hearing_id>/comment", methods=["POST"])
@requires(HEARING_COMMENT)
@blp.arguments(HearingCommentIn)
@blp.response(200, HearingOut)
def comment(data, hearing_id: int):
    hearing = services.submit_comment(services.get_hearing(g.actor, hearing_id), comment=data["comment"],
                                      actor=g.actor)
    return jsonify(HearingOut().dump(hearing))

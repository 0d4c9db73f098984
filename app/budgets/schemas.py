"""API schemas for budgets: one input and one output schema per endpoint; money as decimal strings."""

from datetime import date
from decimal import Decimal

from marshmallow import Schema, fields, validate

from ..platform.money import Money
from ..platform.web.api import DecimalText, DocumentUrl, StrictBool


class FiguresOut(Schema):
    approved = Money()
    requested = Money()
    approved_open = Money()
    paid = Money()
    spent = Money()
    earned = Money()
    available = Money()
    drawn_not_spent = Money()
    remaining = Money(allow_negative=True, metadata={"description": "approved − earned; negative where a line "
                                                                    "is exceeded (ANBest Nr. 1.2)"})
    share_used = DecimalText(places=1, maximum=10**6, allow_none=True, metadata={"description": "percent of approved"})


class GrantStatusOut(Schema):
    grant_id = fields.Int()
    reference = fields.Str()
    recipient = fields.Str()
    kommune_id = fields.Int(allow_none=True)
    ceiling = Money(allow_none=True)
    last_expense_date = fields.Date()
    days_left = fields.Int()
    total = fields.Nested(FiguresOut)
    modules = fields.Dict(keys=fields.Str(), values=fields.Nested(FiguresOut))
    drawn_since = fields.Date(allow_none=True)
    projected_earned = Money()
    at_risk = StrictBool()


class StatewideOut(Schema):
    total = fields.Nested(FiguresOut)
    modules = fields.Dict(keys=fields.Str(), values=fields.Nested(FiguresOut))
    grants = fields.List(fields.Nested(GrantStatusOut))


class GrantLineOut(Schema):
    module = fields.Str(attribute="module_code")
    year = fields.Int(attribute="budget_year")
    approved = Money(attribute="approved_cents")


class GrantOut(Schema):
    id = fields.Int()
    reference = fields.Str()
    source = fields.Str()
    recipient_kind = fields.Str()
    kommune_id = fields.Int(allow_none=True)
    organisation_id = fields.Int(allow_none=True)
    funding_rate_bp = fields.Int()
    start_date = fields.Date()
    last_expense_date = fields.Date()
    expense_entry_closed_at = fields.DateTime(allow_none=True)  # set by the job after the last expense date
    lines = fields.List(fields.Nested(GrantLineOut))


class SeriesPointOut(Schema):
    day = fields.Date()
    spent = Money(attribute="spent_cents")
    paid = Money(attribute="paid_cents")


class DrawdownIn(Schema):
    module = fields.Str(required=True, validate=validate.Length(min=1, max=10))
    amount = Money(required=True)
    purpose = fields.Str(required=True, validate=validate.Length(min=1, max=1000))


class DrawdownOut(Schema):
    id = fields.Int()
    grant_id = fields.Int()
    module = fields.Str(attribute="module_code")
    budget_year = fields.Int()
    status = fields.Str()
    kind = fields.Str(metadata={"description": "request (Mittelabruf) or final_payment (Schlusszahlung)"})
    amount_requested = Money(attribute="amount_requested_cents")
    amount_approved = Money(attribute="amount_approved_cents", allow_none=True)
    purpose = fields.Str()
    period_start = fields.Date()
    period_end = fields.Date()
    requested_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    decision_reason = fields.Str()
    document_url = DocumentUrl("drawdown")
    value_date = fields.Date(allow_none=True)
    payment_reference = fields.Str()


class DrawdownFilter(Schema):
    status = fields.Str(validate=validate.OneOf(["requested", "approved", "rejected", "paid", "withdrawn"]))
    grant_id = fields.Int(validate=validate.Range(min=1, max=2147483647))


class DrawdownApproveIn(Schema):
    amount = Money(load_default=None, metadata={"description": "default: the amount requested"})
    reason = fields.Str(load_default="", validate=validate.Length(max=1000))


class ReasonIn(Schema):
    reason = fields.Str(load_default="", validate=validate.Length(max=1000))


class PaymentIn(Schema):
    value_date = fields.Date(required=True)
    reference = fields.Str(required=True, validate=validate.Length(min=1, max=80))


class ExpenseIn(Schema):
    module = fields.Str(required=True, validate=validate.Length(min=1, max=10))
    expense_date = fields.Date(required=True)
    amount = Money(load_default=None)
    units = DecimalText(load_default=None, places=2, maximum=10**9)
    rate_code = fields.Str(load_default=None, validate=validate.Length(max=20))
    voucher_ref = fields.Str(load_default="", validate=validate.Length(max=80))
    description = fields.Str(load_default="", validate=validate.Length(max=300))


class ExpenseOut(Schema):
    id = fields.Int()
    grant_id = fields.Int()
    module = fields.Str(attribute="module_code")
    budget_year = fields.Int()
    expense_date = fields.Date()
    amount = Money(attribute="amount_cents")
    rate_code = fields.Str(allow_none=True)
    voucher_ref = fields.Str()
    description = fields.Str()
    eligible = StrictBool()
    ineligible_reason = fields.Str()
    import_id = fields.Int(allow_none=True)
    import_line = fields.Int(allow_none=True, metadata={"description": "line of the import file"})
    reversed_at = fields.DateTime(allow_none=True, metadata={"description": "Storno by the recipient"})
    reversal_reason = fields.Str()


class ExpenseCreatedOut(ExpenseOut):
    warnings = fields.List(fields.Str(), metadata={
        "description": "German warnings that did not stop the booking, e.g. an expense dated before the grant "
                       "decision (vorzeitiger Maßnahmebeginn)"})


class ImportOut(Schema):
    id = fields.Int()
    grant_id = fields.Int()
    filename = fields.Str()
    file_sha256 = fields.Str(allow_none=True)
    created_at = fields.DateTime()
    line_count = fields.Int()
    total = Money(attribute="total_cents")
    reversed_at = fields.DateTime(allow_none=True)
    reversal_reason = fields.Str()


class ImportCreatedOut(ImportOut):
    warnings = fields.List(fields.Str(), metadata={
        "description": "German warnings that did not stop the import, e.g. lines dated before the grant decision "
                       "(vorzeitiger Maßnahmebeginn)"})


class ReversalIn(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=500))


class ProofIn(Schema):
    narrative = fields.Str(required=True, validate=validate.Length(min=1, max=20000))
    confirmed = StrictBool(required=True)


class FinalDecisionLineOut(Schema):
    """One module of the final decision (budget years added up; see docs/budgets.md "Final grant")."""

    module = fields.Str()
    years = fields.List(fields.Int())
    approved = Money(attribute="approved_cents")
    expenses = Money(attribute="expenses_cents")
    earned = Money(attribute="earned_cents")
    allowed = Money(attribute="allowed_cents", metadata={"description": "Bewilligung plus Überschreitungsspielraum"})
    recognised = Money(attribute="recognised_cents")
    final = Money(attribute="final_cents")
    paid = Money(attribute="paid_cents")


class ProofOut(Schema):
    id = fields.Int()
    grant_id = fields.Int()
    status = fields.Str()
    narrative = fields.Str()
    expense_count = fields.Int()
    expense_total = Money(attribute="expense_total_cents")
    submitted_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    final_grant = Money(attribute="final_grant_cents", allow_none=True)
    paid = Money(attribute="paid_cents", allow_none=True)
    overpaid = Money(attribute="overpaid_cents", allow_none=True, allow_negative=True)
    decision_lines = fields.List(fields.Nested(FinalDecisionLineOut), allow_none=True)
    reclaim_id = fields.Int(allow_none=True)
    document_url = DocumentUrl("proof_of_use")


class DecisionIn(Schema):
    points = DecimalText(load_default=Decimal("5"), places=2, maximum=20)
    day_count = fields.Str(load_default="act/365", validate=validate.OneOf(["act/365", "act/act", "30/360"]))


class IneligibleIn(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=500))


class InterestPeriodOut(Schema):
    start = fields.Date(data_key="from")
    last_day = fields.Date(data_key="to")
    days = fields.Int()
    principal = Money(attribute="principal_cents")
    base_rate = fields.Decimal(as_string=True)
    rate = fields.Decimal(attribute="total_rate", as_string=True)
    interest = Money(attribute="interest_cents")


class UnusedInterestOut(Schema):
    drawdown_id = fields.Int()
    module = fields.Str()
    value_date = fields.Date()
    period_end = fields.Date()
    paid = Money(attribute="cents")
    interest = Money(attribute="result.interest_cents")
    periods = fields.List(fields.Nested(InterestPeriodOut), attribute="result.periods")


class ReclaimOut(Schema):
    id = fields.Int()
    grant_id = fields.Int()
    status = fields.Str()
    principal = Money(attribute="principal_cents")
    principal_repaid = Money(attribute="principal_repaid_cents")
    interest_repaid = Money(attribute="interest_repaid_cents")
    interest_charged = Money(attribute="interest_booked_cents")
    as_of = fields.Date()
    interest_to_date = Money(allow_none=True)
    amount_due = Money(allow_none=True)
    document_url = DocumentUrl("reclaim")
    calculation = fields.List(fields.Str())
    periods = fields.List(fields.Nested(InterestPeriodOut))
    message = fields.Str(allow_none=True)
    unused_interest = Money(attribute="unused_interest_cents", metadata={
        "description": "§ 49a Abs. 4 VwVfG: interest on drawn money used after its drawdown period, "
                       "fixed by the final decision (included in amount_due)"})
    unused_interest_until = fields.Date(allow_none=True, metadata={"description": "the final decision day "
                                                                   "(interest end, not an interest day)"})
    unused_interest_calculation = fields.List(fields.Str())
    unused_interest_drawdowns = fields.List(fields.Nested(UnusedInterestOut))


class AsOfQuery(Schema):
    as_of = fields.Date(validate=validate.Range(min=date(1900, 1, 1), max=date(9999, 12, 30),
                                                error="Bitte ein Datum zwischen 1900 und 9999 angeben."),
                        metadata={"description": "Stichtag der Zinsberechnung (JJJJ-MM-TT; ohne: heute)"})


class RepaymentIn(Schema):
    amount = Money(required=True)
    value_date = fields.Date(required=True)
    reference = fields.Str(load_default="", validate=validate.Length(max=80))


class VerifyOut(Schema):
    ok = StrictBool()
    problems = fields.List(fields.Str())

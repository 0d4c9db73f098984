"""Budget schemas: one input schema per change, shared by the API and the page forms (``load_form``), and
the output schemas of the API; money as decimal strings (German input in forms)."""

from datetime import date
from decimal import Decimal

from marshmallow import Schema, fields, post_load, validate

from ..platform import limits
from ..platform.fields import Day, id_field, text
from ..platform.formatting import format_decimal
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
    module = text(limits.MODULE_CODE, required=True)
    amount_cents = Money(required=True, data_key="amount")
    purpose = text(limits.PURPOSE, required=True, message=f"Bitte den Verwendungszweck angeben (höchstens "
                                                          f"{limits.PURPOSE} Zeichen).")


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
    grant_id = fields.Int(validate=validate.Range(min=1, max=limits.MAX_ID))


class DrawdownApproveIn(Schema):
    amount_cents = Money(load_default=None, data_key="amount",
                         metadata={"description": "default: the amount requested"})
    reason = text(limits.PURPOSE, load_default="")


class ReasonIn(Schema):
    reason = text(limits.PURPOSE, load_default="")


PAYMENT_REFERENCE_MESSAGE = (f"Bitte das Kassenzeichen / die Zahlungsreferenz angeben (höchstens "
                             f"{limits.PAYMENT_REFERENCE} Zeichen).")


class PaymentIn(Schema):
    value_date = Day(required=True)
    reference = text(limits.PAYMENT_REFERENCE, required=True, message=PAYMENT_REFERENCE_MESSAGE)


class ExpenseIn(Schema):
    module = text(limits.MODULE_CODE, required=True)
    expense_date = Day(required=True)
    amount_cents = Money(load_default=None, data_key="amount")
    units = DecimalText(load_default=None, places=2, maximum=10**9)
    rate_code = text(limits.RATE_CODE, load_default=None)
    voucher_ref = text(limits.PAYMENT_REFERENCE, load_default="")
    description = text(limits.EXPENSE_DESCRIPTION, load_default="")
    measure_id = id_field(load_default=None, allow_none=True,
                          metadata={"description": "optional: a measure of the grant's Kommune (same module)"})

    @post_load
    def units_in_hundredths(self, data: dict, **_kwargs) -> dict:
        """``units`` (at most two decimals, checked by the field) as hundredths, as the services take them."""
        units = data.pop("units")
        data["units_centi"] = None if units is None else int(units * 100)
        return data


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
    measure_id = fields.Int(allow_none=True, metadata={"description": "the Kommune's measure, if tied to one"})
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


class ImportJobOut(Schema):
    """A background expense import (app/budgets/importing.py) as its user polls it."""

    id = fields.Int()
    status = fields.Str(metadata={"description": "pending, running, done or failed"})
    stage = fields.Str(allow_none=True, metadata={"description": "while running: validate, then insert"})
    filename = fields.Str()
    lines_total = fields.Int(attribute="total", metadata={"description": "lines below the header (counted on upload)"})
    lines_done = fields.Int(attribute="done", metadata={"description": "lines validated, then inserted"})
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    import_ = fields.Nested(ImportCreatedOut, attribute="outcome", data_key="import", dump_default=None,
                            metadata={"description": "when done: the import, as the synchronous answer gives it"})


STORNO_REASON = f"Bitte den Grund der Stornierung angeben (höchstens {limits.STATEMENT} Zeichen)."
INELIGIBLE_REASON = f"Bitte die Aberkennung begründen (höchstens {limits.STATEMENT} Zeichen)."


class ReversalIn(Schema):
    reason = text(limits.STATEMENT, required=True, message=STORNO_REASON)


class ProofIn(Schema):
    narrative = text(limits.DESCRIPTION, required=True, message="Bitte den Sachbericht eingeben (höchstens "
                                                                f"{format_decimal(limits.DESCRIPTION, 0)} Zeichen).")
    confirmed = StrictBool(required=True, error_messages={
        "required": "Bitte die Richtigkeit und Vollständigkeit der Angaben bestätigen."})


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
    reason = text(limits.STATEMENT, required=True, message=INELIGIBLE_REASON)


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
    amount_cents = Money(required=True, data_key="amount")
    value_date = Day(required=True)
    reference = text(limits.PAYMENT_REFERENCE, load_default="")


class VerifyOut(Schema):
    ok = StrictBool()
    problems = fields.List(fields.Str())


class HearingOut(Schema):
    id = fields.Int()
    grant_id = fields.Int()
    status = fields.Str()
    expired = fields.Bool(metadata={"description": "Frist ohne Stellungnahme abgelaufen"})
    deadline = fields.Date(metadata={"description": "letzter Tag für die Stellungnahme"})
    opened_at = fields.DateTime()
    final_grant = Money(attribute="final_grant_cents")
    paid = Money(attribute="paid_cents")
    principal = Money(attribute="principal_cents", metadata={"description": "beabsichtigte Rückforderung"})
    unused_interest = Money(attribute="unused_interest_cents")
    lines = fields.List(fields.Nested(FinalDecisionLineOut))
    comment = fields.Str(allow_none=True)
    commented_at = fields.DateTime(allow_none=True)
    document_url = DocumentUrl("hearing")


class HearingCommentIn(Schema):
    """The recipient's comment; its length is checked by ``services.submit_comment`` (one message for both edges)."""

    comment = fields.Str(required=True, error_messages={"required": "Bitte die Stellungnahme eingeben."},
                         metadata={"description": "Stellungnahme, höchstens 20.000 Zeichen"})

"""Input and output schemas: one per endpoint; money as "1234.56" strings.

The pages load the same fields (``app.platform.web.forms.load_form``): the application grid and the
approval table through ``draft_form``/``approve_form``, which name one field per module and year
(``lines.F1.2020``) as the page does, and the review page's forms through ``ChangesForm``/``RejectIn``.
"""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from ..platform import limits
from ..platform.fields import REQUIRED_MESSAGE, Day, text
from ..platform.formatting import format_decimal
from ..platform.money import Money
from ..platform.web.api import DecimalText, DocumentUrl, StrictBool
from .content import MAX_PARTICIPANTS, line_field, participants_field
from .models import GENDERS, ApplicationKind, ApplicationStatus
from .participants import COUNT_FIELDS, MAX_COUNT, count_field

MODULE = text(limits.CODE, required=True, metadata={"example": "F1"})
YEAR = fields.Int(required=True, validate=validate.Range(min=1900, max=2999), metadata={"example": 2021})
WHOLE_NUMBER = "Bitte eine ganze Zahl ab 0 eingeben."


def _count(maximum: int, *, strict: bool = True, **kwargs) -> fields.Integer:
    """A number of people: a whole number from 0 to ``maximum``; a JSON integer in the API (``2.5`` is refused,
    not cut), a typed number in the pages' forms (``strict=False``)."""
    message = f"Bitte eine ganze Zahl von 0 bis {format_decimal(maximum, 0)} eingeben."
    return fields.Int(strict=strict, validate=validate.Range(min=0, max=maximum, error=message),
                      error_messages={"invalid": WHOLE_NUMBER, "required": REQUIRED_MESSAGE}, **kwargs)


def _comment(**kwargs) -> fields.String:
    return text(limits.DESCRIPTION, required=True, **kwargs)


def _no_duplicates(items: list[dict], key) -> None:
    seen = set()
    for item in items:
        k = key(item)
        if k in seen:
            raise ValidationError(f"Doppelte Angabe für {' '.join(map(str, k))}.", "lines")
        seen.add(k)


class LineIn(Schema):
    module = MODULE
    year = YEAR
    amount = Money(required=True, metadata={"description": "geplante Zuwendung (Landesmittel)"})


class ParticipantsIn(Schema):
    module = MODULE
    planned = _count(MAX_PARTICIPANTS, required=True)


class DraftTexts(Schema):
    """The free texts of an application (the API's draft and the page's form)."""

    measures = text(limits.DESCRIPTION, load_default="")
    contact_name = text(limits.NAME, load_default="")
    contact_email = text(limits.NAME, load_default="")
    contact_phone = text(limits.PHONE, load_default="")
    justification = text(limits.DESCRIPTION, load_default="", metadata={"description": "Änderungsanträge: Begründung"})


class _InputNames(Schema):
    """Keys the loaded values by the page's input names (``lines.F1.2020``)."""

    @post_load
    def _by_input_name(self, data, **_kwargs):
        return {self.fields[name].data_key or name: value for name, value in data.items()}


def _page_form(name: str, inputs: dict[str, fields.Field], base: type[Schema] = Schema) -> Schema:
    """A schema for a page whose inputs are named with dots: marshmallow would nest such names, so each
    field gets a flat name and the input name as its data key (errors and values carry the input name)."""
    attributes = {}
    for key, field in inputs.items():
        field.data_key = key
        attributes[key.replace(".", "_")] = field
    return type(name, (_InputNames, base), attributes)()


def draft_form(modules: list[str], years: list[int]) -> Schema:
    """The application page's grid: one amount per module and year, planned participants per module, the texts."""
    grid = {line_field(m, y): Money() for m in modules for y in years}
    grid.update({participants_field(m): _count(MAX_PARTICIPANTS, strict=False) for m in modules})
    return _page_form("DraftForm", grid, DraftTexts)


class DraftIn(DraftTexts):
    lines = fields.List(fields.Nested(LineIn), load_default=list)
    participants = fields.List(fields.Nested(ParticipantsIn), load_default=list)

    @validates_schema
    def _unique(self, data, **_kwargs):
        _no_duplicates(data.get("lines", []), lambda i: (i["module"], i["year"]))
        seen = [p["module"] for p in data.get("participants", [])]
        if len(seen) != len(set(seen)):
            raise ValidationError("Doppelte Angabe für einen Baustein.", "participants")


class CommentIn(Schema):
    comment = _comment()


class ChangesForm(Schema):
    """The review page's "Änderungen anfordern" form (the approval form beside it has its own ``comment``)."""

    comment = _comment(data_key="changes_comment")


class RejectIn(Schema):
    reason = _comment()


class ApproveLineIn(Schema):
    module = MODULE
    year = YEAR
    amount = Money(required=True, metadata={"description": "bewilligter Betrag (≤ beantragt)"})
    reason = text(limits.SUMMARY, load_default="")


class ApproveIn(Schema):
    lines = fields.List(fields.Nested(ApproveLineIn), load_default=list,
                        metadata={"description": "nur abweichende Zeilen; fehlende werden wie beantragt bewilligt"})
    comment = text(limits.DESCRIPTION, load_default="")

    @validates_schema
    def _unique(self, data, **_kwargs):
        _no_duplicates(data.get("lines", []), lambda i: (i["module"], i["year"]))


def approve_form(keys: list[tuple[str, int]]) -> Schema:
    """The review page's approval table: per requested line the approved amount (empty: 0) and a reason."""
    table = {line_field(m, y): Money(load_default=0) for m, y in keys}
    table.update({f"reasons.{m}.{y}": text(limits.SUMMARY, load_default="") for m, y in keys})
    return _page_form("ApproveForm", {**table, "comment": text(limits.DESCRIPTION, load_default="")})


class ApplicationFilter(Schema):
    status = fields.Str(validate=validate.OneOf([s.value for s in ApplicationStatus]))
    kind = fields.Str(validate=validate.OneOf([k.value for k in ApplicationKind]))
    kommune_id = fields.Int(validate=validate.Range(min=1, max=limits.MAX_ID))


class KommuneOut(Schema):
    id = fields.Int()
    ags = fields.Str()
    name = fields.Str(attribute="display_name")


class LineOut(Schema):
    module = fields.Str()
    year = fields.Int()
    planned = Money()
    eligible_cost = Money()
    own_share = Money()


class ParticipantsOut(Schema):
    module = fields.Str()
    planned = fields.Int()


class RevisionOut(Schema):
    number = fields.Int()
    created_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    funding_rate_bp = fields.Int(metadata={"description": "Förderquote in Basispunkten (8000 = 80 %)"})
    lines = fields.List(fields.Nested(LineOut))
    participants = fields.List(fields.Nested(ParticipantsOut))
    total_planned = Money()
    total_eligible_cost = Money()
    total_own_share = Money()
    measures = fields.Str()
    contact_name = fields.Str()
    contact_email = fields.Str()
    contact_phone = fields.Str()
    justification = fields.Str()


class EventOut(Schema):
    action = fields.Str()
    from_status = fields.Str(allow_none=True)
    to_status = fields.Str()
    comment = fields.Str()
    revision = fields.Int(allow_none=True)
    created_at = fields.DateTime()


class WarningOut(Schema):
    field = fields.Str(metadata={"description": "the field, as in errors, e.g. lines.F1.2021"})
    message = fields.Str()


class ApplicationOut(Schema):
    id = fields.Int()
    kind = fields.Str()
    parent_id = fields.Int(allow_none=True)
    sequence = fields.Int()
    kommune = fields.Nested(KommuneOut)
    status = fields.Str()
    status_label = fields.Str()
    created_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    ceiling = Money(allow_none=True)
    funding_rate_bp = fields.Int()
    current_revision = fields.Nested(RevisionOut)
    revisions = fields.List(fields.Int(), metadata={"description": "Nummern aller Revisionen"})
    decision_ids = fields.List(fields.Int())
    amendment_ids = fields.List(fields.Int())
    allowed_actions = fields.List(fields.Str())
    warnings = fields.List(fields.Nested(WarningOut), metadata={
        "description": "German warnings beside a field that do not stop saving or submitting, e.g. an amount on a "
                       "budget year already closed (only while the application can be edited)"})
    events = fields.List(fields.Nested(EventOut))


class ApplicationListOut(Schema):
    id = fields.Int()
    kind = fields.Str()
    parent_id = fields.Int(allow_none=True)
    sequence = fields.Int()
    kommune = fields.Nested(KommuneOut)
    status = fields.Str()
    submitted_at = fields.DateTime(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)


class DiffRowOut(Schema):
    key = fields.Str()
    label = fields.Str()
    kind = fields.Str()
    old = fields.Raw()
    new = fields.Raw()
    changed = StrictBool()


class DiffOut(Schema):
    old = fields.Str()
    new = fields.Str()
    rows = fields.List(fields.Nested(DiffRowOut))


class DiffQuery(Schema):
    old = fields.Int(validate=validate.Range(min=1, max=100000))
    new = fields.Int(validate=validate.Range(min=1, max=100000))


class DecisionLineOut(Schema):
    module = fields.Str(attribute="module_code")
    year = fields.Int(attribute="budget_year")
    requested = Money(attribute="requested_cents")
    approved = Money(attribute="approved_cents")
    reason = fields.Str()


class DecisionOut(Schema):
    id = fields.Int()
    number = fields.Str()
    outcome = fields.Str()
    application_id = fields.Int()
    revision = fields.Int(attribute="revision.number")
    decided_at = fields.DateTime()
    reason = fields.Str()
    recipient = fields.Str(attribute="recipient_name")
    funding_rate_bp = fields.Int()
    start_date = fields.Date()
    last_expense_date = fields.Date()
    proof_of_use_deadline = fields.Date()
    drawdown_period_months = fields.Int()
    side_conditions = fields.Str()
    supersedes = fields.Str(attribute="supersedes.number", allow_none=True)
    total_requested = Money(attribute="requested_cents")
    total_approved = Money(attribute="approved_cents")
    released = Money(attribute="released_cents")
    lines = fields.List(fields.Nested(DecisionLineOut))
    document_url = DocumentUrl("grant_decision")


class RateIn(Schema):
    funding_rate_bp = fields.Int(required=True, allow_none=True, validate=validate.Range(min=1, max=10000),
                                 metadata={"description": "Basispunkte (9000 = 90 %); null entfernt die Abweichung"})
    note = text(limits.REASON, load_default="")


class RateOut(Schema):
    kommune_id = fields.Int()
    funding_rate_bp = fields.Int()
    note = fields.Str()


GenderCountsIn = Schema.from_dict({name: _count(MAX_COUNT, load_default=0) for name in COUNT_FIELDS},
                                  name="GenderCountsIn")


def quarter_form() -> Schema:
    """The participants page: one count per gender and number (``counts.female.entered``); empty counts 0."""
    return _page_form("QuarterForm", {count_field(g, n): _count(MAX_COUNT, strict=False, load_default=0)
                                      for g in GENDERS for n in COUNT_FIELDS})


class QuarterIn(Schema):
    module = MODULE
    year = YEAR
    quarter = fields.Int(required=True, validate=validate.Range(min=1, max=4))
    counts = fields.Dict(keys=fields.Str(validate=validate.OneOf(GENDERS)), values=fields.Nested(GenderCountsIn),
                         required=True)


class ParticipantCountOut(Schema):
    kommune_id = fields.Int()
    module = fields.Str(attribute="module_code")
    year = fields.Int()
    quarter = fields.Int()
    gender = fields.Str()
    entered = fields.Int()
    exited = fields.Int()
    finished = fields.Int()
    primary_target = fields.Int()


class ReportRowOut(Schema):
    kommune = fields.Str()
    ags = fields.Str()
    module = fields.Str()
    entered = fields.Dict(keys=fields.Str(), values=fields.Int())
    entered_total = fields.Int()
    exited = fields.Int()
    finished = fields.Int()
    primary_target = fields.Int()
    share_women = DecimalText(places=1, maximum=100, allow_none=True)
    share_men = DecimalText(places=1, maximum=100, allow_none=True)


class ReportOut(Schema):
    rows = fields.List(fields.Nested(ReportRowOut))
    total = fields.Nested(ReportRowOut)


class ReleasedOut(Schema):
    kommune_id = fields.Int()
    released = Money()


# ---------------------------------------------------------------- F6 Teilhabemanagement (docs/f6.md)
class F6ApplicationIn(Schema):
    """The F6 application: positions (half steps), cost mode and the cost per FTE and month."""

    positions = DecimalText(places=1, maximum=1000, required=True, metadata={"example": "1.5"})
    cost_mode = fields.String(required=True, validate=validate.OneOf(
        ["rate", "actual"], error="Bitte „rate“ (Pauschale) oder „actual“ (tatsächliche Kosten) angeben."),
        error_messages={"required": REQUIRED_MESSAGE}, metadata={"example": "rate"})
    monthly_cost = Money(required=True, metadata={"description": "Kosten je VZÄ und Monat", "example": "4500.00"})
    description = text(limits.DESCRIPTION)


class F6StaffingIn(Schema):
    """One month's staffing: FTE filled (two decimals) and an optional note (e.g. why a position is vacant)."""

    month = Day(required=True, metadata={"description": "ein Tag des Monats, z. B. 2022-03-01"})
    filled = DecimalText(places=2, maximum=1000, required=True, metadata={"example": "1.25"})
    note = text(limits.REASON)


class F6CommentIn(Schema):
    comment = text(limits.REASON)


class F6ReasonIn(Schema):
    reason = text(limits.REASON, required=True)


class F6ApplicationOut(Schema):
    id = fields.Int()
    kommune_ags = fields.Function(lambda a: a.kommune.ags)
    kommune = fields.Function(lambda a: a.kommune.display_name)
    status = fields.Function(lambda a: a.status.value)
    positions = fields.Function(lambda a: str(a.positions))
    cost_mode = fields.Function(lambda a: a.cost_mode.value)
    monthly_cost = Money(attribute="monthly_cost_cents")
    start_date = fields.Date()
    end_date = fields.Date()
    funding_rate_bp = fields.Int()
    decision_number = fields.String(allow_none=True)


class F6MonthOut(Schema):
    month = fields.Date()
    approved = fields.Function(lambda r: str(Decimal(r.approved_centi) / 100))
    filled = fields.Function(lambda r: None if r.filled_centi is None else str(Decimal(r.filled_centi) / 100))
    vacant = fields.Function(lambda r: str(Decimal(r.vacant_centi) / 100))
    note = fields.String()


class F6FiguresOut(Schema):
    planned = Money(attribute="planned_cents", metadata={"description": "geplante förderfähige Kosten"})
    approved = Money(attribute="approved_cents", metadata={"description": "bewilligte Zuwendung"})
    cap = Money(attribute="cap_cents", metadata={"description": "förderfähig nach Stellenbesetzung"})
    spent = Money(attribute="spent_cents", metadata={"description": "gebuchte Ausgaben F6"})
    counted = Money(attribute="counted_cents", metadata={"description": "anerkennungsfähige Ausgaben"})
    earned = Money(attribute="earned_cents", metadata={"description": "Zuwendungsanteil davon"})


class F6DetailOut(Schema):
    application = fields.Nested(F6ApplicationOut)
    allowed_actions = fields.List(fields.String())
    months = fields.List(fields.Nested(F6MonthOut))
    figures = fields.Nested(F6FiguresOut)


class F6OverviewRowOut(Schema):
    ags = fields.String()
    name = fields.String()
    published_positions = fields.Function(lambda r: str(Decimal(r.published_halves) / 2))
    status = fields.Function(lambda r: r.status.value if r.status else None)
    approved_positions = fields.Function(lambda r: str(Decimal(r.approved_halves) / 2))
    filled = fields.Function(lambda r: None if r.filled_centi is None else str(Decimal(r.filled_centi) / 100))


class F6OverviewOut(Schema):
    month = fields.Date()
    positions = fields.String()
    filled = fields.String()
    rows = fields.List(fields.Nested(F6OverviewRowOut))


class F6OverviewQuery(Schema):
    month = Day(metadata={"description": "ein Tag des Monats (Standard: der Vormonat)"})

"""API schemas: one input and one output schema per endpoint; money as "1234.56" strings."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..platform.money import Money
from ..platform.web.api import DecimalText, DocumentUrl, StrictBool
from .models import GENDERS, ApplicationKind, ApplicationStatus

MODULE = fields.Str(required=True, validate=validate.Length(min=1, max=10), metadata={"example": "F1"})
YEAR = fields.Int(required=True, validate=validate.Range(min=1900, max=2999), metadata={"example": 2021})


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
    planned = fields.Int(required=True, validate=validate.Range(min=0, max=1_000_000))


class DraftIn(Schema):
    lines = fields.List(fields.Nested(LineIn), load_default=list)
    participants = fields.List(fields.Nested(ParticipantsIn), load_default=list)
    measures = fields.Str(load_default="", validate=validate.Length(max=20000))
    contact_name = fields.Str(load_default="", validate=validate.Length(max=200))
    contact_email = fields.Str(load_default="", validate=validate.Length(max=200))
    contact_phone = fields.Str(load_default="", validate=validate.Length(max=60))
    justification = fields.Str(load_default="", validate=validate.Length(max=20000),
                               metadata={"description": "Änderungsanträge: Begründung"})

    @validates_schema
    def _unique(self, data, **_kwargs):
        _no_duplicates(data.get("lines", []), lambda i: (i["module"], i["year"]))
        seen = [p["module"] for p in data.get("participants", [])]
        if len(seen) != len(set(seen)):
            raise ValidationError("Doppelte Angabe für einen Baustein.", "participants")


class CommentIn(Schema):
    comment = fields.Str(required=True, validate=validate.Length(min=1, max=20000))


class RejectIn(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=20000))


class ApproveLineIn(Schema):
    module = MODULE
    year = YEAR
    amount = Money(required=True, metadata={"description": "bewilligter Betrag (≤ beantragt)"})
    reason = fields.Str(load_default="", validate=validate.Length(max=5000))


class ApproveIn(Schema):
    lines = fields.List(fields.Nested(ApproveLineIn), load_default=list,
                        metadata={"description": "nur abweichende Zeilen; fehlende werden wie beantragt bewilligt"})
    comment = fields.Str(load_default="", validate=validate.Length(max=20000))

    @validates_schema
    def _unique(self, data, **_kwargs):
        _no_duplicates(data.get("lines", []), lambda i: (i["module"], i["year"]))


class ApplicationFilter(Schema):
    status = fields.Str(validate=validate.OneOf([s.value for s in ApplicationStatus]))
    kind = fields.Str(validate=validate.OneOf([k.value for k in ApplicationKind]))
    kommune_id = fields.Int(validate=validate.Range(min=1, max=2147483647))


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
    note = fields.Str(load_default="", validate=validate.Length(max=2000))


class RateOut(Schema):
    kommune_id = fields.Int()
    funding_rate_bp = fields.Int()
    note = fields.Str()


class GenderCountsIn(Schema):
    entered = fields.Int(load_default=0, validate=validate.Range(min=0, max=100_000))
    exited = fields.Int(load_default=0, validate=validate.Range(min=0, max=100_000))
    finished = fields.Int(load_default=0, validate=validate.Range(min=0, max=100_000))
    primary_target = fields.Int(load_default=0, validate=validate.Range(min=0, max=100_000))


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

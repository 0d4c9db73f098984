"""Schemas of the ranking, the proposals, the staged decision and its release, the outbox, statistics, full
applications and project decisions."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ...platform import limits
from ...platform.fields import Day, text
from ...platform.money import Money
from ...platform.web.api import DocumentUrl
from ..models import SelectionRule
from .common import Score, database_id
from .sketches import AggregateOut


class RankOut(Schema):
    position = fields.Int()
    sketch_id = fields.Int()
    reference = fields.Str()
    title = fields.Str()
    requested = Money()
    aggregate = fields.Nested(AggregateOut)


class SelectionOut(Schema):
    method = fields.Str()
    label = fields.Str()
    selected = fields.List(fields.Int())
    total = Money()
    score_total = Score()
    budget_left = Money()
    skipped = fields.List(fields.Dict())


class ProposalsOut(Schema):
    budget = Money()
    funding_line = fields.Nested(SelectionOut, allow_none=True)
    max_score = fields.Nested(SelectionOut, allow_none=True)
    comparison = fields.Dict(allow_none=True)
    errors = fields.Dict()


class SelectionDecisionIn(Schema):
    basis = fields.Str(required=True, validate=validate.OneOf([r.value for r in SelectionRule]))
    selected = fields.List(database_id(), required=True,
                           validate=validate.Length(max=10000))
    rejected = fields.List(database_id(), load_default=list,
                           validate=validate.Length(max=10000),
                           metadata={"description": "Nicht ausgewählte Skizzen, die abgelehnt werden; jede andere "
                                                    "nicht ausgewählte Skizze kommt auf die Warteliste"})
    reasons = fields.Dict(keys=fields.Str(validate=validate.Regexp(r"^\d{1,10}$")),
                          values=text(limits.SUMMARY), load_default=dict,
                          metadata={"description": "Skizzen-ID -> Begründung jeder Abweichung vom Vorschlag"})
    note = text(limits.DESCRIPTION, load_default="")


class SelectionDecisionOut(Schema):
    basis = fields.Str()
    selected = fields.List(fields.Int())
    total = Money(attribute="total_cents")
    waiting = fields.List(fields.Int())
    rejected = fields.List(fields.Int())
    deviations = fields.Dict()


class ReleaseOut(Schema):
    selected = fields.Int()
    waiting = fields.Int()
    rejected = fields.Int()
    messages = fields.Int()


class OutboxOut(Schema):
    id = fields.Int()
    sketch_id = fields.Int()
    kind = fields.Str()
    subject = fields.Str()
    body = fields.Str()
    created_at = fields.DateTime()
    released_at = fields.DateTime(allow_none=True)
    recipients = fields.Int()


class StatisticsOut(Schema):
    submitted = fields.Int()
    eligible = fields.Int()
    selected = fields.Int()
    by_status = fields.Dict()
    requested = Money(attribute="requested_cents")
    selected_requested = Money(attribute="selected_requested_cents")
    granted = Money(attribute="granted_cents")
    budget = Money(attribute="budget_cents")
    planned_participants = fields.Int()
    planned_women = fields.Int()
    women_share = fields.Str(allow_none=True)
    distribution = fields.List(fields.Dict())
    discrepancies = fields.Int()


class YearLineIn(Schema):
    year = fields.Int(required=True, validate=validate.Range(min=2000, max=2100))
    amount = Money(required=True)


class FullApplicationIn(Schema):
    lines = fields.List(fields.Nested(YearLineIn), required=True, validate=validate.Length(min=1, max=10))
    start_date = Day(required=True)
    end_date = Day(required=True)
    description = text(limits.DESCRIPTION, load_default="")

    @validates_schema
    def _unique(self, data, **_kwargs):
        years = [line["year"] for line in data.get("lines", [])]
        if len(years) != len(set(years)):
            raise ValidationError("Jedes Haushaltsjahr nur einmal.", "lines")


class FullApplicationOut(Schema):
    sketch_id = fields.Int()
    lines = fields.Dict()
    total = Money(attribute="total_cents")
    start_date = fields.Date()
    end_date = fields.Date()
    submitted_at = fields.DateTime()
    status = fields.Str(attribute="status.value")
    changes_reason = fields.Str(allow_none=True)


class FullApplicationReasonIn(Schema):
    """A required written reason (changes requested, full application rejected)."""

    reason = text(limits.DESCRIPTION, required=True)


class ProjectApproveIn(Schema):
    comment = text(limits.DESCRIPTION, load_default="")


class ProjectDecisionOut(Schema):
    id = fields.Int()
    number = fields.Str()
    sketch_id = fields.Int()
    approved = Money(attribute="approved_cents")
    lines = fields.Dict()
    funding_rate_bp = fields.Int()
    side_conditions = fields.Str()
    recipient_name = fields.Str()
    start_date = fields.Date()
    last_expense_date = fields.Date()
    decided_at = fields.DateTime()
    grant_id = fields.Int(allow_none=True)
    document_url = DocumentUrl("if_project_decision")


def full_application_page(years: list[int]) -> Schema:
    """The page's full application: one amount field per budget year (``line_<year>``, an empty one is no line)
    instead of ``lines``, and the other fields of ``FullApplicationIn`` with their messages."""
    others = {name: field for name, field in FullApplicationIn._declared_fields.items() if name != "lines"}
    return Schema.from_dict({**{f"line_{year}": Money() for year in years}, **others})()

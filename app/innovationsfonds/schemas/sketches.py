"""Schemas of sketches, their attachments, aggregate, decision and the eligibility decision."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...platform import limits
from ...platform.fields import Day, text, whole
from ...platform.money import Money
from ...platform.web.api import StrictBool
from ..models import TARGET_GROUPS, SketchStatus
from .common import Score, database_id


class SketchIn(Schema):
    title = text(limits.NAME)
    summary = text(limits.DESCRIPTION)
    target_group = fields.Str(validate=validate.OneOf(list(TARGET_GROUPS),
                                                      error="Bitte „primary“ oder „secondary“ wählen."))
    age_min = whole(0, 99)
    age_max = whole(0, 99)
    planned_participants = whole(0, 100000)
    planned_women = whole(0, 100000)
    kommune_id = database_id()
    start_date = Day()
    end_date = Day()
    requested = Money(attribute="requested_cents")
    total_cost = Money(attribute="total_cost_cents")


class SketchCreateIn(SketchIn):
    call_id = database_id(required=True)
    title = text(limits.NAME, required=True)


class SketchFilter(Schema):
    call_id = database_id()
    status = fields.Str(validate=validate.OneOf([s.value for s in SketchStatus]))


class AttachmentOut(Schema):
    id = fields.Int()
    name = fields.Str()
    size = fields.Int()
    uploaded_at = fields.DateTime()


class AggregateOut(Schema):
    count = fields.Int()
    mean = Score(allow_none=True)
    median = Score(allow_none=True)
    stdev = Score(allow_none=True)
    spread = Score(allow_none=True)
    discrepancy = StrictBool()


class SketchDecisionOut(Schema):
    """The released decision on a sketch, as its organisation and the staff see it."""

    outcome = fields.Str()
    reason = fields.Str()
    waiting_position = fields.Int(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    full_application_deadline = fields.Date(
        allow_none=True, metadata={"description": "eigene Vollantragsfrist der ausgewählten Skizze (einschließlich)"})


class SketchOut(Schema):
    id = fields.Int()
    reference = fields.Str()
    call_id = fields.Int()
    status = fields.Str()
    status_label = fields.Str()
    organisation = fields.Dict(allow_none=True, metadata={"description": "null, wenn Gutachtende anonym bewerten"})
    title = fields.Str()
    summary = fields.Str()
    target_group = fields.Str()
    age_min = fields.Int()
    age_max = fields.Int()
    planned_participants = fields.Int()
    planned_women = fields.Int()
    women_share = fields.Str(allow_none=True)
    kommune_id = fields.Int(allow_none=True)
    kommune = fields.Str(allow_none=True)
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    requested = Money()
    total_cost = Money()
    submitted_at = fields.DateTime(allow_none=True)
    withdrawn_at = fields.DateTime(allow_none=True)
    attachments = fields.List(fields.Nested(AttachmentOut))
    eligibility = fields.Dict(allow_none=True)
    decision = fields.Nested(SketchDecisionOut, allow_none=True)
    staged = fields.Dict(allow_none=True, metadata={"description": "nur Verwaltung: vorgemerkte Entscheidung"})
    aggregate = fields.Nested(AggregateOut, allow_none=True)
    reviewers = fields.List(fields.Dict(), allow_none=True)
    allowed_actions = fields.List(fields.Str())


class SketchListOut(Schema):
    id = fields.Int()
    reference = fields.Str()
    call_id = fields.Int()
    status = fields.Str()
    status_label = fields.Function(lambda s: s.status.label)
    title = fields.Str()
    organisation = fields.Function(lambda s: s.organisation.name)
    requested = Money(attribute="requested_cents")
    submitted_at = fields.DateTime(allow_none=True)


class EligibilityIn(Schema):
    eligible = StrictBool(required=True)
    reason = text(limits.SUMMARY, required=True)

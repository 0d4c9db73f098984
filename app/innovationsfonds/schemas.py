"""API schemas of the Innovationsfonds: money as "1234.56" strings, scores as "83.33" strings."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..platform.money import Money
from ..platform.web.api import DocumentUrl, StrictBool
from ..reference.models import ORGANISATION_KINDS
from .models import PROMOTION_DAYS_DEFAULT, TARGET_GROUPS, SelectionRule, SketchStatus

_SCORE = re.compile(r"^\d{1,3}(\.\d{1,2})?$")
ID = fields.Int(validate=validate.Range(min=1, max=2147483647))


class Score(fields.Field):
    """A score 0–100 with at most two decimals as a string ("83.33") <-> Decimal."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = kwargs.pop("metadata", {})
        metadata.setdefault("pattern", _SCORE.pattern)
        metadata.setdefault("example", "60.00")
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{Decimal(value):.2f}"

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Decimal:
        if not isinstance(value, str) or not _SCORE.match(value) or Decimal(value) > 100:
            raise ValidationError("Punktzahl als Zeichenkette von \"0\" bis \"100\" mit höchstens zwei "
                                  "Nachkommastellen, z. B. \"60.00\".")
        return Decimal(value)


class CriterionIn(Schema):
    key = fields.Str(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$"))
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    description = fields.Str(load_default="", validate=validate.Length(max=5000))
    weight = fields.Int(required=True, validate=validate.Range(min=1, max=1000))
    scale_min = fields.Int(load_default=0, validate=validate.Range(min=0, max=100))
    scale_max = fields.Int(load_default=10, validate=validate.Range(min=1, max=100))


class CallIn(Schema):
    title = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    description = fields.Str(load_default="", validate=validate.Length(max=20000))
    budget = Money(required=True, data_key="budget", attribute="budget_cents")
    opens_at = fields.AwareDateTime(required=True)
    closes_at = fields.AwareDateTime(required=True)
    review_deadline = fields.Date(required=True)
    full_application_deadline = fields.Date(required=True)
    full_application_days_after_promotion = fields.Int(load_default=PROMOTION_DAYS_DEFAULT,
                                                       validate=validate.Range(min=1, max=365))
    waiting_list_limit = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=0, max=10000),
                                    metadata={"description": "Höchstzahl der Wartelistenplätze (null: unbegrenzt)"})
    max_per_project = Money(required=True, attribute="max_per_project_cents")
    eligible_kinds = fields.List(fields.Str(validate=validate.OneOf(list(ORGANISATION_KINDS))), required=True)
    target_groups = fields.List(fields.Str(validate=validate.OneOf(list(TARGET_GROUPS))), required=True)
    project_start = fields.Date(required=True)
    project_end = fields.Date(required=True)
    funding_rate_bp = fields.Int(load_default=8000, validate=validate.Range(min=1, max=10000))
    reviewers_per_sketch = fields.Int(load_default=3, validate=validate.Range(min=1, max=20))
    reviewers_see_names = StrictBool(load_default=False)
    show_scores_to_rejected = StrictBool(load_default=True)
    selection_rule = fields.Str(required=True, validate=validate.OneOf([r.value for r in SelectionRule]))
    min_score = Score(load_default=None, allow_none=True)
    discrepancy_threshold = Score(load_default=Decimal("25.00"))
    group_minimums = fields.Dict(keys=fields.Str(validate=validate.Length(max=80)),
                                 values=fields.Int(validate=validate.Range(min=0, max=1000)), load_default=dict)
    criteria = fields.List(fields.Nested(CriterionIn), required=True, validate=validate.Length(min=1, max=30))


class CriterionOut(Schema):
    key = fields.Str()
    name = fields.Str()
    description = fields.Str()
    weight = fields.Int()
    scale_min = fields.Int()
    scale_max = fields.Int()


class CallOut(Schema):
    id = fields.Int()
    title = fields.Str()
    description = fields.Str()
    budget = Money(attribute="budget_cents")
    opens_at = fields.DateTime()
    closes_at = fields.DateTime()
    review_deadline = fields.Date()
    full_application_deadline = fields.Date()
    full_application_days_after_promotion = fields.Int()
    waiting_list_limit = fields.Int(allow_none=True)
    max_per_project = Money(attribute="max_per_project_cents")
    eligible_kinds = fields.List(fields.Str())
    target_groups = fields.List(fields.Str())
    project_start = fields.Date()
    project_end = fields.Date()
    funding_rate_bp = fields.Int()
    reviewers_per_sketch = fields.Int()
    reviewers_see_names = StrictBool()
    show_scores_to_rejected = StrictBool()
    selection_rule = fields.Str()
    min_score = Score(attribute="min_score_points", allow_none=True)
    discrepancy_threshold = Score(attribute="threshold_points")
    group_minimums = fields.Dict()
    criteria = fields.List(fields.Nested(CriterionOut))
    closed_at = fields.DateTime(allow_none=True)
    decision_staged_at = fields.DateTime(allow_none=True)
    decision_review = fields.Str(metadata={"description": "Warum die vorgemerkte Entscheidung vor der Freigabe "
                                                          "überprüft werden muss (leer: freigabebereit)"})
    released_at = fields.DateTime(allow_none=True)


class CloseOut(Schema):
    call = fields.Int()
    eligible = fields.Int()
    ineligible = fields.Int()
    already_closed = StrictBool()


class SketchIn(Schema):
    title = fields.Str(validate=validate.Length(max=200))
    summary = fields.Str(validate=validate.Length(max=20000))
    target_group = fields.Str(validate=validate.OneOf(list(TARGET_GROUPS)))
    age_min = fields.Int(validate=validate.Range(min=0, max=99))
    age_max = fields.Int(validate=validate.Range(min=0, max=99))
    planned_participants = fields.Int(validate=validate.Range(min=0, max=100000))
    planned_women = fields.Int(validate=validate.Range(min=0, max=100000))
    kommune_id = ID
    start_date = fields.Date()
    end_date = fields.Date()
    requested = Money(attribute="requested_cents")
    total_cost = Money(attribute="total_cost_cents")


class SketchCreateIn(SketchIn):
    call_id = fields.Int(required=True, validate=validate.Range(min=1, max=2147483647))
    title = fields.Str(required=True, validate=validate.Length(min=1, max=200))


class SketchFilter(Schema):
    call_id = ID
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
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=5000))


class ConflictIn(Schema):
    """Reviewers: exactly one of ``organisation_id`` (from ``/conflict-options``) and ``kommune_id``;
    organisations: ``reviewer_id``."""

    organisation_id = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2147483647))
    kommune_id = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2147483647))
    reviewer_id = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2147483647))
    reason = fields.Str(load_default="", validate=validate.Length(max=2000))


class ConflictOut(Schema):
    id = fields.Int()
    organisation_id = fields.Int(allow_none=True)
    kommune_id = fields.Int(allow_none=True)
    sketch_id = fields.Int(allow_none=True)
    reviewer_id = fields.Int()
    reason = fields.Str()
    declared_at = fields.DateTime()


class OrganisationIn(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.Str(required=True, validate=validate.OneOf(list(ORGANISATION_KINDS)))
    is_public_body = StrictBool(load_default=None, allow_none=True,
                                 metadata={"description": "Vorgabe: nur Kommunen sind öffentliche Stellen"})
    city = fields.Str(load_default="", validate=validate.Length(max=120))
    contact_name = fields.Str(load_default="", validate=validate.Length(max=200))
    contact_email = fields.Str(load_default="", validate=validate.Length(max=200))
    kommune_id = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2147483647))


class OrganisationOut(Schema):
    id = fields.Int()
    name = fields.Str()
    kind = fields.Str()
    is_public_body = StrictBool()
    city = fields.Str()
    contact_name = fields.Str()
    contact_email = fields.Str()
    kommune_id = fields.Int(allow_none=True)


class NamedOut(Schema):
    id = fields.Int()
    name = fields.Str()


class ConflictOptionsOut(Schema):
    """Reviewers: per unreleased call the applicant organisations (names only); organisations: the reviewers."""

    calls = fields.List(fields.Dict(), metadata={"description": "[{call_id, title, organisations: [{id, name}]}]"})
    reviewers = fields.List(fields.Nested(NamedOut))


class RecusalIn(Schema):
    reason = fields.Str(load_default="", validate=validate.Length(max=2000))


class AssignIn(Schema):
    reviewer_id = fields.Int(required=True, validate=validate.Range(min=1, max=2147483647))


class AutoAssignOut(Schema):
    sketches = fields.Int()
    created = fields.Int()
    load_min = fields.Int()
    load_max = fields.Int()


class MatrixOut(Schema):
    reviewers = fields.List(fields.Dict())
    rows = fields.List(fields.Dict())


class ReviewIn(Schema):
    marks = fields.Dict(keys=fields.Str(validate=validate.Length(max=40)),
                        values=fields.Int(allow_none=True, strict=True), load_default=dict,
                        metadata={"description": "Kriterium -> ganze Zahl auf der Skala, null = nicht zutreffend"})
    comment = fields.Str(load_default="", validate=validate.Length(max=20000))


class ReviewOut(Schema):
    id = fields.Int()
    sketch_id = fields.Int()
    reviewer = fields.Str(metadata={"description": "Gutachtende sehen andere nur als „Gutachten n“"})
    marks = fields.Dict()
    comment = fields.Str()
    score = Score(attribute="score_points", allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)


class AssignmentOut(Schema):
    sketch = fields.Nested(SketchOut)
    state = fields.Str(metadata={"description": "open | draft | submitted"})


class ProgressOut(Schema):
    assigned = fields.Int()
    submitted = fields.Int()
    open = fields.Int()
    assignments = fields.List(fields.Nested(AssignmentOut))


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
    selected = fields.List(fields.Int(validate=validate.Range(min=1, max=2147483647)), required=True,
                           validate=validate.Length(max=10000))
    rejected = fields.List(fields.Int(validate=validate.Range(min=1, max=2147483647)), load_default=list,
                           validate=validate.Length(max=10000),
                           metadata={"description": "Nicht ausgewählte Skizzen, die abgelehnt werden; jede andere "
                                                    "nicht ausgewählte Skizze kommt auf die Warteliste"})
    reasons = fields.Dict(keys=fields.Str(validate=validate.Regexp(r"^\d{1,10}$")),
                          values=fields.Str(validate=validate.Length(max=5000)), load_default=dict,
                          metadata={"description": "Skizzen-ID -> Begründung jeder Abweichung vom Vorschlag"})
    note = fields.Str(load_default="", validate=validate.Length(max=20000))


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
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    description = fields.Str(load_default="", validate=validate.Length(max=20000))

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

    reason = fields.Str(required=True, validate=validate.Length(min=1, max=20000))


class ProjectApproveIn(Schema):
    comment = fields.Str(load_default="", validate=validate.Length(max=20000))


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

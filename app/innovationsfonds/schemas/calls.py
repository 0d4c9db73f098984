"""Schemas of calls (rules, criteria) and organisations (Träger)."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, fields, validate

from ...platform import limits
from ...platform.fields import REQUIRED_MESSAGE, Day, text, whole
from ...platform.money import Money
from ...platform.web.api import StrictBool
from ...reference.models import ORGANISATION_KINDS
from ..models import PROMOTION_DAYS_DEFAULT, TARGET_GROUPS, SelectionRule
from .common import Score, database_id


class CriterionIn(Schema):
    key = fields.Str(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$"))
    name = text(limits.NAME, required=True)
    description = text(limits.SUMMARY, load_default="")
    weight = fields.Int(required=True, validate=validate.Range(min=1, max=1000))
    scale_min = fields.Int(load_default=0, validate=validate.Range(min=0, max=100))
    scale_max = fields.Int(load_default=10, validate=validate.Range(min=1, max=100))


class CallIn(Schema):
    title = text(limits.NAME, required=True)
    description = text(limits.DESCRIPTION, load_default="")
    budget = Money(required=True, data_key="budget", attribute="budget_cents",
                   error_messages={"required": REQUIRED_MESSAGE})
    opens_at = fields.AwareDateTime(required=True)
    closes_at = fields.AwareDateTime(required=True)
    review_deadline = Day(required=True)
    full_application_deadline = Day(required=True)
    full_application_days_after_promotion = whole(1, 365, load_default=PROMOTION_DAYS_DEFAULT)
    waiting_list_limit = whole(0, 10000, load_default=None, allow_none=True,
                               metadata={"description": "Höchstzahl der Wartelistenplätze (null: unbegrenzt)"})
    max_per_project = Money(required=True, attribute="max_per_project_cents",
                            error_messages={"required": REQUIRED_MESSAGE})
    eligible_kinds = fields.List(fields.Str(validate=validate.OneOf(list(ORGANISATION_KINDS))), required=True)
    target_groups = fields.List(fields.Str(validate=validate.OneOf(list(TARGET_GROUPS))), required=True)
    project_start = Day(required=True)
    project_end = Day(required=True)
    funding_rate_bp = fields.Int(load_default=8000, validate=validate.Range(min=1, max=10000))
    reviewers_per_sketch = whole(1, 20, load_default=3)
    reviewers_see_names = StrictBool(load_default=False)
    show_scores_to_rejected = StrictBool(load_default=True)
    selection_rule = fields.Str(required=True, validate=validate.OneOf([r.value for r in SelectionRule],
                                                                       error="Bitte eine Auswahlregel wählen."),
                                error_messages={"required": "Bitte eine Auswahlregel wählen."})
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


class OrganisationIn(Schema):
    """Name (required, unique) and kind (``ORGANISATION_KINDS``) are checked by ``create_organisation``: one German
    message for the page, the API and the command."""

    name = text(limits.NAME, load_default="", metadata={"description": "Pflichtangabe, eindeutig"})
    kind = fields.Str(load_default="", metadata={"enum": list(ORGANISATION_KINDS)})
    is_public_body = StrictBool(load_default=None, allow_none=True,
                                 metadata={"description": "Vorgabe: nur Kommunen sind öffentliche Stellen"})
    city = fields.Str(load_default="", validate=validate.Length(max=120))
    contact_name = text(limits.NAME, load_default="")
    contact_email = text(limits.NAME, load_default="")
    kommune_id = database_id(load_default=None, allow_none=True)


class OrganisationOut(Schema):
    id = fields.Int()
    name = fields.Str()
    kind = fields.Str()
    is_public_body = StrictBool()
    city = fields.Str()
    contact_name = fields.Str()
    contact_email = fields.Str()
    kommune_id = fields.Int(allow_none=True)

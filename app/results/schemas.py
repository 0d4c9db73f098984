"""Input and output of the results report, shared by the pages (``load_form``) and the API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..platform import limits
from ..platform.fields import REQUIRED_MESSAGE, text, whole
from ..platform.money import Money
from ..platform.web.api import DecimalText
from .models import InterimStatus, PartnershipBody
from .reach import GENDERS
from .services import MAX_PEOPLE


def _count(**kwargs) -> fields.Integer:
    return fields.Integer(strict=False, validate=validate.Range(0, MAX_PEOPLE, error="Bitte eine ganze Zahl ab 0 "
                                                                                       "(höchstens 1.000.000)."),
                          error_messages={"invalid": "Bitte eine ganze Zahl ab 0 eingeben.",
                                          "required": REQUIRED_MESSAGE}, **kwargs)


class ReachedIn(Schema):
    """People reached for the first time in one quarter (in any module), per gender."""

    year = fields.Integer(required=True, error_messages={"invalid": "Bitte ein Jahr angeben.",
                                                         "required": REQUIRED_MESSAGE})
    quarter = fields.Integer(required=True, validate=validate.Range(1, 4, error="Das Quartal muss zwischen 1 und 4 "
                                                                                "liegen."),
                             error_messages={"invalid": "Bitte ein Quartal (1–4) angeben.",
                                             "required": REQUIRED_MESSAGE})
    female = _count(load_default=0)
    male = _count(load_default=0)
    diverse = _count(load_default=0)
    not_stated = _count(load_default=0)


class TargetsIn(Schema):
    source = text(limits.NAME, required=True)


class ResultsFiguresOut(Schema):
    ags = fields.String()
    kommune = fields.String()
    entered = fields.Dict(keys=fields.String(), values=fields.Integer(),
                          metadata={"description": "Eintritte je Baustein"})
    entries = fields.Integer(metadata={"description": "Eintritte aller Bausteine (eine Person ggf. mehrfach)"})
    reached_by_gender = fields.Dict(keys=fields.String(), values=fields.Integer())
    reached = fields.Integer(metadata={"description": "Erreichte Personen (jede Person einmal)"})
    target = fields.Integer(allow_none=True)
    reach_rate = DecimalText(allow_none=True)
    share_women = DecimalText(allow_none=True)
    share_men = DecimalText(allow_none=True)


class ResultsReportOut(Schema):
    modules = fields.List(fields.String())
    kommunen = fields.List(fields.Nested(ResultsFiguresOut))
    total = fields.Nested(ResultsFiguresOut)


def counts_of(data: dict) -> dict[str, int]:
    return {gender: data[gender] for gender in GENDERS}


class InterimSubmitIn(Schema):
    """The Kommune's short report on the budget year (the figures come from the ledger)."""

    report = text(limits.SUMMARY, required=True)


class InterimReviewIn(Schema):
    action = fields.String(required=True, validate=validate.OneOf(
        ["accept", "request_changes"], error="Bitte „anerkennen“ oder „Änderungen anfordern“ wählen."),
        error_messages={"required": REQUIRED_MESSAGE, "invalid": REQUIRED_MESSAGE})
    note = text(limits.REASON, load_default="")


class InterimFilter(Schema):
    """The filters of the list of interim proofs (query string)."""

    year = whole(2000, 2100, load_default=None)
    status = fields.String(load_default="", validate=validate.OneOf(
        ["", "none", *(s.value for s in InterimStatus)], error="Bitte einen Status aus der Liste wählen."))
    late = fields.String(load_default="", validate=validate.OneOf(["", "1"], error="Ungültige Auswahl."))


class InterimOut(Schema):
    grant_id = fields.Integer()
    grant_reference = fields.String()
    kommune = fields.String()
    year = fields.Integer()
    due = fields.Date()
    status = fields.String(allow_none=True, metadata={"description": "null: nicht eingereicht"})
    late = fields.Boolean()
    late_flagged_on = fields.Date(allow_none=True)
    report = fields.String(allow_none=True)
    review_note = fields.String(allow_none=True)
    approved = Money(allow_none=True,
                     metadata={"description": "Zahlen bei der letzten Einreichung (Hauptbuch, Haushaltsjahr)"})
    paid = Money(allow_none=True)
    expenses = Money(allow_none=True)
    earned = Money(allow_none=True)
    allowed_actions = fields.List(fields.String())


class PartnerIn(Schema):
    """One institution of the Geschäftsführende Stelle or the Bündniskerngruppe."""

    body = fields.String(required=True, validate=validate.OneOf(
        [b.value for b in PartnershipBody], error="Bitte „Geschäftsführende Stelle“ oder „Bündniskerngruppe“ wählen."),
        error_messages={"required": REQUIRED_MESSAGE})
    institution = text(limits.NAME, required=True)
    role = text(limits.NAME, required=True)
    contact_email = text(limits.NAME, load_default="")
    contact_phone = text(limits.PHONE, load_default="")


class PartnerOut(Schema):
    id = fields.Integer()
    body = fields.Function(lambda member: member.body.value)
    institution = fields.String()
    role = fields.String()
    contact_email = fields.String()
    contact_phone = fields.String()

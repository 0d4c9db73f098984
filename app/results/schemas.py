"""Input and output of the results report, shared by the pages (``load_form``) and the API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..platform import limits
from ..platform.fields import REQUIRED_MESSAGE, text
from ..platform.web.api import DecimalText
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

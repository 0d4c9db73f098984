"""API schemas of the audit trail."""

from datetime import date

from marshmallow import Schema, fields, validate


def _text(max_length: int) -> fields.Str:
    """Filter text; control characters are refused for every parameter at the edge (app/sanitation.py)."""
    return fields.Str(validate=validate.Length(max=max_length))


def _day() -> fields.Date:
    """A Berlin calendar day; bounded because 01.01.0001 00:00 Berlin is before year 1 in UTC (a 500; fuzzing)."""
    return fields.Date(validate=validate.Range(min=date(1900, 1, 1), max=date(9999, 12, 30),
                                               error="Bitte ein Datum zwischen 1900 und 9999 angeben."))


class AuditFilter(Schema):
    action = _text(80)
    object_type = _text(60)
    object_id = _text(60)
    actor = _text(200)
    kommune_id = fields.Int(validate=validate.Range(min=1, max=2147483647))
    date_from = _day()
    date_to = _day()


class AuditEntryOut(Schema):
    id = fields.Int()
    occurred_at = fields.DateTime()
    actor_id = fields.Int(allow_none=True)
    actor_label = fields.Str()
    action = fields.Str()
    object_type = fields.Str()
    object_id = fields.Str(allow_none=True)
    kommune_id = fields.Int(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    request_id = fields.Str(allow_none=True)

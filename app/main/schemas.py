"""Schemas of the audit trail: the filter serves the API's query and the page's filter form alike."""

from datetime import date

from marshmallow import Schema, fields, validate

from ..platform import limits
from ..platform.fields import Day, id_field, text


def _day() -> Day:
    """A Berlin calendar day; bounded because 01.01.0001 00:00 Berlin is before year 1 in UTC (a 500; fuzzing)."""
    return Day(validate=validate.Range(min=date(1900, 1, 1), max=date(9999, 12, 30),
                                               error="Bitte ein Datum zwischen 1900 und 9999 angeben."))


class AuditFilter(Schema):
    action = text(limits.AUDIT_ACTION)
    object_type = text(limits.AUDIT_OBJECT)
    object_id = text(limits.AUDIT_OBJECT)
    actor = text(limits.NAME)
    kommune_id = id_field()
    date_from = _day()
    date_to = _day()


class ExportRequestIn(Schema):
    """The button of a background export: the signed token the offer page carries."""

    token = text(limits.EXPORT_TOKEN, required=True)


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

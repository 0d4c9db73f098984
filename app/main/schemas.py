"""API schemas of the audit trail."""

from marshmallow import Schema, fields, validate


class AuditFilter(Schema):
    action = fields.Str(validate=validate.Length(max=80))
    object_type = fields.Str(validate=validate.Length(max=60))
    object_id = fields.Str(validate=validate.Length(max=60))
    actor = fields.Str(validate=validate.Length(max=200))
    kommune_id = fields.Int(validate=validate.Range(min=1, max=2147483647))
    date_from = fields.Date()
    date_to = fields.Date()


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

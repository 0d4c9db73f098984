"""API schemas for accounts and tokens."""

from marshmallow import Schema, fields, validate

from ..platform.web.api import StrictBool
from .models import Role


class UserOut(Schema):
    id = fields.Int()
    email = fields.Str()
    name = fields.Str()
    role = fields.Enum(Role, by_value=True)
    kommune_id = fields.Int(allow_none=True)
    organisation_id = fields.Int(allow_none=True)
    active = StrictBool()


class UserIn(Schema):
    email = fields.Str(required=True, validate=validate.Length(max=200))
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    password = fields.Str(required=True, load_only=True, validate=validate.Length(max=200))
    role = fields.Str(required=True, validate=validate.OneOf([r.value for r in Role]))
    kommune_ags = fields.Str(load_default=None, validate=validate.Regexp(r"^\d{5}$"))
    organisation_id = fields.Int(load_default=None, validate=validate.Range(min=1, max=2147483647))


class TokenIn(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    days_valid = fields.Int(load_default=365, validate=validate.Range(min=1, max=3650))


class TokenOut(Schema):
    id = fields.Int()
    name = fields.Str()
    prefix = fields.Str()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class TokenCreated(TokenOut):
    token = fields.Str(metadata={"description": "The secret, shown only once."})

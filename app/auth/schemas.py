"""API schemas for accounts and tokens."""

from marshmallow import Schema, fields, validate

from ..platform import limits
from ..platform.fields import id_field, text
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
    email = text(limits.NAME, required=True, min_length=0)  # the service names a missing address
    name = text(limits.NAME, required=True)
    password = text(limits.PASSWORD, required=True, min_length=0, load_only=True)  # the rules: check_password_rules
    role = fields.Str(required=True, validate=validate.OneOf([r.value for r in Role]))
    kommune_ags = fields.Str(load_default=None, validate=validate.Regexp(r"^\d{5}$"))
    organisation_id = id_field(load_default=None)


class TokenIn(Schema):
    name = text(limits.TOKEN_NAME, required=True)
    days_valid = fields.Int(load_default=365, validate=validate.Range(min=1, max=limits.TOKEN_DAYS))


class TokenOut(Schema):
    id = fields.Int()
    name = fields.Str()
    prefix = fields.Str()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class TokenCreated(TokenOut):
    token = fields.Str(metadata={"description": "The secret, shown only once."})

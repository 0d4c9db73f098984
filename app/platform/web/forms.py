"""Page forms read through the same marshmallow schemas as the API (app.platform.fields).

``load_form(SomeIn())`` loads ``request.form``: empty fields count as not given, the schema's
fields accept German input (``from_form``), and errors raise ``ValidationFailed`` with the same
German message per field as the API's problem+json, shown beside the field by the page.
"""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import EXCLUDE, Schema, fields
from marshmallow import ValidationError as MarshmallowError

from ..errors import ValidationFailed


def load_form(schema: Schema, form: Any = None) -> dict[str, Any]:
    """The validated values of ``form`` (default: ``request.form``) or ValidationFailed naming each field."""
    source = request.form if form is None else form
    data: dict[str, Any] = {}
    for key in source:
        values = [value.strip() if isinstance(value, str) else value for value in source.getlist(key)]
        values = [value for value in values if value != ""]
        if values:
            wanted = schema.fields.get(key)
            data[key] = values if isinstance(wanted, fields.List) else values[-1]
    schema.from_form = True
    try:
        return schema.load(data, unknown=EXCLUDE)
    except MarshmallowError as failed:
        errors = {field: list(messages) if isinstance(messages, list) else [str(messages)]
                  for field, messages in failed.normalized_messages().items()}
        raise ValidationFailed("Bitte prüfen Sie die markierten Felder.", errors=errors) from None

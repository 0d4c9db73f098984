"""Input fields shared by the API schemas and the page forms, with German messages.

One schema serves both edges: ``load_form`` (app.platform.web.forms) marks the schema as loaded
from a form, and the fields then also accept what people type (``15.06.2022``, ``1.234,56``).
Length limits are declared once, in :mod:`app.platform.limits`, and used through :func:`text`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import fields, validate

from .formatting import format_decimal
from .limits import MAX_ID

DATE_MESSAGE = "Bitte ein Datum angeben (TT.MM.JJJJ)."
REQUIRED_MESSAGE = "Bitte ausfüllen."
# the one plausibility check of an e-mail address (accounts, contacts, invitations)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
INTEGER_MESSAGE = "Bitte eine ganze Zahl angeben."


class Day(fields.Date):
    """A calendar day: ISO ``2022-06-15`` in the API; in forms also ``15.06.2022``."""

    default_error_messages = {"invalid": DATE_MESSAGE, "required": REQUIRED_MESSAGE}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        if getattr(self.root, "from_form", False) and isinstance(value, str) and value.count(".") == 2:
            try:
                day, month, year = (int(part) for part in value.strip().split("."))
                return date(year, month, day)
            except ValueError:
                raise self.make_error("invalid") from None
        return super()._deserialize(value, attr, data, **kwargs)


class Whole(fields.Integer):
    """A whole number with German messages (in forms typed as text, ``"12"``); bounds via :func:`whole`."""

    default_error_messages = {"invalid": INTEGER_MESSAGE, "too_large": INTEGER_MESSAGE, "required": REQUIRED_MESSAGE,
                              "null": REQUIRED_MESSAGE}


def whole(minimum: int, maximum: int, **kwargs: Any) -> Whole:
    """A whole number from ``minimum`` to ``maximum``; outside: "Bitte eine ganze Zahl von … bis … angeben."."""
    return Whole(validate=validate.Range(min=minimum, max=maximum,
                                         error=f"Bitte eine ganze Zahl von {minimum} bis {maximum} angeben."), **kwargs)


def text(max_length: int, *, required: bool = False, min_length: int | None = None, message: str | None = None,
         **kwargs: Any) -> fields.String:
    """A free-text field limited to ``max_length`` characters (a name from app.platform.limits); ``message``
    replaces the generic German messages (missing, too long) by one that names what is asked for."""
    messages = {"required": message or REQUIRED_MESSAGE, "null": message or REQUIRED_MESSAGE}
    minimum = min_length if min_length is not None else (1 if required else 0)
    too_long = message or _length_message(max_length, max(minimum, 1))
    checks = [validate.Length(max=max_length, error=too_long)]
    if minimum:  # an empty text is "Bitte ausfüllen.", not "höchstens … Zeichen"
        empty = message or (REQUIRED_MESSAGE if minimum == 1 else too_long)
        checks.insert(0, validate.Length(min=minimum, error=empty))
    return fields.String(required=required, validate=checks, error_messages=messages,
                         metadata={"maxLength": max_length, **kwargs.pop("metadata", {})}, **kwargs)


def _length_message(max_length: int, min_length: int) -> str:
    if min_length > 1:
        return f"Bitte {min_length} bis {max_length} Zeichen angeben."
    return f"Bitte höchstens {format_decimal(max_length, 0)} Zeichen angeben."


def id_field(**kwargs: Any) -> fields.Int:
    """The id of a stored object in a body or query (1 … ``limits.MAX_ID``, like the ``<id:…>`` URL converter)."""
    message = f"Bitte eine Nummer von 1 bis {format_decimal(MAX_ID, 0)} angeben."
    return fields.Int(validate=validate.Range(min=1, max=MAX_ID, error=message),
                      error_messages={"invalid": message}, **kwargs)

"""API conventions on top of flask-smorest.

* ``ApiBlueprint``: the blueprint class every JSON API module uses. It differs from flask-smorest's
  in one point: a body that is not valid JSON is a 422 naming the field ``json`` (like every other
  input error), not a bare 400.
* ``document_conventions``: the OpenAPI document describes errors as problem+json.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NoReturn

from flask_smorest import Api, Blueprint
from marshmallow import INCLUDE, Schema, ValidationError, fields
from webargs.flaskparser import FlaskParser, abort


class _Parser(FlaskParser):
    def _handle_invalid_json_error(self, error, req, *args, **kwargs) -> NoReturn:
        abort(422, exc=error, messages={"json": {"json": ["Der Inhalt ist kein gültiges JSON."]}})


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = _Parser()
    # One place for the API's page sizes (flask-smorest documents and enforces them): 50 per page, at most 500.
    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 50, "max_page_size": 500}

    def arguments(self, schema, *, location="json", required=None, **kwargs):
        """A JSON body is documented as required only when its schema requires a field: a body of
        optional fields may be left out (the service reads it as ``{}``), and the spec must say so."""
        if required is None:
            fields_ = (schema() if isinstance(schema, type) else schema).fields.values()
            required = location != "json" or any(field.required for field in fields_)
        return super().arguments(schema, location=location, required=required, **kwargs)


class StrictBool(fields.Boolean):
    """A JSON boolean only: ``0``, ``1`` or ``"yes"`` are a 422 naming the field, as the spec says ``boolean``
    (marshmallow's Boolean takes them; ``0 in {False}`` is true in Python, so the type is checked).
    Loaded from a page form (``load_form``), a ticked checkbox (value ``ja``) is true."""

    def _deserialize(self, value, attr, data, **kwargs):
        if getattr(self.root, "from_form", False) and value == "ja":
            return True
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class DecimalText(fields.Field):
    """A non-money decimal in JSON as a string ("12.5"), documented as such; floats never pass.

    Loads to ``Decimal``. Like ``Money``, JSON numbers are refused because they went through
    binary floating point; ``maximum`` and ``places`` bound the value.
    """

    def __init__(self, *, places: int = 2, maximum: int = 10**9, **kwargs) -> None:
        self.places, self.maximum = places, maximum
        metadata = kwargs.pop("metadata", {})
        metadata.setdefault("pattern", rf"^\d{{1,{len(str(maximum))}}}(\.\d{{1,{places}}})?$")
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value)

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        if getattr(self.root, "from_form", False) and isinstance(value, str) and "," in value:
            value = value.replace(".", "").replace(",", ".")  # a page form: German "1.234,5"
        if not isinstance(value, str) or not re.fullmatch(rf"\d+(\.\d{{1,{self.places}}})?", value.strip()):
            raise ValidationError(f"Bitte eine Zahl als Text mit höchstens {self.places} Nachkommastellen angeben, "
                                  f"z. B. \"12.5\".")
        number = Decimal(value.strip())
        if number > self.maximum:
            raise ValidationError(f"Höchstens {self.maximum}.")
        return number


def document_url(object_type: str) -> str:
    """Where the API serves the latest binding document (PDF/A) of a decision (``app/documents/api.py``)."""
    return f"/api/v1/documents/of/{object_type}/{{id}}.pdf"


class DocumentUrl(fields.String):
    """``document_url`` of a decision resource (object or dict with ``id``); 404 there until it is issued."""

    def __init__(self, object_type: str, **kwargs) -> None:
        self.object_type = object_type
        metadata = {"description": "das PDF/A des Bescheids bzw. der Mitteilung (application/pdf), sobald erlassen"}
        super().__init__(dump_only=True, metadata=metadata, **kwargs)

    def serialize(self, attr, obj, accessor=None, **kwargs):
        identifier = obj["id"] if isinstance(obj, dict) else obj.id
        return document_url(self.object_type).format(id=identifier)


class ProblemSchema(Schema):
    """RFC 9457 problem details, as every API error is answered (extension members allowed)."""

    class Meta:
        unknown = INCLUDE

    type = fields.Str()
    title = fields.Str()
    status = fields.Int()
    detail = fields.Str()
    instance = fields.Str()
    errors = fields.Dict(keys=fields.Str(), metadata={"description": "field -> messages (validation errors)"})
    current_status = fields.Str(metadata={"description": "for 409: the object's current status"})


def document_conventions(rest_api: Api) -> None:
    """Make the OpenAPI document say what the service does: errors are application/problem+json,
    and X-Pagination is a header whose value is a JSON-encoded object (a string on the wire)."""
    spec = rest_api.spec
    spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer",
        "description": "Persönliches API-Token (Seite „API-Tokens“ oder `durchstarten create-token`)"})
    spec.options["security"] = [{"bearerAuth": []}]
    spec.components.schema("Problem", schema=ProblemSchema)
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    spec.components.responses["DEFAULT_ERROR"] = {"description": "Fehler (problem+json)", "content": problem}
    spec.components.responses["UNPROCESSABLE_ENTITY"] = {
        "description": "Ungültige Eingabe; `errors` nennt die Felder", "content": problem}
    if "PAGINATION" in spec.components.headers:
        spec.components.headers["PAGINATION"] = {
            "description": "Seiteninformation als JSON-Text: total, total_pages, first_page, last_page, "
                           "page, previous_page, next_page",
            "schema": {"type": "string"}}

"""The blueprint class every JSON API module uses (``from app.api_blueprint import ApiBlueprint``).

It differs from flask-smorest's in one point: a body that is not valid JSON is a 422 naming the
field ``json`` (like every other input error), not a bare 400.
"""

from __future__ import annotations

from typing import NoReturn

from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser, abort


class _Parser(FlaskParser):
    def _handle_invalid_json_error(self, error, req, *args, **kwargs) -> NoReturn:
        abort(422, exc=error, messages={"json": {"json": ["Der Inhalt ist kein gültiges JSON."]}})


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = _Parser()

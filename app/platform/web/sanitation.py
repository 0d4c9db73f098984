"""One input sanitation step at the edge, before any view or schema sees the request.

Control characters have no place in what people type: a NUL byte cannot be stored in a PostgreSQL
text column (psycopg raises, the request would end in a 500) and is silently stored by SQLite; the
other C0/C1 controls and lone UTF-16 surrogates (possible in JSON ``"\\ud800"``, not encodable as
UTF-8) are never meaningful either. Refused everywhere with 422 naming the field:

* query parameters: every control character, CR, LF and tab included (one-line values, and a
  ``?next=`` with CR/LF would otherwise reach the ``Location`` header);
* form fields, uploaded file names and JSON bodies (keys and string values, at any depth, named by
  their path such as ``lines.0.description``): tab, CR and LF are allowed (multi-line text).

A path with a control character names no resource: 404. The content of an uploaded CSV file is
checked by its parser (line numbers, app/budgets/csv_import.py).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Request

LINE_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
TEXT_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
MESSAGE = "Die Eingabe enthält unzulässige Steuerzeichen (z. B. ein NUL-Byte)."


def printable_name(name: str) -> str:
    """A field name safe to repeat in an answer (its control characters replaced)."""
    return LINE_CONTROLS.sub("\ufffd", name) or "?"


def _in_json(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if TEXT_CONTROLS.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if TEXT_CONTROLS.search(str(key)):
                return inner
            found = _in_json(item, inner)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _in_json(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None


def refused_field(request: Request) -> str | None:
    """The first field of ``request`` that carries a control character, or ``None``."""
    for name, value in request.args.items(multi=True):
        if LINE_CONTROLS.search(name) or LINE_CONTROLS.search(value):
            return printable_name(name)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    for name, value in request.form.items(multi=True):
        if TEXT_CONTROLS.search(name) or TEXT_CONTROLS.search(value):
            return printable_name(name)
    for name, upload in request.files.items(multi=True):
        if LINE_CONTROLS.search(name) or LINE_CONTROLS.search(upload.filename or ""):
            return printable_name(name)
    if request.is_json:
        found = _in_json(request.get_json(silent=True), "")
        if found is not None:
            return printable_name(found) if found else "_body"
    return None


def path_has_controls(request: Request) -> bool:
    return bool(LINE_CONTROLS.search(request.path))

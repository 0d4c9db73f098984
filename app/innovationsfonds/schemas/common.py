"""Fields of the Innovationsfonds schemas: scores as "83.33" strings (forms: "83,33"), database ids."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields

from ...platform import limits
from ...platform.fields import whole

_SCORE = re.compile(r"^\d{1,3}(\.\d{1,2})?$")
_SCORE_TYPED = re.compile(r"^\d{1,3}(\.\d{0,2})?$")


def database_id(**kwargs: Any) -> fields.Integer:
    """An id in a body or query (larger than any database id: 422, not a database error)."""
    return whole(1, limits.MAX_ID, **kwargs)


class Score(fields.Field):
    """A score 0–100 with at most two decimals as a string ("83.33") <-> Decimal."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = kwargs.pop("metadata", {})
        metadata.setdefault("pattern", _SCORE.pattern)
        metadata.setdefault("example", "60.00")
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{Decimal(value):.2f}"

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Decimal:
        if getattr(self.root, "from_form", False) and isinstance(value, str):  # people type "62,5"
            value = value.replace(",", ".")
            if _SCORE_TYPED.match(value):
                value = f"{Decimal(value):.2f}"
        if not isinstance(value, str) or not _SCORE.match(value) or Decimal(value) > 100:
            raise ValidationError("Punktzahl als Zeichenkette von \"0\" bis \"100\" mit höchstens zwei "
                                  "Nachkommastellen, z. B. \"60.00\".")
        return Decimal(value)

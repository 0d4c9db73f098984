"""Schemas of conflicts of interest, assignments and reviews (and the review page's marks)."""

from __future__ import annotations

import re

from marshmallow import Schema, fields

from ...platform import limits
from ...platform.fields import text
from ...platform.web.forms import load_form
from .common import Score, database_id
from .sketches import SketchOut


class ConflictIn(Schema):
    """Reviewers: exactly one of ``organisation_id`` (from ``/conflict-options``) and ``kommune_id``;
    organisations: ``reviewer_id``."""

    organisation_id = database_id(load_default=None, allow_none=True)
    kommune_id = database_id(load_default=None, allow_none=True)
    reviewer_id = database_id(load_default=None, allow_none=True)
    reason = text(limits.REASON, load_default="")


class ConflictOut(Schema):
    id = fields.Int()
    organisation_id = fields.Int(allow_none=True)
    kommune_id = fields.Int(allow_none=True)
    sketch_id = fields.Int(allow_none=True)
    reviewer_id = fields.Int()
    reason = fields.Str()
    declared_at = fields.DateTime()


class NamedOut(Schema):
    id = fields.Int()
    name = fields.Str()


class ConflictOptionsOut(Schema):
    """Reviewers: per unreleased call the applicant organisations (names only); organisations: the reviewers."""

    calls = fields.List(fields.Dict(), metadata={"description": "[{call_id, title, organisations: [{id, name}]}]"})
    reviewers = fields.List(fields.Nested(NamedOut))


class RecusalIn(Schema):
    reason = text(limits.REASON, load_default="")


class AssignIn(Schema):
    reviewer_id = database_id(required=True)


class MatrixChangeIn(Schema):
    """The matrix page: add or remove one reviewer of one sketch."""

    sketch_id = database_id(required=True)
    reviewer_id = database_id(required=True)


class AutoAssignOut(Schema):
    sketches = fields.Int()
    created = fields.Int()
    load_min = fields.Int()
    load_max = fields.Int()


class MatrixOut(Schema):
    reviewers = fields.List(fields.Dict())
    rows = fields.List(fields.Dict())


class ReviewIn(Schema):
    marks = fields.Dict(keys=text(limits.CODE),
                        values=fields.Int(allow_none=True, strict=True), load_default=dict,
                        metadata={"description": "Kriterium -> ganze Zahl auf der Skala, null = nicht zutreffend"})
    comment = text(limits.DESCRIPTION, load_default="")


class ReviewOut(Schema):
    id = fields.Int()
    sketch_id = fields.Int()
    reviewer = fields.Str(metadata={"description": "Gutachtende sehen andere nur als „Gutachten n“"})
    marks = fields.Dict()
    comment = fields.Str()
    score = Score(attribute="score_points", allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)


class AssignmentOut(Schema):
    sketch = fields.Nested(SketchOut)
    state = fields.Str(metadata={"description": "open | draft | submitted"})


class ProgressOut(Schema):
    assigned = fields.Int()
    submitted = fields.Int()
    open = fields.Int()
    assignments = fields.List(fields.Nested(AssignmentOut))


def review_form_marks(form) -> tuple[dict[str, int | str | None], str]:
    """The review page as the API's ``ReviewIn``: ``mark_<criterion>`` selects become ``marks`` ("na" = not
    applicable = null; an empty select is left out, as in a draft). A value that is not a whole number is passed on
    as typed, so the service refuses it beside its criterion with the API's message instead of dropping it."""
    marks: dict[str, int | str | None] = {}
    for name in form:
        raw = (form.get(name) or "").strip()
        if not name.startswith("mark_") or not raw:
            continue
        marks[name[len("mark_"):]] = None if raw == "na" else int(raw) if re.fullmatch(r"-?\d{1,6}", raw) else raw
    return marks, load_form(ReviewIn(only=("comment",)), form)["comment"]

"""The assignment matrix (sketches x reviewers) of a call, by pages (issue #19: 930 sketches x 40 reviewers
at 10 x the real size were 1.5 s as one table built from one lazy load per sketch)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from ..platform.extensions import db
from .models import Assignment, Call, Review, Sketch, SketchStatus, sketch_reference
from .reviewing import conflict_pairs, reviewers

S = SketchStatus


@dataclass(frozen=True)
class MatrixSketch:
    """One row's sketch: what the matrix, its form and its export show, and what conflicts are checked by."""

    id: int
    reference: str
    title: str
    organisation_id: int
    kommune_id: int | None
    status: SketchStatus
    count: int  # reviewers assigned

MATRIX_STATUSES = (S.ELIGIBLE, S.SELECTED, S.WAITING, S.REJECTED, S.FUNDED)
MATRIX_PAGE = 50  # sketches per page of the matrix (at 10 x the real call: 19 pages, 40 reviewers each)


def assignment_matrix(call: Call, *, page: int | None = None, per_page: int = MATRIX_PAGE) -> dict:
    """Rows: sketches; columns: reviewers; cells: '' | 'assigned' | 'submitted' | 'conflict'.

    A fixed number of queries at any size (issue #19), none per row: the call's sketches as plain rows with
    their number of reviewers (one grouped query; also the form's list), the load per reviewer (one), and
    for the sketches shown -- one ``page`` of ``per_page``, or all of them (``page=None``: export, API) --
    their assignments, submitted reviews and conflicts (one query each).
    """
    pool = reviewers()
    in_call = (Sketch.call_id == call.id, Sketch.status.in_(MATRIX_STATUSES))
    sketches = [MatrixSketch(row.id, sketch_reference(row.call_id, row.number, row.id), row.title,
                             row.organisation_id, row.kommune_id, row.status, row.count) for row in db.session.execute(
        select(Sketch.id, Sketch.call_id, Sketch.number, Sketch.title, Sketch.organisation_id, Sketch.kommune_id,
               Sketch.status, func.count(Assignment.reviewer_id).label("count"))
        .outerjoin(Assignment, Assignment.sketch_id == Sketch.id).where(*in_call)
        .group_by(Sketch.id).order_by(Sketch.id))]
    loads = {u.id: 0 for u in pool}
    for reviewer_id, count in db.session.execute(select(Assignment.reviewer_id, func.count()).join(Sketch)
                                                 .where(*in_call).group_by(Assignment.reviewer_id)):
        if reviewer_id in loads:
            loads[reviewer_id] = count
    pages = max(1, -(-len(sketches) // per_page))
    page = None if page is None else min(max(page, 1), pages)
    shown = sketches if page is None else sketches[(page - 1) * per_page:page * per_page]
    ids = [sketch.id for sketch in shown]
    assigned: dict[int, set[int]] = defaultdict(set)
    for sketch_id, reviewer_id in db.session.execute(select(Assignment.sketch_id, Assignment.reviewer_id)
                                                     .where(Assignment.sketch_id.in_(ids))):
        assigned[sketch_id].add(reviewer_id)
    submitted = {(sketch_id, reviewer_id) for sketch_id, reviewer_id in db.session.execute(
        select(Review.sketch_id, Review.reviewer_id)
        .where(Review.sketch_id.in_(ids), Review.submitted_at.is_not(None)))}
    conflicts = conflict_pairs(shown, [u.id for u in pool])
    rows = []
    for sketch in shown:
        cells = []
        for u in pool:
            if (sketch.id, u.id) in submitted:
                cells.append("submitted")
            elif u.id in assigned[sketch.id]:
                cells.append("assigned")
            else:
                cells.append("conflict" if (sketch.id, u.id) in conflicts else "")
        rows.append({"sketch": sketch, "cells": cells, "count": sketch.count})
    return {"reviewers": pool, "rows": rows, "loads": loads, "sketches": sketches, "page": page or 1,
            "pages": pages if page is not None else 1}

"""Each sketch's review aggregate, kept in its row (issue #20: the round's pages at 10 × the real size).

The aggregate of a sketch (``core.scoring.aggregate`` over its submitted review scores) is stored in
``Sketch.review_count`` and ``score_mean/median/stdev/min/max`` as integer hundredths: exactly the figures
the core computes (mean, median and standard deviation rounded once, two places half up; min and max
exact), so the ranking (mean, then median, ...) read from the columns is the ranking computed from the
reviews, ties included. Nothing is stored as float; the discrepancy flag (``max - min`` above the call's
threshold) is derived on reading, so a changed threshold needs no update.

Writers: the only change to the set of submitted reviews is ``reviewing.submit_review`` (a first
submission or a revision); it calls :func:`refresh` in the same transaction. Unsubmitted drafts do not
count, and a submitted review is never deleted (unassigning, recusal and conflicts refuse it), so
withdrawal, eligibility and conflicts change which sketches are ranked (their status), not an aggregate.

:func:`verify` recomputes every aggregate from the reviews and lists the differences (command
``durchstarten innovationsfonds verify-aggregates [--repair]``; the tests call it after their scenarios).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select, true

from ..platform.extensions import db
from .core.scoring import Aggregate, aggregate
from .models import Review, Sketch, hundredths, points


def _submitted_scores(condition) -> dict[int, list[Decimal]]:
    """The submitted scores per sketch id of the sketches matching ``condition`` (in review order)."""
    scores: dict[int, list[Decimal]] = defaultdict(list)
    for sketch_id, score in db.session.execute(
            select(Review.sketch_id, Review.score).join(Sketch).where(condition, Review.submitted_at.is_not(None))
            .order_by(Review.id)):
        scores[sketch_id].append(points(score))
    return scores


def _columns(scores: list[Decimal]) -> dict[str, int | None]:
    """The stored columns of the core's aggregate over ``scores`` (the threshold plays no part in them)."""
    figures = aggregate(scores, Decimal(0))
    return {"review_count": figures.count, "score_mean": hundredths(figures.mean),
            "score_median": hundredths(figures.median), "score_stdev": hundredths(figures.stdev),
            "score_min": hundredths(figures.minimum), "score_max": hundredths(figures.maximum)}


def _stored(sketch: Sketch) -> dict[str, int | None]:
    return {name: getattr(sketch, name) for name in COLUMNS}


COLUMNS = ("review_count", "score_mean", "score_median", "score_stdev", "score_min", "score_max")


def refresh(sketch: Sketch) -> None:
    """Recompute the sketch's stored aggregate from its submitted reviews (call after the change is flushed)."""
    for name, value in _columns(_submitted_scores(Sketch.id == sketch.id)[sketch.id]).items():
        setattr(sketch, name, value)


def figures(review_count: int, mean: int | None, median: int | None, stdev: int | None, lowest: int | None,
            highest: int | None, threshold: int) -> Aggregate:
    """The :class:`Aggregate` of stored columns (hundredths) against the call's threshold (hundredths)."""
    if not review_count:
        return Aggregate(0, None, None, None, None, None, None, False)
    return Aggregate(count=review_count, mean=points(mean), median=points(median), stdev=points(stdev),
                     minimum=points(lowest), maximum=points(highest), spread=points(highest - lowest),
                     discrepancy=highest - lowest > threshold)


def of(sketch: Sketch, threshold: int | None = None) -> Aggregate:
    """The stored aggregate of one sketch (nothing else of its call is read); ``threshold`` (hundredths): the
    call's discrepancy threshold when the caller has it at hand."""
    return figures(sketch.review_count, sketch.score_mean, sketch.score_median, sketch.score_stdev, sketch.score_min,
                   sketch.score_max, sketch.call.discrepancy_threshold if threshold is None else threshold)


@dataclass(frozen=True)
class Difference:
    """A sketch whose stored aggregate is not the one its reviews give."""

    sketch_id: int
    stored: dict
    computed: dict


def verify(call_id: int | None = None, *, repair: bool = False) -> list[Difference]:
    """Recompute the aggregates of every sketch (of one call) from the reviews; the differences (repaired if asked)."""
    condition = Sketch.call_id == call_id if call_id is not None else true()
    sketches = list(db.session.scalars(select(Sketch).where(condition).order_by(Sketch.id)))
    scores = _submitted_scores(condition)
    differences = []
    for sketch in sketches:
        computed = _columns(scores[sketch.id])
        if computed != _stored(sketch):
            differences.append(Difference(sketch.id, _stored(sketch), computed))
            if repair:
                for name, value in computed.items():
                    setattr(sketch, name, value)
    if repair:
        db.session.flush()
    return differences

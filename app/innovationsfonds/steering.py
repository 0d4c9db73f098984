"""The Steuerkreis view: every review in full, side by side per sketch, with each reviewer's calibration
(mean and spread of the scores the reviewer gave in the call, and the z-score of each review), and the
justification of one sketch as an export (marks per criterion and reviewer, rank, decision, reason).

Staff and Prüfung read it (``IF_STAFF``); reviewers never see it (they see other reviews only as
"Gutachten n" after their own, ``reviewing.visible_reviews``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..platform.extensions import db
from ..platform.web.exports import Column
from ..reference.models import Organisation
from . import stored_aggregates
from .core.ranking import Ranked
from .core.scoring import Aggregate, aggregate, mean_and_variance
from .models import Call, Review, Sketch, points
from .selection import position_of, ranked_sketches

TWO = Decimal("0.01")


@dataclass
class Calibration:
    """How one reviewer scored across the call: the scale a z-score is read against (mean and variance exact,
    as fractions, so a reviewer who scores everything N points higher gets the same z-scores)."""

    reviewer: User | None
    scores: list[Decimal]

    def __post_init__(self) -> None:
        self.figures = aggregate(self.scores, Decimal(0))
        self._mean, self._variance = mean_and_variance(self.scores) if self.scores else (Fraction(0), Fraction(0))

    def z_score(self, score: Decimal | None) -> Decimal | None:
        """(score − reviewer's mean) / reviewer's standard deviation, two places; None without spread."""
        if score is None or not self._variance:
            return None
        deviation = _decimal(self._variance).sqrt()
        return (_decimal(Fraction(score) - self._mean) / deviation).quantize(TWO)


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def calibration(call: Call, reviewer_ids: Collection[int] | None = None) -> dict[int, Calibration]:
    """Per reviewer (id) of the call: count, mean and population standard deviation of its submitted scores
    (only of ``reviewer_ids`` when given: a sketch's page needs its own reviewers' scales, not everyone's)."""
    statement = select(Review.reviewer_id, Review.score).join(Sketch).where(
        Sketch.call_id == call.id, Review.submitted_at.is_not(None)).order_by(Review.id)
    if reviewer_ids is not None:
        statement = statement.where(Review.reviewer_id.in_(list(reviewer_ids)))
    scores: dict[int, list[Decimal]] = defaultdict(list)
    for reviewer_id, score in db.session.execute(statement):
        scores[reviewer_id].append(points(score))
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(scores)))}
    return {rid: Calibration(users[rid], values) for rid, values in sorted(scores.items())}


def decision_of(sketch: Sketch) -> tuple[str, str]:
    """(outcome, reason) as decided (after the release) or staged (before); empty before a decision."""
    if sketch.decided_at is not None:
        return sketch.status.label, sketch.decision_reason
    staged = {"selected": gettext("ausgewählt (vorgemerkt)"), "waiting": gettext("Warteliste (vorgemerkt)"),
              "rejected": gettext("nicht ausgewählt (vorgemerkt)")}
    return str(staged.get(sketch.staged_outcome or "", "")), sketch.staged_reason


@dataclass
class Sheet:
    """One sketch of the Steuerkreis view."""

    rank: int
    sketch: Sketch
    figures: Aggregate
    reviews: list[Review]
    outcome: str
    reason: str
    organisation: Organisation


def _sheets(chosen: list[Ranked], by_id: dict[str, Sketch], aggregates: dict) -> list[Sheet]:
    """The sheets of the ``chosen`` ranked sketches: their reviews (with the reviewers) and organisations in
    one query each, not one per sketch."""
    ids = [by_id[r.id].id for r in chosen]
    reviews: dict[int, list[Review]] = defaultdict(list)
    for review in db.session.scalars(select(Review).where(Review.sketch_id.in_(ids), Review.submitted_at.is_not(None))
                                     .options(selectinload(Review.reviewer)).order_by(Review.id)):
        reviews[review.sketch_id].append(review)
    organisations = {o.id: o for o in db.session.scalars(select(Organisation).where(
        Organisation.id.in_({by_id[r.id].organisation_id for r in chosen})))}
    out = []
    for r in chosen:
        sketch = by_id[r.id]
        outcome, reason = decision_of(sketch)
        out.append(Sheet(r.position, sketch, aggregates[sketch.id], reviews[sketch.id], outcome, reason,
                         organisations[sketch.organisation_id]))
    return out


PAGE_SIZE = 50


@dataclass
class SheetPage:
    """One page of the Steuerkreis view (``page``, ``pages``, ``page_url``: the shape of the list pager macro)."""

    sheets: list[Sheet]
    page: int
    pages: int
    total: int
    flagged_only: bool
    url: Callable[[int], str]

    def page_url(self, page: int) -> str:
        return self.url(page)


def sheet_page(call: Call, page: int, *, flagged_only: bool, url: Callable[[int, bool], str]) -> SheetPage:
    """``PAGE_SIZE`` sketches of the view in ranking order, optionally only those with a discrepancy flag
    (what the Steuerkreis discusses); a page past the last shows the last. The call is ranked from the stored
    aggregates; reviews are read for the page's sketches only."""
    ranked, by_id, aggregates = ranked_sketches(call)
    chosen = [r for r in ranked if aggregates[by_id[r.id].id].discrepancy or not flagged_only]
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    return SheetPage(_sheets(chosen[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], by_id, aggregates), page, pages,
                     len(chosen), flagged_only, lambda n: url(n, flagged_only))


def sheet_of(sketch: Sketch) -> Sheet:
    """One sketch's sheet; rank 0 when it is not ranked (not eligible, withdrawn). Reads the sketch's stored
    aggregate and its rank (one COUNT), never the figures of the whole call."""
    outcome, reason = decision_of(sketch)
    return Sheet(position_of(sketch), sketch, stored_aggregates.of(sketch),
                 [x for x in sketch.reviews if x.submitted_at is not None], outcome, reason, sketch.organisation)


def reviewers_of(sheet: Sheet) -> set[int]:
    """The reviewers whose calibration a sheet shows (its z-scores)."""
    return {review.reviewer_id for review in sheet.reviews}


def justification_rows(sketch: Sketch) -> tuple[list[Column], list[list]]:
    """Why a sketch was (not) funded: the sketch, rank, mean, decision and reason, then every mark per
    criterion and reviewer and every review's score, z-score and comment."""
    sheet = sheet_of(sketch)
    calibrations = calibration(sketch.call, reviewers_of(sheet))
    columns = [Column(gettext("Angabe")), Column(gettext("Gutachter/in")), Column(gettext("Kriterium")),
               Column(gettext("Gewicht"), "int"), Column(gettext("Note"), "int"), Column(gettext("Punkte"), "decimal"),
               Column(gettext("z-Wert"), "decimal"), Column(gettext("Text"))]
    rows = [[gettext("Skizze"), "", "", None, None, None, None, f"{sketch.reference} {sketch.title}"],
            [gettext("Träger"), "", "", None, None, None, None, sketch.organisation.name],
            [gettext("Rang"), "", "", None, None, None, None, str(sheet.rank) if sheet.rank else "–"],
            [gettext("Mittel"), "", "", None, None, sheet.figures.mean, None, ""],
            [gettext("Entscheidung"), "", "", None, None, None, None, sheet.outcome],
            [gettext("Begründung"), "", "", None, None, None, None, sheet.reason]]
    for review in sheet.reviews:
        name = review.reviewer.name
        for criterion in sketch.call.criteria:
            mark = review.marks.get(criterion.key)
            rows.append([gettext("Note"), name, criterion.name, criterion.weight, mark, None, None,
                         "" if mark is not None else gettext("nicht zutreffend")])
        rows.append([gettext("Gutachten"), name, "", None, None, review.score_points,
                     calibrations[review.reviewer_id].z_score(review.score_points), review.comment])
    return columns, rows

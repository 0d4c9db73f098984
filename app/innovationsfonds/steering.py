"""The Steuerkreis view: every review in full, side by side per sketch, with each reviewer's calibration
(mean and spread of the scores the reviewer gave in the call, and the z-score of each review), and the
justification of one sketch as an export (marks per criterion and reviewer, rank, decision, reason).

Staff and Prüfung read it (``IF_STAFF``); reviewers never see it (they see other reviews only as
"Gutachten n" after their own, ``reviewing.visible_reviews``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..platform.extensions import db
from ..platform.web.exports import Column
from .core.scoring import Aggregate, aggregate
from .models import Call, Review, Sketch, points
from .selection import ranked_sketches

TWO = Decimal("0.01")


@dataclass
class Calibration:
    """How one reviewer scored across the call: the scale a z-score is read against (mean and variance exact,
    as fractions, so a reviewer who scores everything N points higher gets the same z-scores)."""

    reviewer: User | None
    scores: list[Decimal]

    def __post_init__(self) -> None:
        self.figures = aggregate(self.scores, Decimal(0))
        exact = [Fraction(s) for s in self.scores]
        self._mean = sum(exact, Fraction(0)) / len(exact) if exact else Fraction(0)
        self._variance = sum(((x - self._mean) ** 2 for x in exact), Fraction(0)) / len(exact) if exact else 0

    def z_score(self, score: Decimal | None) -> Decimal | None:
        """(score − reviewer's mean) / reviewer's standard deviation, two places; None without spread."""
        if score is None or not self._variance:
            return None
        deviation = _decimal(self._variance).sqrt()
        return (_decimal(Fraction(score) - self._mean) / deviation).quantize(TWO)


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def calibration(call: Call) -> dict[int, Calibration]:
    """Per reviewer (id) of the call: count, mean and population standard deviation of its submitted scores."""
    scores: dict[int, list[Decimal]] = defaultdict(list)
    for reviewer_id, score in db.session.execute(select(Review.reviewer_id, Review.score).join(Sketch).where(
            Sketch.call_id == call.id, Review.submitted_at.is_not(None)).order_by(Review.id)):
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


def sheets(call: Call) -> list[Sheet]:
    """The ranked sketches with all their submitted reviews (in ranking order; reviews in one query)."""
    ranked, by_id, aggregates = ranked_sketches(call)
    reviews: dict[int, list[Review]] = defaultdict(list)
    for review in db.session.scalars(select(Review).join(Sketch).where(
            Sketch.call_id == call.id, Review.submitted_at.is_not(None))
            .options(selectinload(Review.reviewer)).order_by(Review.id)):
        reviews[review.sketch_id].append(review)
    out = []
    for r in ranked:
        sketch = by_id[r.id]
        outcome, reason = decision_of(sketch)
        out.append(Sheet(r.position, sketch, aggregates[sketch.id], reviews[sketch.id], outcome, reason))
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
    (what the Steuerkreis discusses); a page past the last shows the last."""
    chosen = [s for s in sheets(call) if s.figures.discrepancy or not flagged_only]
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    return SheetPage(chosen[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], page, pages, len(chosen), flagged_only,
                     lambda n: url(n, flagged_only))


def sheet_of(sketch: Sketch) -> Sheet:
    """One sketch's sheet; rank 0 when it is not ranked (not eligible, withdrawn)."""
    ranked, _by_id, aggregates = ranked_sketches(sketch.call)
    rank = next((r.position for r in ranked if r.id == str(sketch.id)), 0)
    outcome, reason = decision_of(sketch)
    return Sheet(rank, sketch, aggregates[sketch.id], [x for x in sketch.reviews if x.submitted_at is not None],
                 outcome, reason)


def justification_rows(sketch: Sketch) -> tuple[list[Column], list[list]]:
    """Why a sketch was (not) funded: the sketch, rank, mean, decision and reason, then every mark per
    criterion and reviewer and every review's score, z-score and comment."""
    sheet, calibrations = sheet_of(sketch), calibration(sketch.call)
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

"""Statistics of a call's round: counts per status, requested vs granted money, the women share, the score
distribution and the bar chart of the scores with the funding line."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import select

from ..platform.extensions import db
from ..platform.money import percent
from ..platform.web.charts import bar_chart
from .models import PASSED_ELIGIBILITY, Call, ProjectDecision, Sketch, SketchStatus
from .presenters import score_text
from .selection import ranked_sketches


def statistics(call: Call) -> dict:
    """Per call: submitted / eligible / selected, requested vs granted, women share, score distribution."""
    sketches = [s for s in call.sketches if s.submitted_at is not None]
    by_status: dict[str, int] = defaultdict(int)
    for s in sketches:
        by_status[s.status.value] += 1
    eligible = [s for s in sketches if s.status in PASSED_ELIGIBILITY
                or (s.status is SketchStatus.WITHDRAWN and s.eligibility_checks == {})]
    selected = [s for s in sketches if s.status in (SketchStatus.SELECTED, SketchStatus.FUNDED)]
    if call.released_at is None:
        selected = [s for s in sketches if s.staged_outcome == "selected"]
    granted = sum(d.approved_cents for d in db.session.scalars(
        select(ProjectDecision).join(Sketch).where(Sketch.call_id == call.id)))
    participants = sum(s.planned_participants for s in selected)
    women = sum(s.planned_women for s in selected)
    ranked, by_id, aggs = ranked_sketches(call)
    buckets = [0] * 10
    for r in ranked:
        if r.score is not None:
            buckets[min(int(r.score // 10), 9)] += 1
    selected_ids = {str(s.id) for s in selected}
    bars = [(f"{r.position}. {by_id[r.id].reference}", int(r.score * 100)) for r in ranked if r.score is not None]
    selected_scores = [int(r.score * 100) for r in ranked if r.id in selected_ids and r.score is not None]
    chart = bar_chart(bars, title=gettext("Punkte je Skizze (ausgewählte hervorgehoben)"),
                      value_label=lambda v: score_text(Decimal(v).scaleb(-2)),
                      highlight={f"{r.position}. {by_id[r.id].reference}" for r in ranked if r.id in selected_ids},
                      line_at=min(selected_scores) if selected_scores else None, line_label=gettext("Förderlinie"))
    return {
        "submitted": len(sketches), "eligible": len(eligible), "selected": len(selected),
        "by_status": dict(by_status),
        "requested_cents": sum(s.requested_cents for s in sketches),
        "selected_requested_cents": sum(s.requested_cents for s in selected),
        "granted_cents": granted, "budget_cents": call.budget_cents,
        "planned_participants": participants, "planned_women": women,
        "women_share": percent(women, participants),
        "distribution": [{"from": 10 * i, "to": 10 * i + 10, "count": n} for i, n in enumerate(buckets)],
        "discrepancies": sum(1 for r in ranked if aggs[int(r.id)].discrepancy),
        "chart": chart,
    }

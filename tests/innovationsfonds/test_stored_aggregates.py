"""Issue #20/#19: each sketch's review aggregate is kept in its row by the review service, and the ranking,
the rank of one sketch and every figure read from those columns equal a recomputation from the reviews
(the core's ``aggregate`` and ``rank``), ties and order included, for random review sets."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from app.auth.services import create_user
from app.innovationsfonds import demo, selection, steering, stored_aggregates
from app.innovationsfonds.commands import verify_aggregates_command
from app.innovationsfonds.core.ranking import RankItem, rank
from app.innovationsfonds.core.scoring import aggregate
from app.innovationsfonds.models import Call, Review, Sketch, SketchStatus, points
from app.innovationsfonds.stored_aggregates import verify
from app.platform import clock
from app.platform.extensions import db
from app.reference.models import Organisation
from app.reference.services import get_programme
from tests.conftest import PASSWORD
from tests.innovationsfonds.conftest import AFTER, marks_for

BASE = "/api/v1/innovationsfonds"
SKETCHES = 6
# few distinct values, so equal means, equal medians and equal amounts (the tie-breaks) come up often
SCORES = st.one_of(st.sampled_from([0, 5000, 5001, 6667, 7500, 10000]), st.integers(0, 10000))
REVIEW_SETS = st.lists(st.lists(SCORES, max_size=4), min_size=SKETCHES, max_size=SKETCHES)
AMOUNTS = st.lists(st.sampled_from(["100000.00", "200000.00", "200000.01"]), min_size=SKETCHES, max_size=SKETCHES)


def _recomputed(call: Call) -> tuple[list[tuple[int, str]], dict]:
    """The ranking as it was computed before the columns: every aggregate from the reviews, then the core."""
    scores: dict[int, list[Decimal]] = defaultdict(list)
    for sketch_id, score in db.session.execute(select(Review.sketch_id, Review.score).join(Sketch).where(
            Sketch.call_id == call.id, Review.submitted_at.is_not(None)).order_by(Review.id)):
        scores[sketch_id].append(points(score))
    figures = {s.id: aggregate(scores[s.id], call.threshold_points) for s in call.sketches}
    items = [RankItem.from_aggregate(str(s.id), figures[s.id], max(s.requested_cents, 1), s.submission_seq or 0)
             for s in call.sketches if s.status in selection.PASSED_ELIGIBILITY]
    return [(r.position, r.id) for r in rank(items)], figures


@pytest.fixture()
def eligible(small):
    ids = [small.submitted(title=f"Projekt {n}") for n in range(SKETCHES)]
    small.close()
    return ids


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(review_sets=REVIEW_SETS, amounts=AMOUNTS, threshold=st.integers(0, 10000))
def test_the_stored_aggregates_and_the_ranking_equal_a_recomputation_from_the_reviews(
        small, people, eligible, review_sets, amounts, threshold):
    call = db.session.get(Call, small.call)
    call.discrepancy_threshold = threshold
    reviewers = [people[f"rev{n}"] for n in range(1, 5)]
    db.session.execute(delete(Review).where(Review.sketch_id.in_(eligible)))
    for sketch_id, scores, amount in zip(eligible, review_sets, amounts, strict=True):
        sketch = db.session.get(Sketch, sketch_id)
        sketch.requested_cents = int(Decimal(amount) * 100)
        for reviewer, score in zip(reviewers, scores, strict=False):
            db.session.add(Review(sketch_id=sketch_id, reviewer_id=reviewer.id, marks={}, score=score,
                                  updated_at=clock.now(), submitted_at=clock.now()))
        db.session.add(Review(sketch_id=sketch_id, reviewer_id=people["admin"].id, marks={}, score=10000,
                              updated_at=clock.now()))  # a draft: never counted
        db.session.flush()
        stored_aggregates.refresh(sketch)  # what submit_review does after each change
    db.session.flush()
    db.session.expire_all()
    call = db.session.get(Call, small.call)

    expected_order, expected_figures = _recomputed(call)
    assert verify(call.id) == []
    ranked, _by_id, figures = selection.ranked_sketches(call)
    assert [(r.position, r.id) for r in ranked] == expected_order
    assert {int(r.id): figures[int(r.id)] for r in ranked} == {int(i): expected_figures[int(i)]
                                                               for _p, i in expected_order}
    assert dict(selection.aggregates(call)) == expected_figures
    for sketch in call.sketches:
        assert stored_aggregates.of(sketch) == expected_figures[sketch.id]
        assert steering.sheet_of(sketch).rank == dict((int(i), p) for p, i in expected_order)[sketch.id]
        # the same figures also as text (same exponent), as the pages and exports print them
        assert repr(stored_aggregates.of(sketch)) == repr(expected_figures[sketch.id])


def test_submitting_and_revising_reviews_keeps_the_stored_aggregate(small, eligible):
    """Through the service: each submission and revision updates the columns in its own transaction."""
    small.assign()
    sketch_id = eligible[0]
    reviewer_ids = small.assigned_to(sketch_id)
    names = [next(n for n, u in small.users.items() if u.id == rid) for rid in reviewer_ids]
    sketch = db.session.get(Sketch, sketch_id)
    assert (sketch.review_count, sketch.score_mean) == (0, None)
    with clock.freeze(AFTER):
        for seed, who in enumerate(names):
            response = small.api[who].post(f"{BASE}/sketches/{sketch_id}/review/submit",
                                           json={"marks": marks_for(seed)})
            assert response.status_code == 200, response.json
        db.session.expire_all()
        assert db.session.get(Sketch, sketch_id).review_count == len(names)
        before = db.session.get(Sketch, sketch_id).score_mean
        revised = small.api[names[0]].post(f"{BASE}/sketches/{sketch_id}/review/submit",
                                           json={"marks": marks_for(7)})
        assert revised.status_code == 200, revised.json
    db.session.expire_all()
    assert db.session.get(Sketch, sketch_id).score_mean != before
    assert verify(small.call) == []
    staff = small.api["admin"].get(f"{BASE}/sketches/{sketch_id}").json
    expected = aggregate([r.score_points for r in db.session.get(Sketch, sketch_id).reviews], Decimal(25))
    assert Decimal(staff["aggregate"]["mean"]) == expected.mean


def test_verify_finds_and_repairs_a_stale_aggregate_and_the_command_reports_it(app, small, eligible, people):
    sketch = db.session.get(Sketch, eligible[1])
    db.session.add(Review(sketch_id=sketch.id, reviewer_id=people["rev1"].id, marks={}, score=8000,
                          updated_at=clock.now(), submitted_at=clock.now()))  # written past the service
    db.session.commit()
    (difference,) = verify(small.call)
    assert difference.sketch_id == sketch.id and difference.computed["score_mean"] == 8000
    failed = app.test_cli_runner().invoke(verify_aggregates_command, [])
    assert failed.exit_code == 1 and f"Skizze {sketch.id}" in failed.output
    repaired = app.test_cli_runner().invoke(verify_aggregates_command, ["--repair"])
    assert repaired.exit_code == 0, repaired.output
    db.session.expire_all()
    assert verify(small.call) == [] and db.session.get(Sketch, sketch.id).score_mean == 8000
    assert app.test_cli_runner().invoke(verify_aggregates_command, []).exit_code == 0


def test_a_withdrawn_or_ineligible_sketch_has_no_rank_and_the_others_close_up(small, eligible):
    db.session.get(Sketch, eligible[0]).status = SketchStatus.INELIGIBLE
    db.session.get(Sketch, eligible[0]).eligibility_reason = "Doppelförderung"
    db.session.flush()
    call = db.session.get(Call, small.call)
    positions = {int(r.id): r.position for r in selection.ranked_sketches(call)[0]}
    assert steering.sheet_of(db.session.get(Sketch, eligible[0])).rank == 0
    assert sorted(positions.values()) == list(range(1, SKETCHES))
    for sketch_id, position in positions.items():
        assert selection.position_of(db.session.get(Sketch, sketch_id)) == position


@pytest.mark.parametrize(("organisations", "reviewers"), [(3, 18), (5, 24), (2, 40)])
def test_the_demo_competition_builds_with_many_reviewers_and_keeps_its_aggregates(app, organisations, reviewers):
    """Issue #19: ``demo.build_competition`` with 18 and more reviewers (it once raised IndexError); every
    review goes through submit_review, so the stored aggregates equal the recomputation."""
    admin = create_user(email="admin@many.test", name="Admin", password=PASSWORD, role="programme_admin",
                        actor_label="t")
    orgs = []
    for n in range(organisations):
        organisation = Organisation(name=f"Träger {n:02d}", kind=demo.KINDS[n % len(demo.KINDS)])
        db.session.add(organisation)
        db.session.flush()
        orgs.append(create_user(email=f"org{n}@many.test", name=f"Org {n}", password=PASSWORD, role="organisation",
                                organisation_id=organisation.id, actor_label="t"))
    people = [create_user(email=f"rev{n}@many.test", name=f"Gutachter {n}", password=PASSWORD, role="reviewer",
                          actor_label="t") for n in range(reviewers)]
    call = demo.build_competition(get_programme(), admin, organisation_users=orgs, reviewers=people,
                                  opens=date(2022, 3, 1), closes=date(2022, 5, 31), review_deadline=date(2022, 6, 30),
                                  review_until=date(2022, 6, 30), sketches=30)
    db.session.commit()
    counts = [s.review_count for s in call.sketches if s.status is SketchStatus.ELIGIBLE]
    assert counts and all(n == call.reviewers_per_sketch for n in counts)
    assert verify(call.id) == []
    ranked, _by_id, _figures = selection.ranked_sketches(call)
    assert [(r.position, r.id) for r in ranked] == _recomputed(call)[0]

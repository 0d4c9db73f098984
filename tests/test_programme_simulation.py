"""The whole programme, simulated (issue #13): all 53 Kommunen and the Innovationsfonds projects from the
allocation to the settlement, with the invariants checked after every step (tests/simulation/programme.py).

One seed per engine runs in the suite; ``SIMULATION_SEEDS=1,2,3`` runs others (bench/README.md records
longer runs). A failure names the seed and the shortest step list that still breaks an invariant.
"""

from __future__ import annotations

import os

import pytest

from app.budgets.models import Expense, Hearing, HearingStatus
from app.measures.models import ProviderPayment
from app.platform.extensions import db
from app.reference.models import Kommune
from tests.conftest import _empty_tables
from tests.simulation.programme import InvariantBroken, build_world, plan, run, shrink

SEEDS = [int(s) for s in os.environ.get("SIMULATION_SEEDS", "2020").split(",")]


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_the_money_cycle_closes_for_the_whole_programme(app, seed):
    kommunen = sorted(db.session.scalars(db.select(Kommune.ags)))
    steps = plan(seed, kommunen=kommunen)
    world = build_world()
    try:
        run(world, steps)
    except InvariantBroken as broken:
        def fails(candidate) -> bool:
            _empty_tables()
            try:
                run(build_world(), candidate)
            except InvariantBroken:
                return True
            return False

        shortest = shrink(fails, steps[:broken.index + 1])
        listing = "\n".join(f"  {step}" for step in shortest)
        pytest.fail(f"seed {seed}: {broken}\nshortest failing step list ({len(shortest)} steps):\n{listing}")
    print(f"seed {seed}: {world.done} steps done, {world.refused} refused ({dict(world.refused_by_action)})")
    assert world.done > 1000  # the plan really ran: most steps are allowed ones
    concluded = db.session.scalars(db.select(Hearing).where(Hearing.status == HearingStatus.CONCLUDED)).all()
    assert {hearing.comment is None for hearing in concluded} == {True, False}  # decided after comment and expiry
    assert world.refused < world.done
    # slow spenders (55 % pace) leave payments unspent past their need period: their next drawdowns are refused
    assert world.refused_by_action["drawdown"] > 0
    # measures (#17): providers were paid and own expenses tied to measures, each counted once in the ledger
    assert db.session.scalar(db.select(db.func.count(ProviderPayment.id))) > 0
    assert db.session.scalar(db.select(db.func.count(Expense.id)).where(
        Expense.measure_id.is_not(None), Expense.voucher_ref.startswith("SIM-M-"))) > 0
    # an amendment after the proof of use would change a settled approval: all of them are refused
    late = sum(step.action == "late_amendment" for step in steps)
    assert late > 0 and world.refused_by_action["late_amendment"] == late

"""Allocation use cases on both engines: versions, publishing, redistribution, workflow table."""

from __future__ import annotations

import csv
from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import select

from app.allocation import services
from app.allocation.models import AllocationStatus, AllocationVersion, Ceiling, GiveBack
from app.allocation.parameters import parse_parameters
from app.allocation.services import published_ceiling
from app.allocation.workflow import VERSION
from app.auth.models import Role
from app.platform.audit import AuditEntry
from app.platform.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.platform.extensions import db
from app.reference.services import kommune_by_ags
from tests.allocation.allocation_data import POOL, SHIPPED


def _independent_ceilings() -> dict[str, int]:
    """§ 3 FlüAG NRW straight from the formula, without app.allocation.distribution."""
    with SHIPPED.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    pop = {r["ags"]: int(r["population"]) for r in rows}
    area = {r["ags"]: Fraction(Decimal(r["area_km2"])) for r in rows}
    kreis = {r["ags"]: r["kreis_ags"] for r in rows}
    tp, ta = sum(pop.values()), sum(area.values())
    ps = {a: Fraction(p, tp) for a, p in pop.items()}
    raw = {a: Fraction(9, 10) * ps[a] + Fraction(1, 10) * area[a] / ta for a in pop}
    capped: set[str] = set()
    while True:
        fixed = sum(Fraction(5, 4) * ps[a] for a in capped)
        free = sum(raw[a] for a in pop if a not in capped)
        key = {a: Fraction(5, 4) * ps[a] if a in capped else raw[a] * (1 - fixed) / free for a in pop}
        over = {a for a in pop if a not in capped and key[a] > Fraction(5, 4) * ps[a]}
        if not over:
            break
        capped |= over
    share: dict[str, Fraction] = {}
    for a, k in key.items():
        share[kreis[a]] = share.get(kreis[a], Fraction(0)) + k
    quota = {k: POOL * s for k, s in share.items()}
    result = {k: q.numerator // q.denominator for k, q in quota.items()}
    missing = POOL - sum(result.values())
    by_rest = sorted(quota, key=lambda k: (-(quota[k] - result[k]), k))
    for k in by_rest[:missing]:
        result[k] += 1
    return result


def test_published_ceilings_sum_to_the_pool_and_match_the_formula(published, programme):
    ceilings = {c.kommune.ags: c.ceiling_cents for c in published.ceilings}
    assert len(ceilings) == 53
    assert sum(ceilings.values()) == POOL == programme.pool_cents
    assert ceilings == _independent_ceilings()
    koeln = kommune_by_ags("05315")
    assert published_ceiling(programme.id, koeln.id).ceiling_cents == ceilings["05315"]
    assert sum(Fraction(c.key_share) for c in published.ceilings) == 1


def test_row_order_of_the_key_file_changes_no_cent(programme, admin, published):
    from datetime import date

    from app.allocation import keydata

    lines = SHIPPED.read_text(encoding="utf-8").splitlines()
    shuffled = "\n".join([lines[0], *reversed(lines[1:])])
    other = keydata.import_dataset(kind="gemeinden", name="umgekehrt", reference_date=date(2019, 12, 31),
                                   source="test", text=shuffled, actor=admin)
    version = services.create_version(programme, actor=admin, pool_cents=POOL, key_dataset_id=other.id)
    assert {c.kommune_id: c.ceiling_cents for c in version.ceilings} == \
        {c.kommune_id: c.ceiling_cents for c in published.ceilings}


def test_publishing_supersedes_the_previous_version(programme, admin, published, dataset):
    second = services.create_version(programme, actor=admin, pool_cents=POOL - 100, key_dataset_id=dataset.id)
    services.publish_version(second, actor=admin)
    db.session.commit()
    assert published.status == AllocationStatus.SUPERSEDED and published.superseded_at is not None
    assert second.status == AllocationStatus.PUBLISHED
    statuses = db.session.scalars(select(AllocationVersion.status).where(
        AllocationVersion.status == AllocationStatus.PUBLISHED))
    assert len(list(statuses)) == 1
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert "allocation.version.supersede" in actions and actions.count("allocation.version.publish") == 2


def test_redistribution_spreads_give_backs_within_caps_exactly(programme, admin, published, make_user,
                                                              during_programme):
    koeln_user = make_user("kommune", kommune_ags="05315")
    kleve_user = make_user("kommune", kommune_ags="05154")
    services.declare_give_back(programme, actor=koeln_user, kommune_ags=None, amount_cents=100_000_00)
    services.declare_give_back(programme, actor=kleve_user, kommune_ags=None, amount_cents=0, max_usable_cents=0)
    db.session.commit()
    old = {c.kommune.ags: c.ceiling_cents for c in published.ceilings}
    new = services.redistribute_version(published, actor=admin, note="Rückgaben 2021")
    db.session.commit()
    ceilings = {c.kommune.ags: c for c in new.ceilings}
    assert published.status == AllocationStatus.SUPERSEDED and new.status == AllocationStatus.PUBLISHED
    assert new.parent_id == published.id
    assert sum(c.ceiling_cents for c in new.ceilings) + new.unallocated_cents == POOL
    assert new.unallocated_cents == 0
    assert ceilings["05315"].ceiling_cents == old["05315"] - 100_000_00
    assert ceilings["05154"].ceiling_cents == old["05154"]  # may use at most what it has
    assert sum(c.received_cents for c in new.ceilings) == 100_000_00
    assert all(c.ceiling_cents >= old[a] for a, c in ceilings.items() if a not in ("05315",))
    assert db.session.scalar(select(GiveBack.applied_in_id).limit(1)) == new.id
    steps = dict(services.explain(new, ceilings["05111"]))
    assert any("Umverteilung" in label for label in steps)
    with pytest.raises(InvalidTransition):
        services.redistribute_version(published, actor=admin)
    with pytest.raises(Conflict):
        services.redistribute_version(new, actor=admin)  # nothing declared


def test_give_back_rules(programme, published, make_user, during_programme):
    koeln_user = make_user("kommune", kommune_ags="05315")
    with pytest.raises(NotFound):
        services.declare_give_back(programme, actor=koeln_user, kommune_ags="05154", amount_cents=1)
    with pytest.raises(ValidationFailed) as failed:
        services.declare_give_back(programme, actor=koeln_user, kommune_ags=None, amount_cents=10**14)
    assert "amount" in failed.value.errors
    first = services.declare_give_back(programme, actor=koeln_user, kommune_ags=None, amount_cents=5)
    second = services.declare_give_back(programme, actor=koeln_user, kommune_ags=None, amount_cents=7)
    assert first.id == second.id and second.amount_cents == 7


def test_no_give_back_after_the_programme_end(programme, published, make_user):
    from datetime import date

    from app.platform import clock

    koeln_user = make_user("kommune", kommune_ags="05315")
    with clock.freeze(date(2023, 6, 30)):
        services.declare_give_back(programme, actor=koeln_user, kommune_ags=None, amount_cents=5)
        db.session.commit()
    with clock.freeze(date(2023, 7, 1)), pytest.raises(ValidationFailed) as failed:
        services.declare_give_back(programme, actor=koeln_user, kommune_ags=None, amount_cents=7)
    assert "Programmende (30.06.2023)" in failed.value.errors["amount"][0]
    db.session.rollback()
    assert [g.amount_cents for g in db.session.scalars(select(GiveBack))] == [5]


def test_second_factor_changes_the_shares(programme, admin, dataset, counts_dataset):
    params = parse_parameters(secondary_weight_percent="20")
    version = services.create_version(programme, actor=admin, pool_cents=POOL, key_dataset_id=dataset.id,
                                      secondary_dataset_id=counts_dataset.id, parameters=params)
    assert sum(c.ceiling_cents for c in version.ceilings) == POOL
    assert sum(Fraction(c.key_share) for c in version.ceilings) == 1
    assert version.parameters["secondary_weight"] == "1/5"


@pytest.mark.parametrize("kwargs,field", [
    ({"population_weight_percent": "80"}, "area_weight_percent"),
    ({"cap_percent": "99"}, "cap_percent"),
    ({"cap_percent": "abc"}, "cap_percent"),
    ({"secondary_weight_percent": "120"}, "secondary_weight_percent"),
])
def test_bad_parameters_name_the_field(kwargs, field):
    with pytest.raises(ValidationFailed) as failed:
        parse_parameters(**kwargs)
    assert field in failed.value.errors


def test_positions_apportion_106_in_half_steps(counts_dataset):
    rows = services.positions(counts_dataset.id)
    assert sum(r.halves for r in rows) == 212
    assert all(r.halves >= 1 for r in rows)


# ---------------------------------------------------------------- workflow table (status, action, role)

EXPECTED = {(AllocationStatus.DRAFT, "publish"), (AllocationStatus.PUBLISHED, "redistribute"),
            (AllocationStatus.PUBLISHED, "supersede")}


@pytest.mark.parametrize("status", list(AllocationStatus))
@pytest.mark.parametrize("action", VERSION.actions)
@pytest.mark.parametrize("role", list(Role))
def test_workflow_table(status, action, role):
    """The engine's one check order: a role that never fires the action is refused first (403), then the
    state (409 naming it)."""
    actor = type("Actor", (), {"role": role})()
    if role != Role.PROGRAMME_ADMIN:
        with pytest.raises(Forbidden):
            VERSION.check(status, action, actor)
    elif (status, action) not in EXPECTED:
        with pytest.raises(InvalidTransition) as refused:
            VERSION.check(status, action, actor)
        assert refused.value.extra["current_status"] == status.value
    else:
        new = VERSION.check(status, action, actor)
        assert new == (AllocationStatus.PUBLISHED if action == "publish" else AllocationStatus.SUPERSEDED)


def test_ceiling_rows_are_stored_exactly(published):
    ceiling = db.session.scalars(select(Ceiling)).first()
    assert Fraction(ceiling.exact_quota) == POOL * Fraction(ceiling.key_share)

"""Issue #13, item 4: money released by a reducing amendment is offered to the redistribution like a
give-back, and a give-back can never exceed what the Kommune's grant leaves of its ceiling."""

from __future__ import annotations

from sqlalchemy import select

from app.allocation.models import AllocationStatus, AllocationVersion, GiveBack
from app.allocation.services import open_give_back_cents
from app.budgets.services import kommune_commitment_cents
from app.grants.services import ceiling_cents
from app.platform.extensions import db
from app.reference.services import get_programme
from tests.grants.conftest import CEILINGS, KOELN, draft_body

MODULES = ("F1", "F2", "F3", "F4")


def _approved(flow) -> int:
    app_id = flow.submitted()  # PLAN: 650,000 €
    assert flow.api["programme_admin"].post(f"/api/v1/applications/{app_id}/approve", json={}).status_code == 201
    return app_id


def test_a_give_back_above_the_unapproved_headroom_is_refused_naming_both(app, flow):
    _approved(flow)
    kommune, admin = flow.api["kommune"], flow.api["programme_admin"]
    headroom = CEILINGS[KOELN] - 65_000_000  # 2,300,000 € of 2,950,000 € are not approved
    refused = kommune.post("/api/v1/allocation/give-backs", json={"amount": "2300000.01"})
    assert refused.status_code == 422, refused.json
    (message,) = refused.json["errors"]["amount"]
    assert "2.300.000,01" in message and "2.300.000,00" in message
    assert db.session.scalar(select(GiveBack)) is None  # nothing changed
    assert kommune.post("/api/v1/allocation/give-backs", json={"amount": "500000.00"}).status_code == 201
    programme_id, koeln_id = get_programme().id, flow.users["kommune"].kommune_id
    # declared money cannot be approved again before the redistribution
    assert ceiling_cents(programme_id, koeln_id) == CEILINGS[KOELN] - 50_000_000
    version = db.session.scalar(select(AllocationVersion).where(AllocationVersion.status == AllocationStatus.PUBLISHED))
    redistributed = admin.post(f"/api/v1/allocation/versions/{version.id}/redistribute", json={})
    assert redistributed.status_code in (200, 201), redistributed.json
    new = db.session.scalar(select(AllocationVersion).where(AllocationVersion.status == AllocationStatus.PUBLISHED))
    ceilings = {c.kommune_id: c.ceiling_cents for c in new.ceilings}
    assert sum(ceilings.values()) + new.unallocated_cents == new.pool_cents
    assert ceilings[koeln_id] == CEILINGS[KOELN] - 50_000_000 >= kommune_commitment_cents(programme_id, koeln_id,
                                                                                          MODULES)
    assert headroom - 50_000_000 == ceilings[koeln_id] - kommune_commitment_cents(programme_id, koeln_id, MODULES)


def test_money_released_by_a_reducing_amendment_reaches_the_redistribution(app, flow):
    app_id = _approved(flow)
    kommune, admin = flow.api["kommune"], flow.api["programme_admin"]
    amendment_id = kommune.post(f"/api/v1/applications/{app_id}/amendments").json["id"]
    reduced = {("F1", 2020): "100000.00", ("F2", 2021): "250000.00", ("F3", 2022): "50000.00",
               ("F4", 2022): "200000.00"}
    kommune.put(f"/api/v1/applications/{amendment_id}/draft", json=draft_body(reduced, justification="Weniger."))
    assert kommune.post(f"/api/v1/applications/{amendment_id}/submit").status_code == 200
    assert admin.post(f"/api/v1/applications/{amendment_id}/approve", json={}).json["released"] == "50000.00"
    programme_id, koeln_id = get_programme().id, flow.users["kommune"].kommune_id
    assert open_give_back_cents(programme_id, koeln_id) == 5_000_000
    version = db.session.scalar(select(AllocationVersion).where(AllocationVersion.status == AllocationStatus.PUBLISHED))
    assert admin.post(f"/api/v1/allocation/versions/{version.id}/redistribute", json={}).status_code in (200, 201)
    new = db.session.scalar(select(AllocationVersion).where(AllocationVersion.status == AllocationStatus.PUBLISHED))
    by_kommune = {c.kommune_id: c for c in new.ceilings}
    assert by_kommune[koeln_id].given_back_cents == 5_000_000
    assert sum(c.received_cents for c in new.ceilings) + new.unallocated_cents - version.unallocated_cents \
        == 5_000_000
    assert sum(c.ceiling_cents for c in new.ceilings) + new.unallocated_cents == new.pool_cents

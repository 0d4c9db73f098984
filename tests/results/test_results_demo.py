"""The results demo: on the late demo days the headline figures match the programme page."""

from datetime import date

import pytest
from sqlalchemy import select

from app.allocation.models import AllocationStatus, AllocationVersion, Ceiling
from app.auth.services import create_user
from app.demo import DEMO_PASSWORD, DemoContext
from app.grants import demo as grants_demo
from app.platform import clock
from app.platform.extensions import db
from app.reference.models import Kommune
from app.reference.services import get_programme
from app.results import demo, services


@pytest.mark.slow
@pytest.mark.parametrize("day", [date(2023, 9, 1), date(2022, 6, 15)])
def test_demo_results_match_the_programme_page_on_late_days(app, day):
    programme = get_programme()
    version = AllocationVersion(programme_id=programme.id, number=1, title="Demo", status=AllocationStatus.PUBLISHED,
                                pool_cents=0, parameters={}, created_at=clock.now(), published_at=clock.now())
    for kommune in db.session.scalars(select(Kommune)):
        version.ceilings.append(Ceiling(kommune_id=kommune.id, key_share="1/53", exact_quota="1/1",
                                        ceiling_cents=80_000_000))
    db.session.add(version)
    context = DemoContext(day=day, programme=programme)
    context.users["admin@demo.nrw"] = create_user(email="admin@demo.nrw", name="Admin", password=DEMO_PASSWORD,
                                                  role="programme_admin", actor_label="test")
    grants_demo.seed(context)
    demo.seed(context)
    db.session.commit()
    total = services.results_report(context.users["admin@demo.nrw"]).total
    assert total.reached <= total.entries
    if day > programme.last_expense_date:
        assert abs(total.reached - 23_600) <= 100
        assert total.reach_rate == pytest.approx(40, abs=0.5)
        assert total.share_men == pytest.approx(73, abs=0.5) and total.share_women == pytest.approx(27, abs=0.5)
    else:
        assert 0 < total.reached < total.entries
    assert "ynthetisch" in services.target_source()
    rows = services.interim_rows(today=day)
    assert rows and all(row.late == (row.due < day) for row in rows)  # no demo Kommune account: none submitted

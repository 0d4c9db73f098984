"""The demo catalogue: synthetic measures, providers and consented contracts with payments; ledger clean."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from sqlalchemy import select

from app.budgets.verify import verify_ledger
from app.measures import demo, forwarding
from app.measures.models import ContractStatus, ForwardingContract, Measure, MeasureStatus
from app.platform.extensions import db


def test_the_demo_seeds_a_marked_catalogue_with_forwarding(make_user, make_grant):
    grant = make_grant("05315")
    users = {"admin@demo.nrw": make_user("programme_admin"), "traeger@demo.nrw": make_user("organisation"),
             "koeln@demo.nrw": make_user("kommune", kommune_ags="05315")}
    demo.seed(SimpleNamespace(users=users, day=date(2022, 6, 15)))
    db.session.commit()
    measures = db.session.scalars(select(Measure)).all()
    assert len(measures) == len(demo.CATALOGUE) and all(m.synthetic and demo.MARK not in m.title for m in measures)
    contracts = db.session.scalars(select(ForwardingContract)).all()
    assert {c.status for c in contracts} == {ContractStatus.CONSENTED} and all(c.synthetic for c in contracts)
    assert sum(row["amount_cents"] for row in forwarding.forwarded_by_provider(grant)) == sum(
        c.paid_cents for c in contracts) > 0
    assert verify_ledger() == []


def test_on_late_demo_days_the_courses_of_2021_are_finished(make_user, make_grant):
    make_grant("05315")
    users = {"admin@demo.nrw": make_user("programme_admin"), "traeger@demo.nrw": make_user("organisation"),
             "koeln@demo.nrw": make_user("kommune", kommune_ags="05315")}
    demo.seed(SimpleNamespace(users=users, day=date(2023, 9, 1)))
    db.session.commit()
    assert {m.status for m in db.session.scalars(select(Measure))} == {MeasureStatus.FINISHED}
    assert sum(c.paid_cents for c in db.session.scalars(select(ForwardingContract))) > 0

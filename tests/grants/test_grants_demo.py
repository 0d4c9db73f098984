"""The grants demo seeds every status through the real services (after ceilings were published)."""

from datetime import date

from sqlalchemy import func, select

from app.allocation.models import AllocationStatus, AllocationVersion, Ceiling
from app.auth.services import create_user
from app.demo import DEMO_PASSWORD, DemoContext
from app.grants import demo
from app.grants.models import Application, ApplicationStatus, Decision, ParticipantCount
from app.platform import clock
from app.platform.extensions import db
from app.reference.models import Kommune
from app.reference.services import get_programme


def test_demo_seeds_every_status(app):
    programme = get_programme()
    version = AllocationVersion(programme_id=programme.id, number=1, title="Demo", status=AllocationStatus.PUBLISHED,
                                pool_cents=0, parameters={}, created_at=clock.now(), published_at=clock.now())
    for kommune in db.session.scalars(select(Kommune)):
        version.ceilings.append(Ceiling(kommune_id=kommune.id, key_share="1/53", exact_quota="1/1",
                                        ceiling_cents=80_000_000 + kommune.id * 100_000))
    db.session.add(version)
    context = DemoContext(day=date(2022, 6, 15), programme=programme)
    for email, role, ags in [("admin@demo.nrw", "programme_admin", None), ("koeln@demo.nrw", "kommune", "05315"),
                             ("kleve@demo.nrw", "kommune", "05154"), ("bielefeld@demo.nrw", "kommune", "05711")]:
        context.users[email] = create_user(email=email, name=email, password=DEMO_PASSWORD, role=role,
                                           kommune_ags=ags, actor_label="test")
    demo.seed(context)
    db.session.commit()
    statuses = {s for (s,) in db.session.execute(select(Application.status))}
    assert statuses == set(ApplicationStatus)
    roots = db.session.scalar(select(func.count()).select_from(Application).where(Application.sequence == 0))
    assert roots == 15
    numbers = set(db.session.scalars(select(Decision.number)))
    assert len([n for n in numbers if n.startswith("ZB-") and "-Ä" not in n]) == 10
    assert "ZB-2020-0001-Ä1" in numbers
    assert db.session.scalar(select(func.count()).select_from(ParticipantCount)) > 100
    # issue #21.2: demo entries carry plausible times before the demo day, so what a person does on the
    # demo day sorts above them; each quarter's report comes after that quarter began
    from app.platform.audit import AuditEntry
    from app.platform.clock import BERLIN

    demo_day_start = clock.end_of_day(date(2022, 6, 14))
    stamps = list(db.session.scalars(select(AuditEntry.occurred_at).where(AuditEntry.action.startswith("grants."))))
    assert stamps and max(stamps) <= demo_day_start
    reports = db.session.execute(select(AuditEntry.occurred_at, AuditEntry.object_id)
                                 .where(AuditEntry.action == "grants.participants.report")).all()
    days = {when.astimezone(BERLIN).date() for when, _object in reports}
    assert len(days) > 5 and date(2020, 10, 10) in days and date(2022, 6, 14) in days
    for when, object_id in reports:  # "<kommune>/<module>/<year>-Q<n>"
        year, quarter = object_id.rsplit("/", 1)[1].split("-Q")
        assert when.astimezone(BERLIN).date() >= date(int(year), 3 * int(quarter) - 2, 1)

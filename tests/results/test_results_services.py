"""People reached and target groups through the services (both engines): rules, refusals, audit, scope."""

import pytest
from sqlalchemy import select

from app.platform.audit import AuditEntry
from app.platform.errors import Conflict, Forbidden, ValidationFailed
from app.platform.extensions import db
from app.results import services
from tests.results.conftest import KLEVE, KOELN


def test_a_person_in_f1_and_f2_is_reached_once(make_user, entries):
    kommune = make_user("kommune", kommune_ags=KOELN)
    entries(KOELN, 2021, 1, "F1", female=3, male=7)
    entries(KOELN, 2021, 1, "F2", female=2, male=5)  # 2 women and 3 men of F2 are also in F1
    services.report_reached(kommune, year=2021, quarter=1, counts={"female": 3, "male": 9})
    db.session.commit()
    admin = make_user("programme_admin")
    report = services.results_report(admin)
    koeln = next(k for k in report.kommunen if k.ags == KOELN)
    assert (koeln.entries, koeln.reached) == (17, 12)
    assert report.total.reached == 12 and report.total.share_women == pytest.approx(25)


def test_more_people_than_entries_is_refused_naming_the_gender(make_user, entries):
    kommune = make_user("kommune", kommune_ags=KOELN)
    entries(KOELN, 2021, 2, "F1", female=1, male=1)
    with pytest.raises(ValidationFailed) as refused:
        services.report_reached(kommune, year=2021, quarter=2, counts={"female": 2, "male": 1})
    assert set(refused.value.errors) == {"female"}


def test_no_entries_no_people_and_only_the_kommune_reports(make_user, entries):
    with pytest.raises(Conflict):
        services.report_reached(make_user("kommune", kommune_ags=KOELN), year=2021, quarter=3, counts={"male": 1})
    with pytest.raises(Forbidden):
        services.report_reached(make_user("programme_admin"), year=2021, quarter=3, counts={})
    with pytest.raises(ValidationFailed) as refused:
        services.report_reached(make_user("kommune", kommune_ags=KOELN), year=2030, quarter=1, counts={})
    assert "year" in refused.value.errors


def test_reporting_again_replaces_and_is_audited(make_user, entries):
    kommune = make_user("kommune", kommune_ags=KOELN)
    entries(KOELN, 2022, 1, "F4", male=10)
    services.report_reached(kommune, year=2022, quarter=1, counts={"male": 8})
    services.report_reached(kommune, year=2022, quarter=1, counts={"male": 6})
    db.session.commit()
    assert services.reached_in_quarter(kommune.kommune_id, 2022, 1)["male"] == 6
    audited = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "results.reached.report")))
    assert len(audited) == 2 and audited[-1].before == {"female": 0, "male": 8, "diverse": 0, "not_stated": 0}


def test_a_kommune_sees_only_its_own_figures(make_user, entries):
    entries(KOELN, 2021, 1, "F1", male=4)
    entries(KLEVE, 2021, 1, "F1", male=6)
    report = services.results_report(make_user("kommune", kommune_ags=KLEVE))
    assert [k.ags for k in report.kommunen] == [KLEVE] and report.total.entries == 6


def test_target_groups_import_by_ags_or_name_all_or_nothing(make_user):
    admin = make_user("programme_admin")
    assert services.import_targets(admin, "Kommune;Anzahl\n05315;4.000\nKleve;1200\n", "Test") == 2
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        services.import_targets(admin, "05315;10\nAtlantis;5\n05154;-3\n", "Test")
    assert len(refused.value.errors["file"]) == 2 and "Atlantis" in refused.value.errors["file"][0]
    db.session.rollback()
    report = services.results_report(admin)
    assert {k.ags: k.target for k in report.kommunen} == {KOELN: 4000, KLEVE: 1200}
    with pytest.raises(ValidationFailed):
        services.import_targets(admin, "05315;10\n05315;11\n", "Test")
    with pytest.raises(Forbidden):
        services.import_targets(make_user("finance"), "05315;10\n", "Test")

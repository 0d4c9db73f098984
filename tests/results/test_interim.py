"""Interim proofs: the (status, action, role) table, figures from the ledger, due day from the programme file,
late flags and reminders by the job, pages, export and API (problem+json), ownership."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.auth.models import Role
from app.notifications.models import Message
from app.platform import clock
from app.platform.audit import AuditEntry
from app.platform.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.platform.extensions import db
from app.reference.services import get_programme
from app.results import services
from app.results.models import InterimProof, InterimStatus
from app.results.workflow import INTERIM
from app.scheduler.runner import execute

from .conftest import KLEVE, KOELN

ROLES = [r.value for r in Role]
SUBMIT_DAY = datetime(2022, 3, 1, 10, tzinfo=clock.BERLIN)


def _to_status(grant, status, kommune, admin):
    with clock.freeze(SUBMIT_DAY):
        if status is None:
            return
        services.submit_interim(kommune, grant.id, 2021, report="Bericht")
        if status is InterimStatus.ACCEPTED:
            services.review_interim(admin, grant.id, 2021, action="accept")
        if status is InterimStatus.CHANGES_REQUESTED:
            services.review_interim(admin, grant.id, 2021, action="request_changes", note="Bitte ergänzen")
    db.session.commit()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", INTERIM.actions)
@pytest.mark.parametrize("status", [None, *InterimStatus])
def test_interim_workflow_table(app, make_user, interim_grant, status, action, role):
    grant = interim_grant(with_money=False)
    kommune, admin = make_user("kommune", kommune_ags=KOELN), make_user("programme_admin")
    actor = kommune if role == "kommune" else make_user(role)
    _to_status(grant, status, kommune, admin)
    rule = INTERIM.transitions.get((status, action))
    fires_somewhere = any(role in roles for (_s, a), (_n, roles) in INTERIM.transitions.items() if a == action)
    with clock.freeze(SUBMIT_DAY):
        def run():
            if action == "submit":
                return services.submit_interim(actor, grant.id, 2021, report="Neuer Bericht")
            return services.review_interim(actor, grant.id, 2021, action=action, note="Anmerkung")

        if role == "organisation":  # only Kommune grants have interim proofs: another recipient's grant
            with pytest.raises(NotFound):
                run()
        elif not fires_somewhere:
            with pytest.raises(Forbidden):
                run()
        elif rule is None:
            with pytest.raises(InvalidTransition):
                run()
        elif role not in rule[1]:
            with pytest.raises(Forbidden):
                run()
        else:
            assert run().status == rule[0]


def test_figures_are_the_ledger_lines_of_the_year_to_the_cent(app, make_user, interim_grant):
    grant = interim_grant()
    kommune = make_user("kommune", kommune_ags=KOELN)
    with clock.freeze(SUBMIT_DAY):
        proof = services.submit_interim(kommune, grant.id, 2021, report="  Bericht 2021  ")
    assert (proof.approved_cents, proof.paid_cents, proof.expenses_cents, proof.earned_cents) == (
        3_000_000, 400_001, 250_004, 200_003)  # 80 % of 250,004 rounded half up
    assert proof.report == "Bericht 2021"
    assert services.ledger_figures(grant, 2020).expenses_cents == 0
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "results.interim.submit"))
    assert entry.after["expenses_cents"] == 250_004 and entry.kommune_id == grant.kommune_id


def test_due_day_comes_from_the_programme_file(app, interim_grant):
    grant = interim_grant(with_money=False)
    rows = services.interim_rows(today=date(2022, 1, 1))
    assert [(r.year, r.due) for r in rows] == [(2020, date(2021, 6, 30)), (2021, date(2022, 6, 30)),
                                               (2022, date(2023, 6, 30))]
    programme = get_programme()
    programme.settings = {**programme.settings, "interim_proof_due": "03-31"}
    db.session.flush()
    assert services.get_interim(None, grant.id, 2021).due == date(2022, 3, 31)
    db.session.rollback()


def test_submission_rules(app, make_user, interim_grant):
    grant = interim_grant(with_money=False)
    kommune, other = make_user("kommune", kommune_ags=KOELN), make_user("kommune", kommune_ags=KLEVE)
    with clock.freeze(date(2021, 12, 31)), pytest.raises(Exception) as early:
        services.submit_interim(kommune, grant.id, 2021, report="zu früh")
    assert early.value.status == 409
    with clock.freeze(SUBMIT_DAY):
        with pytest.raises(ValidationFailed) as empty:
            services.submit_interim(kommune, grant.id, 2021, report="   ")
        assert "report" in empty.value.errors
        with pytest.raises(ValidationFailed):
            services.submit_interim(kommune, grant.id, 2021, report="x" * 5001)
        with pytest.raises(NotFound):
            services.submit_interim(other, grant.id, 2021, report="fremd")
        with pytest.raises(NotFound):
            services.submit_interim(kommune, grant.id, 2023, report="das Schlussjahr deckt der Verwendungsnachweis")
        services.submit_interim(kommune, grant.id, 2021, report="Bericht")
        with pytest.raises(ValidationFailed) as no_note:
            services.review_interim(make_user("programme_admin"), grant.id, 2021, action="request_changes")
        assert "note" in no_note.value.errors
    assert services.interim_rows(other) == []


def _run(day: date):
    moment = datetime.combine(day, datetime.min.time().replace(hour=7, minute=40), tzinfo=clock.BERLIN)
    with clock.freeze(moment):
        return execute("results.interim_proofs", scheduled_for=moment, trigger="schedule")


def test_job_reminds_30_and_7_days_before_and_flags_late_ones_once(app, make_user, interim_grant):
    grant = interim_grant(with_money=False)
    kommune = make_user("kommune", kommune_ags=KOELN)
    db.session.commit()
    assert _run(date(2022, 5, 31)).summary == {"reminders": 1, "flagged_late": 1}  # 2021: 30 days; 2020 late
    assert _run(date(2022, 5, 31)).status == "already_done"
    assert _run(date(2022, 6, 1)).summary == {"reminders": 0, "flagged_late": 0}
    with clock.freeze(date(2022, 6, 10)):
        services.submit_interim(kommune, grant.id, 2021, report="Bericht")
    db.session.commit()
    assert _run(date(2022, 6, 23)).summary == {"reminders": 0, "flagged_late": 0}  # submitted: no 7-day reminder
    assert _run(date(2022, 7, 1)).summary["flagged_late"] == 0  # 2021 came in on time
    messages = list(db.session.scalars(select(Message).where(Message.recipient_id == kommune.id)
                                       .order_by(Message.id)))
    assert [m.subject for m in messages] == ["Frist: Zwischennachweis 2021 bis 30.06.2022 einreichen (DS-05315)",
                                             "Frist versäumt: Zwischennachweis 2020 (DS-05315)"]  # told once
    assert "als verspätet vermerkt" in messages[1].body
    late = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "results.interim.late")).all()
    assert [(e.after["year"], e.actor_label) for e in late] == [(2020, "system: scheduler")]
    row = services.interim_rows(today=date(2022, 7, 1))[0]
    assert row.year == 2020 and row.late and row.late_flagged_on == date(2022, 5, 31) and row.status is None
    with clock.freeze(date(2022, 8, 1)):  # a late proof stays marked late
        services.submit_interim(kommune, grant.id, 2020, report="spät")
    assert services.interim_rows(today=date(2022, 8, 1))[0].late


def test_pages_list_filter_export_submit_and_review(app, make_user, client, interim_grant):
    grant = interim_grant(with_money=False)
    kommune, admin = make_user("kommune", kommune_ags=KOELN), make_user("programme_admin")
    interim_grant(KLEVE, with_money=False)
    db.session.commit()
    with clock.freeze(SUBMIT_DAY):
        client.login(kommune)
        listing = client.get("/zwischennachweise").get_data(as_text=True)
        assert "DS-05315" in listing and "DS-05154" not in listing
        url = f"/zwischennachweise/{grant.id}/2021"
        page = client.get(url).get_data(as_text=True)
        assert "Zwischennachweis einreichen" in page and "30.000,00" in page
        refused = client.post(f"{url}/einreichen", data={"report": ""})
        assert refused.status_code == 422 and 'id="f-report-error"' in refused.get_data(as_text=True)
        assert client.post(f"{url}/einreichen", data={"report": "Bericht"}).status_code == 302
        assert client.get(f"/zwischennachweise/{grant.id + 1}/2021").status_code == 404  # Kleve's
        client.client.get("/abmelden")
        client.login(admin)
        assert client.post(f"{url}/pruefen", data={"action": "request_changes"}).status_code == 422
        assert client.post(f"{url}/pruefen", data={"action": "request_changes", "note": "Bitte F2 erläutern"}
                           ).status_code == 302
        assert db.session.scalar(select(InterimProof.status)) == InterimStatus.CHANGES_REQUESTED
        late = client.get("/zwischennachweise?late=1").get_data(as_text=True)
        assert late.count("<strong>verspätet</strong>") == 2  # the 2020 proofs of both Kommunen
        filtered = client.get("/zwischennachweise?status=changes_requested").get_data(as_text=True)
        assert "DS-05315" in filtered and "DS-05154" not in filtered
        assert client.get("/zwischennachweise?year=abc").status_code == 422
        export = client.get("/zwischennachweise?export=csv&year=2021")
        assert export.status_code == 200 and export.get_data(as_text=True).count("\n") == 3  # header + 2


def test_api_submit_review_and_problems(app, make_user, api, interim_grant):
    grant = interim_grant(with_money=False)
    kommune, admin = api(make_user("kommune", kommune_ags=KOELN)), api(make_user("programme_admin"))
    path = f"/api/v1/results/interim-proofs/{grant.id}/2021"
    with clock.freeze(SUBMIT_DAY):
        problem = kommune.post(f"{path}/submit", json={"report": ""})
        assert problem.status_code == 422 and problem.content_type == "application/problem+json"
        assert "report" in problem.get_json()["errors"]
        done = kommune.post(f"{path}/submit", json={"report": "Bericht"})
        assert done.status_code == 200 and done.get_json()["status"] == "submitted"
        assert done.get_json()["expenses"] == "0.00" and done.get_json()["allowed_actions"] == []
        assert admin.post(f"{path}/review", json={"action": "accept"}).get_json()["status"] == "accepted"
        again = admin.post(f"{path}/review", json={"action": "accept"})
        assert again.status_code == 409 and again.content_type == "application/problem+json"
        assert kommune.post(f"{path}/review", json={"action": "accept"}).status_code == 403
        listing = admin.get("/api/v1/results/interim-proofs").get_json()
        assert [(r["year"], r["status"]) for r in listing] == [(2020, None), (2021, "accepted"), (2022, None)]


def test_start_page_panels(app, make_user, client, interim_grant):
    interim_grant(with_money=False)
    kommune, admin = make_user("kommune", kommune_ags=KOELN), make_user("programme_admin")
    with clock.freeze(SUBMIT_DAY):
        client.login(kommune)
        start = client.get("/").get_data(as_text=True)
        assert "Zwischennachweis 2020" in start and "Zwischennachweis 2021" in start  # 2022: not yet open
        assert "Zwischennachweis 2022" not in start
        client.client.get("/abmelden")
        client.login(admin)
        assert "2 verspätet, nicht eingereicht" not in client.get("/").get_data(as_text=True)
        assert "1 verspätet, nicht eingereicht" in client.get("/").get_data(as_text=True)

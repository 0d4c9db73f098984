"""The jobs page and API: listing, runs, "Jetzt ausführen" (programme_admin only, audited)."""

from sqlalchemy import select

from app.platform import jobs as registry
from app.platform.audit import AuditEntry
from app.platform.extensions import db
from app.scheduler.models import JobRun
from tests.export_reading import read_export


def test_api_lists_jobs_and_runs_a_job_once_a_day(app, make_user, api):
    admin = api(make_user("programme_admin"))
    jobs = admin.get("/api/v1/jobs")
    assert jobs.status_code == 200
    by_name = {j["name"]: j for j in jobs.json}
    assert {"notifications.deliver_email", "scheduler.heartbeat", "scheduler.cleanup"} <= set(by_name)
    cleanup = by_name["scheduler.cleanup"]
    assert cleanup["schedule"] == "täglich 03:30 Uhr" and cleanup["status"] == "never"
    assert cleanup["next_run"] and cleanup["next_run_source"] == "computed"
    first = admin.post("/api/v1/jobs/scheduler.cleanup/run")
    assert first.status_code == 200 and first.json["status"] == "ok", first.json
    second = admin.post("/api/v1/jobs/scheduler.cleanup/run")
    assert second.json["status"] == "already_done" and second.json["due_key"] == first.json["due_key"]
    runs = admin.get("/api/v1/jobs/runs?job=scheduler.cleanup")
    assert runs.status_code == 200 and [r["status"] for r in runs.json] == ["ok"]
    assert runs.json[0]["trigger"] == "manual" and runs.json[0]["summary"] == {"removed_runs": 0}
    assert admin.get("/api/v1/jobs").json[1]["status"] in {"ok", "never"}
    audited = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "job")).all()
    assert audited == ["scheduler.job.run", "scheduler.job.run"]
    assert admin.post("/api/v1/jobs/gibt.es.nicht/run").status_code == 404


def test_only_programme_admins_run_jobs_and_auditors_read(app, make_user, api):
    assert api(make_user("auditor")).get("/api/v1/jobs").status_code == 200
    assert api(make_user("auditor")).post("/api/v1/jobs/scheduler.cleanup/run").status_code == 403
    assert api(make_user("finance")).get("/api/v1/jobs").status_code == 403
    assert api(make_user("kommune")).post("/api/v1/jobs/scheduler.cleanup/run").status_code == 403
    assert db.session.scalar(select(JobRun)) is None


def test_jobs_page_shows_failures_with_error_text_and_runs_now(app, make_user, client):
    @registry.job("test.broken", trigger="cron", hour=1, description="Absichtlich defekt")
    def broken(run):
        raise ValueError("Prognose konnte nicht berechnet werden")

    try:
        admin = make_user("programme_admin")
        client.login(admin)
        response = client.post("/verwaltung/jobs/test.broken/ausfuehren")
        assert response.status_code == 302
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "fehlgeschlagen" in page and "Prognose konnte nicht berechnet werden" in page
        assert "Jetzt ausführen" in page and "Es ist noch nie ein Scheduler-Prozess gelaufen" in page
        inbox = client.get("/nachrichten/").get_data(as_text=True)
        assert "Automatischer Job fehlgeschlagen: test.broken" in inbox
        # issue #21.1: the runs (with the page's job filter) and the messages export
        assert "export=csv" in client.get("/verwaltung/jobs/?job=test.broken").get_data(as_text=True)
        runs = read_export(client.get("/verwaltung/jobs/?job=test.broken&export=csv"))
        assert runs[0][:2] == ["Beginn", "Job"] and [r[1] for r in runs[1:]] == ["test.broken"]
        assert runs[1][5] == "fehlgeschlagen" and "Prognose konnte nicht berechnet werden" in runs[1][8]
        assert "?export=xlsx" in inbox
        messages = read_export(client.get("/nachrichten/?export=xlsx"))
        assert messages[0][:2] == ["Eingegangen", "Betreff"]
        assert [m[1] for m in messages[1:]] == ["Automatischer Job fehlgeschlagen: test.broken"]
    finally:
        registry.unregister("test.broken")


def test_jobs_page_is_for_administrators_and_auditors(client, make_user):
    client.login(make_user("auditor"))
    page = client.get("/verwaltung/jobs/").get_data(as_text=True)
    assert "notifications.deliver_email" in page and "Jetzt ausführen" not in page
    client.login(make_user("kommune"))
    assert client.get("/verwaltung/jobs/").status_code == 403

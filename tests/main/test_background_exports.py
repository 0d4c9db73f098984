"""Background exports (app/platform/web/export_jobs.py): above the threshold an export is queued, built by the
scheduler job by replaying its URL, downloadable by its actor only, and deleted after a day."""

import re
from datetime import timedelta
from html import unescape

import pytest

from app.platform import background, clock
from app.platform.background import BackgroundJob
from app.platform.extensions import db
from app.scheduler.runner import execute
from tests.export_reading import read_export

URL = "/audit?action=user&export={fmt}"  # the accounts' creation entries: queuing adds no entry of this kind
TOKEN = re.compile(r'name="token" value="([^"]+)"')


@pytest.fixture()
def admin(client, make_user):
    for _ in range(3):
        make_user("kommune")
    user = make_user("programme_admin")
    client.login(user)
    return user


def _queue(app, client, url: str, threshold: int = 2):
    app.config["EXPORT_BACKGROUND_ROWS"] = threshold
    offer = client.get(url)
    assert offer.status_code == 200 and offer.mimetype == "text/html"
    token = unescape(TOKEN.search(offer.get_data(as_text=True)).group(1))
    answer = client.post("/exporte", data={"token": token})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/exporte")
    return db.session.scalars(db.select(BackgroundJob).order_by(BackgroundJob.id.desc())).first()


@pytest.fixture(autouse=True)
def _threshold(app):
    yield
    app.config["EXPORT_BACKGROUND_ROWS"] = 20_000


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_background_file_equals_the_direct_export(app, client, admin, fmt):
    direct = client.get(URL.format(fmt=fmt))
    rows = read_export(direct)
    assert len(rows) == 5  # header + 4 accounts
    job = _queue(app, client, URL.format(fmt=fmt))
    assert job.status == background.PENDING and job.total == 4 and job.actor_id == admin.id
    assert "wartet" in client.get("/exporte").get_data(as_text=True)

    outcome = execute("background.run", trigger="manual")
    db.session.refresh(job)
    assert outcome.status == "ok" and outcome.summary == {"done": 1, "failed": 0}, job.error
    db.session.refresh(job)
    assert job.status == background.DONE and job.done == 4
    page = client.get("/exporte").get_data(as_text=True)
    assert "fertig" in page and f"/exporte/{job.id}/datei" in page
    download = client.get(f"/exporte/{job.id}/datei")
    assert download.headers["Content-Disposition"].endswith(f".{fmt}") or fmt in download.headers["Content-Disposition"]
    assert read_export(download) == rows
    assert download.get_data() == direct.get_data()  # byte for byte (the XLSX writer's ZIP has fixed time stamps)


def test_only_the_actor_sees_and_downloads(app, client, admin, make_user):
    job = _queue(app, client, URL.format(fmt="csv"))
    execute("background.run", trigger="manual")
    other = make_user("programme_admin")
    client.client.get("/abmelden")
    client.login(other)
    assert client.get(f"/exporte/{job.id}/datei").status_code == 404
    assert f"/exporte/{job.id}/datei" not in client.get("/exporte").get_data(as_text=True)
    assert client.get("/exporte/999999/datei").status_code == 404


def test_a_token_is_good_only_for_the_user_it_was_offered_to(app, client, admin, make_user):
    app.config["EXPORT_BACKGROUND_ROWS"] = 2
    token = unescape(TOKEN.search(client.get(URL.format(fmt="csv")).get_data(as_text=True)).group(1))
    other = make_user("programme_admin")
    client.client.get("/abmelden")
    client.login(other)
    assert client.post("/exporte", data={"token": token}).status_code == 422
    assert client.post("/exporte", data={"token": token[:-2] + "xx"}).status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(BackgroundJob)) == 0


def test_threshold_switches_between_download_and_offer(app, client, admin):
    app.config["EXPORT_BACKGROUND_ROWS"] = 4  # exactly the rows: still the direct download
    assert client.get(URL.format(fmt="csv")).mimetype == "text/csv"
    app.config["EXPORT_BACKGROUND_ROWS"] = 3
    offer = client.get(URL.format(fmt="csv"))
    assert offer.mimetype == "text/html" and "Export im Hintergrund erstellen" in offer.get_data(as_text=True)


def test_a_failed_export_is_shown_and_a_deactivated_user_gets_no_file(app, client, admin):
    job = _queue(app, client, URL.format(fmt="csv"))
    admin.active = False
    db.session.commit()
    assert execute("background.run", trigger="manual").summary == {"done": 0, "failed": 1}
    db.session.refresh(job)
    assert job.status == background.FAILED and job.error and job.file_key is None


def test_cleanup_deletes_files_after_a_day_and_fails_stale_jobs(app, client, admin):
    done = _queue(app, client, URL.format(fmt="csv"))
    execute("background.run", trigger="manual")
    db.session.refresh(done)
    path = background.file_path(done)
    assert path.is_file()
    stale = _queue(app, client, URL.format(fmt="xlsx"))
    stale.status, stale.started_at = background.RUNNING, clock.now()
    db.session.commit()
    with clock.freeze(clock.now() + timedelta(hours=2)):
        assert background.cleanup(clock.now()) == {"deleted": 0, "timed_out": 1, "orphaned_files": 0}
        db.session.commit()
    assert path.is_file()
    with clock.freeze(clock.now() + timedelta(hours=25)):
        assert background.cleanup(clock.now()) == {"deleted": 2, "timed_out": 0, "orphaned_files": 0}
        db.session.commit()
    assert not path.exists()
    assert db.session.scalar(db.select(db.func.count()).select_from(BackgroundJob)) == 0



@pytest.mark.parametrize("url", ["/verwaltung/jobs/?export=xlsx", "/budgets/mittelabrufe/export.csv",
                                 "/nachrichten/?export=csv"])
def test_every_kind_of_export_goes_through_the_threshold(app, client, admin, url):
    """``export_of`` lists (job runs, inbox) and a fixed route with Core rows and ``count`` (drawdowns): an empty
    export stays a direct download even at threshold 0; a non-empty one (the audit list above) is offered."""
    app.config["EXPORT_BACKGROUND_ROWS"] = 0
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer.headers.get("Content-Disposition") or "Export im Hintergrund erstellen" in answer.get_data(
        as_text=True)


def test_an_import_is_run_before_exports_queued_earlier_then_the_oldest_first(app, admin):
    """One job runs at a time: a Kommune's import must not wait behind every export queued before it."""
    from app.budgets import importing
    from app.main.jobs import KINDS_FIRST
    from app.platform.web import export_jobs

    kinds = [export_jobs.KIND, export_jobs.KIND, importing.KIND, export_jobs.KIND, importing.KIND]
    jobs = [background.create(kind, admin, filename=f"{n}.csv", total=1, params={}) for n, kind in enumerate(kinds)]
    db.session.commit()
    claimed = []
    while (job := background.claim_next(KINDS_FIRST)) is not None:
        claimed.append(job.id)
    assert claimed == [jobs[2].id, jobs[4].id, jobs[0].id, jobs[1].id, jobs[3].id]
    db.session.rollback()
    assert background.claim_next().id == jobs[0].id  # without a preference: the oldest
    db.session.rollback()


def test_the_row_count_never_reads_more_done_than_in_all(app, client, admin):
    """The total is counted when the export is asked for; the audit trail grows until the file is written."""
    job = background.create("export", admin, filename="audit.csv", total=3, params={})
    job.status, job.done = background.RUNNING, 5
    db.session.commit()
    page = client.get("/exporte").get_data(as_text=True)
    assert "5 / 5" in page and "5 / 3" not in page
    job.status = background.DONE
    db.session.commit()
    row = re.search(r"audit\.csv.*?</tr>", client.get("/exporte").get_data(as_text=True), re.S).group(0)
    assert '<td class="num">5</td>' in row


def test_cleanup_deletes_a_stored_file_whose_job_never_committed_once_it_is_a_day_old(app, client, admin):
    """An upload is stored before the request commits; if the commit fails, the file belongs to no job."""
    import os
    import time

    from app.main.jobs import RUNNERS, cleanup_background

    kept = _queue(app, client, URL.format(fmt="csv"))
    execute("background.run", trigger="manual")
    db.session.refresh(kept)
    folder = background.file_path(kept).parent
    old_orphan, new_orphan = folder / "999999-deadbeef", folder / "999998-cafebabe"
    for path in (old_orphan, new_orphan):
        path.write_bytes(b"datum;baustein;betrag\n")
    day_ago = time.time() - 25 * 3600
    os.utime(old_orphan, (day_ago, day_ago))
    os.utime(background.file_path(kept), (day_ago, day_ago))  # old, but its job still exists
    assert set(RUNNERS) >= {kept.kind}
    assert cleanup_background(None)["orphaned_files"] == 1
    db.session.commit()
    assert not old_orphan.exists() and new_orphan.exists() and background.file_path(kept).is_file()
    new_orphan.unlink()


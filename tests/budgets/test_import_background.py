"""Issue #19: the expense CSV import in two streamed passes, and above IMPORT_BACKGROUND_LINES as a background job.

The two passes must book what the one-pass import booked (journals, balances, expense rows, daily sums); an error
anywhere (also in the last line, also one found only by the second pass) books nothing; the background job books,
reports progress, shows the errors as the synchronous page does, and is visible to its user only.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.budgets import csv_import, importing, ledger, services
from app.budgets.csv_import import open_upload
from app.budgets.models import Expense, ExpenseDaily, ExpenseImport, Journal
from app.platform import background, clock
from app.platform.audit import AuditEntry
from app.platform.background import BackgroundJob
from app.platform.errors import ValidationFailed
from app.platform.extensions import db
from app.scheduler.runner import execute
from tests.conftest import PageClient

DAY = date(2022, 12, 1)
MODULES = (("F1", 2021), ("F2", 2021), ("F1", 2022))


def csv_file(count: int, *, bad_last: bool = False) -> bytes:
    """``count`` lines over three lines of the grant, amounts that make the rounding rule matter."""
    lines = ["datum;baustein;betrag;beleg;beschreibung"]
    for i in range(count):
        module, year = MODULES[i % 3]
        day = date(year, 1, 4) + timedelta(days=i % 200)
        lines.append(f"{day:%d.%m.%Y};{module};{(i * 37) % 900 + 1},{(i * 13) % 100:02d};V-{i};Zeile {i}")
    if bad_last:
        lines[-1] = "31.02.2021;F1;10,00;V-last;kaputt"
    return ("\n".join(lines) + "\n").encode()


def _rows(data: bytes, grant) -> list[dict]:
    upload = open_upload(io.BytesIO(data))
    first = csv_import.scan(upload, grant, today=DAY)
    return [row for batch in csv_import.batches(first, grant, today=DAY) for row in batch]


def _booking(grant) -> dict:
    """Everything an import changes, without ids: balances, journals with their entries' sum, rows, daily sums."""
    journals = sorted((j.kind, j.description) for j in db.session.scalars(
        select(Journal).where(Journal.grant_id == grant.id, Journal.kind == "expense")))
    expenses = sorted((e.module_code, e.budget_year, e.expense_date, e.amount_cents, e.voucher_ref, e.description,
                       e.eligible) for e in db.session.scalars(select(Expense).where(Expense.grant_id == grant.id)))
    daily = sorted((d.module_code, d.day, d.amount_cents) for d in db.session.scalars(
        select(ExpenseDaily).where(ExpenseDaily.grant_id == grant.id)))
    return {"balances": ledger.balances_of(grant.id), "journals": journals, "expenses": expenses, "daily": daily}


def test_two_streamed_passes_book_as_the_one_pass_booking(app, make_user, make_grant, monkeypatch):
    """Grant A: the file in two passes, inserted in batches of 7; grant B: the same rows through the one-pass
    booking kept for single expenses (``book_expenses``, one journal per module and year): the same booking."""
    monkeypatch.setattr(csv_import, "BATCH", 7)
    owner = make_user("kommune")
    a, b = make_grant(), make_grant(ags="05314")
    other = make_user("kommune", kommune_ags="05314")
    data = csv_file(61)
    with clock.freeze(DAY):
        record, warnings = importing.import_now(a, open_upload(io.BytesIO(data)), actor=owner, filename="a.csv",
                                                today=DAY)
        rows = _rows(data, b)
        services.book_expenses(b, rows, import_id=None)
        db.session.commit()
    assert record.line_count == 61 and record.total_cents == sum(r["amount_cents"] for r in rows)
    assert warnings == []
    assert other.id != owner.id
    booked_a, booked_b = _booking(a), _booking(b)
    assert booked_a["balances"] == booked_b["balances"]
    assert [description for _k, description in booked_a["journals"]] == [
        "Ausgaben F1/2021 (21 Zeilen)", "Ausgaben F1/2022 (20 Zeilen)", "Ausgaben F2/2021 (20 Zeilen)"]
    assert booked_a["journals"] == booked_b["journals"]
    assert booked_a["expenses"] == booked_b["expenses"] and booked_a["daily"] == booked_b["daily"]
    lines = sorted(db.session.scalars(select(Expense.import_line).where(Expense.import_id == record.id)))
    assert lines == list(range(2, 63))


def test_an_error_in_the_last_line_imports_nothing(app, make_user, make_grant):
    owner, grant = make_user("kommune"), make_grant()
    with clock.freeze(DAY), pytest.raises(ValidationFailed) as failed:
        importing.import_now(grant, open_upload(io.BytesIO(csv_file(40, bad_last=True))), actor=owner,
                             filename="a.csv", today=DAY)
    assert failed.value.errors["file"] == ["Zeile 41, datum: „31.02.2021“ ist kein Datum (TT.MM.JJJJ)."]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Expense)) == 0
    assert db.session.scalar(select(func.count()).select_from(ExpenseImport)) == 0
    assert db.session.scalar(select(func.count()).select_from(Journal).where(Journal.kind == "expense")) == 0


def test_a_file_changed_between_the_passes_books_nothing(app, make_user, make_grant):
    owner, grant = make_user("kommune"), make_grant()
    stream = io.BytesIO(csv_file(30))
    with clock.freeze(DAY):
        upload = open_upload(stream)
        first = csv_import.scan(upload, grant, today=DAY)
        stream.seek(0, io.SEEK_END)
        stream.write(b"2021-03-01;F1;1,00;V-neu;nachgeschoben\n")
        with pytest.raises(ValidationFailed) as failed:
            services.import_expense_batches(grant, first.totals, lambda: csv_import.batches(first, grant, today=DAY),
                                            actor=owner, filename="a.csv", file_sha256=upload.sha256)
    assert "zwischen Prüfung und Buchung geändert" in failed.value.detail
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Expense)) == 0


@pytest.fixture()
def threshold(app):
    app.config["IMPORT_BACKGROUND_LINES"] = 10
    yield
    app.config["IMPORT_BACKGROUND_LINES"] = 20_000


def _upload_page(client, grant, data: bytes):
    return client.post(f"/budgets/zuwendungen/{grant.id}/ausgaben/import",
                       data={"file": (io.BytesIO(data), "gross.csv")}, content_type="multipart/form-data")


def _job() -> BackgroundJob:
    return db.session.scalars(select(BackgroundJob).order_by(BackgroundJob.id.desc())).first()


def test_background_import_books_reports_progress_and_shows_the_result(app, client, make_user, make_grant,
                                                                        threshold, monkeypatch, engine_name):
    owner, grant = make_user("kommune"), make_grant()
    client.login(owner)
    monkeypatch.setattr(csv_import, "PROGRESS_EVERY", 10)
    monkeypatch.setattr(csv_import, "BATCH", 10)
    stored = []
    monkeypatch.setattr(background, "store_progress", lambda job_id, done, stage=None: stored.append((done, stage)))
    data = csv_file(25)
    with clock.freeze(DAY):
        answer = _upload_page(client, grant, data)
        assert answer.status_code == 303
        job = _job()
        assert answer.headers["Location"].endswith(f"/budgets/importauftraege/{job.id}")
        assert job.status == background.PENDING and job.total == 25 and job.kind == importing.KIND
        path = background.file_path(job)
        assert path.read_bytes() == data
        page = client.get(f"/budgets/importauftraege/{job.id}").get_data(as_text=True)
        assert "wartet auf den Import" in page and 'http-equiv="refresh"' in page
        assert db.session.scalar(select(func.count()).select_from(Expense)) == 0
        outcome = execute("background.run", trigger="manual")
    assert outcome.summary == {"done": 1, "failed": 0}
    db.session.refresh(job)
    assert job.status == background.DONE and job.done == 25 and not path.exists()
    inserted = [(10, None), (20, None), (25, None)] if engine_name == "postgresql" else []
    assert stored == [(10, "validate"), (20, "validate"), (0, "insert"), *inserted]
    record = db.session.scalars(select(ExpenseImport)).one()
    assert (record.line_count, record.filename, record.created_by_id) == (25, "gross.csv", owner.id)
    assert job.result["import_id"] == record.id
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"expense_import.queue", "expense.import"} <= actions
    page = client.get(f"/budgets/importauftraege/{job.id}").get_data(as_text=True)
    assert "Import abgeschlossen: 25 Ausgaben" in page and f"Import Nr. {record.id}" in page
    assert 'http-equiv="refresh"' not in page
    listed = client.get("/exporte").get_data(as_text=True)
    assert "gross.csv" in listed and f"/budgets/importauftraege/{job.id}" in listed


def test_background_import_names_the_errors_as_the_synchronous_page(app, client, make_user, make_grant, threshold):
    owner, grant = make_user("kommune"), make_grant()
    client.login(owner)
    data = csv_file(25, bad_last=True)
    with clock.freeze(DAY):
        app.config["IMPORT_BACKGROUND_LINES"] = 1000
        direct = _upload_page(client, grant, data)
        app.config["IMPORT_BACKGROUND_LINES"] = 10
        assert direct.status_code == 422
        _upload_page(client, grant, data)
        execute("background.run", trigger="manual")
    job = _job()
    assert job.status == background.FAILED and job.result["status"] == 422
    page = client.get(f"/budgets/importauftraege/{job.id}").get_data(as_text=True)
    summary = re.compile(r'<div class="error-summary".*?</div>', re.S)
    assert summary.search(page).group(0) == summary.search(direct.get_data(as_text=True)).group(0)
    assert "Zeile 26, datum" in page
    assert db.session.scalar(select(func.count()).select_from(Expense)) == 0
    assert not background.file_path(job).exists()


def test_the_job_checks_again_when_it_runs(app, client, make_user, make_grant, threshold):
    owner, grant = make_user("kommune"), make_grant()
    client.login(owner)
    with clock.freeze(DAY):
        _upload_page(client, grant, csv_file(20))
        grant = db.session.get(type(grant), grant.id)
        grant.expense_entry_closed_at = clock.now()  # meanwhile: expense entry closed (as after the proof of use)
        db.session.commit()
        execute("background.run", trigger="manual")
    job = _job()
    assert job.status == background.FAILED and job.result["status"] == 409 and "geschlossen" in job.error
    assert db.session.scalar(select(func.count()).select_from(Expense)) == 0


def test_api_answers_202_and_the_job_is_polled(app, make_user, make_grant, api, threshold):
    owner, grant = make_user("kommune"), make_grant()
    k = api(owner)
    with clock.freeze(DAY):
        answer = k.post(f"/api/v1/budgets/grants/{grant.id}/expenses/import",
                        data={"file": (io.BytesIO(csv_file(15)), "a.csv")}, content_type="multipart/form-data")
        assert answer.status_code == 202
        location = answer.headers["Location"]
        assert location.endswith(f"/api/v1/budgets/import-jobs/{answer.json['id']}")
        polled = k.get(location)
        assert polled.status_code == 200 and polled.json["status"] == "pending" and polled.json["lines_total"] == 15
        execute("background.run", trigger="manual")
        done = k.get(location).json
        assert done["status"] == "done" and done["import"]["line_count"] == 15 and done["lines_done"] == 15
        again = k.post(f"/api/v1/budgets/grants/{grant.id}/expenses/import",
                       data={"file": (io.BytesIO(csv_file(15)), "a.csv")}, content_type="multipart/form-data")
        importing.run_job(background.claim_next(), owner)  # the runner itself (the scheduler ran once this minute)
        db.session.commit()
        refused = k.get(again.headers["Location"])
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json", refused.json
    assert "bereits importiert" in refused.json["errors"]["file"][0]


VIEWERS = ["owner", "same_kommune", "other_kommune", "programme_admin"]


@pytest.mark.parametrize("status", [background.PENDING, background.RUNNING, background.DONE, background.FAILED])
@pytest.mark.parametrize("viewer", VIEWERS)
def test_job_table_status_action_role(app, make_user, make_grant, api, status, viewer):
    """(status, action, role): only the job's user sees it (page and API), in every status; others get 404;
    only a pending job can be claimed."""
    owner, grant = make_user("kommune"), make_grant()
    job = background.create(importing.KIND, owner, filename="a.csv", total=1, params={"grant_id": grant.id,
                                                                                      "sha256": "x"})
    job.status = status
    if status == background.DONE:
        job.result = {"import_id": 0, "lines": 0, "total_cents": 0, "grant_id": grant.id, "warnings": []}
    if status == background.FAILED:
        job.error, job.result = "kaputt", {"status": 422, "errors": {"file": ["kaputt"]}, "lines": []}
    db.session.commit()
    user = {"owner": owner, "same_kommune": make_user("kommune"),
            "other_kommune": make_user("kommune", kommune_ags="05314"),
            "programme_admin": make_user("programme_admin")}[viewer]
    browser = PageClient(app.test_client())
    browser.login(user)
    page = browser.get(f"/budgets/importauftraege/{job.id}")
    polled = api(user).get(f"/api/v1/budgets/import-jobs/{job.id}")
    if viewer == "owner":
        assert page.status_code == 200
        assert polled.status_code == {"failed": 422, "done": 404}.get(status, 200)  # done: import 0 does not exist
    else:
        assert page.status_code == 404 and polled.status_code == 404
    claimed = background.claim_next()
    assert (claimed is not None) == (status == background.PENDING)
    db.session.rollback()

"""Issue #19: the reconciliation reads stored checks and checks incrementally since the last verified
journal; only the explicit full recomputation finds a line changed before that journal."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from app.budgets import reconciliation
from app.budgets.models import Journal, LedgerCheck, LedgerEntry
from app.budgets.verify import verify_ledger
from app.cli import main
from app.platform.extensions import db


def _tamper_first_line_of(journal_id: int) -> None:
    entry_id = db.session.scalar(select(func.min(LedgerEntry.id)).where(LedgerEntry.journal_id == journal_id))
    db.session.execute(update(LedgerEntry).where(LedgerEntry.id == entry_id)
                       .values(amount_cents=LedgerEntry.amount_cents + 1))
    db.session.commit()


def _last_journal() -> int:
    return db.session.scalar(select(func.max(Journal.id)))


def test_first_check_is_full_and_the_next_sums_only_new_journals(app, make_grant):
    make_grant("05315")
    first = reconciliation.run_check(full=False)
    assert first.full and first.problems == [] and first.last_journal_id == _last_journal()
    make_grant("05111")
    second = reconciliation.run_check(full=False)
    assert not second.full and second.from_journal_id == first.last_journal_id + 1
    assert second.last_journal_id == _last_journal() and second.problem_count == 0


def test_incremental_check_finds_a_tampered_line_after_the_last_verified_journal(app, make_grant):
    make_grant("05315")
    reconciliation.run_check(full=True)
    make_grant("05111")
    _tamper_first_line_of(_last_journal())
    check = reconciliation.run_check(full=False)
    assert check.problem_count >= 2 and any("aus dem Journal" in p for p in check.problems)
    assert check.problems == verify_ledger()  # the same findings as the full command


def test_only_the_full_recomputation_finds_a_line_changed_before_the_last_verified_journal(app, make_grant):
    make_grant("05315")
    older = _last_journal()
    reconciliation.run_check(full=True)
    make_grant("05111")
    _tamper_first_line_of(older)
    assert reconciliation.run_check(full=False).problem_count == 0
    full = reconciliation.run_check(full=True)
    assert full.full and full.problem_count >= 2 and full.problems == verify_ledger()
    assert reconciliation.run_check(full=False).problems == full.problems  # the base now has the change


def test_verify_ledger_command_full_and_incremental(app, make_grant):
    make_grant("05315")
    older = _last_journal()
    runner = app.test_cli_runner()
    assert runner.invoke(main, ["verify-ledger"]).exit_code == 0
    _tamper_first_line_of(older)
    assert runner.invoke(main, ["verify-ledger", "--incremental"]).exit_code == 0
    found = runner.invoke(main, ["verify-ledger"])
    assert found.exit_code == 1 and "aus dem Journal" in found.output
    assert db.session.scalar(select(func.count()).select_from(LedgerCheck)) == 3


@pytest.mark.parametrize(("role", "read", "check"), [
    ("finance", 200, 200), ("programme_admin", 200, 200), ("auditor", 200, 403), ("kommune", 403, 403),
])
def test_reconciliation_page_by_role(app, make_grant, make_user, client, role, read, check):
    make_grant("05315")
    client.login(make_user(role))
    assert client.get("/budgets/abgleich").status_code == read
    assert client.post("/budgets/abgleich", data={"mode": "full"}).status_code == check


def test_page_shows_the_stored_check_and_recomputes_only_when_asked(app, make_grant, make_user, client):
    make_grant("05315")
    older = _last_journal()
    client.login(make_user("finance"))
    assert "Noch keine Prüfung gespeichert (1 Journal(e) gebucht)" in client.get("/budgets/abgleich").get_data(
        as_text=True)
    assert "Keine Abweichungen" in client.post("/budgets/abgleich").get_data(as_text=True)
    _tamper_first_line_of(older)
    make_grant("05111")
    page = client.get("/budgets/abgleich").get_data(as_text=True)
    assert "Keine Abweichungen" in page and "Seitdem gebucht: 1 Journal(e)" in page  # stored, not recomputed
    quick = client.post("/budgets/abgleich", data={"mode": "incremental"}).get_data(as_text=True)
    assert "Keine Abweichungen" in quick and "neu summiert" in quick
    full = client.post("/budgets/abgleich", data={"mode": "full"}).get_data(as_text=True)
    assert "Abweichung(en) gefunden" in full and "Vollständig neu berechnet bis Journal" in full

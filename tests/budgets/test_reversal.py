"""Storno (issue #13, item 5): a recipient reverses its own expense or import, with a reason, until its proof of
use; the reversal is a new journal in the ledger and the status figures go back."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from app.budgets import ledger, phases, services, status
from app.budgets.core.posting import earned_grant
from app.budgets.models import AccountKind, Expense, ExpenseDaily, ExpenseImport, Journal, LedgerEntry
from app.budgets.verify import verify_ledger
from app.platform import clock
from app.platform.audit import AuditEntry
from app.platform.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.platform.extensions import db
from app.reference.services import get_programme
from tests.budgets.test_api_path import csv_lines

DAY = date(2021, 6, 1)
K = AccountKind


def _figures(grant):
    total = status.status_for([grant])[0].total
    return total.spent, total.earned, total.own_share


def _daily(grant) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(ExpenseDaily.amount_cents), 0))
                             .where(ExpenseDaily.grant_id == grant.id))


def _import(client, grant, data: bytes, name: str = "ausgaben.csv"):
    response = client.post(f"/api/v1/budgets/grants/{grant.id}/expenses/import",
                           data={"file": (BytesIO(data), name)}, content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    return response.json


def test_reversing_an_expense_books_a_reversal_and_the_figures_go_back(app, make_user, make_grant, api):
    grant = make_grant()
    kommune = make_user("kommune")
    k = api(kommune)
    url = f"/api/v1/budgets/grants/{grant.id}/expenses"
    with clock.freeze(DAY):
        kept = k.post(url, json={"module": "F1", "expense_date": "2021-03-01", "amount": "100.01", "voucher_ref": "A"})
        before = _figures(grant), _daily(grant)
        wrong = k.post(url, json={"module": "F1", "expense_date": "2021-03-02", "amount": "999.99", "voucher_ref": "B"})
        assert kept.status_code == wrong.status_code == 201
        assert _figures(grant) != before[0]
        reversed_ = k.post(f"/api/v1/budgets/expenses/{wrong.json['id']}/reverse",
                           json={"reason": "Betrag doppelt erfasst"})
    assert reversed_.status_code == 200, reversed_.json
    assert reversed_.json["eligible"] is False and reversed_.json["reversal_reason"] == "Betrag doppelt erfasst"
    assert reversed_.json["reversed_at"] is not None
    assert (_figures(grant), _daily(grant)) == before
    assert before[0] == (10_001, 8_001, 2_000)  # earned 80 % of 100.01 rounded half up
    expense = db.session.get(Expense, wrong.json["id"])
    assert expense.reversed_by_id == kommune.id and expense.reversal_journal_id is not None
    journal = db.session.get(Journal, expense.reversal_journal_id)
    assert journal.kind == "expense.reverse" and journal.reverses_id == expense.journal_id
    # the reversal entries mirror the original ones (same accounts swapped, same amounts)
    original = {(e.credit_account_id, e.debit_account_id, e.amount_cents) for e in db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.journal_id == expense.journal_id))}
    reversal = {(e.debit_account_id, e.credit_account_id, e.amount_cents) for e in db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.journal_id == journal.id))}
    assert reversal == original
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "expense.reverse"))
    assert entry.object_id == str(expense.id) and entry.after["reason"] == "Betrag doppelt erfasst"
    assert verify_ledger() == []


def test_reversing_an_import_reverses_the_lines_still_booked(app, make_user, make_grant, api):
    grant = make_grant()
    kommune = make_user("kommune")
    k = api(kommune)
    with clock.freeze(DAY):
        single = k.post(f"/api/v1/budgets/grants/{grant.id}/expenses",
                        json={"module": "F1", "expense_date": "2021-03-01", "amount": "7.77"})
        before = _figures(grant), _daily(grant)
        rows = (csv_lines(20, date(2021, 1, 4), cents=333).decode()
                + "".join(f"0{d}.02.2021;F2;1,01;C-{d};F2\n" for d in range(1, 6))).encode()
        imported = _import(k, grant, rows)
        assert imported["line_count"] == 25 and imported["file_sha256"]
        one = db.session.scalar(select(Expense).where(Expense.import_id == imported["id"],
                                                      Expense.voucher_ref == "B-3"))
        assert k.post(f"/api/v1/budgets/expenses/{one.id}/reverse", json={"reason": "falsch"}).status_code == 200
        listed = k.get(f"/api/v1/budgets/grants/{grant.id}/expense-imports")
        assert [item["id"] for item in listed.json] == [imported["id"]] and listed.json[0]["reversed_at"] is None
        done = k.post(f"/api/v1/budgets/expense-imports/{imported['id']}/reverse", json={"reason": "Datei falsch"})
    assert done.status_code == 200, done.json
    assert done.json["reversed_at"] is not None and done.json["reversal_reason"] == "Datei falsch"
    assert (_figures(grant), _daily(grant)) == before and single.status_code == 201
    lines = list(db.session.scalars(select(Expense).where(Expense.import_id == imported["id"])))
    assert all(not e.eligible and e.reversed_at is not None for e in lines)
    assert {e.reversal_reason for e in lines} == {"falsch", "Datei falsch"}  # the single Storno keeps its reason
    reversals = list(db.session.scalars(select(Journal).where(Journal.kind == "expense.reverse",
                                                              Journal.source_type == "expense_import")))
    assert len(reversals) == 2  # one per original journal (F1/2021 and F2/2021)
    assert {j.reverses_id for j in reversals} == {e.journal_id for e in lines}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "expense_import.reverse"))
    assert entry.after["lines"] == 24 and entry.after["total_cents"] == 19 * 333 + 5 * 101
    assert verify_ledger() == []


def test_a_reversed_import_may_be_uploaded_again(app, make_user, make_grant, api):
    grant = make_grant()
    k = api(make_user("kommune"))
    data = csv_lines(12, date(2021, 1, 4), cents=1_000)
    with clock.freeze(DAY):
        first = _import(k, grant, data)
        assert k.post(f"/api/v1/budgets/grants/{grant.id}/expenses/import", data=data,
                      content_type="text/csv").status_code == 422
        k.post(f"/api/v1/budgets/expense-imports/{first['id']}/reverse", json={"reason": "Korrektur"})
        again = _import(k, grant, data)
    assert again["id"] != first["id"] and _figures(grant)[0] == 12 * 1_000
    assert verify_ledger() == []


def test_a_single_storno_inside_an_import_keeps_the_file_booked(app, make_user, make_grant, api):
    """The import is still active (its other lines are booked): the file is refused until it is reversed whole."""
    grant = make_grant()
    k = api(make_user("kommune"))
    data = csv_lines(3, date(2021, 1, 4))
    with clock.freeze(DAY):
        first = _import(k, grant, data)
        line = db.session.scalar(select(Expense.id).where(Expense.import_id == first["id"]).limit(1))
        k.post(f"/api/v1/budgets/expenses/{line}/reverse", json={"reason": "falsch"})
        refused = k.post(f"/api/v1/budgets/grants/{grant.id}/expenses/import", data=data, content_type="text/csv")
    assert refused.status_code == 422
    assert "stornieren Sie zuerst den früheren Import" in refused.json["errors"]["file"][0]
    assert len(refused.json["lines"]) == 2  # the two vouchers still booked


# --------------------------------------------------------------------------- (status, action, role)

ROLES = ["kommune", "foreign_kommune", "organisation", "finance", "programme_admin", "auditor"]
STATES = ["active", "reversed", "entry_closed", "proof_submitted"]


def _expected(state: str, role: str) -> type[Exception] | None:
    if role in ("foreign_kommune", "organisation"):
        return NotFound  # another recipient's expense does not exist for them
    if role in ("finance", "programme_admin", "auditor"):
        return Forbidden
    return None if state == "active" else Conflict


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["reverse_expense", "reverse_import"])
@pytest.mark.parametrize("state", STATES)
def test_reverse_workflow_table(app, make_user, make_grant, api, state, action, role):
    grant = make_grant()
    owner = make_user("kommune")
    actor = make_user("kommune", kommune_ags="05314") if role == "foreign_kommune" else (
        owner if role == "kommune" else make_user(role))
    with clock.freeze(DAY):
        record = services.import_expenses(grant, services_rows(), actor=owner, filename="a.csv", content=b"x")
        expense = db.session.scalar(select(Expense).where(Expense.import_id == record.id).limit(1))
        if state == "reversed":
            services.reverse_expense(expense, reason="schon", actor=owner)
            services.reverse_import(record, reason="schon", actor=owner)
        db.session.commit()
    day = date(2023, 7, 15) if state in ("entry_closed", "proof_submitted") else DAY
    with clock.freeze(day):
        if state in ("entry_closed", "proof_submitted"):
            phases.close_expense_entry(grant, actor_label="test")
        if state == "proof_submitted":
            services.submit_proof(grant, narrative="Bericht", confirmed=True, actor=owner)
        db.session.commit()
        target = "expenses" if action == "reverse_expense" else "expense-imports"
        object_id = expense.id if action == "reverse_expense" else record.id

        def run():
            if action == "reverse_expense":
                return services.reverse_expense(services.get_expense(actor, expense.id), reason="Grund", actor=actor)
            return services.reverse_import(services.get_import(actor, record.id), reason="Grund", actor=actor)

        expected = _expected(state, role)
        figures = _figures(grant)
        if expected is None:
            run()
            db.session.commit()
            assert _figures(grant)[0] < figures[0]
        else:
            with pytest.raises(expected):
                run()
            db.session.rollback()
            # the API answers the same (staff: 403 by the permission before any lookup)
            answer = api(actor).post(f"/api/v1/budgets/{target}/{object_id}/reverse", json={"reason": "Grund"})
            assert answer.status_code == {NotFound: 404, Forbidden: 403, Conflict: 409}[expected], answer.json
            assert _figures(grant) == figures
    assert verify_ledger() == []


def services_rows() -> list[dict]:
    return [{"module_code": "F1", "budget_year": 2021, "expense_date": date(2021, 3, d), "amount_cents": 1_000 + d,
             "units_centi": None, "rate_code": None, "voucher_ref": f"T-{d}", "description": ""} for d in range(1, 4)]


def test_an_organisation_reverses_its_own_expense(app, make_user):
    user = make_user("organisation")
    grant = services.set_commitment(
        programme_id=get_programme().id, source=f"project:{user.organisation_id}", reference="IF-1",
        recipient_kind="organisation", organisation_id=user.organisation_id, funding_rate_bp=8000,
        start_date=date(2020, 7, 1), last_expense_date=date(2023, 6, 30), lines={("F5", 2021): 1_000_000})
    with clock.freeze(DAY):
        expense = services.record_expense(grant, actor=user, module="F5", expense_date=date(2021, 4, 1),
                                          amount_cents=5_000)
        services.reverse_expense(expense, reason="falsches Projekt", actor=user)
        db.session.commit()
    assert _figures(grant)[0] == 0 and verify_ledger() == []


def test_the_reason_is_required_and_bounded(app, make_user, make_grant, api):
    grant = make_grant()
    kommune = make_user("kommune")
    k = api(kommune)
    with clock.freeze(DAY):
        expense = services.record_expense(grant, actor=kommune, module="F1", expense_date=date(2021, 4, 1),
                                          amount_cents=100)
        db.session.commit()
        for body in ({}, {"reason": ""}, {"reason": "x" * 501}, {"reason": "   "}):
            answer = k.post(f"/api/v1/budgets/expenses/{expense.id}/reverse", json=body)
            assert answer.status_code == 422 and list(answer.json["errors"]) == ["reason"], (body, answer.json)
        with pytest.raises(ValidationFailed):
            services.reverse_expense(expense, reason=" \n", actor=kommune)
        db.session.rollback()
        assert k.post(f"/api/v1/budgets/expenses/{expense.id}/reverse", json={"reason": "x" * 500}).status_code == 200
    assert verify_ledger() == []


def test_reversal_is_idempotent_with_a_key_and_409_without(app, make_user, make_grant, api):
    grant = make_grant()
    kommune = make_user("kommune")
    k = api(kommune)
    with clock.freeze(DAY):
        expense = services.record_expense(grant, actor=kommune, module="F1", expense_date=date(2021, 4, 1),
                                          amount_cents=100)
        db.session.commit()
        url = f"/api/v1/budgets/expenses/{expense.id}/reverse"
        first = k.post(url, json={"reason": "falsch"}, headers={"Idempotency-Key": "storno-1"})
        retry = k.post(url, json={"reason": "falsch"}, headers={"Idempotency-Key": "storno-1"})
        plain = k.post(url, json={"reason": "falsch"})
    assert first.status_code == retry.status_code == 200 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json == first.json
    assert plain.status_code == 409 and "bereits storniert" in plain.json["detail"]
    assert db.session.scalar(select(func.count()).select_from(Journal).where(Journal.kind == "expense.reverse")) == 1


def test_a_reversed_expense_cannot_be_marked_ineligible(app, make_user, make_grant):
    grant = make_grant(lines={("F1", 2021): 1_000_000})
    kommune, admin = make_user("kommune"), make_user("programme_admin")
    with clock.freeze(DAY):
        expense = services.record_expense(grant, actor=kommune, module="F1", expense_date=date(2021, 4, 1),
                                          amount_cents=100)
        services.reverse_expense(expense, reason="falsch", actor=kommune)
        db.session.commit()
    with clock.freeze(date(2023, 7, 15)):
        services.submit_proof(grant, narrative="Bericht", confirmed=True, actor=kommune)
        db.session.commit()
        with pytest.raises(Conflict, match="storniert"):
            services.mark_ineligible(expense, reason="Beleg fehlt", actor=admin)
    db.session.rollback()
    assert verify_ledger() == []


def test_verify_ledger_sees_a_reversal_lost_from_the_expense(app, make_user, make_grant):
    """Corrupt the expense row (the ledger still holds its reversal): verify-ledger reports the line."""
    grant = make_grant()
    kommune = make_user("kommune")
    with clock.freeze(DAY):
        expense = services.record_expense(grant, actor=kommune, module="F1", expense_date=date(2021, 4, 1),
                                          amount_cents=12_345)
        services.reverse_expense(expense, reason="falsch", actor=kommune)
        db.session.commit()
    assert verify_ledger() == []
    db.session.execute(update(Expense).where(Expense.id == expense.id).values(
        eligible=True, reversed_at=None, reversal_reason=""))
    problems = verify_ledger()
    assert any(f"Zuwendung {grant.id}, Förderfähige Ausgaben F1/2021: Ledger 0, aus den Belegen 12345" in p
               for p in problems), problems


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(st.integers(min_value=1, max_value=10**7), min_size=1, max_size=8),
       reverse=st.lists(st.booleans(), min_size=8, max_size=8), rate=st.integers(min_value=1, max_value=10_000))
def test_property_earned_follows_the_remaining_expenses(app, make_user, make_grant, amounts, reverse, rate):
    """Any mix of bookings and Storni: grant earned = rate x remaining eligible expenses, the ledger verifies."""
    from tests.conftest import _empty_tables

    _empty_tables()
    grant = make_grant(rate_bp=rate)
    kommune = make_user("kommune")
    with clock.freeze(DAY):
        expenses = [services.record_expense(grant, actor=kommune, module="F1", expense_date=date(2021, 4, 1),
                                            amount_cents=cents) for cents in amounts]
        for expense, flag in zip(expenses, reverse, strict=False):
            if flag:
                services.reverse_expense(expense, reason="Storno", actor=kommune)
        db.session.commit()
    remaining = sum(e.amount_cents for e, flag in zip(expenses, reverse + [False] * 8, strict=False) if not flag)
    balances = ledger.balances_of(grant.id)
    assert balances[(K.EXPENSES, "F1", 2021)] == remaining
    assert -balances[(K.EARNED, "F1", 2021)] == earned_grant(remaining, rate)
    assert _daily(grant) == remaining
    assert verify_ledger() == []
    assert db.session.scalar(select(func.count()).select_from(ExpenseImport)) == 0


# --------------------------------------------------------------------------- pages


def test_the_expenses_page_reverses_an_expense_and_an_import(app, client, make_user, make_grant):
    grant = make_grant()
    kommune = make_user("kommune")
    client.login(kommune)
    url = f"/budgets/zuwendungen/{grant.id}/ausgaben"
    with clock.freeze(DAY):
        client.post(url, data={"module": "F1", "expense_date": "2021-04-01", "amount": "100,00", "voucher_ref": "E-1"})
        client.post(url + "/import", data={"file": (BytesIO(csv_lines(3, date(2021, 1, 4))), "quartal.csv")},
                    content_type="multipart/form-data")
        expense = db.session.scalar(select(Expense).where(Expense.voucher_ref == "E-1"))
        record = db.session.scalar(select(ExpenseImport))
        page = client.get(url).get_data(as_text=True)
        assert f'action="/budgets/ausgaben/{expense.id}/stornieren"' in page and "Grund der Stornierung" in page
        assert f'action="/budgets/importe/{record.id}/stornieren"' in page and "quartal.csv" in page
        assert "data-confirm=" in page
        empty = client.post(f"/budgets/ausgaben/{expense.id}/stornieren", data={"reason": "  "})
        assert empty.status_code == 422
        text = empty.get_data(as_text=True)
        assert f'id="reason-expense-{expense.id}-error"' in text and "Grund der Stornierung angeben" in text
        done = client.post(f"/budgets/ausgaben/{expense.id}/stornieren", data={"reason": "Tippfehler im Betrag"})
        assert done.status_code == 302
        shown = client.get(url).get_data(as_text=True)
        assert "Die Ausgabe wurde storniert." in shown
        assert "storniert am 01.06.2021: Tippfehler im Betrag" in shown and 'class="reversed"' in shown
        assert f'action="/budgets/ausgaben/{expense.id}/stornieren"' not in shown
        assert client.post(f"/budgets/ausgaben/{expense.id}/stornieren", data={"reason": "nochmal"}).status_code == 409
        reversed_import = client.post(f"/budgets/importe/{record.id}/stornieren", data={"reason": "falsche Datei"})
        assert reversed_import.status_code == 302
        after = client.get(url).get_data(as_text=True)
    assert f"Der Import Nr. {record.id} wurde storniert." in after
    assert "storniert am 01.06.2021: falsche Datei" in after
    assert f'action="/budgets/importe/{record.id}/stornieren"' not in after
    assert _figures(grant)[0] == 0 and verify_ledger() == []
    exported = client.get(url + "/export.csv").get_data(as_text=True)
    assert "storniert" in exported and "Tippfehler im Betrag" in exported


def test_the_pages_refuse_other_recipients_and_staff(app, client, make_user, make_grant):
    grant = make_grant()
    kommune = make_user("kommune")
    with clock.freeze(DAY):
        expense = services.record_expense(grant, actor=kommune, module="F1", expense_date=date(2021, 4, 1),
                                          amount_cents=100)
        db.session.commit()
        client.login(make_user("kommune", kommune_ags="05314"))
        assert client.post(f"/budgets/ausgaben/{expense.id}/stornieren", data={"reason": "x"}).status_code == 404
        staff = type(client)(app.test_client())
        staff.login(make_user("finance"))
        assert staff.post(f"/budgets/ausgaben/{expense.id}/stornieren", data={"reason": "x"}).status_code == 403
        assert "Stornieren" not in staff.get(f"/budgets/zuwendungen/{grant.id}/ausgaben").get_data(as_text=True)
    assert _figures(grant)[0] == 100


def test_the_expense_list_export_reads_table_rows_with_the_same_cells_as_objects(app, client, make_user, make_grant,
                                                                                api):
    """``export_table_rows``: the export reads rows, not objects; every cell (a storno's reason included) equal."""
    from app.budgets.views.expenses import _expense_columns
    from app.platform.web.listing import _LazyRows

    grant = make_grant()
    kommune = make_user("kommune")
    k = api(kommune)
    with clock.freeze(DAY):
        _import(k, grant, csv_lines(5, date(2021, 3, 1)))
        one = db.session.scalar(select(Expense.id).where(Expense.voucher_ref == "B-2"))
        assert k.post(f"/api/v1/budgets/expenses/{one}/reverse", json={"reason": "doppelt"}).status_code == 200
    with app.test_request_context("/"):
        columns = _expense_columns()
        statement = services.expenses_select(grant)
        as_rows, as_objects = list(_LazyRows(statement, columns, True)), list(_LazyRows(statement, columns))
    assert as_rows == as_objects and len(as_rows) == 5
    assert sum(row[-1].startswith("storniert am") and row[-1].endswith(": doppelt") for row in as_rows) == 1
    client.login(kommune)
    exported = client.get(f"/budgets/zuwendungen/{grant.id}/ausgaben?export=csv").get_data(as_text=True)
    assert exported.count("\r\n") == 6 and "storniert am" in exported and "doppelt" in exported

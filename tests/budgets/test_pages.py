"""Pages: the Kommune's budget, drawdown forms, expenses with import, proof of use, finance views."""

from __future__ import annotations

from datetime import date

from app.budgets import phases, services
from app.budgets.models import Drawdown
from app.budgets.verify import verify_ledger
from app.platform import clock
from app.platform.extensions import db
from tests.budgets.test_api_path import csv_lines


def test_kommune_and_finance_pages(app, client, make_user, make_grant):
    grant = make_grant()
    kommune, finance = make_user("kommune"), make_user("finance")
    client.login(kommune)
    with clock.freeze(date(2021, 5, 3)):
        assert client.get("/budgets/").headers["Location"].endswith(f"/budgets/zuwendungen/{grant.id}")
        page = client.get(f"/budgets/zuwendungen/{grant.id}")
        assert page.status_code == 200 and "Mittel abrufen" in page.get_data(as_text=True)
        bad = client.post(f"/budgets/zuwendungen/{grant.id}", data={"module": "F1", "amount": "1,234", "purpose": ""})
        assert bad.status_code == 422
        text = bad.get_data(as_text=True)
        assert "höchstens zwei Nachkommastellen" in text
        ok = client.post(f"/budgets/zuwendungen/{grant.id}",
                         data={"module": "F1", "amount": "12.500,00", "purpose": "Coaching Mai/Juni"})
        assert ok.status_code == 302
        late = client.post(f"/budgets/zuwendungen/{grant.id}/ausgaben",
                           data={"module": "F1", "expense_date": "2023-07-01", "amount": "10,00"})
        assert late.status_code == 422 and "30.06.2023" in late.get_data(as_text=True)
        fine = client.post(f"/budgets/zuwendungen/{grant.id}/ausgaben",
                           data={"module": "F1", "expense_date": "2021-04-01", "amount": "100,00", "voucher_ref": "B1"})
        assert fine.status_code == 302
        from io import BytesIO

        bad_csv = client.post(f"/budgets/zuwendungen/{grant.id}/ausgaben/import",
                              data={"file": (BytesIO(csv_lines(50, date(2021, 1, 4), bad_line=7)), "a.csv")},
                              content_type="multipart/form-data")
        assert bad_csv.status_code == 422 and "Zeile 7" in bad_csv.get_data(as_text=True)
        good_csv = client.post(f"/budgets/zuwendungen/{grant.id}/ausgaben/import",
                               data={"file": (BytesIO(csv_lines(50, date(2021, 1, 4))), "a.csv")},
                               content_type="multipart/form-data")
        assert good_csv.status_code == 200 and "50 Ausgaben" in good_csv.get_data(as_text=True)
        assert client.get("/budgets/uebersicht").status_code == 403
        start = client.get("/").get_data(as_text=True)
        assert "Mein Budget" in start and "Tage bis zum letzten Ausgabetag" in start

    finance_client = type(client)(app.test_client())
    finance_client.login(finance)
    with clock.freeze(date(2021, 5, 4)):
        queue = finance_client.get("/budgets/mittelabrufe").get_data(as_text=True)
        assert "Coaching Mai/Juni" in queue
        drawdown_id = services.drawdowns_select(finance)
        drawdown = next(iter(app.extensions["sqlalchemy"].session.scalars(drawdown_id)))
        approve = finance_client.post(f"/budgets/mittelabrufe/{drawdown.id}/approve", data={"amount": "10.000,00"})
        assert approve.status_code == 422  # 12,500 € asked: a cut needs the reason the Kommune is told
        assert "Kürzung begründen" in approve.get_data(as_text=True)
        approve = finance_client.post(f"/budgets/mittelabrufe/{drawdown.id}/approve",
                                      data={"amount": "10.000,00", "reason": "Bedarf für Mai geringer"})
        assert approve.status_code == 302
        own = finance_client.post(f"/budgets/mittelabrufe/{drawdown.id}/pay",
                                  data={"value_date": "04.05.2021", "reference": "KZ-77"})
        assert own.status_code == 403 and "Vier-Augen" in own.get_data(as_text=True)
        payer = type(client)(app.test_client())
        payer.login(make_user("finance"))
        pay = payer.post(f"/budgets/mittelabrufe/{drawdown.id}/pay",
                         data={"value_date": "2021-05-04", "reference": ""})
        assert pay.status_code == 422
        pay = payer.post(f"/budgets/mittelabrufe/{drawdown.id}/pay",
                         data={"value_date": "04.05.2021", "reference": "KZ-77"})
        assert pay.status_code == 302
        for url in ("/budgets/uebersicht", "/budgets/abgleich", "/budgets/rueckforderungen", "/",
                    "/budgets/uebersicht.csv", "/budgets/uebersicht.xlsx", "/budgets/mittelabrufe/export.xlsx",
                    f"/budgets/zuwendungen/{grant.id}/ausgaben/export.csv", f"/budgets/zuwendungen/{grant.id}"):
            assert finance_client.get(url).status_code == 200, url
        assert "Noch keine Prüfung gespeichert" in finance_client.get("/budgets/abgleich").get_data(as_text=True)
        checked = finance_client.post("/budgets/abgleich")
        assert checked.status_code == 302 and checked.headers["Location"].endswith("/budgets/abgleich")
        assert "Keine Abweichungen" in finance_client.get("/budgets/abgleich").get_data(as_text=True)
        assert "keine Abweichungen (geprüft" in finance_client.get("/").get_data(as_text=True)
    assert verify_ledger() == []


def test_other_kommune_gets_404_on_pages(app, client, make_user, make_grant):
    grant = make_grant()
    client.login(make_user("kommune", kommune_ags="05154"))
    for url in (f"/budgets/zuwendungen/{grant.id}", f"/budgets/zuwendungen/{grant.id}/ausgaben",
                f"/budgets/zuwendungen/{grant.id}/verwendungsnachweis"):
        assert client.get(url).status_code == 404


def test_proof_decision_and_reclaim_pages(app, client, make_user, make_grant):
    grant = make_grant(lines={("F1", 2021): 1_000_000})
    kommune, finance, admin = make_user("kommune"), make_user("finance"), make_user("programme_admin")
    with clock.freeze(date(2021, 3, 1)):
        drawdown = services.request_drawdown(grant, module="F1", amount_cents=500_000, purpose="x", actor=kommune)
        services.decide_drawdown(drawdown, "approve", actor=finance)
        services.pay_drawdown(drawdown, actor=make_user("finance"), value_date=date(2021, 3, 2), reference="KZ")
        expense = services.record_expense(grant, actor=kommune, module="F1", expense_date=date(2021, 2, 1),
                                          amount_cents=250_000)
    client.login(kommune)
    with clock.freeze(date(2023, 8, 1)):
        missing = client.post(f"/budgets/zuwendungen/{grant.id}/verwendungsnachweis", data={"narrative": "Bericht"})
        assert missing.status_code == 422 and "bestätigen" in missing.get_data(as_text=True)
        assert client.post(f"/budgets/zuwendungen/{grant.id}/verwendungsnachweis",
                           data={"narrative": "Bericht", "confirmed": "ja"}).status_code == 302
    admin_client = type(client)(app.test_client())
    admin_client.login(admin)
    with clock.freeze(date(2023, 9, 1)):
        page = admin_client.get(f"/budgets/zuwendungen/{grant.id}/verwendungsnachweis").get_data(as_text=True)
        assert "Schlussbescheid erlassen" in page
        assert admin_client.post(f"/budgets/ausgaben/{expense.id}/aberkennen",
                                 data={"reason": "kein Beleg"}).status_code == 302
        assert admin_client.post(f"/budgets/zuwendungen/{grant.id}/schlussbescheid").status_code == 409  # not heard
        assert admin_client.post(f"/budgets/zuwendungen/{grant.id}/anhoerung").status_code == 302
    with clock.freeze(date(2023, 9, 16)):  # the 14 days for comments have passed
        assert admin_client.post(f"/budgets/zuwendungen/{grant.id}/schlussbescheid").status_code == 302
        page = admin_client.get(f"/budgets/zuwendungen/{grant.id}/verwendungsnachweis").get_data(as_text=True)
        assert "5.000,00" in page and "Überzahlung" in page
    reclaim = services.reclaim_of(grant)
    finance_client = type(client)(app.test_client())
    finance_client.login(finance)
    with clock.freeze(date(2023, 10, 1)):
        page = finance_client.get(f"/budgets/rueckforderungen/{reclaim.id}").get_data(as_text=True)
        assert "Basiszinssatz" in page and "Zinsen insgesamt" in page
    with clock.freeze(date(2026, 11, 25)):  # beyond the Basiszinssatz table: a German message, no 500
        page = finance_client.get(f"/budgets/rueckforderungen/{reclaim.id}")
        assert page.status_code == 200 and "kein Basiszinssatz hinterlegt" in page.get_data(as_text=True)
        late = finance_client.post(f"/budgets/rueckforderungen/{reclaim.id}",
                                   data={"amount": "100,00", "value_date": "2026-11-20"})
        assert late.status_code == 422 and "Basiszinssatz" in late.get_data(as_text=True)
    assert verify_ledger() == []


def test_closed_expense_entry_is_shown_and_its_forms_are_gone(app, client, make_user, make_grant):
    grant = make_grant()  # last expense date 30.06.2023; the programme's proof of use is due by 31.12.2023
    kommune, finance = make_user("kommune"), make_user("finance")
    budget, expenses = f"/budgets/zuwendungen/{grant.id}", f"/budgets/zuwendungen/{grant.id}/ausgaben"
    proof_link = f'<a href="/budgets/zuwendungen/{grant.id}/verwendungsnachweis">'
    client.login(kommune)
    with clock.freeze(date(2023, 6, 30)):  # still open: both forms, no notice
        assert 'name="purpose"' in client.get(budget).get_data(as_text=True)
        page = client.get(expenses).get_data(as_text=True)
        assert 'name="expense_date"' in page and f'action="{expenses}/import"' in page
        assert 'id="expense-entry-closed"' not in page
    with clock.freeze(date(2023, 7, 1)):
        assert phases.close_expense_entry(grant, actor_label="system: scheduler")
    db.session.commit()
    notice = (f"Die Ausgabenerfassung ist seit dem 01.07.2023 geschlossen; bitte reichen Sie den "
              f"{proof_link}Verwendungsnachweis</a> bis zum 31.12.2023 ein.")
    with clock.freeze(date(2023, 7, 2)):
        page = client.get(budget).get_data(as_text=True)
        assert notice in page
        assert 'name="purpose"' not in page and "Nach dem letzten Ausgabetag (30.06.2023) können keine Mittel" in page
        page = client.get(expenses).get_data(as_text=True)
        assert notice in page
        assert 'name="expense_date"' not in page and f'action="{expenses}/import"' not in page
        assert "Erfasste Ausgaben" in page  # the list stays
        client.post("/sprache/en")
        english = client.get(expenses).get_data(as_text=True)
        assert (f"Expense entry has been closed since 01.07.2023; please submit the {proof_link}proof of use</a> "
                "by 31.12.2023.") in english
        client.post("/sprache/de")
        staff = type(client)(app.test_client())
        staff.login(finance)
        assert (f"Die Ausgabenerfassung ist seit dem 01.07.2023 geschlossen; der {proof_link}Verwendungsnachweis</a> "
                "ist bis zum 31.12.2023 einzureichen.") in staff.get(budget).get_data(as_text=True)
    with clock.freeze(date(2023, 8, 1)):
        services.submit_proof(grant, narrative="Bericht", confirmed=True, actor=kommune)
        db.session.commit()
        page = client.get(budget).get_data(as_text=True)
    assert (f"Die Ausgabenerfassung ist seit dem 01.07.2023 geschlossen; der {proof_link}Verwendungsnachweis</a> "
            "ist eingereicht.") in page


def test_page_forms_and_the_api_give_the_same_field_messages(app, client, make_user, make_grant, api):
    """One schema per change: a form's message beside the field equals the API's problem+json message."""
    grant = make_grant()
    kommune = make_user("kommune")
    client.login(kommune)
    too_long = "x" * 1001
    with clock.freeze(date(2021, 5, 3)):
        page = client.post(f"/budgets/zuwendungen/{grant.id}", data={"module": "F1", "amount": "100,00",
                                                                     "purpose": too_long})
        answer = api(kommune).post(f"/api/v1/budgets/grants/{grant.id}/drawdowns",
                                   json={"module": "F1", "amount": "100.00", "purpose": too_long})
        expense_page = client.post(f"/budgets/zuwendungen/{grant.id}/ausgaben",
                                   data={"module": "F1", "expense_date": "31.02.2021", "amount": "10,00"})
        expense_api = api(kommune).post(f"/api/v1/budgets/grants/{grant.id}/expenses",
                                        json={"module": "F1", "expense_date": "2021-02-31", "amount": "10.00"})
    assert page.status_code == answer.status_code == 422
    message = answer.json["errors"]["purpose"][0]
    assert "Verwendungszweck" in message and message in page.get_data(as_text=True)
    assert expense_page.status_code == expense_api.status_code == 422
    assert expense_api.json["errors"]["expense_date"][0] in expense_page.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Drawdown)) == 0

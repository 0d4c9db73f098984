"""The budget pages in English (main.set_language): the Kommune's budget, drawdown, expenses, proof of use,
start panel and notification kinds; finance's queue, state-wide status with its export and reconciliation.
German stays the default (docs/ui.md, "Sprachen / Translations")."""

from __future__ import annotations

import csv
import io
from datetime import date

from app.platform import clock


def _text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _header(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return next(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))


def test_kommune_budget_pages_in_english_and_back(client, make_user, make_grant):
    grant = make_grant()
    client.login(make_user("kommune"))
    client.post("/sprache/en")
    with clock.freeze(date(2021, 5, 3)):
        requested = client.post(f"/budgets/zuwendungen/{grant.id}",
                                data={"module": "F1", "amount": "12.500,00", "purpose": "Coaching"})
        assert requested.status_code == 302
        page = _text(client, f"/budgets/zuwendungen/{grant.id}")
        expenses = _text(client, f"/budgets/zuwendungen/{grant.id}/ausgaben")
        proof = _text(client, f"/budgets/zuwendungen/{grant.id}/verwendungsnachweis")
        start = _text(client, "/")
        drawdowns = _text(client, "/budgets/mittelabrufe")
    assert '<html lang="en">' in page
    for text in ("Drawdown no. ", " for 12.500,00\u00a0€ has been requested.", "Draw down funds", "Position per module",
                 "Funding rate 80 %", ">requested<", ">Drawdowns</a>"):
        assert text in page, text
    for text in ("Mittel abrufen", "wurde beantragt", "Stand je Baustein"):
        assert text not in page, text
    assert "Record expense" in expenses and "Ausgabe erfassen" not in expenses
    assert "The proof of use can be submitted after the last expense day (30.06.2023)." in proof
    assert "My budget" in start and "days left until the last expense day" in start
    assert "Coaching" in drawdowns and "Purpose" in drawdowns and "Zweck" not in drawdowns
    preferences = _text(client, "/nachrichten/einstellungen")
    assert "Reminder: last expense day" in preferences and "Erinnerung: letzter Ausgabetag" not in preferences

    client.post("/sprache/de")
    with clock.freeze(date(2021, 5, 3)):
        german = _text(client, f"/budgets/zuwendungen/{grant.id}")
    assert '<html lang="de">' in german and "Mittel abrufen" in german and ">beantragt<" in german


def test_finance_overview_export_and_reconciliation_in_english(client, make_user, make_grant):
    make_grant()
    client.login(make_user("finance"))
    client.post("/sprache/en")
    with clock.freeze(date(2021, 5, 3)):
        overview = _text(client, "/budgets/uebersicht")
        header = _header(client, "/budgets/uebersicht.csv")
        client.post("/budgets/abgleich")  # the page shows the last stored check (issue #19)
        reconcile = _text(client, "/budgets/abgleich")
        start = _text(client, "/")
    assert "Budget position state-wide" in overview and "Per module" in overview and "Je Baustein" not in overview
    assert header[:4] == ["Grant", "Recipient", "Approved", "Paid out"] and header[-1] == "At risk"
    assert "Ledger reconciliation" in reconcile and "No discrepancies" in reconcile
    assert "Budgets and payments" in start and "Drawdowns to decide" in start

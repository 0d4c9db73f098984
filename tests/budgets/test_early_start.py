"""Vorzeitiger Maßnahmebeginn (issue #21, item 6): an expense dated before the grant decision is booked with a
warning on the page and in the API answer; from the decision day on there is none."""

from __future__ import annotations

import io
from datetime import date

import pytest

from app.budgets.early_start import early_start_warnings
from app.budgets.services import set_commitment
from app.platform import clock
from app.platform.extensions import db
from app.reference.services import get_programme, kommune_by_ags

DECIDED = date(2021, 6, 15)


@pytest.fixture()
def late_grant(app):
    """Decided on 15.06.2021 for a grant period that began on 01.01.2021 (as in the issue)."""
    with clock.freeze(DECIDED):
        grant = set_commitment(programme_id=get_programme().id, source="application:05315", reference="DS-05315",
                               recipient_kind="kommune", kommune_id=kommune_by_ags("05315").id,
                               funding_rate_bp=8000, start_date=date(2021, 1, 1), last_expense_date=date(2023, 6, 30),
                               lines={("F1", 2021): 1_000_000}, actor=None)
    db.session.commit()
    return grant


@pytest.mark.parametrize(("day", "warned"), [(date(2021, 1, 1), True), (date(2021, 6, 14), True),
                                             (DECIDED, False), (date(2021, 7, 1), False)])
def test_warning_only_before_the_decision_day(late_grant, day, warned):
    warnings = early_start_warnings(late_grant, day)
    assert bool(warnings) == warned
    if warned:
        assert f"{day:%d.%m.%Y}" in warnings[0] and "15.06.2021" in warnings[0]
        assert "vorzeitiger Maßnahmebeginn" in warnings[0]


def test_form_books_an_early_expense_and_warns(late_grant, client, make_user):
    client.login(make_user("kommune", kommune_ags="05315"))
    url = f"/budgets/zuwendungen/{late_grant.id}/ausgaben"
    with clock.freeze(date(2021, 7, 1)):
        early = client.post(url, data={"module": "F1", "expense_date": "2021-03-01", "amount": "100,00",
                                       "voucher_ref": "B-1"}, follow_redirects=True)
        text = early.get_data(as_text=True)
        assert early.status_code == 200 and "Die Ausgabe wurde erfasst." in text
        assert "flash-warning" in text and "vor dem Zuwendungsbescheid vom 15.06.2021" in text
        later = client.post(url, data={"module": "F1", "expense_date": "2021-06-20", "amount": "100,00",
                                       "voucher_ref": "B-2"}, follow_redirects=True)
        assert "Die Ausgabe wurde erfasst." in later.get_data(as_text=True)
        assert "vor dem Zuwendungsbescheid" not in later.get_data(as_text=True)
        listed = client.get(url).get_data(as_text=True)
        assert "B-1" in listed and "B-2" in listed  # both booked: a warning, not a refusal


def test_api_answer_carries_the_warning(late_grant, make_user, api):
    k = api(make_user("kommune", kommune_ags="05315"))
    url = f"/api/v1/budgets/grants/{late_grant.id}/expenses"
    with clock.freeze(date(2021, 7, 1)):
        early = k.post(url, json={"module": "F1", "expense_date": "2021-03-01", "amount": "100.00",
                                  "voucher_ref": "A-1"})
        assert early.status_code == 201, early.json
        assert len(early.json["warnings"]) == 1 and "01.03.2021" in early.json["warnings"][0]
        later = k.post(url, json={"module": "F1", "expense_date": "2021-06-15", "amount": "100.00",
                                  "voucher_ref": "A-2"})
        assert later.status_code == 201 and later.json["warnings"] == []


CSV = (b"datum;baustein;betrag;beleg;beschreibung\n01.03.2021;F1;10,00;C-1;x\n20.06.2021;F1;10,00;C-2;x\n"
       b"14.06.2021;F1;10,00;C-3;x\n")


def test_csv_import_result_warns_naming_the_lines(late_grant, client, make_user, api):
    """Issue #21, 6 (b): the import warns once, naming the file lines dated before the decision."""
    user = make_user("kommune", kommune_ags="05315")
    with clock.freeze(date(2021, 7, 1)):
        answer = api(user).post(f"/api/v1/budgets/grants/{late_grant.id}/expenses/import", data=CSV,
                                content_type="text/csv")
        assert answer.status_code == 201, answer.json
        assert len(answer.json["warnings"]) == 1
        assert "2 Ausgaben liegen vor dem Zuwendungsbescheid vom 15.06.2021" in answer.json["warnings"][0]
        assert "Zeilen 2, 4)" in answer.json["warnings"][0]
        client.login(user)
        page = client.post(f"/budgets/zuwendungen/{late_grant.id}/ausgaben/import", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(CSV.replace(b"C-", b"D-")), "ausgaben.csv")})
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "Import abgeschlossen" in html
        assert "flash-warning" in html and "Zeilen 2, 4)" in html
        late_only = b"datum;baustein;betrag;beleg;beschreibung\n20.06.2021;F1;10,00;E-1;x\n"
        answer = api(user).post(f"/api/v1/budgets/grants/{late_grant.id}/expenses/import", data=late_only,
                                content_type="text/csv")
        assert answer.status_code == 201 and answer.json["warnings"] == []

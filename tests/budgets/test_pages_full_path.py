"""The full path for one Kommune through the pages only (issue #5, "Done when"): approved grant → three
drawdowns approved and paid → 20,000-line CSV import → deadline → proof of use with two ineligible
expenses → final decision → reclaim with interest (§ 49a Abs. 3 and 4) → repayment; the ledger is clean."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from io import BytesIO

from sqlalchemy import select

from app.budgets import services
from app.budgets.models import Drawdown, Expense
from app.budgets.verify import verify_ledger
from app.platform import clock
from app.platform.clock import BERLIN
from app.platform.extensions import db
from tests.budgets.test_api_path import ASKED_AND_PAID, csv_lines
from tests.export_reading import read_export

DUE = re.compile(r"Noch offen bei Zahlung am [\d.]+: <strong>([\d.]+,\d\d)\xa0€</strong>")

def test_full_path_through_the_pages(app, client, make_user, make_grant):
    grant = make_grant()
    kommune, finance, admin = make_user("kommune"), make_user("finance"), make_user("programme_admin")
    k, f, a = client, type(client)(app.test_client()), type(client)(app.test_client())
    p = type(client)(app.test_client())  # four eyes: a second finance user pays
    k.login(kommune)
    f.login(finance)
    p.login(make_user("finance"))
    a.login(admin)
    base = f"/budgets/zuwendungen/{grant.id}"
    # requested while the first payment's need period runs (docs/budgets.md: unspent money blocks new drawdowns)
    for number, (asked_on, day) in enumerate(ASKED_AND_PAID, start=1):
        with clock.freeze(asked_on):
            asked = k.post(base, data={"module": "F1", "amount": "30.000,00", "purpose": f"Coaching {number}"})
            assert asked.status_code == 302
            drawdown = db.session.scalar(select(Drawdown).where(Drawdown.purpose == f"Coaching {number}"))
            assert f.post(f"/budgets/mittelabrufe/{drawdown.id}/approve",
                          data={"amount": "30.000,00"}).status_code == 302
        with clock.freeze(day):
            assert p.post(f"/budgets/mittelabrufe/{drawdown.id}/pay",
                          data={"value_date": f"{day:%d.%m.%Y}", "reference": f"KZ-{number}"}).status_code == 302
    with clock.freeze(date(2022, 12, 1)):
        imported = k.post(base + "/ausgaben/import", content_type="multipart/form-data",
                          data={"file": (BytesIO(csv_lines(20_000, date(2021, 1, 4))), "ausgaben.csv")})
        assert imported.status_code == 200 and "20000 Ausgaben" in imported.get_data(as_text=True).replace(".", "")
    with clock.freeze(date(2023, 7, 1)):
        late = k.post(base + "/ausgaben", data={"module": "F1", "expense_date": "2023-07-01", "amount": "10,00"})
        assert late.status_code == 422 and "30.06.2023" in late.get_data(as_text=True)
    with clock.freeze(date(2023, 8, 1)):
        assert k.post(base + "/verwendungsnachweis",
                      data={"narrative": "Sachbericht", "confirmed": "ja"}).status_code == 302
        for expense_id in db.session.scalars(select(Expense.id).where(Expense.grant_id == grant.id)
                                             .order_by(Expense.id.desc()).limit(2)):
            assert a.post(f"/budgets/ausgaben/{expense_id}/aberkennen",
                          data={"reason": "Beleg fehlt"}).status_code == 302
        assert a.post(base + "/anhoerung").status_code == 302  # a reclaim: the Kommune is heard first
        hearing = services.current_hearing(services.proof_of(grant))
        assert k.post(f"/budgets/anhoerungen/{hearing.id}/stellungnahme",
                      data={"comment": "Keine Einwände."}).status_code == 302
        assert a.post(base + "/schlussbescheid").status_code == 302
        decision = a.get(base + "/verwendungsnachweis").get_data(as_text=True)
        overview = f.get("/budgets/uebersicht").get_data(as_text=True)  # issue #21.6: after the end, settlement
    assert ("1 von 1 Verwendungsnachweisen eingereicht, 1 Schlussbescheide erlassen, 1 Rückforderungen offen"
            in overview) and "Schlussbescheid erlassen</a>" in overview and "Prognose" not in overview
    # 80,000 - 8 eligible at 80 % = 63,993.60 earned; 90,000 paid: 26,006.40 overpaid
    assert "63.993,60" in decision and "26.006,40" in decision and "§ 49a Abs. 4" in decision
    # issue #21.4: the table of the proof of use ends with a sum row that agrees with the decision
    footer = re.search(r"<tfoot><tr><td>Summe</td>(.*?)</tr></tfoot>", decision).group(1)
    sums = re.findall(r'<td class="num">([\d.]+,\d\d)\xa0€</td>', footer)
    assert sums[3] == "63.993,60" and sums[4] == "90.000,00" and len(sums) == 5
    reclaim = services.reclaim_of(grant)
    with clock.freeze(date(2024, 1, 10)):
        page = f.get(f"/budgets/rueckforderungen/{reclaim.id}").get_data(as_text=True)
        assert "Zinsen gemäß § 49a Abs. 3 VwVfG" in page and "Zinsen gemäß § 49a Abs. 4 VwVfG" in page
        assert "26.006,40\xa0€ ab 01.06.2021" in page and "2021-06-01" not in page  # issue #21.7: German dates
        due = DUE.search(page).group(1)
        paid = f.post(f"/budgets/rueckforderungen/{reclaim.id}",
                      data={"amount": due, "value_date": "2024-01-10", "reference": "RZ-1"})
        assert paid.status_code == 302
        assert "erledigt" in f.get(f"/budgets/rueckforderungen/{reclaim.id}").get_data(as_text=True)
        listed = f.get("/budgets/rueckforderungen").get_data(as_text=True)  # issue #21.1: the list exports
        assert "?export=csv" in listed and "?export=xlsx" in listed
        rows = read_export(f.get("/budgets/rueckforderungen?export=xlsx"))
        checked = f.post("/budgets/abgleich", data={"mode": "full"}, follow_redirects=True)
        assert "Keine Abweichungen" in checked.get_data(as_text=True)
    assert rows[0][:4] == ["Nr.", "Zuwendung", "Empfänger", "Status"]
    assert rows[1][:4] == [reclaim.id, grant.reference, grant.kommune.display_name, "erledigt"]
    assert Decimal(str(rows[1][5])) == Decimal(reclaim.principal_cents).scaleb(-2) and rows[1][7] == 0
    assert rows[1][4] == reclaim.created_at.astimezone(BERLIN).replace(tzinfo=None, microsecond=0)
    db.session.refresh(reclaim)
    assert reclaim.status.value == "closed" and reclaim.unused_interest_cents > 0
    assert verify_ledger() == []

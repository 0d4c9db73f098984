"""Many requests racing for the same limit at the same moment (threads, separate app contexts and
database sessions; SQLite and PostgreSQL): a ceiling (application submit), a grant line
(drawdowns), a budget line (expenses and the earned rounding rule). ``verify_ledger`` stays clean."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.auth.services import create_token
from app.budgets.models import Drawdown, Expense, LedgerEntry
from app.budgets.verify import verify_ledger
from app.platform import clock
from app.platform.database import sum_cents
from app.platform.extensions import db


def _headers(user) -> dict:
    _token, secret = create_token(user, "race")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_drawdowns_of_two_kommune_users_never_exceed_the_line(app, make_user, make_grant, race):
    grant = make_grant(lines={("F1", 2021): 500_000})  # 5,000.00 EUR
    users = [_headers(make_user("kommune")) for _ in range(2)]
    url = f"/api/v1/budgets/grants/{grant.id}/drawdowns"
    with clock.freeze(date(2021, 5, 1)):
        results = race(24, lambda client, n: client.post(url, headers=users[n % 2], json={
            "module": "F1", "amount": "700.00", "purpose": "Wettlauf"}).status_code)
    assert sorted(set(results)) == [201, 422], results
    assert results.count(201) == 7  # 7 x 700 = 4,900 <= 5,000 < 8 x 700
    assert db.session.scalar(select(sum_cents(Drawdown.amount_requested_cents))) == 490_000
    assert verify_ledger() == []


def test_concurrent_expenses_on_one_line_keep_the_rounding_rule(app, make_user, make_grant, race):
    grant = make_grant(lines={("F1", 2021): 10_000_000})
    headers = _headers(make_user("kommune"))
    url = f"/api/v1/budgets/grants/{grant.id}/expenses"
    with clock.freeze(date(2021, 5, 1)):
        results = race(20, lambda client, n: client.post(url, headers=headers, json={
            "module": "F1", "expense_date": "2021-04-01", "amount": f"{n + 1}.01"}).status_code)
    assert results == [201] * 20
    spent = db.session.scalar(select(sum_cents(Expense.amount_cents)))
    assert spent == sum((n + 1) * 100 + 1 for n in range(20))
    assert verify_ledger() == []  # earned = round(80 % x cumulative) exactly, own share the rest


def test_concurrent_csv_imports_are_all_or_nothing_each(app, make_user, make_grant, race):
    grant = make_grant(lines={("F1", 2021): 10_000_000, ("F2", 2021): 1_000_000})
    headers = {**_headers(make_user("kommune")), "Content-Type": "text/csv"}
    url = f"/api/v1/budgets/grants/{grant.id}/expenses/import"

    def good(n: int) -> str:  # each thread its own file: the same file twice is refused (tests/budgets/test_duplicates)
        return "datum;baustein;betrag;beschreibung\n" + "".join(f"0{m}.03.2021;F{m % 2 + 1};1,{m}7;Lauf {n}\n"
                                                                for m in range(1, 8))

    with clock.freeze(date(2021, 5, 1)):
        results = race(8, lambda client, n: client.post(url, headers=headers, data=(
            good(n) + "32.03.2021;F1;1,00;Lauf\n" if n % 4 == 3 else good(n)).encode()).status_code)
    assert sorted(results) == [201] * 6 + [422] * 2
    assert db.session.scalar(select(func.count()).select_from(Expense)) == 6 * 7
    assert verify_ledger() == []


def _published_ceiling(ags: str, cents: int) -> None:
    from app.allocation.models import AllocationStatus, AllocationVersion, Ceiling
    from app.reference.services import get_programme, kommune_by_ags

    version = AllocationVersion(programme_id=get_programme().id, number=1, title="Wettlauf", parameters={},
                                status=AllocationStatus.PUBLISHED, pool_cents=cents, created_at=clock.now(),
                                published_at=clock.now())
    version.ceilings.append(Ceiling(kommune_id=kommune_by_ags(ags).id, key_share="1/1", exact_quota=f"{cents}/1",
                                    ceiling_cents=cents))
    db.session.add(version)
    db.session.commit()


def test_submitting_one_application_many_times_at_once_submits_it_once(app, make_user, api, race):
    from app.grants.models import Application, ApplicationEvent

    with clock.freeze(date(2020, 6, 15)):
        _published_ceiling("05315", 100_000_000)
        kommune = api(make_user("kommune", kommune_ags="05315"))
        app_id = kommune.post("/api/v1/applications").json["id"]
        draft = {"lines": [{"module": "F1", "year": 2021, "amount": "900000.00"},
                           {"module": "F2", "year": 2021, "amount": "100000.00"}],  # exactly the ceiling
                 "participants": [{"module": "F1", "planned": 10}], "measures": "Coaching.",
                 "contact_name": "Kai", "contact_email": "kai@koeln.example", "contact_phone": "0221"}
        assert kommune.put(f"/api/v1/applications/{app_id}/draft", json=draft).status_code == 200
        results = race(8, lambda client, n: client.post(f"/api/v1/applications/{app_id}/submit",
                                                        headers=kommune.headers).status_code)
    assert sorted(results) == [200] + [409] * 7, results
    assert db.session.get(Application, app_id).status.value == "submitted"
    events = db.session.scalars(select(ApplicationEvent.action).where(ApplicationEvent.application_id == app_id))
    assert list(events).count("submit") == 1


def test_bench_generator_is_ledger_consistent(app):
    from app.benchdata.generator import seed

    with clock.freeze(date(2022, 6, 15)):
        result = seed(kommunen=3, lines=4_000, today=date(2022, 6, 15))
    db.session.commit()
    assert len(result.grant_ids) == 3 and result.expenses > 1000 and result.drawdowns > 0
    assert 4_000 <= db.session.scalar(select(func.count()).select_from(LedgerEntry)) <= 4_001  # an expense books 2
    assert verify_ledger() == []

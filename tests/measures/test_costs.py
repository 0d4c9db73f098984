"""Issue #17: expenses, flat-rate units and participants tied to a measure give its cost so far and its costs per
place, per teaching hour and per participant (Decimal, half up to the cent, "–" without units); the measure
reference on an expense is checked by budgets' one validation for form, API and CSV alike, and only a measure
of the grant's own Kommune (same module, this programme) can be named."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.budgets import services as budgets
from app.budgets.models import Expense
from app.budgets.verify import verify_ledger
from app.measures import costs, forwarding, services
from app.platform import clock
from app.platform.extensions import db
from tests.export_reading import read_export

DAY = date(2021, 6, 15)


# --------------------------------------------------------------------------- the pure core

@given(st.integers(0, 10**13), st.integers(0, 10**6))
def test_per_unit_is_the_decimal_quotient_rounded_half_up_to_the_cent(cents, units):
    result = costs.per_unit(cents, units)
    if units == 0:
        assert result is None
    else:
        exact = Decimal(cents) / Decimal(units)
        assert abs(Decimal(result) - exact) <= Decimal("0.5")
        assert result == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@given(st.dates(date(2020, 1, 1), date(2024, 12, 31)), st.integers(0, 800), st.integers(0, 60))
def test_teaching_hours_are_weekly_hours_times_the_weeks_begun(start, length, weekly):
    end = start + timedelta(days=length)
    weeks = costs.weeks(start, end)
    assert (weeks - 1) * 7 < length + 1 <= weeks * 7  # every day of the period lies in a week begun
    assert costs.teaching_hours(weekly, start, end) == weekly * weeks
    assert costs.weeks(start, start - timedelta(days=1)) == 0


def test_examples_half_up_and_no_division_by_zero():
    assert costs.per_unit(1_000, 3) == 333 and costs.per_unit(1_000, 400) == 3  # 3.333 -> 3; 2.5 -> 3 (half up)
    assert costs.per_unit(5, 2) == 3 and costs.per_unit(0, 0) is None
    figures = costs.figures(None, places=0, participants=0, weekly_hours=0, start=DAY, end=DAY)
    assert (figures.spent_cents, figures.per_place_cents, figures.per_hour_cents) == (0, None, None)
    assert costs.teaching_hours(20, date(2021, 5, 3), date(2021, 5, 7)) == 20  # five days: one week begun


# --------------------------------------------------------------------------- expenses tied to a measure

def _record(grant, user, measure_id, cents=100_000, module="F1", **extra):
    with clock.freeze(DAY):
        return budgets.record_expense(grant, actor=user, module=module, expense_date=DAY, amount_cents=cents,
                                      measure_id=measure_id, **extra)


def test_tied_expenses_give_cost_per_place_hour_and_participant(make_user, make_grant, make_measure):
    kommune = make_user("kommune")
    grant = make_grant()
    measure = make_measure(kommune, places=16, weekly_hours=20, participants=12,
                           start_date=date(2021, 5, 3), end_date=date(2021, 7, 23))  # 82 days: 12 weeks begun
    _record(grant, kommune, measure.id, 1_000_000)
    _record(grant, kommune, measure.id, 250_001, voucher_ref="B-2")
    _record(grant, kommune, None, 999_999, voucher_ref="B-3")  # not tied: not the measure's
    db.session.commit()
    db.session.expire_all()
    figures = measure.figures
    assert figures.spent_cents == 1_250_001 and figures.teaching_hours == 240
    assert figures.per_place_cents == 78_125  # 12.500,01 € / 16 = 781,250625 -> 781,25 €
    assert figures.per_hour_cents == 5_208  # / 240 = 52,0833… -> 52,08 €
    assert figures.per_participant_cents == 104_167  # / 12 = 1.041,6675 -> 1.041,67 €
    assert verify_ledger() == []


def test_reversed_and_ineligible_expenses_are_not_the_measures_cost(make_user, make_grant, make_measure):
    kommune = make_user("kommune")
    grant = make_grant()
    measure = make_measure(kommune)
    kept = _record(grant, kommune, measure.id, 300_000, voucher_ref="A")
    reversed_ = _record(grant, kommune, measure.id, 200_000, voucher_ref="B")
    with clock.freeze(DAY):
        budgets.reverse_expense(reversed_, reason="Doppelt erfasst", actor=kommune)
    db.session.commit()
    db.session.expire_all()
    assert measure.figures.spent_cents == kept.amount_cents == 300_000


def test_flat_rate_units_tied_to_a_measure_are_listed(make_user, make_grant, make_measure, client):
    kommune = make_user("kommune")
    grant = make_grant()  # F4 is approved for 2022: the flat rate F4-UE (37,50 € per teaching hour)
    measure = make_measure(kommune, module_code="F4", start_date=date(2022, 1, 10), end_date=date(2022, 6, 30))
    day = date(2022, 3, 1)
    with clock.freeze(day):
        expense = budgets.record_expense(grant, actor=kommune, module="F4", expense_date=day, amount_cents=None,
                                         units_centi=1250, rate_code="F4-UE", measure_id=measure.id)
    db.session.commit()
    assert expense.amount_cents == 46_875  # 12,5 × 37,50 €
    assert services.flat_rate_units(measure) == [("F4-UE", Decimal("12.50"), 46_875)]
    client.login(kommune)
    page = client.get(f"/massnahmen/{measure.id}").get_data(as_text=True)
    assert "Pauschale F4-UE" in page and "12,50 Unterrichtsstunde" in page and "468,75" in page


def test_only_the_grants_own_kommunes_measure_in_the_same_module_of_this_programme(make_user, make_grant,
                                                                                   make_measure):
    cologne, kleve = make_user("kommune", kommune_ags="05315"), make_user("kommune", kommune_ags="05154")
    grant = make_grant("05315")
    theirs = make_measure(kleve, title="Kleves Kurs")
    f2 = make_measure(cologne, module_code="F2")
    other = make_measure(cologne, funding_source="other", other_programme="BAMF", cost_plan_cents=0)
    for measure_id, expected in ((theirs.id, "keine Maßnahme Nr."), (999_999, "keine Maßnahme Nr."),
                                 (f2.id, "gehört zu Baustein F2"), (other.id, "anderen Förderlinie")):
        try:
            _record(grant, cologne, measure_id)
        except Exception as failed:  # noqa: BLE001 - ValidationFailed, checked by its field
            assert expected in failed.errors["measure_id"][0]
        else:
            raise AssertionError(f"measure {measure_id} was accepted")
    db.session.rollback()
    assert db.session.scalar(select(Expense.id)) is None


def test_the_api_and_the_page_take_the_measure_and_name_the_field(make_user, make_grant, make_measure, api, client):
    cologne, kleve = make_user("kommune", kommune_ags="05315"), make_user("kommune", kommune_ags="05154")
    grant = make_grant("05315")
    mine, theirs = make_measure(cologne), make_measure(kleve, title="Kleves Kurs")
    url = f"/api/v1/budgets/grants/{grant.id}/expenses"
    body = {"module": "F1", "expense_date": "2021-06-15", "amount": "150.00"}
    with clock.freeze(DAY):
        refused = api(cologne).post(url, json={**body, "measure_id": theirs.id})
        assert refused.status_code == 422 and list(refused.json["errors"]) == ["measure_id"]
        created = api(cologne).post(url, json={**body, "measure_id": mine.id})
        assert created.status_code == 201 and created.json["measure_id"] == mine.id
        client.login(cologne)
        form = client.get(f"/budgets/zuwendungen/{grant.id}/ausgaben").get_data(as_text=True)
        assert f'value="{mine.id}"' in form and "Kleves Kurs" not in form  # only the Kommune's own measures
        answer = client.post(f"/budgets/zuwendungen/{grant.id}/ausgaben", data={
            "module": "F1", "expense_date": "15.06.2021", "amount": "10,00", "measure_id": str(theirs.id)})
        assert answer.status_code == 422 and 'id="f-measure_id-error"' in answer.get_data(as_text=True)
        assert client.post(f"/budgets/zuwendungen/{grant.id}/ausgaben", data={
            "module": "F1", "expense_date": "15.06.2021", "amount": "10,00", "measure_id": str(mine.id),
            "voucher_ref": "P-1"}).status_code == 302
    db.session.expire_all()
    assert mine.figures.spent_cents == 16_000 and theirs.figures.spent_cents == 0


def test_the_csv_import_ties_lines_and_refuses_a_foreign_measure_naming_the_line(make_user, make_grant,
                                                                                 make_measure, api):
    cologne, kleve = make_user("kommune", kommune_ags="05315"), make_user("kommune", kommune_ags="05154")
    grant = make_grant("05315")
    mine, theirs = make_measure(cologne), make_measure(kleve)
    url = f"/api/v1/budgets/grants/{grant.id}/expenses/import"
    head = "datum;baustein;betrag;beleg;massnahme\n"
    with clock.freeze(DAY):
        bad = api(cologne).post(url, data=(head + f"01.06.2021;F1;10,00;X1;{mine.id}\n"
                                           f"02.06.2021;F1;10,00;X2;{theirs.id}\n03.06.2021;F1;1,00;X3;abc\n"),
                                content_type="text/csv")
        assert bad.status_code == 422
        assert [(line["line"], line["field"]) for line in bad.json["lines"]] == [(3, "massnahme"), (4, "massnahme")]
        good = api(cologne).post(url, data=head + f"01.06.2021;F1;10,00;X1;{mine.id}\n02.06.2021;F1;5,00;X2;\n",
                                 content_type="text/csv")
        assert good.status_code == 201, good.json
    db.session.expire_all()
    assert mine.figures.spent_cents == 1_000
    assert db.session.scalars(select(Expense.measure_id).order_by(Expense.id)).all() == [mine.id, None]


def test_a_forwarded_payment_is_the_measures_cost_once(make_user, make_grant, make_measure, make_provider):
    kommune, admin = make_user("kommune"), make_user("programme_admin")
    grant = make_grant()
    organisation, _user = make_provider()
    measure = make_measure(kommune, places=20)
    with clock.freeze(DAY):
        contract = forwarding.request_contract(kommune, {
            "measure_id": measure.id, "organisation_id": organisation.id, "amount_cents": 1_000_000,
            "start_date": date(2021, 3, 1), "end_date": date(2021, 12, 31)})
        forwarding.decide(contract, "consent", admin)
        payment = forwarding.pay(contract, kommune, {"amount_cents": 400_000, "payment_date": DAY})
    _record(grant, kommune, measure.id, 100_000, voucher_ref="EIGEN-1")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Expense, payment.expense_id).measure_id == measure.id
    assert measure.figures.spent_cents == 500_000 and measure.figures.per_place_cents == 25_000
    assert verify_ledger() == []


def test_an_edit_keeps_the_module_of_a_measure_with_expenses(make_user, make_grant, make_measure, client):
    kommune = make_user("kommune")
    grant = make_grant()
    measure = make_measure(kommune)
    _record(grant, kommune, measure.id)
    db.session.commit()
    client.login(kommune)
    form = {"module": "F2", "title": "Sprachkurs Beruf", "kind": "course", "provider_name": "VHS Köln",
            "places": "20", "start_date": "01.03.2021", "end_date": "31.12.2021", "weekly_hours": "12",
            "cost_plan": "50.000,00", "funding_source": "programme"}
    answer = client.post(f"/massnahmen/{measure.id}/bearbeiten", data=form)
    assert answer.status_code == 422 and "Baustein bleibt" in answer.get_data(as_text=True)
    assert client.post(f"/massnahmen/{measure.id}/bearbeiten",
                       data={**form, "module": "F1", "participants": "9"}).status_code == 302
    db.session.expire_all()
    assert (measure.module_code, measure.participants) == ("F1", 9)


def test_page_list_and_export_show_the_costs_and_a_dash_without_places(make_user, make_grant, make_measure, client,
                                                                       api):
    cologne, kleve = make_user("kommune", kommune_ags="05315"), make_user("kommune", kommune_ags="05154")
    grant = make_grant()
    measure = make_measure(cologne, title="Kurs mit Plätzen", places=8, weekly_hours=10,
                           start_date=date(2021, 5, 3), end_date=date(2021, 5, 30))  # 4 weeks: 40 hours
    empty = make_measure(cologne, title="Kurs ohne Plätze", places=0, weekly_hours=0)
    _record(grant, cologne, measure.id, 100_000)
    db.session.commit()
    client.login(cologne)
    page = client.get(f"/massnahmen/{measure.id}").get_data(as_text=True)
    assert "1.000,00\u00a0€" in page and "125,00\u00a0€" in page and "25,00\u00a0€" in page  # per place, per hour
    page = client.get(f"/massnahmen/{empty.id}").get_data(as_text=True)
    assert page.count("<dd>–</dd>") >= 3  # per place, per hour, per participant
    listed = client.get("/massnahmen/").get_data(as_text=True)
    assert "je Platz" in listed and "125,00\u00a0€" in listed
    rows = read_export(client.get("/massnahmen/?export=csv&sort=title&dir=asc"))
    header = rows[0]
    by_title = {row[2]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_title["Kurs mit Plätzen"]["Kosten je Platz"] == "125,00"
    assert by_title["Kurs mit Plätzen"]["Unterrichtsstunden"] == "40"
    assert by_title["Kurs ohne Plätze"]["Kosten je Platz"] == ""  # no places: an empty cell, never a division
    answer = api(cologne).get(f"/api/v1/measures/{measure.id}").json
    assert (answer["spent"], answer["cost_per_place"], answer["cost_per_teaching_hour"]) == ("1000.00", "125.00",
                                                                                            "25.00")
    assert api(cologne).get(f"/api/v1/measures/{empty.id}").json["cost_per_place"] is None
    assert api(kleve).get(f"/api/v1/measures/{measure.id}").status_code == 404
    client.login(kleve)
    assert client.get(f"/massnahmen/{measure.id}").status_code == 404
    assert "Kurs mit Plätzen" not in client.get("/massnahmen/").get_data(as_text=True)


def test_the_import_of_the_export_ignores_the_computed_columns(make_user, make_measure, client):
    kommune = make_user("kommune")
    make_measure(kommune, title="Kurs A", participants=7)
    client.login(kommune)
    exported = client.get("/massnahmen/?export=csv").get_data()
    edited = exported.decode("utf-8-sig").replace("Kurs A", "Kurs B")
    answer = client.post("/massnahmen/import", data={"file": (io.BytesIO(edited.encode()), "k.csv")},
                         content_type="multipart/form-data")
    assert answer.status_code == 302
    from app.measures.models import Measure

    copy = db.session.scalar(select(Measure).where(Measure.title == "Kurs B"))
    assert copy.participants == 7 and copy.figures.spent_cents == 0

"""Weiterleitung: consent, payments booked once as the Kommune's expenses (verify-ledger clean), the contract's
amount as the limit, the provider's proof, the proof of use listing the forwarded amounts, and access: one
Kommune's and one provider's contracts are never visible to another."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.budgets import services as budgets
from app.budgets.models import Expense
from app.budgets.verify import verify_ledger
from app.measures import forwarding
from app.measures.models import ContractStatus, ProofStatus
from app.platform import clock
from app.platform.audit import AuditEntry
from app.platform.errors import ValidationFailed
from app.platform.extensions import db

DAY = date(2021, 6, 15)


@pytest.fixture()
def consented(make_user, make_measure, make_provider, make_grant):
    """A consented contract of 10.000 € for a Kommune (Köln) with a grant, and its provider."""
    kommune, admin = make_user("kommune"), make_user("programme_admin")
    grant = make_grant()
    organisation, provider = make_provider()
    measure = make_measure(kommune)
    with clock.freeze(DAY):
        contract = forwarding.request_contract(kommune, {
            "measure_id": measure.id, "organisation_id": organisation.id, "amount_cents": 1_000_000,
            "start_date": date(2021, 3, 1), "end_date": date(2021, 12, 31)})
        forwarding.decide(contract, "consent", admin)
    db.session.commit()
    return {"contract": contract, "kommune": kommune, "provider": provider, "grant": grant, "admin": admin}


def _pay(contract, kommune, cents, day=DAY):
    with clock.freeze(day):
        return forwarding.pay(contract, kommune, {"amount_cents": cents, "payment_date": day})


def test_a_payment_is_one_expense_of_the_kommune_and_the_ledger_stays_clean(consented):
    contract, kommune, grant = consented["contract"], consented["kommune"], consented["grant"]
    payment = _pay(contract, kommune, 400_000)
    db.session.commit()
    expenses = db.session.scalars(select(Expense).where(Expense.grant_id == grant.id)).all()
    assert [(e.id, e.amount_cents, e.module_code) for e in expenses] == [(payment.expense_id, 400_000, "F1")]
    assert "Weiterleitung an VHS Testhausen" in expenses[0].description
    assert verify_ledger() == []
    assert forwarding.forwarded_by_provider(grant) == [
        {"provider": "VHS Testhausen", "side_conditions": "ANBest-P", "amount_cents": 400_000}]
    db.session.expire_all()
    assert contract.paid_cents == 400_000


def test_the_contract_amount_is_the_limit_and_a_reversal_frees_it(consented):
    contract, kommune = consented["contract"], consented["kommune"]
    first = _pay(contract, kommune, 700_000)
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        _pay(contract, kommune, 300_001)
    assert "3.000,00" in refused.value.errors["amount"][0]
    db.session.rollback()
    with clock.freeze(DAY):
        budgets.reverse_expense(db.session.get(Expense, first.expense_id), reason="falsch gebucht", actor=kommune)
    db.session.commit()
    _pay(contract, kommune, 1_000_000)
    db.session.commit()
    assert verify_ledger() == []
    assert forwarding.forwarded_by_provider(consented["grant"])[0]["amount_cents"] == 1_000_000


def test_budget_rules_apply_to_the_payment_and_name_the_payment_field(consented):
    with pytest.raises(ValidationFailed) as refused:
        _pay(consented["contract"], consented["kommune"], 100_000, day=date(2024, 1, 2))
    assert "payment_date" in refused.value.errors


def test_no_payment_without_consent_and_a_refusal_needs_a_reason(make_user, make_measure, make_provider,
                                                                make_grant, api):
    kommune, admin = make_user("kommune"), make_user("programme_admin")
    make_grant()
    organisation, _provider = make_provider()
    measure = make_measure(kommune)
    client = api(kommune)
    created = client.post("/api/v1/measures/contracts", json={
        "measure_id": measure.id, "organisation_id": organisation.id, "amount": "60000.00",
        "start_date": "2021-03-01", "end_date": "2021-12-31"})
    assert created.status_code == 422 and "Kostenplan" in created.get_json()["errors"]["amount"][0]
    created = client.post("/api/v1/measures/contracts", json={
        "measure_id": measure.id, "organisation_id": organisation.id, "amount": "5000.00",
        "start_date": "2021-03-01", "end_date": "2021-12-31"})
    assert created.status_code == 201 and created.get_json()["side_conditions"] == "ANBest-P"
    number = created.get_json()["id"]
    with clock.freeze(DAY):
        assert client.post(f"/api/v1/measures/contracts/{number}/payments",
                           json={"amount": "10.00", "payment_date": "2021-06-15"}).status_code == 409
    refused = api(admin).post(f"/api/v1/measures/contracts/{number}/decision", json={"action": "refuse"})
    assert refused.status_code == 422 and "reason" in refused.get_json()["errors"]
    assert api(admin).post(f"/api/v1/measures/contracts/{number}/decision",
                           json={"action": "refuse", "reason": "Träger nicht geeignet"}).get_json()["status"] == \
        ContractStatus.REFUSED.value
    assert "forwarding.refuse" in db.session.scalars(select(AuditEntry.action)).all()


def test_the_provider_proves_and_the_kommune_checks(consented, api):
    contract, provider, kommune = consented["contract"], consented["provider"], consented["kommune"]
    proof_url = f"/api/v1/measures/contracts/{contract.id}/proof"
    assert api(provider).post(proof_url, json={"expenses": "9800.00", "text": "Honorare"}).status_code == 200
    returned = api(kommune).post(proof_url + "/return", json={})
    assert returned.status_code == 422 and "reason" in returned.get_json()["errors"]
    assert api(kommune).post(proof_url + "/accept", json={}).get_json()["proof_status"] == ProofStatus.ACCEPTED.value
    assert api(provider).post(proof_url, json={"expenses": "1.00"}).status_code == 409


def test_one_kommune_and_one_provider_never_see_anothers_contract(consented, make_user, make_provider, api, client):
    contract = consented["contract"]
    kleve = make_user("kommune", kommune_ags="05154")
    _other_org, other_provider = make_provider("Bildungswerk Anderswo")
    for user in (kleve, other_provider):
        assert api(user).get(f"/api/v1/measures/contracts/{contract.id}").status_code == 404
        assert api(user).get("/api/v1/measures/contracts").get_json() == []
        client.login(user)
        assert client.get(f"/massnahmen/weiterleitungen/{contract.id}").status_code == 404
        assert "Keine Weiterleitungsverträge" in client.get("/massnahmen/weiterleitungen").get_data(as_text=True)
    assert api(kleve).post(f"/api/v1/measures/contracts/{contract.id}/payments",
                           json={"amount": "1.00", "payment_date": "2021-06-15"}).status_code == 404
    assert api(other_provider).post(f"/api/v1/measures/contracts/{contract.id}/proof",
                                    json={"expenses": "1.00"}).status_code == 404
    assert [c["id"] for c in api(consented["provider"]).get("/api/v1/measures/contracts").get_json()] == [
        contract.id]


def test_the_proof_of_use_page_lists_forwarded_amounts_per_provider(consented, client):
    _pay(consented["contract"], consented["kommune"], 250_000)
    db.session.commit()
    client.login(consented["kommune"])
    with clock.freeze(DAY):
        page = client.get(f"/budgets/zuwendungen/{consented['grant'].id}/verwendungsnachweis").get_data(as_text=True)
    assert "Weitergeleitete Mittel je Kursträger" in page and "VHS Testhausen" in page and "2.500,00" in page


def test_the_cost_plan_cannot_drop_below_what_is_forwarded(consented, api):
    measure = consented["contract"].measure
    body = {"module": "F1", "title": measure.title, "kind": "course", "provider_name": "VHS", "places": 20,
            "start_date": "2021-03-01", "end_date": "2021-12-31", "weekly_hours": 12, "cost_plan": "9999.99",
            "funding_source": "programme"}
    answer = api(consented["kommune"]).put(f"/api/v1/measures/{measure.id}", json=body)
    assert answer.status_code == 422 and "10.000,00" in answer.get_json()["errors"]["cost_plan"][0]
    answer = api(consented["kommune"]).put(f"/api/v1/measures/{measure.id}", json={
        **body, "cost_plan": "10000.00", "funding_source": "other", "other_programme": "KAoA"})
    assert answer.status_code == 422 and "funding_source" in answer.get_json()["errors"]

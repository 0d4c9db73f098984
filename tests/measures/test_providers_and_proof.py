"""Issue #17: a provider's contact staff (kept by the administration for any provider, by a provider for its own;
another provider's never visible or changeable), the provider's itemised account within its proof (lines that add
up to the total, replaced on a new submission, checked by the Kommune), and the gap map of the needs analysis."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.measures import forwarding
from app.measures.models import ProofLine, ProviderContact
from app.platform import clock
from app.platform.audit import AuditEntry
from app.platform.extensions import db

CONTACT = {"name": "Erika Beispiel", "function": "Kursleitung", "email": "erika@vhs.example", "phone": "0221 12345"}


@pytest.fixture()
def providers(make_provider):
    (first, first_user), (second, second_user) = make_provider("VHS Eins"), make_provider("VHS Zwei")
    return {"first": first, "first_user": first_user, "second": second, "second_user": second_user}


def test_a_provider_keeps_its_own_contacts_and_the_administration_all(providers, make_user, api, client):
    first, second = providers["first"], providers["second"]
    own = api(providers["first_user"]).post("/api/v1/measures/providers/contacts",
                                            json={**CONTACT, "organisation_id": first.id})
    assert own.status_code == 201 and own.json["email"] == "erika@vhs.example"
    foreign = api(providers["first_user"]).post("/api/v1/measures/providers/contacts",
                                                json={**CONTACT, "organisation_id": second.id})
    assert foreign.status_code == 404
    assert api(providers["second_user"]).delete(f"/api/v1/measures/providers/contacts/{own.json['id']}"
                                                ).status_code == 404
    admin = api(make_user("programme_admin"))
    assert admin.post("/api/v1/measures/providers/contacts",
                      json={**CONTACT, "name": "Max Muster", "organisation_id": second.id}).status_code == 201
    assert api(make_user("kommune")).post("/api/v1/measures/providers/contacts",
                                          json={**CONTACT, "organisation_id": first.id}).status_code == 403
    bad = admin.post("/api/v1/measures/providers/contacts",
                     json={**CONTACT, "email": "keine-adresse", "phone": "0221=1", "organisation_id": first.id})
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"email", "phone"}
    assert db.session.scalar(select(func.count()).select_from(ProviderContact)) == 2
    # the append-only audit keeps name and function, not the address or the phone number
    after = db.session.scalars(select(AuditEntry.after).where(AuditEntry.action == "measure.contact.add"))
    assert all("email" not in entry and "phone" not in entry for entry in after)
    assert api(providers["first_user"]).delete(f"/api/v1/measures/providers/contacts/{own.json['id']}"
                                               ).status_code == 204
    assert db.session.scalar(select(func.count()).select_from(ProviderContact)) == 1


def test_another_provider_never_sees_the_contacts_the_kommune_does(providers, make_user, api, client):
    first = providers["first"]
    client.login(providers["first_user"])
    assert client.post("/massnahmen/traeger/ansprechpersonen",
                       data={**CONTACT, "organisation_id": str(first.id)}).status_code == 302
    assert "erika@vhs.example" in client.get("/massnahmen/traeger").get_data(as_text=True)
    page = client.post("/massnahmen/traeger/ansprechpersonen",
                       data={**CONTACT, "email": "x", "organisation_id": str(first.id)})
    assert page.status_code == 422 and 'id="f-email-error"' in page.get_data(as_text=True)
    client.login(providers["second_user"])
    page = client.get("/massnahmen/traeger").get_data(as_text=True)
    assert "VHS Eins" in page and "erika@vhs.example" not in page and "Erika Beispiel" not in page
    listed = api(providers["second_user"]).get("/api/v1/measures/providers").json
    assert all(p["contacts"] == [] for p in listed)
    client.login(make_user("kommune"))
    assert "erika@vhs.example" in client.get("/massnahmen/traeger").get_data(as_text=True)
    contact_id = db.session.scalar(select(ProviderContact.id))
    client.login(providers["second_user"])
    assert client.post(f"/massnahmen/traeger/ansprechpersonen/{contact_id}/entfernen").status_code == 404
    assert db.session.get(ProviderContact, contact_id) is not None


@pytest.fixture()
def consented(make_user, make_measure, make_provider, make_grant):
    kommune, admin = make_user("kommune"), make_user("programme_admin")
    make_grant()
    organisation, provider = make_provider()
    measure = make_measure(kommune)
    with clock.freeze(date(2021, 6, 15)):
        contract = forwarding.request_contract(kommune, {
            "measure_id": measure.id, "organisation_id": organisation.id, "amount_cents": 1_000_000,
            "start_date": date(2021, 3, 1), "end_date": date(2021, 12, 31)})
        forwarding.decide(contract, "consent", admin)
    db.session.commit()
    return {"contract": contract, "kommune": kommune, "provider": provider}


LINES = [{"expense_date": "2021-04-30", "description": "Honorar Lehrkraft April", "voucher_ref": "H-4",
          "amount": "2400.00"},
         {"expense_date": "2021-05-31", "description": "Lehrmaterial", "amount": "100.50"}]


def test_the_itemised_account_adds_up_and_a_new_submission_replaces_it(consented, api, make_user):
    contract, provider, kommune = consented["contract"], consented["provider"], consented["kommune"]
    url = f"/api/v1/measures/contracts/{contract.id}/proof"
    wrong = api(provider).post(url, json={"expenses": "2500.00", "lines": LINES})
    assert wrong.status_code == 422 and "2.500,50" in wrong.json["errors"]["expenses"][0]
    bad = api(provider).post(url, json={"expenses": "2500.50", "lines": [{**LINES[0], "amount": "-1"}]})
    assert bad.status_code == 422 and "lines" in bad.json["errors"]
    done = api(provider).post(url, json={"expenses": "2500.50", "lines": LINES})
    assert done.status_code == 200 and [line["amount"] for line in done.json["proof_lines"]] == ["2400.00", "100.50"]
    assert api(kommune).post(url + "/return", json={"reason": "Beleg H-4 fehlt"}).status_code == 200
    again = api(provider).post(url, json={"expenses": "2400.00", "lines": LINES[:1]})
    assert again.status_code == 200 and len(again.json["proof_lines"]) == 1
    assert db.session.scalar(select(func.count()).select_from(ProofLine)) == 1
    other = make_user("kommune", kommune_ags="05154")
    assert api(other).get(f"/api/v1/measures/contracts/{contract.id}").status_code == 404


def test_the_page_takes_the_account_row_by_row_and_the_kommune_sees_it(consented, client):
    contract, provider, kommune = consented["contract"], consented["provider"], consented["kommune"]
    client.login(provider)
    url = f"/massnahmen/weiterleitungen/{contract.id}"
    rows = {"line_expense_date": ["30.04.2021", "31.05.2021", "", ""],
            "line_description": ["Honorar", "", "", ""], "line_voucher_ref": ["H-4", "", "", ""],
            "line_amount": ["2.400,00", "100,50", "", ""]}
    refused = client.post(url + "/nachweis", data={"expenses": "2.500,50", **rows})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Position 2" in page and 'value="100,50"' in page  # the row kept
    rows["line_description"][1] = "Lehrmaterial"
    assert client.post(url + "/nachweis", data={"expenses": "2.500,50", **rows}).status_code == 302
    client.login(kommune)
    page = client.get(url).get_data(as_text=True)
    assert "Aufstellung des Trägers" in page and "Lehrmaterial" in page and "2.500,50" in page


def test_the_gap_map_colours_only_what_the_viewer_may_see(client, make_user, make_measure):
    cologne, kleve = make_user("kommune", kommune_ags="05315"), make_user("kommune", kommune_ags="05154")
    for user, count in ((cologne, 100), (kleve, 50)):
        client.login(user)
        client.post("/massnahmen/bedarf", data={"file": (io.BytesIO(
            f"altersgruppe;aufenthaltsstatus;anzahl\n18-20;Duldung;{count}\n".encode()), "z.csv")},
            content_type="multipart/form-data")
    make_measure(cologne, module_code="F2", places=30)

    def coloured(page: str) -> dict[str, str]:
        return {ags: title for ags, title in re.findall(r'data-ags="(\d+)"><title>([^<]*)</title>', page)
                if "keine Daten" not in title}

    client.login(cologne)
    page = client.get("/massnahmen/bedarf?baustein=F2").get_data(as_text=True)
    assert "<svg" in page and coloured(page) == {"05315": "Köln: Lücke 70"}
    client.login(make_user("programme_admin"))
    page = client.get("/massnahmen/bedarf?baustein=F1").get_data(as_text=True)
    assert coloured(page) == {"05315": "Köln: Lücke 100", "05154": "Kreis Kleve: Lücke 50"}

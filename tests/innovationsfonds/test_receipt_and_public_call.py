"""Issue #20, item 5: a receipt on submission (message to the Träger's users, printable page) and the
public call page (no login) with conditions, criteria, weights, funding rate, eligible kinds, deadlines."""

from __future__ import annotations

from sqlalchemy import select

from app.innovationsfonds.models import Call, Sketch
from app.notifications.models import Message
from app.platform import clock
from app.platform.extensions import db
from tests.conftest import PageClient
from tests.innovationsfonds.conftest import DURING


def test_submission_queues_a_receipt_with_number_time_and_amount(small, people, make_user):
    colleague = make_user("organisation", organisation=people["org"].organisation)
    sketch_id = small.submitted(requested="123456.78", total_cost="200000.00")
    sketch = db.session.get(Sketch, sketch_id)
    messages = db.session.scalars(select(Message).where(Message.kind == "innovationsfonds.receipt")).all()
    assert sorted(m.recipient_id for m in messages) == sorted([people["org"].id, colleague.id])
    body = messages[0].body
    assert sketch.reference in messages[0].subject and sketch.reference in body
    assert "15.03.2020 10:00:00 Uhr" in body and "123.456,78" in body
    assert all(m.recipient_id != people["other_org"].id for m in messages)


def test_a_draft_gets_no_receipt(small):
    small.draft()
    assert db.session.scalar(select(Message.id).where(Message.kind == "innovationsfonds.receipt")) is None


def test_the_receipt_page_for_the_organisation_and_staff_only(small, people, client, app):
    sketch_id = small.submitted()
    reference = db.session.get(Sketch, sketch_id).reference
    url = f"/innovationsfonds/skizzen/{sketch_id}/eingangsbestaetigung"
    client.login(people["org"])
    page = client.get(url)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and reference in text and "15.03.2020 10:00:00" in text
    assert "200.000,00" in text and "Träger A e. V." in text
    for other, status in (("other_org", 404), ("rev1", 404), ("auditor", 200)):
        fresh = PageClient(app.test_client())
        fresh.login(people[other])
        assert fresh.get(url).status_code == status, other


def test_the_receipt_page_of_a_draft_is_404(small, people, client):
    sketch_id = small.draft()
    client.login(people["org"])
    assert client.get(f"/innovationsfonds/skizzen/{sketch_id}/eingangsbestaetigung").status_code == 404


def test_the_public_call_page_needs_no_login(small, client):
    call = db.session.get(Call, small.call)
    listing = client.get("/innovationsfonds/ausschreibungen")
    assert listing.status_code == 200 and call.title in listing.get_data(as_text=True)
    page = client.get(f"/innovationsfonds/ausschreibungen/{call.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for words in ("500.000,00", "80,0\u00a0%", "Verein", "Bildungsträger", "Relevanz für die Zielgruppe",
                  "37,5\u00a0%", "12,5\u00a0%", "31.03.2020 23:59", "15.05.2020", "31.07.2020",
                  "01.07.2020 – 30.06.2023"):
        assert words in text, words
    assert client.get("/innovationsfonds/ausschreibungen/999999").status_code == 404


def test_the_public_call_page_shows_nothing_of_the_sketches(small, client):
    small.submitted(title="Geheimes Projekt")
    with clock.freeze(DURING):
        text = client.get(f"/innovationsfonds/ausschreibungen/{small.call}").get_data(as_text=True)
    assert "Geheimes Projekt" not in text and "Träger A" not in text

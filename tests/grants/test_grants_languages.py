"""English pages around the grant, but the decision (Bescheid) stays the binding German text."""

from sqlalchemy import select

from app.grants.models import Decision
from app.platform import clock
from app.platform.extensions import db
from tests.conftest import PageClient
from tests.grants.conftest import DAY


def test_english_application_pages_and_german_decision_document(app, flow):
    app_id = flow.in_state("approved")
    decision = db.session.scalar(select(Decision).where(Decision.application_id == app_id))
    kommune = PageClient(app.test_client())
    kommune.login(flow.users["kommune"])
    kommune.post("/sprache/en")
    with clock.freeze(DAY):
        detail = kommune.get(f"/antraege/{app_id}").get_data(as_text=True)
        document = kommune.get(f"/bescheide/{decision.id}").get_data(as_text=True)
    for english in ("<h1>Application – ", "Funding rate", "Decisions", "History", "approved</span>"):
        assert english in detail, english
    assert "Förderquote" not in detail and "Bescheide" not in detail
    for german in (f"Zuwendungsbescheid {decision.number}", "Auf Ihren Antrag (Revision", "Rechtsbehelfsbelehrung",
                   "Bewilligte Beträge je Baustein und Haushaltsjahr", '<html lang="de">'):
        assert german in document, german
    assert "Application" not in document and "Funding rate" not in document

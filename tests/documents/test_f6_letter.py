"""The F6 approval is a written Zuwendungsbescheid the Kommune receives, with the amounts as booked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.documents.models import Document
from app.grants import f6
from app.platform import clock
from app.platform.extensions import db
from app.reference.services import get_programme
from tests.grants.conftest import f6_world  # noqa: F401 - fixture

from .conftest import pdf_text


def _submitted(kommune, positions: str):
    """An F6 application of ``positions`` FTE at the 4.500 € rate, submitted."""
    application = f6.save_f6(kommune, get_programme(), positions=Decimal(positions), cost_mode="rate",
                             monthly_cost_cents=450_000)
    f6.submit_f6(application.id, kommune)
    return application


def test_the_f6_approval_issues_its_zuwendungsbescheid(f6_world, client):  # noqa: F811
    kommune, admin = f6_world["kommune"], f6_world["admin"]
    with clock.freeze(date(2020, 12, 1)):
        application = _submitted(kommune, "1.5")
        f6.approve_f6(application.id, admin)
    db.session.commit()
    document = db.session.scalar(select(Document).where(Document.kind == "f6_zuwendungsbescheid"))
    assert document is not None and document.kommune_id == kommune.kommune_id
    assert document.reference == application.decision_number
    text = pdf_text(document.content)
    # 30 months × 1.5 FTE × 4.500 € = 202.500 € planned; 80 % = 162.000 € granted, as committed in the ledger
    assert f6.grant_of(application).approved_cents == 16_200_000
    for expected in ("162.000,00 €", "202.500,00 €", "1,5 Stellen", "4.500,00 €", "80 %", "ANBest-G",
                     "als unbesetzt"):
        assert expected in text, expected
    client.login(kommune)
    assert client.get(f"/dokumente/{document.id}.pdf").status_code == 200
    _the_detail_page_links_the_letter(client, application, document)


def _the_detail_page_links_the_letter(client, application, document):
    """The Kommune's F6 page names the Bescheid and links its PDF, the letter as issued."""
    page = client.get(f"/f6/{application.id}").get_data(as_text=True)
    link = f"/dokumente/zu/f6_application/{application.id}.pdf"
    assert application.decision_number in page and link in page, page
    answer = client.get(link)
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.get_data() == document.content


def test_the_f6_rejection_issues_its_ablehnungsbescheid_with_the_reason(f6_world, client):  # noqa: F811
    kommune, admin = f6_world["kommune"], f6_world["admin"]
    with clock.freeze(date(2020, 12, 1)):
        application = _submitted(kommune, "1")
        f6.reject_f6(application.id, admin, "Die Stellen sind bereits aus Landesmitteln finanziert.")
    db.session.commit()
    document = db.session.scalar(select(Document).where(Document.kind == "f6_ablehnungsbescheid"))
    assert document is not None and document.kommune_id == kommune.kommune_id
    assert document.reference == application.decision_number and document.reference.startswith("AB-F6-")
    assert db.session.scalar(select(Document).where(Document.kind == "f6_zuwendungsbescheid")) is None
    text = pdf_text(document.content)
    # 30 months × 1 FTE × 4.500 € = 135.000 € planned
    for expected in ("lehne ich ab", "135.000,00 €", "aus Landesmitteln finanziert", "1,0 Stellen"):
        assert expected in text, expected
    client.login(kommune)
    assert client.get(f"/dokumente/{document.id}.pdf").status_code == 200
    _the_detail_page_links_the_letter(client, application, document)

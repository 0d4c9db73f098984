"""One Kommune's whole cycle through the real services, with documents switched on.

Köln applies (F1 2020 and F2 2021), is approved (Zuwendungsbescheid), amends F2 down
(Änderungsbescheid), calls 60.000 € for F1, gets 50.000 € (a cut) paid (Auszahlungsmitteilung),
spends 25.000 € on F1 (earning 80 % = 20.000 €), and after the proof of use it is heard on the intended
reclaim (Anhörung) and comments; the final decision fixes 20.000 € and reclaims 30.000 € with interest
(Schlussbescheid, Rückforderungsbescheid).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date

import pytest
from pypdf import PdfReader

from app.allocation.models import AllocationStatus, AllocationVersion, Ceiling
from app.budgets import services as budgets
from app.budgets import settlement
from app.documents.models import Document
from app.grants import decisions
from app.platform import clock
from app.platform.extensions import db
from app.reference.services import get_programme, kommune_by_ags
from tests.budgets.conftest import heard, payer_for

KOELN, KLEVE = "05315", "05154"
PLAN = [{"module": "F1", "year": 2020, "amount": "100000.00"}, {"module": "F2", "year": 2021, "amount": "300000.00"}]
AMENDED = [{"module": "F1", "year": 2020, "amount": "100000.00"},
           {"module": "F2", "year": 2021, "amount": "250000.00"}]


@pytest.fixture(autouse=True)
def documents_on(app):
    app.config["ISSUE_DOCUMENTS"] = True
    yield
    app.config["ISSUE_DOCUMENTS"] = False


@pytest.fixture()
def actors(app, make_user):
    programme = get_programme()
    version = AllocationVersion(programme_id=programme.id, number=1, title="Test-Verteilung",
                                status=AllocationStatus.PUBLISHED, pool_cents=100_000_000, parameters={},
                                created_at=clock.now(), published_at=clock.now())
    version.ceilings.append(Ceiling(kommune_id=kommune_by_ags(KOELN).id, key_share="1/1",
                                    exact_quota="100000000/1", ceiling_cents=100_000_000))
    db.session.add(version)
    db.session.commit()
    return {"kommune": make_user("kommune", kommune_ags=KOELN), "foreign": make_user("kommune", kommune_ags=KLEVE),
            "programme_admin": make_user("programme_admin"), "finance": make_user("finance"),
            "auditor": make_user("auditor"), "reviewer": make_user("reviewer"),
            "organisation": make_user("organisation")}


def _body(lines, **extra) -> dict:
    return {"lines": lines, "participants": [{"module": "F1", "planned": 20}], "measures": "Coaching (Test).",
            "contact_name": "Kai Köln", "contact_email": "kai@koeln.example", "contact_phone": "0221 1", **extra}


@dataclass
class Cycle:
    people: dict
    decision: object
    amendment: object
    drawdown: object
    proof: object
    reclaim: object
    hearing: object

    def document(self, kind: str) -> Document:
        return db.session.query(Document).filter_by(kind=kind).one()


@pytest.fixture()
def cycle(actors, api) -> Cycle:
    kommune, admin = api(actors["kommune"]), api(actors["programme_admin"])
    with clock.freeze(date(2020, 6, 15)):
        app_id = kommune.post("/api/v1/applications").json["id"]
        assert kommune.put(f"/api/v1/applications/{app_id}/draft", json=_body(PLAN)).status_code == 200
        assert kommune.post(f"/api/v1/applications/{app_id}/submit").status_code == 200
        first = admin.post(f"/api/v1/applications/{app_id}/approve", json={})
        assert first.status_code in (200, 201), first.json
    with clock.freeze(date(2020, 7, 1)):
        amendment_id = kommune.post(f"/api/v1/applications/{app_id}/amendments").json["id"]
        body = _body(AMENDED, justification="Weniger Teilnehmende in F2.")
        assert kommune.put(f"/api/v1/applications/{amendment_id}/draft", json=body).status_code == 200
        assert kommune.post(f"/api/v1/applications/{amendment_id}/submit").status_code == 200
        second = admin.post(f"/api/v1/applications/{amendment_id}/approve", json={})
        assert second.status_code in (200, 201), second.json
    grant = budgets.grant_for_source(f"application:{app_id}")
    finance, owner, programme_admin = actors["finance"], actors["kommune"], actors["programme_admin"]
    with clock.freeze(date(2020, 8, 3)):
        drawdown = budgets.request_drawdown(grant, module="F1", amount_cents=6_000_000, purpose="Coaching Q3",
                                            actor=owner)
        budgets.decide_drawdown(drawdown, "approve", actor=finance, amount_cents=5_000_000,
                                reason="Bedarf für zwei Monate geringer.")
        budgets.pay_drawdown(drawdown, actor=payer_for(finance), value_date=date(2020, 8, 5), reference="ZA-2020-17")
        budgets.record_expense(grant, actor=owner, module="F1", expense_date=date(2020, 8, 1),
                               amount_cents=2_500_000)
        db.session.commit()
    with clock.freeze(date(2023, 8, 1)):
        settlement.submit_proof(grant, narrative="Sachbericht (Test).", confirmed=True, actor=owner)
        hearing = heard(grant, programme_admin, owner)
        proof = settlement.decide_final(grant, actor=programme_admin)
        db.session.commit()
    return Cycle(actors, decisions.get_decision(first.json["id"], programme_admin),
                 decisions.get_decision(second.json["id"], programme_admin), drawdown, proof,
                 settlement.reclaim_of(grant), hearing)


def pdf_text(content: bytes) -> str:
    """The text of every page, with no-break spaces as spaces (amounts are '1.234,56 €')."""
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def pdfa_claim(content: bytes) -> dict:
    """The PDF/A identification in the XMP metadata (pdfaid:part, :conformance) and the output intent.

    No PDF/A validator (veraPDF needs Java) is installed here: the tests check the claim, the embedded
    fonts and the output intent, which is what WeasyPrint's pdf/a-3b variant writes.
    """
    reader = PdfReader(io.BytesIO(content))
    xmp = reader.xmp_metadata.stream.get_data().decode("utf-8") if reader.xmp_metadata else ""
    claim = {name: (m.group(1) if (m := re.search(rf'pdfaid:{name}="([^"]+)"', xmp)) else None)
             for name in ("part", "conformance")}
    claim["output_intent"] = "/OutputIntents" in reader.trailer["/Root"]
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            descriptor = font.get_object().get("/FontDescriptor")
            if descriptor is None:  # Type0: the descriptor sits on the descendant font
                descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            descriptor = descriptor.get_object()
            fonts.add((str(descriptor["/FontName"]), any(k in descriptor for k in ("/FontFile", "/FontFile2",
                                                                                  "/FontFile3"))))
    claim["fonts"] = fonts
    return claim

"""API: the documents list per caller, the stored PDF, and ``document_url`` on every decision resource."""

from __future__ import annotations

import hashlib

from app.documents.models import Document
from app.platform.extensions import db


def test_the_list_shows_own_documents_only(cycle, api):
    own = api(cycle.people["kommune"]).get("/api/v1/documents")
    assert own.status_code == 200
    assert {d["kind"] for d in own.json} == {d.kind for d in db.session.query(Document)}
    assert api(cycle.people["foreign"]).get("/api/v1/documents").json == []
    assert api(cycle.people["reviewer"]).get("/api/v1/documents").status_code == 403
    only = api(cycle.people["auditor"]).get("/api/v1/documents?kind=schlussbescheid").json
    assert [d["kind"] for d in only] == ["schlussbescheid"]
    assert api(cycle.people["auditor"]).get("/api/v1/documents?kind=unbekannt").status_code == 422


def test_document_url_of_each_decision_resource_serves_its_pdf(cycle, api):
    kommune = api(cycle.people["kommune"])
    grant_id = cycle.drawdown.grant_id
    resources = {
        "zuwendungsbescheid": f"/api/v1/decisions/{cycle.decision.id}",
        "aenderungsbescheid": f"/api/v1/decisions/{cycle.amendment.id}",
        "auszahlungsmitteilung": f"/api/v1/budgets/drawdowns/{cycle.drawdown.id}",
        "schlussbescheid": f"/api/v1/budgets/grants/{grant_id}/proof-of-use",
        "rueckforderungsbescheid": f"/api/v1/budgets/reclaims/{cycle.reclaim.id}",
    }
    for kind, url in resources.items():
        resource = kommune.get(url)
        assert resource.status_code == 200, (url, resource.json)
        pdf = kommune.get(resource.json["document_url"])
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf", kind
        stored = db.session.query(Document).filter_by(kind=kind).one()
        assert hashlib.sha256(pdf.data).hexdigest() == stored.sha256 == pdf.headers["X-Content-SHA256"]
    foreign = api(cycle.people["foreign"])
    assert foreign.get(f"/api/v1/documents/of/grant_decision/{cycle.decision.id}.pdf").status_code == 404
    assert foreign.get(f"/api/v1/documents/{stored.id}.pdf").status_code == 404

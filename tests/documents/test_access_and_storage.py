"""Download as issued, access per role, the notice in the inbox, corrections and the public base URL."""

from __future__ import annotations

import hashlib

import pytest
from jinja2 import ChoiceLoader, DictLoader

from app.documents.models import Document
from app.documents.services import issue_document, render_pdf
from app.notifications.models import Message
from app.notifications.services import absolute_url, public_base_url
from app.platform.extensions import db

from .conftest import pdf_text

# role -> (list shows the Köln documents, download status)
ACCESS = {"programme_admin": (True, 200), "finance": (True, 200), "auditor": (True, 200), "kommune": (True, 200),
          "foreign": (False, 404), "organisation": (False, 404), "reviewer": (False, 403)}


def test_access_per_role(cycle, client):
    document = cycle.document("schlussbescheid")
    for role, (sees, status) in ACCESS.items():
        client.login(cycle.people[role])
        response = client.get(f"/dokumente/{document.id}.pdf")
        assert response.status_code == status, role
        listing = client.get("/dokumente/")
        assert listing.status_code == (403 if role == "reviewer" else 200), role
        assert (document.title in listing.get_data(as_text=True)) is sees, role
        if status == 200:
            assert response.mimetype == "application/pdf" and response.data == document.content, role


def test_download_is_byte_identical_after_a_template_change(cycle, client, app):
    document = cycle.document("zuwendungsbescheid")
    issued = document.content
    client.login(cycle.people["kommune"])
    first = client.get(f"/dokumente/{document.id}.pdf")
    assert hashlib.sha256(first.data).hexdigest() == document.sha256 == first.headers["X-Content-SHA256"]
    original_loader = app.jinja_env.loader
    changed = {"documents/letters/zuwendungsbescheid.html":
               '{% extends "documents/letters/_letter.html" %}{% block body %}<p>Geänderte Vorlage</p>{% endblock %}'}
    app.jinja_env.loader = ChoiceLoader([DictLoader(changed), original_loader])
    app.jinja_env.cache.clear()
    try:
        from app.documents.letters import KINDS

        rerendered = render_pdf("documents/letters/zuwendungsbescheid.html", kind=KINDS["zuwendungsbescheid"],
                                letter=KINDS["zuwendungsbescheid"].build(cycle.decision), issued_on=None,
                                replaces=None)
        assert "Geänderte Vorlage" in pdf_text(rerendered)  # the change is real ...
        again = client.get(f"/dokumente/{document.id}.pdf")
    finally:
        app.jinja_env.loader = original_loader
        app.jinja_env.cache.clear()
    assert again.data == issued == first.data  # ... and the issued document does not follow it
    assert "Geänderte Vorlage" not in pdf_text(again.data)


def test_issuing_again_returns_the_stored_document_and_a_correction_names_the_replaced_one(cycle):
    original = cycle.document("auszahlungsmitteilung")
    assert issue_document("auszahlungsmitteilung", cycle.drawdown) == original
    correction = issue_document("auszahlungsmitteilung", cycle.drawdown, replaces=original)
    db.session.commit()
    assert correction.id != original.id and correction.replaces_id == original.id
    assert "ersetzt das Dokument" in pdf_text(correction.content)
    assert db.session.get(Document, original.id).content == original.content


def test_an_issued_document_cannot_be_changed(cycle):
    document = cycle.document("schlussbescheid")
    document.title = "anders"
    with pytest.raises(ValueError, match="bereits erlassen"):
        db.session.flush()
    db.session.rollback()


def test_each_document_reaches_the_kommune_inbox_only(cycle):
    documents = db.session.query(Document).all()
    own, foreign = cycle.people["kommune"], cycle.people["foreign"]
    notices = db.session.query(Message).filter_by(kind="documents.issued").all()
    assert sorted((m.recipient_id, m.link) for m in notices) == sorted(
        (own.id, f"/dokumente/{d.id}.pdf") for d in documents)
    assert all(foreign.id != m.recipient_id for m in notices)
    assert all(d.sha256 in m.body for m in notices for d in documents if m.link == f"/dokumente/{d.id}.pdf")


def test_the_inbox_link_downloads_the_document(cycle, client):
    message = db.session.query(Message).filter_by(kind="documents.issued").first()
    client.login(cycle.people["kommune"])
    assert client.get(message.link).mimetype == "application/pdf"


def test_public_base_url_comes_from_configuration_or_the_request(app):
    saved = app.config.get("BASE_URL")
    try:
        app.config["BASE_URL"] = "https://durchstarten.example.nrw/"
        assert absolute_url("/dokumente/1.pdf") == "https://durchstarten.example.nrw/dokumente/1.pdf"
        app.config["BASE_URL"] = None
        with app.test_request_context("/", base_url="https://foerderung.example.de"):
            assert public_base_url() == "https://foerderung.example.de"
        assert public_base_url() == "http://127.0.0.1:5000"  # a job without request and without setting
    finally:
        app.config["BASE_URL"] = saved


def test_the_printable_decision_page_links_the_issued_pdf(cycle, client):
    client.login(cycle.people["kommune"])
    page = client.get(f"/bescheide/{cycle.decision.id}").get_data(as_text=True)
    link = f"/dokumente/zu/grant_decision/{cycle.decision.id}.pdf"
    assert link in page
    assert client.get(link).data == cycle.document("zuwendungsbescheid").content
    client.login(cycle.people["foreign"])
    assert client.get(link).status_code == 404


def test_the_kind_filter_offers_each_role_the_letters_it_can_receive(cycle, client):
    """Both lines of funding have a "Zuwendungsbescheid": a Kommune sees only the programme's kinds, an
    organisation only the Innovationsfonds', staff both in two labelled groups."""
    def options(role):
        client.login(cycle.people[role])
        page = client.get("/dokumente/").get_data(as_text=True)
        return page.count('<option value="zuwendungsbescheid"'), page.count('<option value="if_'), \
            page.count("<optgroup")

    assert options("kommune") == (1, 0, 0)
    assert options("organisation") == (0, 3, 0)
    assert options("programme_admin") == (1, 3, 2)

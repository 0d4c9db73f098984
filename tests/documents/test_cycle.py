"""Every document of one Kommune's cycle: valid PDF/A claim, recipient, reference and the ledger's figures."""

from __future__ import annotations

import hashlib

from app.budgets.settlement import reclaim_statement
from app.documents.letters import kassenzeichen
from app.documents.models import Document
from app.platform.audit import AuditEntry
from app.platform.extensions import db
from app.platform.money import format_eur

from .conftest import pdf_text, pdfa_claim

KINDS = ["zuwendungsbescheid", "aenderungsbescheid", "auszahlungsmitteilung", "anhoerung", "schlussbescheid",
         "rueckforderungsbescheid"]


def eur(cents: int) -> str:
    return format_eur(cents).replace("\xa0", " ")


def test_the_cycle_issues_each_kind_once_for_the_kommune(cycle):
    documents = db.session.query(Document).order_by(Document.id).all()
    assert [d.kind for d in documents] == KINDS
    kommune_id = cycle.people["kommune"].kommune_id
    assert {d.kommune_id for d in documents} == {kommune_id}
    assert all(d.organisation_id is None for d in documents)


def test_each_kind_is_a_pdfa_with_recipient_reference_and_remedy(cycle):
    for kind in KINDS:  # one cycle for all kinds: it renders six PDFs
        document = cycle.document(kind)
        assert document.content.startswith(b"%PDF-"), kind
        assert document.sha256 == hashlib.sha256(document.content).hexdigest(), kind
        assert document.size_bytes == len(document.content), kind
        claim = pdfa_claim(document.content)
        assert (claim["part"], claim["conformance"], claim["output_intent"]) == ("3", "B", True), kind
        assert claim["fonts"] and all(embedded for _name, embedded in claim["fonts"]), kind
        text = pdf_text(document.content)
        assert "Köln" in text and document.reference in text, kind
        assert "Aktenzeichen" in text and "Datum" in text, kind
        if kind == "anhoerung":  # a hearing is no administrative act: no remedy
            assert "kein Bescheid" in text and "Rechtsbehelfsbelehrung" not in text
        else:
            assert "Rechtsbehelfsbelehrung" in text, kind  # the drawdown was cut: its notice is a decision too


def test_zuwendungsbescheid_shows_the_approved_lines(cycle):
    text = pdf_text(cycle.document("zuwendungsbescheid").content)
    assert cycle.decision.number in text
    assert eur(cycle.decision.approved_cents) in text
    for line in cycle.decision.lines:
        assert eur(line.approved_cents) in text


def test_aenderungsbescheid_has_old_new_and_change(cycle):
    text = pdf_text(cycle.document("aenderungsbescheid").content)
    assert "Bisher" in text and "Neu" in text and "Änderung" in text
    old, new = cycle.amendment.supersedes.line_map(), cycle.amendment.line_map()
    assert eur(old[("F2", 2021)]) in text and eur(new[("F2", 2021)]) in text
    assert eur(new[("F2", 2021)] - old[("F2", 2021)]) in text  # -50.000,00 €
    assert eur(sum(new.values()) - sum(old.values())) in text


def test_auszahlungsmitteilung_shows_request_cut_and_payment(cycle):
    drawdown = cycle.drawdown
    text = pdf_text(cycle.document("auszahlungsmitteilung").content)
    assert eur(drawdown.amount_requested_cents) in text
    assert eur(drawdown.amount_approved_cents) in text
    assert eur(drawdown.amount_requested_cents - drawdown.amount_approved_cents) in text
    assert drawdown.payment_reference in text and "05.08.2020" in text
    assert drawdown.decision_reason in text


def test_schlussbescheid_shows_the_calculation_per_module_and_the_result(cycle):
    proof = cycle.proof
    text = pdf_text(cycle.document("schlussbescheid").content)
    assert eur(proof.final_grant_cents) in text and eur(proof.paid_cents) in text
    assert eur(proof.overpaid_cents) in text
    for line in proof.decision_lines:
        assert eur(line["final_cents"]) in text and eur(line["approved_cents"]) in text
    assert "F1 – Coaching" in text


def test_anhoerung_states_the_intended_figures_the_interest_basis_and_the_deadline(cycle):
    hearing = cycle.hearing
    text = pdf_text(cycle.document("anhoerung").content)
    assert "§ 28" in text and "Stellungnahme" in text and "15.08.2023" in text  # 14 days after 01.08.2023
    assert eur(hearing.final_grant_cents) in text and eur(hearing.paid_cents) in text
    assert eur(hearing.principal_cents) in text and hearing.principal_cents == cycle.reclaim.principal_cents
    for line in hearing.lines:
        assert eur(line["final_cents"]) in text
    assert "fünf Prozentpunkten über dem Basiszinssatz" in text and "05.08.2020" in text  # the payment it runs from
    assert hearing.lines == cycle.proof.decision_lines  # the decision rests on the heard figures


def test_rueckforderungsbescheid_has_principal_interest_deadline_account_and_kassenzeichen(cycle):
    reclaim = cycle.reclaim
    document = cycle.document("rueckforderungsbescheid")
    text = pdf_text(document.content)
    statement = reclaim_statement(reclaim, document.issued_at.date())
    assert reclaim.principal_cents == cycle.proof.overpaid_cents
    assert eur(reclaim.principal_cents) in text
    assert eur(statement.interest.interest_cents) in text and eur(statement.amount_due) in text
    assert "Tage" in text  # the day-by-day calculation lines
    assert kassenzeichen(reclaim) in text and "IBAN" in text and "Landeskasse" in text
    assert "31.08.2023" in text  # 30 days after the decision of 01.08.2023
    assert "§ 49a" in text


def test_each_issue_is_in_the_audit_trail_with_its_hash(cycle):
    entries = db.session.query(AuditEntry).filter_by(action="document.issue").all()
    hashes = {entry.after["sha256"] for entry in entries}
    assert hashes == {d.sha256 for d in db.session.query(Document)}


def test_a_rejected_drawdown_gets_a_rejection_with_reason(cycle):
    from app.budgets import services as budgets
    from app.platform import clock

    grant = cycle.drawdown.grant
    with clock.freeze(cycle.drawdown.period_start):
        drawdown = budgets.request_drawdown(grant, module="F1", amount_cents=1_000_000, purpose="Zweiter Abruf",
                                            actor=cycle.people["kommune"])
        budgets.decide_drawdown(drawdown, "reject", actor=cycle.people["finance"], reason="Kein Bedarf belegt.")
    document = db.session.query(Document).filter_by(kind="ablehnung_mittelabruf").one()
    text = pdf_text(document.content)
    assert "Kein Bedarf belegt." in text and eur(1_000_000) in text and "Rechtsbehelfsbelehrung" in text

"""Issue the binding document when a domain service announces a decision (``app.platform.events``).

Imported by ``create_app`` for every domain (optional module ``hooks``). Each handler runs inside the
service's transaction, after the state change: the document is stored, or nothing is.
"""

from __future__ import annotations

from flask import current_app

from ..budgets.services import reclaim_of
from ..grants.models import ApplicationStatus
from ..platform.events import subscribe
from .letters import decision_kind
from .services import issue_document


def _enabled() -> bool:
    """``ISSUE_DOCUMENTS = False`` (tests of other domains) skips rendering; production always issues."""
    return str(current_app.config.get("ISSUE_DOCUMENTS", True)).lower() not in ("false", "0", "no", "")


@subscribe("grants.decision")
def on_grant_decision(decision, actor=None) -> None:
    if _enabled():
        issue_document(decision_kind(decision), decision, actor=actor)


@subscribe("drawdown.pay")
def on_drawdown_paid(drawdown, actor=None) -> None:
    if _enabled():
        issue_document("auszahlungsmitteilung", drawdown, actor=actor)


@subscribe("drawdown.reject")
def on_drawdown_rejected(drawdown, actor=None) -> None:
    if _enabled():
        issue_document("ablehnung_mittelabruf", drawdown, actor=actor)


@subscribe("hearing.open")
def on_hearing_opened(hearing, actor=None) -> None:
    if _enabled():
        issue_document("anhoerung", hearing, actor=actor)


@subscribe("proof.decide")
def on_final_decision(proof, actor=None) -> None:
    if not _enabled():
        return
    issue_document("schlussbescheid", proof, actor=actor)
    reclaim = reclaim_of(proof.grant)
    if reclaim is not None:
        issue_document("rueckforderungsbescheid", reclaim, actor=actor)


@subscribe("if.project_decision")
def on_project_decision(decision, actor=None) -> None:
    if _enabled():
        issue_document("if_zuwendungsbescheid", decision, actor=actor)


@subscribe("if.selection_message")
def on_selection_message(message, actor=None) -> None:
    if _enabled():
        issue_document("if_auswahlentscheidung", message, actor=actor)


@subscribe("if.full_application_rejected")
def on_full_application_rejected(sketch, actor=None) -> None:
    if _enabled():
        issue_document("if_ablehnungsbescheid", sketch, actor=actor)


@subscribe("grants.f6.decision")
def on_f6_decision(application, actor=None) -> None:
    if _enabled():
        rejected = application.status is ApplicationStatus.REJECTED
        issue_document("f6_ablehnungsbescheid" if rejected else "f6_zuwendungsbescheid", application, actor=actor)

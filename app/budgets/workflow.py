"""The budget workflows as declared tables for the platform engine (app.platform.workflow).

* ``DRAWDOWN``: a requested drawdown is approved (perhaps cut), rejected or withdrawn; an approved one is
  paid. Creation (``request_drawdown``) has no status and is checked by the service itself.
* ``PROOF``: the proof of use (None: not yet submitted) is submitted by the recipient, checked
  (``mark_ineligible`` keeps the status) and decided by the programme administration.
* ``RECLAIM``: finance books repayments on an open reclaim (the status closes when all is paid).
"""

from __future__ import annotations

from flask_babel import lazy_gettext

from ..auth.models import Role
from ..platform.workflow import Workflow
from .models import DrawdownStatus, ProofStatus, ReclaimStatus

FINANCE = frozenset({Role.FINANCE})
ADMIN = frozenset({Role.PROGRAMME_ADMIN})
RECIPIENTS = frozenset({Role.KOMMUNE, Role.ORGANISATION})

DRAWDOWN = Workflow("drawdown", {
    (DrawdownStatus.REQUESTED, "approve"): (DrawdownStatus.APPROVED, FINANCE),
    (DrawdownStatus.REQUESTED, "reject"): (DrawdownStatus.REJECTED, FINANCE),
    (DrawdownStatus.REQUESTED, "withdraw"): (DrawdownStatus.WITHDRAWN, RECIPIENTS),
    (DrawdownStatus.APPROVED, "pay"): (DrawdownStatus.PAID, FINANCE),
}, labels={"approve": lazy_gettext("genehmigen"), "reject": lazy_gettext("ablehnen"),
           "withdraw": lazy_gettext("zurückziehen"), "pay": lazy_gettext("auszahlen")})

PROOF = Workflow("proof_of_use", {
    (None, "submit"): (ProofStatus.SUBMITTED, RECIPIENTS),
    (ProofStatus.SUBMITTED, "mark_ineligible"): (ProofStatus.SUBMITTED, ADMIN),
    (ProofStatus.SUBMITTED, "decide"): (ProofStatus.DECIDED, ADMIN),
}, labels={"submit": lazy_gettext("einreichen"), "mark_ineligible": lazy_gettext("Ausgabe aberkennen"),
           "decide": lazy_gettext("Schlussbescheid erlassen")}, none_label=lazy_gettext("nicht eingereicht"))

RECLAIM = Workflow("reclaim", {
    (ReclaimStatus.OPEN, "repay"): (ReclaimStatus.OPEN, FINANCE),
}, labels={"repay": lazy_gettext("Rückzahlung buchen")})

"""The budget workflows as declared tables for the platform engine (app.platform.workflow).

* ``DRAWDOWN``: a requested drawdown is approved (perhaps cut), rejected or withdrawn; an approved one is
  paid. Creation (``request_drawdown``) has no status and is checked by the service itself.
* ``PROOF``: the proof of use (None: not yet submitted) is submitted by the recipient, checked
  (``mark_ineligible`` keeps the status) and decided by the programme administration.
* ``HEARING``: the Anhörung before a reclaiming final decision (None: the grant has no current hearing);
  opened and superseded or concluded by the programme administration, commented on by the recipient.
* ``RECLAIM``: finance books repayments on an open reclaim (the status closes when all is paid).
"""

from __future__ import annotations

from flask_babel import lazy_gettext

from ..auth.models import Role
from ..platform.workflow import Workflow
from .models import DrawdownStatus, HearingStatus, ProofStatus, ReclaimStatus

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

# (status of the grant's current hearing, action) -> (new status, roles); None: no current hearing.
HEARING = Workflow("hearing", {
    (None, "open"): (HearingStatus.OPEN, ADMIN),
    (HearingStatus.OPEN, "comment"): (HearingStatus.COMMENTED, RECIPIENTS),
    (HearingStatus.OPEN, "supersede"): (HearingStatus.SUPERSEDED, ADMIN),
    (HearingStatus.COMMENTED, "supersede"): (HearingStatus.SUPERSEDED, ADMIN),
    (HearingStatus.OPEN, "conclude"): (HearingStatus.CONCLUDED, ADMIN),  # only once the deadline has passed
    (HearingStatus.COMMENTED, "conclude"): (HearingStatus.CONCLUDED, ADMIN),
}, labels={"open": lazy_gettext("Anhörung einleiten"), "comment": lazy_gettext("Stellung nehmen"),
           "supersede": lazy_gettext("Anhörung ersetzen"), "conclude": lazy_gettext("Anhörung abschließen")},
   none_label=lazy_gettext("keine Anhörung"))

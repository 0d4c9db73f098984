"""The status tables of measures, forwarding contracts (consent) and the provider's proof (docs/measures.md)."""

from __future__ import annotations

from flask_babel import lazy_gettext

from ..auth.models import Role
from ..platform.workflow import Workflow
from .models import ContractStatus as C
from .models import MeasureStatus as M
from .models import ProofStatus as P

KOMMUNE = frozenset({Role.KOMMUNE})
ADMIN = frozenset({Role.PROGRAMME_ADMIN})
PROVIDER = frozenset({Role.ORGANISATION})

MEASURE = Workflow("measure", {
    (M.DRAFT, "edit"): (M.DRAFT, KOMMUNE),
    (M.DRAFT, "activate"): (M.ACTIVE, KOMMUNE),
    (M.DRAFT, "cancel"): (M.CANCELLED, KOMMUNE),
    (M.ACTIVE, "edit"): (M.ACTIVE, KOMMUNE),
    (M.ACTIVE, "finish"): (M.FINISHED, KOMMUNE),
    (M.ACTIVE, "cancel"): (M.CANCELLED, KOMMUNE),
}, labels={"edit": lazy_gettext("bearbeiten"), "activate": lazy_gettext("starten"),
           "finish": lazy_gettext("abschließen"), "cancel": lazy_gettext("absagen")})

# A contract is requested by the Kommune and needs the grant authority's prior consent (VV Nr. 12 zu § 44 LHO).
CONTRACT = Workflow("forwarding_contract", {
    (C.REQUESTED, "consent"): (C.CONSENTED, ADMIN),
    (C.REQUESTED, "refuse"): (C.REFUSED, ADMIN),
    (C.REQUESTED, "withdraw"): (C.WITHDRAWN, KOMMUNE),
    (C.CONSENTED, "pay"): (C.CONSENTED, KOMMUNE),
}, labels={"consent": lazy_gettext("zustimmen"), "refuse": lazy_gettext("Zustimmung versagen"),
           "withdraw": lazy_gettext("zurückziehen"), "pay": lazy_gettext("Zahlung buchen")})

# The provider's proof of its own expenses, checked by the Kommune (None: nothing submitted yet).
PROOF = Workflow("provider_proof", {
    (None, "submit"): (P.SUBMITTED, PROVIDER),
    (P.RETURNED, "submit"): (P.SUBMITTED, PROVIDER),
    (P.SUBMITTED, "accept"): (P.ACCEPTED, KOMMUNE),
    (P.SUBMITTED, "return"): (P.RETURNED, KOMMUNE),
}, labels={"submit": lazy_gettext("Nachweis einreichen"), "accept": lazy_gettext("Nachweis anerkennen"),
           "return": lazy_gettext("Nachweis zurückgeben")}, none_label="kein Nachweis")

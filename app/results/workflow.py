"""The workflow of the interim proof (Zwischennachweis) of one grant and budget year.

``INTERIM``: not submitted (None) → submitted by the Kommune → accepted or changes requested by the
programme administration → submitted again by the Kommune. Decision: the programme administration
reviews, not finance: the interim proof is checked like the proof of use (whose decision is the
administration's, ``app.budgets.workflow.PROOF``) for substance — does the report fit the figures and
the plan — while finance decides and pays drawdowns; keeping the review away from the payers keeps
the two duties apart. Finance and audit read the list and its export.
"""

from __future__ import annotations

from flask_babel import lazy_gettext

from ..auth.models import Role
from ..platform.workflow import Workflow
from .models import InterimStatus

KOMMUNE = frozenset({Role.KOMMUNE})
ADMIN = frozenset({Role.PROGRAMME_ADMIN})

INTERIM = Workflow("interim_proof", {
    (None, "submit"): (InterimStatus.SUBMITTED, KOMMUNE),
    (InterimStatus.CHANGES_REQUESTED, "submit"): (InterimStatus.SUBMITTED, KOMMUNE),
    (InterimStatus.SUBMITTED, "accept"): (InterimStatus.ACCEPTED, ADMIN),
    (InterimStatus.SUBMITTED, "request_changes"): (InterimStatus.CHANGES_REQUESTED, ADMIN),
}, labels={"submit": lazy_gettext("einreichen"), "accept": lazy_gettext("anerkennen"),
           "request_changes": lazy_gettext("Änderungen anfordern")}, none_label=lazy_gettext("nicht eingereicht"))

"""The sketch workflow and the full application's, each one table of the platform's workflow engine.

``edit`` keeps the status. ``select``/``wait``/``reject`` are fired by the batch release of a
staged Steuerkreis decision, ``promote`` when a selected project withdraws, ``fund`` by the
approval of the full application, ``drop`` by its rejection (the sketch leaves the selection and the
next fitting waiting sketch moves up, as after a withdrawal). Automatic eligibility checks (the scheduler) fire
``declare_eligible``/``declare_ineligible`` as the system (``system=True``).

The full application of a selected sketch has a workflow of its own (``FULL_APPLICATION``):
the organisation (re)submits, the administrator approves, requests changes or rejects it (both with a
reason); after a change request the organisation resubmits, or, once the full-application deadline
has passed without a resubmission, the administrator rejects it (the deadline is checked by
``projects.reject_full_application``, which also rejects when nothing was submitted by then). Its first
submission creates it (no status before).

Services call ``SKETCH.check(status, action, actor)`` (or ``FULL_APPLICATION.check``); pages and the API
offer ``.allowed_actions(status, actor)``. The check order is the engine's (app/platform/workflow.py).
"""

from __future__ import annotations

from flask_babel import lazy_gettext

from ..auth.models import Role
from ..platform.workflow import Workflow
from .models import FullApplicationStatus, SketchStatus

ORG = frozenset({Role.ORGANISATION})
ADMIN = frozenset({Role.PROGRAMME_ADMIN})

SKETCH = Workflow("if_sketch", {
    (SketchStatus.DRAFT, "edit"): (SketchStatus.DRAFT, ORG),
    (SketchStatus.DRAFT, "submit"): (SketchStatus.SUBMITTED, ORG),
    (SketchStatus.DRAFT, "withdraw"): (SketchStatus.WITHDRAWN, ORG),
    (SketchStatus.SUBMITTED, "withdraw"): (SketchStatus.WITHDRAWN, ORG),
    (SketchStatus.SUBMITTED, "declare_eligible"): (SketchStatus.ELIGIBLE, ADMIN),
    (SketchStatus.SUBMITTED, "declare_ineligible"): (SketchStatus.INELIGIBLE, ADMIN),
    (SketchStatus.ELIGIBLE, "declare_ineligible"): (SketchStatus.INELIGIBLE, ADMIN),
    (SketchStatus.INELIGIBLE, "declare_eligible"): (SketchStatus.ELIGIBLE, ADMIN),
    (SketchStatus.ELIGIBLE, "withdraw"): (SketchStatus.WITHDRAWN, ORG),
    (SketchStatus.ELIGIBLE, "select"): (SketchStatus.SELECTED, ADMIN),
    (SketchStatus.ELIGIBLE, "wait"): (SketchStatus.WAITING, ADMIN),
    (SketchStatus.ELIGIBLE, "reject"): (SketchStatus.REJECTED, ADMIN),
    (SketchStatus.WAITING, "promote"): (SketchStatus.SELECTED, ADMIN),
    (SketchStatus.WAITING, "withdraw"): (SketchStatus.WITHDRAWN, ORG),
    (SketchStatus.SELECTED, "withdraw"): (SketchStatus.WITHDRAWN, ORG),
    (SketchStatus.SELECTED, "fund"): (SketchStatus.FUNDED, ADMIN),
    (SketchStatus.SELECTED, "drop"): (SketchStatus.REJECTED, ADMIN),
}, labels={
    "edit": lazy_gettext("bearbeiten"),
    "submit": lazy_gettext("einreichen"),
    "withdraw": lazy_gettext("zurückziehen"),
    "declare_eligible": lazy_gettext("als förderfähig erklären"),
    "declare_ineligible": lazy_gettext("als nicht förderfähig erklären"),
    "select": lazy_gettext("auswählen"),
    "wait": lazy_gettext("auf die Warteliste setzen"),
    "reject": lazy_gettext("ablehnen"),
    "promote": lazy_gettext("nachrücken lassen"),
    "fund": lazy_gettext("bewilligen"),
    "drop": lazy_gettext("nach Ablehnung des Vollantrags aus der Auswahl nehmen"),
})

FULL_APPLICATION = Workflow("if_full_application", {
    # replace while it is not yet decided
    (FullApplicationStatus.SUBMITTED, "submit"): (FullApplicationStatus.SUBMITTED, ORG),
    (FullApplicationStatus.SUBMITTED, "request_changes"): (FullApplicationStatus.CHANGES_REQUESTED, ADMIN),
    (FullApplicationStatus.SUBMITTED, "approve"): (FullApplicationStatus.APPROVED, ADMIN),
    (FullApplicationStatus.SUBMITTED, "reject"): (FullApplicationStatus.REJECTED, ADMIN),
    (FullApplicationStatus.CHANGES_REQUESTED, "submit"): (FullApplicationStatus.SUBMITTED, ORG),
    # only after the deadline (projects.reject_full_application checks it)
    (FullApplicationStatus.CHANGES_REQUESTED, "reject"): (FullApplicationStatus.REJECTED, ADMIN),
}, labels={
    "submit": lazy_gettext("Vollantrag einreichen"),
    "request_changes": lazy_gettext("Änderungen anfordern"),
    "approve": lazy_gettext("Vollantrag bewilligen"),
    "reject": lazy_gettext("Vollantrag ablehnen"),
})

"""The sketch workflow as one explicit table: {(status, action): (new status, roles)}.

``edit`` keeps the status. ``select``/``wait``/``reject`` are fired by the batch release of a
staged Steuerkreis decision, ``promote`` when a selected project withdraws, ``fund`` by the
approval of the full application, ``drop`` by its rejection (the sketch leaves the selection and the
next fitting waiting sketch moves up, as after a withdrawal). Automatic eligibility checks (the scheduler) fire
``declare_eligible``/``declare_ineligible`` as the system (``system=True``).

The full application of a selected sketch has a table of its own (``FULL_APPLICATION_TRANSITIONS``):
the organisation (re)submits, the administrator approves, requests changes or rejects it (both with a
reason); after a change request the organisation resubmits, or, once the full-application deadline
has passed without a resubmission, the administrator rejects it (the deadline is checked by
``projects.reject_full_application``, which also rejects when nothing was submitted by then). Its first
submission creates it (no status before).
"""

from __future__ import annotations

from ..auth.models import Role, User
from ..platform.errors import Forbidden, InvalidTransition
from .models import FullApplicationStatus as F
from .models import SketchStatus as S

ORG = frozenset({Role.ORGANISATION})
ADMIN = frozenset({Role.PROGRAMME_ADMIN})

TRANSITIONS: dict[tuple[S, str], tuple[S, frozenset[Role]]] = {
    (S.DRAFT, "edit"): (S.DRAFT, ORG),
    (S.DRAFT, "submit"): (S.SUBMITTED, ORG),
    (S.DRAFT, "withdraw"): (S.WITHDRAWN, ORG),
    (S.SUBMITTED, "withdraw"): (S.WITHDRAWN, ORG),
    (S.SUBMITTED, "declare_eligible"): (S.ELIGIBLE, ADMIN),
    (S.SUBMITTED, "declare_ineligible"): (S.INELIGIBLE, ADMIN),
    (S.ELIGIBLE, "declare_ineligible"): (S.INELIGIBLE, ADMIN),
    (S.INELIGIBLE, "declare_eligible"): (S.ELIGIBLE, ADMIN),
    (S.ELIGIBLE, "withdraw"): (S.WITHDRAWN, ORG),
    (S.ELIGIBLE, "select"): (S.SELECTED, ADMIN),
    (S.ELIGIBLE, "wait"): (S.WAITING, ADMIN),
    (S.ELIGIBLE, "reject"): (S.REJECTED, ADMIN),
    (S.WAITING, "promote"): (S.SELECTED, ADMIN),
    (S.WAITING, "withdraw"): (S.WITHDRAWN, ORG),
    (S.SELECTED, "withdraw"): (S.WITHDRAWN, ORG),
    (S.SELECTED, "fund"): (S.FUNDED, ADMIN),
    (S.SELECTED, "drop"): (S.REJECTED, ADMIN),
}
ACTIONS = sorted({action for _status, action in TRANSITIONS})
ACTION_LABELS = {
    "edit": "bearbeiten",
    "submit": "einreichen",
    "withdraw": "zurückziehen",
    "declare_eligible": "als förderfähig erklären",
    "declare_ineligible": "als nicht förderfähig erklären",
    "select": "auswählen",
    "wait": "auf die Warteliste setzen",
    "reject": "ablehnen",
    "promote": "nachrücken lassen",
    "fund": "bewilligen",
    "drop": "nach Ablehnung des Vollantrags aus der Auswahl nehmen",
}

FULL_APPLICATION_TRANSITIONS: dict[tuple[F, str], tuple[F, frozenset[Role]]] = {
    (F.SUBMITTED, "submit"): (F.SUBMITTED, ORG),  # replace while it is not yet decided
    (F.SUBMITTED, "request_changes"): (F.CHANGES_REQUESTED, ADMIN),
    (F.SUBMITTED, "approve"): (F.APPROVED, ADMIN),
    (F.SUBMITTED, "reject"): (F.REJECTED, ADMIN),
    (F.CHANGES_REQUESTED, "submit"): (F.SUBMITTED, ORG),
    (F.CHANGES_REQUESTED, "reject"): (F.REJECTED, ADMIN),  # only after the deadline (projects.py)
}
FULL_APPLICATION_ACTIONS = sorted({action for _status, action in FULL_APPLICATION_TRANSITIONS})
FULL_APPLICATION_LABELS = {"submit": "Vollantrag einreichen", "request_changes": "Änderungen anfordern",
                           "approve": "Vollantrag bewilligen", "reject": "Vollantrag ablehnen"}


def next_status(status: S, action: str, actor: User | None, *, system: bool = False, table=None, labels=None):
    """The status after ``action`` in ``table`` (default: the sketch's); InvalidTransition (409) or Forbidden (403)."""
    table, labels = table or TRANSITIONS, labels or ACTION_LABELS
    rule = table.get((status, action))
    if rule is None:
        raise InvalidTransition(labels.get(action, action), status.value, status.label)
    new_status, roles = rule
    if not system and (actor is None or actor.role not in roles):
        raise Forbidden(f"Ihre Rolle darf die Aktion „{labels.get(action, action)}“ nicht ausführen.")
    return new_status


def next_full_application_status(status: F, action: str, actor: User | None) -> F:
    """The full application's status after ``action``; InvalidTransition (409) or Forbidden (403)."""
    return next_status(status, action, actor, table=FULL_APPLICATION_TRANSITIONS, labels=FULL_APPLICATION_LABELS)


def allowed_actions(status, actor: User | None, table=None) -> list[str]:
    """The actions ``actor`` may fire now in ``table`` (buttons and the API's ``allowed_actions``)."""
    if actor is None:
        return []
    return [a for (s, a), (_new, roles) in (table or TRANSITIONS).items() if s == status and actor.role in roles]

"""The sketch workflow as one explicit table: {(status, action): (new status, roles)}.

``edit`` keeps the status. ``select``/``wait``/``reject`` are fired by the batch release of a
staged Steuerkreis decision, ``promote`` when a selected project withdraws, ``fund`` by the
approval of the full application. Automatic eligibility checks (the scheduler) fire
``declare_eligible``/``declare_ineligible`` as the system (``system=True``).
"""

from __future__ import annotations

from ..auth.models import Role, User
from ..errors import Forbidden, InvalidTransition
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
}


def next_status(status: S, action: str, actor: User | None, *, system: bool = False) -> S:
    """The status after ``action``; InvalidTransition (409) or Forbidden (403)."""
    rule = TRANSITIONS.get((status, action))
    if rule is None:
        raise InvalidTransition(ACTION_LABELS.get(action, action), status.value, status.label)
    new_status, roles = rule
    if not system and (actor is None or actor.role not in roles):
        raise Forbidden(f"Ihre Rolle darf die Aktion „{ACTION_LABELS.get(action, action)}“ nicht ausführen.")
    return new_status


def allowed_actions(status: S, actor: User | None) -> list[str]:
    """The actions ``actor`` may fire now (buttons and the API's ``allowed_actions``)."""
    if actor is None:
        return []
    return [a for (s, a), (_new, roles) in TRANSITIONS.items() if s == status and actor.role in roles]

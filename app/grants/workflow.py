"""The application workflow as one explicit table: {(status, action): (new status, roles)}.

Applications and amendments share it. ``edit`` keeps the status (it changes the working copy);
every other action moves the application. A role not listed is refused (403), an action not
listed for the current status is refused (409 naming the status).
"""

from __future__ import annotations

from flask_babel import lazy_gettext

from ..auth.models import Role, User
from ..platform.errors import Forbidden, InvalidTransition
from .models import ApplicationStatus as S

KOMMUNE = frozenset({Role.KOMMUNE})
ADMIN = frozenset({Role.PROGRAMME_ADMIN})

TRANSITIONS: dict[tuple[S, str], tuple[S, frozenset[Role]]] = {
    (S.DRAFT, "edit"): (S.DRAFT, KOMMUNE),
    (S.DRAFT, "submit"): (S.SUBMITTED, KOMMUNE),
    (S.DRAFT, "withdraw"): (S.WITHDRAWN, KOMMUNE),
    (S.SUBMITTED, "request_changes"): (S.CHANGES_REQUESTED, ADMIN),
    (S.SUBMITTED, "approve"): (S.APPROVED, ADMIN),
    (S.SUBMITTED, "reject"): (S.REJECTED, ADMIN),
    (S.SUBMITTED, "withdraw"): (S.WITHDRAWN, KOMMUNE),
    (S.CHANGES_REQUESTED, "edit"): (S.CHANGES_REQUESTED, KOMMUNE),
    (S.CHANGES_REQUESTED, "submit"): (S.SUBMITTED, KOMMUNE),
    (S.CHANGES_REQUESTED, "withdraw"): (S.WITHDRAWN, KOMMUNE),
    # a withdrawn or rejected application can be taken up again: a new working copy of the last content
    (S.WITHDRAWN, "reapply"): (S.DRAFT, KOMMUNE),
    (S.REJECTED, "reapply"): (S.DRAFT, KOMMUNE),
}
ACTIONS = sorted({action for _status, action in TRANSITIONS})
ACTION_LABELS = {
    "edit": lazy_gettext("bearbeiten"),
    "submit": lazy_gettext("einreichen"),
    "withdraw": lazy_gettext("zurückziehen"),
    "request_changes": lazy_gettext("Änderungen anfordern"),
    "approve": lazy_gettext("bewilligen"),
    "reject": lazy_gettext("ablehnen"),
    "reapply": lazy_gettext("erneut beantragen"),
}
# the same actions in an application's history: what happened (past participle), not what one may do
EVENT_LABELS = {
    "create": lazy_gettext("angelegt"),
    "edit": lazy_gettext("bearbeitet"),
    "submit": lazy_gettext("eingereicht"),
    "withdraw": lazy_gettext("zurückgezogen"),
    "request_changes": lazy_gettext("Änderungen angefordert"),
    "approve": lazy_gettext("bewilligt"),
    "reject": lazy_gettext("abgelehnt"),
    "reapply": lazy_gettext("erneut aufgenommen"),
}


def next_status(status: S, action: str, actor: User) -> S:
    """The status after ``action``; raises InvalidTransition (409) or Forbidden (403)."""
    rule = TRANSITIONS.get((status, action))
    if rule is None:
        raise InvalidTransition(ACTION_LABELS.get(action, action), status.value, status.label)
    new_status, roles = rule
    if actor is None or actor.role not in roles:
        raise Forbidden(f"Ihre Rolle darf die Aktion „{ACTION_LABELS.get(action, action)}“ nicht ausführen.")
    return new_status


def allowed_actions(status: S, actor: User | None) -> list[str]:
    """The actions ``actor`` may fire now (for buttons and the API's ``allowed_actions``)."""
    if actor is None:
        return []
    return [action for (state, action), (_new, roles) in TRANSITIONS.items() if state == status and actor.role in roles]

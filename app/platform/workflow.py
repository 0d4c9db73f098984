"""One workflow engine for every object that has a status.

A workflow is a declared table ``{(state, action): (new state, roles)}`` plus a label per action.
Services call :meth:`Workflow.check` before they change the status; pages and the API ask
:meth:`Workflow.allowed_actions` which buttons/``allowed_actions`` to offer, so the three never
disagree. The check order is the same everywhere:

1. the actor's role never fires this action (in any state) → ``Forbidden`` (403);
2. the action is not possible in the current state → ``InvalidTransition`` (409, naming the state);
3. the action is possible in this state, but not for this role → ``Forbidden`` (403).

``system=True`` (the scheduler, batch releases) skips the role checks. A state may be ``None``
(e.g. "no proof of use yet"); ``none_label`` names it in messages.

Example::

    DRAWDOWN = Workflow("drawdown", {
        (S.REQUESTED, "approve"): (S.APPROVED, FINANCE),
        (S.REQUESTED, "withdraw"): (S.WITHDRAWN, KOMMUNE),
    }, labels={"approve": lazy_gettext("genehmigen"), "withdraw": lazy_gettext("zurückziehen")})

    new_status = DRAWDOWN.check(item.status, "approve", actor)
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import Forbidden, InvalidTransition

NOT_ALLOWED = "Sie haben keine Berechtigung für diese Aktion."


@dataclass(frozen=True)
class Workflow:
    name: str
    transitions: Mapping[tuple[Any, str], tuple[Any, frozenset]]
    labels: Mapping[str, Any]  # action → label (lazy_gettext: translated when shown)
    none_label: str = "–"
    _roles_by_action: dict[str, frozenset] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        roles: dict[str, set] = {}
        for (_state, action), (_new, allowed) in self.transitions.items():
            roles.setdefault(action, set()).update(allowed)
        missing = sorted(set(roles) - set(self.labels))
        if missing:
            raise ValueError(f"workflow {self.name}: actions without a label: {missing}")
        object.__setattr__(self, "_roles_by_action", {a: frozenset(r) for a, r in roles.items()})

    @property
    def actions(self) -> list[str]:
        return sorted(self._roles_by_action)

    def label(self, action: str) -> str:
        return str(self.labels.get(action, action))

    def check(self, state: Hashable, action: str, actor, *, system: bool = False):
        """The state after ``action``; raises Forbidden (403) or InvalidTransition (409) in the order above."""
        role = getattr(actor, "role", None)
        if not system and role not in self._roles_by_action.get(action, frozenset()):
            raise Forbidden(NOT_ALLOWED)
        rule = self.transitions.get((state, action))
        if rule is None:
            raise InvalidTransition(self.label(action), _value(state), _label(state, self.none_label))
        new_state, roles = rule
        if not system and role not in roles:
            raise Forbidden(NOT_ALLOWED)
        return new_state

    def allowed_actions(self, state: Hashable, actor, among: Iterable[str] | None = None) -> list[str]:
        """The actions ``actor`` may fire in ``state`` (table order), optionally only those ``among``."""
        role = getattr(actor, "role", None)
        if role is None:
            return []
        wanted = set(among) if among is not None else None
        return [action for (s, action), (_new, roles) in self.transitions.items()
                if s == state and role in roles and (wanted is None or action in wanted)]


def _value(state) -> str:
    return "none" if state is None else str(getattr(state, "value", state))


def _label(state, none_label: str) -> str:
    return none_label if state is None else str(getattr(state, "label", _value(state)))

"""The sketch workflow table: every (status, action, role) against ``workflow.SKETCH``, and the
reachable states through the API (allowed, 403 for the role, 404 for another organisation, 409)."""

from __future__ import annotations

import pytest

from app.auth.models import Role
from app.auth.permissions import PERMISSIONS
from app.innovationsfonds import permissions as if_permissions  # noqa: F401 - declares the actions
from app.innovationsfonds import workflow
from app.innovationsfonds.models import Sketch, SketchStatus
from app.platform import clock
from app.platform.errors import Forbidden, InvalidTransition
from app.platform.extensions import db
from tests.innovationsfonds.conftest import AFTER, DURING


class _Actor:
    def __init__(self, role: Role) -> None:
        self.role = role


def check_rule(flow, status, action: str, role: Role) -> None:
    """``flow.check(status, action, actor)`` answers exactly as its table says, in the engine's order: a role
    that never fires the action 403, an action impossible in this state 409, a role not allowed here 403."""
    rule = flow.transitions.get((status, action))
    fires_ever = any(role in roles for (_s, a), (_new, roles) in flow.transitions.items() if a == action)
    if not fires_ever:
        with pytest.raises(Forbidden):
            flow.check(status, action, _Actor(role))
    elif rule is None:
        with pytest.raises(InvalidTransition) as raised:
            flow.check(status, action, _Actor(role))
        assert raised.value.extra["current_status"] == status.value
    elif role not in rule[1]:
        with pytest.raises(Forbidden):
            flow.check(status, action, _Actor(role))
    else:
        assert flow.check(status, action, _Actor(role)) is rule[0]
    assert (action in flow.allowed_actions(status, _Actor(role))) == (rule is not None and role in rule[1])


@pytest.mark.parametrize("status", list(SketchStatus))
@pytest.mark.parametrize("action", workflow.SKETCH.actions)
@pytest.mark.parametrize("role", list(Role))
def test_every_status_action_role(status, action, role):
    check_rule(workflow.SKETCH, status, action, role)


def test_the_system_fires_eligibility_without_a_role():
    assert workflow.SKETCH.check(SketchStatus.SUBMITTED, "declare_ineligible", None, system=True) \
        is SketchStatus.INELIGIBLE


def test_transition_roles_fit_the_permissions():
    endpoint_permission = {"edit": "innovationsfonds.apply", "submit": "innovationsfonds.apply",
                           "withdraw": "innovationsfonds.apply", "declare_eligible": "innovationsfonds.manage",
                           "declare_ineligible": "innovationsfonds.manage", "select": "innovationsfonds.manage",
                           "wait": "innovationsfonds.manage", "reject": "innovationsfonds.manage",
                           "promote": "innovationsfonds.manage", "fund": "innovationsfonds.manage",
                           "drop": "innovationsfonds.manage"}
    for (_status, action), (_new, roles) in workflow.SKETCH.transitions.items():
        assert roles <= PERMISSIONS[endpoint_permission[action]].roles


ENDPOINTS = {  # action -> (method, path, body)
    "edit": ("patch", "", {"title": "Neuer Titel"}),
    "submit": ("post", "/submit", None),
    "withdraw": ("post", "/withdraw", None),
    "declare_eligible": ("post", "/eligibility", {"eligible": True, "reason": "Geprüft."}),
    "declare_ineligible": ("post", "/eligibility", {"eligible": False, "reason": "Zielgruppe verfehlt."}),
}
ROLES = ["rev1", "finance", "auditor", "kommune", "other_org", "admin", "org"]
PERMISSION_OF = {"edit": "innovationsfonds.apply", "submit": "innovationsfonds.apply",
                 "withdraw": "innovationsfonds.apply", "declare_eligible": "innovationsfonds.manage",
                 "declare_ineligible": "innovationsfonds.manage"}
STATES = ["draft", "submitted", "eligible", "ineligible", "withdrawn"]


def _state(small, state: str) -> int:
    if state == "draft":
        return small.draft()
    if state == "withdrawn":
        sketch_id = small.submitted()
        with clock.freeze(DURING):
            assert small.api["org"].post(f"/api/v1/innovationsfonds/sketches/{sketch_id}/withdraw").status_code == 200
        return sketch_id
    if state == "submitted":
        return small.submitted()
    sketch_id = small.submitted()
    if state == "ineligible":  # above the maximum, changed behind the form (submission refuses it)
        db.session.get(Sketch, sketch_id).requested_cents = 60_000_000
        db.session.commit()
    small.close()
    return sketch_id


def _expected(state: str, action: str, who: str) -> int:
    role = {"rev1": "reviewer", "other_org": "organisation", "org": "organisation", "admin": "programme_admin"}.get(
        who, who)
    if Role(role) not in PERMISSIONS[PERMISSION_OF[action]].roles:
        return 403
    if who == "other_org":
        return 404
    rule = workflow.SKETCH.transitions.get((SketchStatus(state), action))
    if rule is None:
        return 409
    return 200 if Role(role) in rule[1] else 403


@pytest.mark.parametrize("action", list(ENDPOINTS))
@pytest.mark.parametrize("state", STATES)
def test_reachable_states_through_the_api(small, state, action):
    sketch_id = _state(small, state)
    method, path, body = ENDPOINTS[action]
    moment = DURING if state in ("draft", "submitted") else AFTER
    if state == "withdrawn":
        moment = DURING
    for who in sorted(ROLES, key=lambda w: _expected(state, action, w) < 400):
        kwargs = {"json": body} if body is not None else {}
        with clock.freeze(moment):
            response = getattr(small.api[who], method)(f"/api/v1/innovationsfonds/sketches/{sketch_id}{path}",
                                                       **kwargs)
        expected = _expected(state, action, who)
        assert response.status_code == expected, (state, action, who, response.json)
        current = small.api["admin"].get(f"/api/v1/innovationsfonds/sketches/{sketch_id}").json["status"]
        if expected >= 400:
            assert current == state
        else:
            assert current == workflow.SKETCH.transitions[(SketchStatus(state), action)][0].value

"""Every (status, action) × every role through the API: allowed, or 403 (role), 404 (foreign
Kommune), 409 (state naming the current status)."""

import pytest

from app.auth.models import Role
from app.auth.permissions import PERMISSIONS
from app.grants import permissions as grant_permissions  # noqa: F401 - declares the actions
from app.grants import workflow
from app.grants.models import ApplicationStatus
from tests.grants.conftest import draft_body

STATES = [s.value for s in ApplicationStatus if s is not ApplicationStatus.SUBMITTED] + ["submitted"]
ENDPOINTS = {  # action -> (method, path, body, permission)
    "edit": ("put", "draft", draft_body(), "grants.apply"),
    "submit": ("post", "submit", None, "grants.apply"),
    "withdraw": ("post", "withdraw", None, "grants.apply"),
    "request_changes": ("post", "request-changes", {"comment": "Bitte ergänzen."}, "grants.decide"),
    "approve": ("post", "approve", {}, "grants.decide"),
    "reject": ("post", "reject", {"reason": "Nicht förderfähig."}, "grants.decide"),
    "reapply": ("post", "reapply", None, "grants.apply"),
}
ROLES = ["reviewer", "organisation", "finance", "auditor", "foreign", "programme_admin", "kommune"]


def test_the_table_names_every_action_with_an_endpoint():
    assert set(workflow.APPLICATION.actions) == set(ENDPOINTS)
    for (_status, action), (_new, roles) in workflow.APPLICATION.transitions.items():
        assert roles <= PERMISSIONS[ENDPOINTS[action][3]].roles


def _expected(state: str, action: str, role: str) -> int:
    permission = PERMISSIONS[ENDPOINTS[action][3]]
    real_role = "kommune" if role == "foreign" else role
    if Role(real_role) not in permission.roles:
        return 403
    if role == "foreign":
        return 404
    rule = workflow.APPLICATION.transitions.get((ApplicationStatus(state), action))
    if rule is None:
        return 409
    return 403 if Role(real_role) not in rule[1] else (201 if action in ("approve", "reject") else 200)


@pytest.mark.parametrize("action", list(ENDPOINTS))
@pytest.mark.parametrize("state", STATES)
def test_transition_for_every_role(flow, state, action):
    app_id = flow.in_state(state)
    method, path, body, _permission = ENDPOINTS[action]
    roles = sorted(ROLES, key=lambda r: _expected(state, action, r) < 400)
    for role in roles:  # refusals first: they must change nothing; the allowed role comes last
        kwargs = {"json": body} if body is not None else {}
        response = getattr(flow.api[role], method)(f"/api/v1/applications/{app_id}/{path}", **kwargs)
        expected = _expected(state, action, role)
        assert response.status_code == expected, (state, action, role, response.json)
        current = flow.api["programme_admin"].get(f"/api/v1/applications/{app_id}").json["status"]
        if expected >= 400:
            assert response.mimetype == "application/problem+json"
            assert current == state, (state, action, role)
        else:
            new_status = workflow.APPLICATION.transitions[(ApplicationStatus(state), action)][0]
            assert current == new_status.value
        if expected == 409:
            assert response.json["current_status"] == state


@pytest.mark.parametrize("role,status", [("kommune", 200), ("foreign", 404), ("programme_admin", 200),
                                         ("finance", 200), ("auditor", 200), ("reviewer", 403),
                                         ("organisation", 403)])
def test_reading_an_application(flow, role, status):
    app_id = flow.in_state("approved")
    for path in ("", "/diff", "/revisions/1"):
        assert flow.api[role].get(f"/api/v1/applications/{app_id}{path}").status_code == status, path
    decision_id = flow.api["kommune"].get(f"/api/v1/applications/{app_id}").json["decision_ids"][0]
    assert flow.api[role].get(f"/api/v1/decisions/{decision_id}").status_code == status


def test_lists_are_scoped_to_the_own_kommune(flow):
    own = flow.in_state("submitted")
    listed = flow.api["foreign"].get("/api/v1/applications").json
    assert own not in [a["id"] for a in listed]
    assert [a["id"] for a in flow.api["kommune"].get("/api/v1/applications").json] == [own]
    queue = flow.api["programme_admin"].get("/api/v1/applications?status=submitted").json
    assert [a["id"] for a in queue] == [own]
    assert flow.api["programme_admin"].get("/api/v1/applications?status=approved").json == []
    assert flow.api["foreign"].get("/api/v1/decisions").json == []


def test_amendments_only_for_the_own_approved_application(flow):
    app_id = flow.in_state("submitted")
    assert flow.api["kommune"].post(f"/api/v1/applications/{app_id}/amendments").status_code == 409
    assert flow.api["foreign"].post(f"/api/v1/applications/{app_id}/amendments").status_code == 404
    assert flow.api["programme_admin"].post(f"/api/v1/applications/{app_id}/amendments").status_code == 403

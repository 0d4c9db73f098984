"""The authorization matrix: every route, every role, against the declared permission table.

Each endpoint must name its permission with ``@requires`` (a new route without an entry fails
here). Then every route is called as every role with placeholder ids and an empty body:
* a role outside the permission's roles gets 403 (pages and API alike), before any lookup or
  validation, so nothing about the object leaks;
* a role inside gets anything but 403 and never a 5xx (404 for the placeholder object, 422 for
  the empty body, 200 for lists ...).
Ownership (own vs. another Kommune's object → 404) is tested per domain with real objects.
"""

from __future__ import annotations

import re

import pytest

from app.auth.models import Role
from app.auth.permissions import PERMISSIONS, PUBLIC

ROLES = [r.value for r in Role]
SKIP_ENDPOINTS = {"static"}
_PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _fill(rule: str) -> str:
    def value(match: re.Match) -> str:
        converter = match.group(1) or "string"
        if converter in ("int", "id"):  # id: the platform's positive-id converter
            bound = re.search(r"max=(\d+)", match.group(0))
            return str(min(999999, int(bound.group(1)))) if bound else "999999"
        if converter == "any":
            return re.search(r"any\(([^,)]+)", match.group(0)).group(1).strip()
        length = re.search(r"length=(\d+)", match.group(0))
        return "9" * int(length.group(1)) if length else "x"

    return _PLACEHOLDER.sub(value, rule)


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, view, method


def test_every_route_declares_a_permission(app):
    missing = []
    for rule, view, _method in _routes(app):
        permission = getattr(view, "required_permission", None)
        if permission is None and rule.endpoint != "api-docs.openapi_json":
            missing.append(f"{rule.endpoint} {rule.rule}")
        elif permission not in (None, PUBLIC):
            assert permission in PERMISSIONS
    assert missing == [], "routes without @requires(...): " + ", ".join(missing)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_table_says(app, make_user, api, client, role):
    user = make_user(role)
    api_client = api(user)
    client.login(user)
    surprises = []
    for rule, view, method in _routes(app):
        permission = getattr(view, "required_permission", None)
        if permission in (None, PUBLIC) or rule.endpoint in ("auth.logout",):
            continue
        url = _fill(rule.rule)
        allowed = Role(role) in PERMISSIONS[permission].roles
        if url.startswith("/api/"):
            response = api_client._call(method.lower(), url, json={} if method != "GET" else None)
        elif method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={}) if method == "POST" else client.client.open(url, method=method)
        status = response.status_code
        if status >= 500 or (allowed and status == 403) or (not allowed and status != 403):
            surprises.append(f"{method} {rule.rule} as {role}: {status} (allowed={allowed})")
    assert surprises == []

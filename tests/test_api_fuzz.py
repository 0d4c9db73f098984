"""Bounded fuzzing of the whole OpenAPI spec (schemathesis), authenticated as each role.

Every operation is called with generated input: the service must never answer 5xx, and every
response must match the documented schema and status codes. CI runs a few examples per
operation; ``bench/fuzz_long.sh`` runs the long version and records the result.
"""

from __future__ import annotations

import atexit
import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from app.auth.models import Role

schema = schemathesis.pytest.from_fixture("api_schema")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
# "Schema-valid input must be accepted" cannot hold for business rules the OpenAPI document
# cannot express (a referenced record must exist, a ceiling must be published, an amount must
# fit the ceiling): those are 404/409/422 with a problem+json body, by design.
BUSINESS_RULE_CHECKS = [checks.positive_data_acceptance]


# CI fuzzes as three roles; the recorded long run (bench/fuzz_long.sh) sets FUZZ_ALL_ROLES=1 and
# sends every case as every role.
FUZZ_ROLES = (
    [role.value for role in Role]
    if os.environ.get("FUZZ_ALL_ROLES") == "1"
    else [Role.PROGRAMME_ADMIN.value, Role.KOMMUNE.value, Role.FINANCE.value]
)


# Cases sent per role; the long run prints the totals for its record (bench/fuzz_long.sh).
CALLS: Counter[str] = Counter()
if os.environ.get("FUZZ_COUNT_CALLS") == "1":
    atexit.register(lambda: print(f"# fuzz calls per role: {dict(CALLS)}, total {sum(CALLS.values())}"))


@pytest.fixture()
def fuzz_users(app, make_user):
    """One user per fuzzed role (a lazily loaded schema cannot be combined with params)."""
    return [make_user(role) for role in FUZZ_ROLES]


def _fresh_headers(user) -> dict:
    """A new token per call: the fuzzer may revoke the token it was given (DELETE /tokens/{id})."""
    from app.auth.services import create_token
    from app.platform.extensions import db

    _token, secret = create_token(user, "fuzz")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture()
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


@pytest.mark.slow  # minutes per engine: scheduled first (tests/conftest.py)
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_spec(case, fuzz_users):
    for user in fuzz_users:
        CALLS[str(user.role.value)] += 1
        case.call_and_validate(headers=_fresh_headers(user), excluded_checks=BUSINESS_RULE_CHECKS)

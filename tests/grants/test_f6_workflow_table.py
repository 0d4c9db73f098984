"""Every (status, action, role) of an F6 application through the service functions: the answer follows the
applications' table ``workflow.APPLICATION`` (docs/f6.md): done, 403 (role) or 409 (status)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.grants import f6
from app.grants.models import ApplicationStatus as S
from app.grants.workflow import APPLICATION
from app.platform import clock
from app.platform.errors import Forbidden, InvalidTransition
from app.platform.extensions import db
from app.reference.services import get_programme

CALLS = {
    "edit": lambda a, user: f6.save_f6(user, get_programme(), positions=Decimal(1), cost_mode="rate",
                                       monthly_cost_cents=400_000),
    "submit": lambda a, user: f6.submit_f6(a.id, user),
    "withdraw": lambda a, user: f6.withdraw_f6(a.id, user),
    "reapply": lambda a, user: f6.reapply_f6(a.id, user),
    "request_changes": lambda a, user: f6.request_changes_f6(a.id, user, "Bitte ergänzen."),
    "approve": lambda a, user: f6.approve_f6(a.id, user),
    "reject": lambda a, user: f6.reject_f6(a.id, user, "Nicht förderfähig."),
}
SETUP = {S.DRAFT: [], S.SUBMITTED: ["submit"], S.CHANGES_REQUESTED: ["submit", "request_changes"],
         S.APPROVED: ["submit", "approve"], S.REJECTED: ["submit", "reject"], S.WITHDRAWN: ["withdraw"]}


@pytest.mark.parametrize("status", list(SETUP))
def test_every_action_and_role_in(status, f6_world, make_user):
    users = {"kommune": f6_world["kommune"], "programme_admin": f6_world["admin"],
             "finance": f6_world["finance"]}
    with clock.freeze(date(2020, 12, 1)):
        application = CALLS["edit"](None, users["kommune"])
        for action in SETUP[status]:
            CALLS[action](application, users["kommune" if action in ("submit", "withdraw") else "programme_admin"])
        db.session.commit()
        assert application.status is status
        for action, call in CALLS.items():
            for role, user in users.items():
                rule = APPLICATION.transitions.get((status, action))
                savepoint = db.session.begin_nested()
                try:
                    call(application, user)
                    outcome = "done"
                except Forbidden:
                    outcome = 403
                except InvalidTransition:
                    outcome = 409
                savepoint.rollback()
                db.session.expire_all()
                ever = {r for (_state, name), (_new, roles) in APPLICATION.transitions.items() if name == action
                        for r in roles}
                if user.role not in ever:
                    expected = 403  # a role that never fires the action learns nothing about the status
                elif rule is None:
                    expected = 409
                else:
                    expected = "done" if user.role in rule[1] else 403
                assert outcome == expected, (status, action, role)

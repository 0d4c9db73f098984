"""Workflow tables: every (status, action, role) of drawdowns and proofs of use, allowed or refused."""

from __future__ import annotations

from datetime import date

import pytest

from app.auth.models import Role
from app.budgets import services
from app.budgets.models import DrawdownStatus, ProofStatus
from app.budgets.verify import verify_ledger
from app.budgets.workflow import DRAWDOWN, PROOF
from app.platform import clock
from app.platform.errors import Forbidden, InvalidTransition
from app.platform.extensions import db
from app.reference.services import get_programme

ROLES = [r.value for r in Role]


def _grant_for(user, make_grant):
    if user.role == Role.ORGANISATION:
        grant = services.set_commitment(
            programme_id=get_programme().id, source=f"project:{user.organisation_id}", reference="IF-1",
            recipient_kind="organisation", organisation_id=user.organisation_id, funding_rate_bp=8000,
            start_date=date(2020, 7, 1), last_expense_date=date(2023, 6, 30), lines={("F5", 2021): 1_000_000})
        db.session.commit()
        return grant, user, "F5"
    return make_grant(lines={("F1", 2021): 1_000_000}), None, "F1"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", DRAWDOWN.actions)
@pytest.mark.parametrize("status", list(DrawdownStatus))
def test_drawdown_workflow_table(app, make_user, make_grant, status, action, role):
    actor = make_user(role)
    grant, requester, module = _grant_for(actor, make_grant)
    requester = requester or make_user("kommune")
    finance, payer = make_user("finance"), make_user("finance")  # four eyes: approver and payer differ
    with clock.freeze(date(2021, 5, 1)):
        drawdown = services.request_drawdown(grant, module=module, amount_cents=100_000, purpose="Test",
                                             actor=requester)
        if status in (DrawdownStatus.APPROVED, DrawdownStatus.PAID):
            services.decide_drawdown(drawdown, "approve", actor=finance, amount_cents=80_000, reason="Bedarf geringer")
        if status == DrawdownStatus.PAID:
            services.pay_drawdown(drawdown, actor=payer, value_date=date(2021, 5, 3), reference="KZ")
        if status == DrawdownStatus.REJECTED:
            services.decide_drawdown(drawdown, "reject", actor=finance, reason="zu früh")
        if status == DrawdownStatus.WITHDRAWN:
            services.decide_drawdown(drawdown, "withdraw", actor=requester)
        db.session.commit()
        rule = DRAWDOWN.transitions.get((status, action))
        fires_somewhere = any(role in roles for (_s, a), (_n, roles) in DRAWDOWN.transitions.items() if a == action)

        def run():
            if action == "pay":
                return services.pay_drawdown(drawdown, actor=actor, value_date=date(2021, 5, 3), reference="KZ")
            return services.decide_drawdown(drawdown, action, actor=actor, reason="Begründung")

        if rule is not None and role in rule[1]:
            assert run().status == rule[0]
            db.session.commit()
        elif not fires_somewhere or rule is not None:
            with pytest.raises(Forbidden):
                run()
        else:
            with pytest.raises(InvalidTransition) as refused:
                run()
            assert refused.value.extra["current_status"] == status.value
        db.session.rollback()
    assert verify_ledger() == []


PROOF_STATES = [None, ProofStatus.SUBMITTED, ProofStatus.DECIDED]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["submit", "mark_ineligible", "decide"])
@pytest.mark.parametrize("state", PROOF_STATES, ids=["none", "submitted", "decided"])
def test_proof_workflow_table(app, make_user, make_grant, state, action, role):
    actor = make_user(role)
    grant, owner, module = _grant_for(actor, make_grant)
    owner = owner or make_user("kommune")
    admin = make_user("programme_admin")
    with clock.freeze(date(2022, 5, 1)):
        expense = services.record_expense(grant, actor=owner, module=module, expense_date=date(2021, 4, 1),
                                          amount_cents=50_000)
    with clock.freeze(date(2023, 7, 15)):
        if state is not None:
            services.submit_proof(grant, narrative="Bericht", confirmed=True, actor=owner)
        if state == ProofStatus.DECIDED:
            services.decide_final(grant, actor=admin)
        db.session.commit()
        rule = PROOF.transitions.get((state, action))
        fires = any(role in roles for (_s, a), (_n, roles) in PROOF.transitions.items() if a == action)

        def run():
            if action == "submit":
                return services.submit_proof(grant, narrative="Bericht", confirmed=True, actor=actor)
            if action == "decide":
                return services.decide_final(grant, actor=actor)
            return services.mark_ineligible(expense, reason="Beleg fehlt", actor=actor)

        if rule is not None and role in rule[1]:
            run()
            db.session.commit()
        elif not fires or rule is not None:
            with pytest.raises(Forbidden):
                run()
        else:
            with pytest.raises(InvalidTransition):
                run()
        db.session.rollback()
    assert verify_ledger() == []

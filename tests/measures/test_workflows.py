"""Status tables: every (status, action, role) of measures, forwarding contracts and the provider's proof."""

from __future__ import annotations

from datetime import date

import pytest

from app.auth.models import Role
from app.measures import forwarding, services
from app.measures.models import ContractStatus, MeasureStatus, ProofStatus
from app.measures.workflow import CONTRACT, MEASURE, PROOF
from app.platform.errors import Forbidden, InvalidTransition
from app.platform.extensions import db
from tests.measures.conftest import MEASURE as MEASURE_FIELDS

ROLES = list(Role)


def _expect(workflow, state, action, role, run):
    """Run ``run()`` and check its outcome against the table (allowed, 403 or 409 naming the state)."""
    rule = workflow.transitions.get((state, action))
    fires_somewhere = any(role in roles for (_s, a), (_n, roles) in workflow.transitions.items() if a == action)
    if rule is not None and role in rule[1]:
        run()
    elif not fires_somewhere or rule is not None:
        with pytest.raises(Forbidden):
            run()
    else:
        with pytest.raises(InvalidTransition) as refused:
            run()
        assert refused.value.extra["current_status"] == (state.value if state else "none")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["edit", "activate", "finish", "cancel"])
@pytest.mark.parametrize("status", list(MeasureStatus))
def test_measure_table(app, make_user, make_measure, status, action, role):
    owner = make_user("kommune")
    measure = make_measure(owner)
    measure.status = status
    actor = owner if role is Role.KOMMUNE else make_user(role.value)

    def run():
        if action == "edit":
            services.update_measure(measure, actor, {**MEASURE_FIELDS, "title": "Neu"})
            assert measure.title == "Neu"
        else:
            services.change_status(measure, action, actor)
            assert measure.status is MEASURE.transitions[(status, action)][0]

    _expect(MEASURE, status, action, role, run)
    db.session.rollback()


def _contract(make_user, make_measure, make_provider, make_grant):
    kommune = make_user("kommune")
    make_grant()
    organisation, provider = make_provider()
    measure = make_measure(kommune)
    contract = forwarding.request_contract(kommune, {
        "measure_id": measure.id, "organisation_id": organisation.id, "amount_cents": 1_000_000,
        "start_date": date(2021, 3, 1), "end_date": date(2021, 12, 31)})
    db.session.commit()
    return contract, kommune, provider


def _actor(role, kommune, provider, make_user):
    return {Role.KOMMUNE: kommune, Role.ORGANISATION: provider}.get(role) or make_user(role.value)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["consent", "refuse", "withdraw"])
@pytest.mark.parametrize("status", list(ContractStatus))
def test_contract_table(app, make_user, make_measure, make_provider, make_grant, status, action, role):
    contract, kommune, provider = _contract(make_user, make_measure, make_provider, make_grant)
    contract.status = status
    actor = _actor(role, kommune, provider, make_user)

    def run():
        forwarding.decide(contract, action, actor, reason="Begründung")
        assert contract.status is CONTRACT.transitions[(status, action)][0]

    _expect(CONTRACT, status, action, role, run)
    db.session.rollback()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["submit", "accept", "return"])
@pytest.mark.parametrize("state", [None, *ProofStatus], ids=["none", *[s.value for s in ProofStatus]])
def test_proof_table(app, make_user, make_measure, make_provider, make_grant, state, action, role):
    contract, kommune, provider = _contract(make_user, make_measure, make_provider, make_grant)
    contract.status, contract.proof_status = ContractStatus.CONSENTED, state
    actor = _actor(role, kommune, provider, make_user)

    def run():
        forwarding.proof(contract, action, actor, {"proof_expenses_cents": 900_000, "reason": "fehlt"})
        assert contract.proof_status is PROOF.transitions[(state, action)][0]

    _expect(PROOF, state, action, role, run)
    db.session.rollback()

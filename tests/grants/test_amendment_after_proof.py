"""After the proof of use, the approval it accounts for is fixed: no amendment, no commitment change."""

from __future__ import annotations

from datetime import date

import pytest

from app.budgets import services as budget_services
from app.budgets.services import grant_for_source
from app.grants.services import commitment_source, get_application
from app.platform import clock
from app.platform.errors import Conflict
from app.platform.extensions import db
from tests.budgets.conftest import make_grant, overpaid_grant  # noqa: F401 - fixture


def test_a_commitment_cannot_change_once_the_proof_of_use_is_in(app, make_user, make_grant):  # noqa: F811
    kommune, finance = make_user("kommune"), make_user("finance")
    grant = overpaid_grant(make_grant, kommune, finance)  # proof of use submitted on 10.07.2023
    lines = {(line.module_code, line.budget_year): line.approved_cents for line in grant.lines}
    with clock.freeze(date(2023, 7, 20)), pytest.raises(Conflict, match="Verwendungsnachweis eingereicht"):
        budget_services.set_commitment(programme_id=grant.programme_id, source=grant.source,
                                       reference=grant.reference, recipient_kind="kommune",
                                       kommune_id=grant.kommune_id, funding_rate_bp=grant.funding_rate_bp,
                                       start_date=grant.start_date, last_expense_date=grant.last_expense_date,
                                       lines={key: cents + 100_00 for key, cents in lines.items()})
    db.session.rollback()
    assert {(line.module_code, line.budget_year): line.approved_cents for line in grant.lines} == lines


def test_no_amendment_after_the_proof_of_use(app, flow):
    """The Kommune is told at once, through the API, not only when the administration decides."""
    app_id = flow.in_state("approved")
    kommune = flow.users["kommune"]
    grant = grant_for_source(commitment_source(get_application(app_id, kommune)))
    started = flow.api["kommune"].post(f"/api/v1/applications/{app_id}/amendments")
    assert started.status_code == 201, started.json
    with clock.freeze(date(2023, 7, 10)):
        budget_services.submit_proof(grant, narrative="Sachbericht", confirmed=True, actor=kommune)
    db.session.commit()
    with clock.freeze(date(2023, 7, 11)):
        submitted = flow.api["kommune"].post(f"/api/v1/applications/{started.json['id']}/submit")
    assert submitted.status_code == 409 and "Verwendungsnachweis" in submitted.json["detail"]
    db.session.rollback()
    flow.api["kommune"].post(f"/api/v1/applications/{started.json['id']}/withdraw")
    again = flow.api["kommune"].post(f"/api/v1/applications/{app_id}/amendments")
    assert again.status_code == 409 and "Verwendungsnachweis" in again.json["detail"]

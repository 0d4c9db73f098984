"""The full application (Vollantrag) of a selected sketch: its workflow table (status, action, role),
the round trip through the API (changes requested with a reason, resubmission, approval once per
Idempotency-Key) and through the pages (German form, errors beside the fields, confirmations)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.auth.models import Role
from app.auth.permissions import PERMISSIONS
from app.budgets.models import Grant
from app.innovationsfonds import workflow
from app.innovationsfonds.models import FullApplicationStatus, ProjectDecision, Sketch, SketchStatus
from app.platform import clock
from app.platform.audit import AuditEntry
from app.platform.extensions import db
from tests.innovationsfonds.conftest import AFTER
from tests.innovationsfonds.test_workflow_table import check_rule

BASE = "/api/v1/innovationsfonds/sketches"
APPLICATION = {"lines": [{"year": 2020, "amount": "50000.00"}, {"year": 2021, "amount": "100000.00"}],
               "start_date": "2020-09-01", "end_date": "2021-12-31", "description": "Arbeitsplan"}


@pytest.mark.parametrize("status", list(FullApplicationStatus))
@pytest.mark.parametrize("action", workflow.FULL_APPLICATION.actions)
@pytest.mark.parametrize("role", list(Role))
def test_every_full_application_status_action_role(status, action, role):
    check_rule(workflow.FULL_APPLICATION, status, action, role)


def test_full_application_roles_fit_the_permissions():
    permission = {"submit": "innovationsfonds.apply", "request_changes": "innovationsfonds.manage",
                  "approve": "innovationsfonds.manage", "reject": "innovationsfonds.manage"}
    for (_status, action), (_new, roles) in workflow.FULL_APPLICATION.transitions.items():
        assert roles <= PERMISSIONS[permission[action]].roles


def test_changes_requested_leads_only_to_resubmission_or_rejection():
    """Never straight to approval; the rejection of an unrevised application waits for the deadline (projects.py)."""
    assert {a for (s, a) in workflow.FULL_APPLICATION.transitions if s is FullApplicationStatus.CHANGES_REQUESTED} \
        == {"submit", "reject"}
    for final in (FullApplicationStatus.APPROVED, FullApplicationStatus.REJECTED):
        assert not [a for (s, a) in workflow.FULL_APPLICATION.transitions if s is final]


def test_a_rejection_takes_the_sketch_out_of_the_selection():
    assert workflow.SKETCH.transitions[(SketchStatus.SELECTED, "drop")] == (SketchStatus.REJECTED, workflow.ADMIN)
    assert not [a for (s, a) in workflow.SKETCH.transitions if s is SketchStatus.REJECTED]


@pytest.fixture()
def selected(small):
    """A submitted, eligible sketch that the (released) decision selected."""
    sketch_id = small.submitted()
    small.close()
    sketch = db.session.get(Sketch, sketch_id)
    sketch.full_application_deadline = sketch.call.full_application_deadline
    sketch.status = SketchStatus.SELECTED
    db.session.commit()
    return sketch_id


def _audit_actions(sketch_id: int) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "if_sketch", AuditEntry.object_id == str(sketch_id)).order_by(AuditEntry.id)))


def test_round_trip_through_the_api(small, selected):
    org, admin = small.api["org"], small.api["admin"]
    with clock.freeze(AFTER):
        assert org.put(f"{BASE}/{selected}/full-application", json=APPLICATION).json["status"] == "submitted"
        assert org.post(f"{BASE}/{selected}/full-application/request-changes",
                        json={"reason": "x"}).status_code == 403
        missing = admin.post(f"{BASE}/{selected}/full-application/request-changes", json={"reason": ""})
        assert missing.status_code == 422 and "reason" in missing.json["errors"]
        assert small.api["other_org"].put(f"{BASE}/{selected}/full-application", json=APPLICATION).status_code == 404
        back = admin.post(f"{BASE}/{selected}/full-application/request-changes",
                          json={"reason": "Bitte den Betrag für 2021 begründen."})
        assert back.status_code == 200, back.json
        assert back.json["status"] == "changes_requested"
        assert back.json["changes_reason"] == "Bitte den Betrag für 2021 begründen."
        refused = admin.post(f"{BASE}/{selected}/full-application/approve", json={})
        assert refused.status_code == 409 and refused.json["current_status"] == "changes_requested"
        again = org.put(f"{BASE}/{selected}/full-application", json={**APPLICATION, "lines": [
            {"year": 2020, "amount": "40000.00"}, {"year": 2021, "amount": "90000.00"}]})
        assert again.json["status"] == "submitted" and again.json["total"] == "130000.00"
        approved = admin.post(f"{BASE}/{selected}/full-application/approve", json={})
    assert approved.status_code == 201, approved.json
    assert approved.json["approved"] == "130000.00"
    assert approved.json["side_conditions"] == "ANBest-P"  # a registered club is a private organisation
    assert db.session.get(Sketch, selected).status is SketchStatus.FUNDED
    assert _audit_actions(selected)[-4:] == [f"innovationsfonds.{a}" for a in (
        "full_application.submit", "full_application.request_changes", "full_application.submit", "project.approve")]
    with clock.freeze(AFTER):
        assert org.put(f"{BASE}/{selected}/full-application", json=APPLICATION).status_code == 409


def test_approval_with_an_idempotency_key_books_once(small, selected):
    with clock.freeze(AFTER):
        assert small.api["org"].put(f"{BASE}/{selected}/full-application", json=APPLICATION).status_code == 200
        headers = {"Idempotency-Key": "approve-1"}
        first = small.api["admin"].post(f"{BASE}/{selected}/full-application/approve", json={}, headers=headers)
        retry = small.api["admin"].post(f"{BASE}/{selected}/full-application/approve", json={}, headers=headers)
        other_body = small.api["admin"].post(f"{BASE}/{selected}/full-application/approve",
                                             json={"comment": "anders"}, headers=headers)
        without_key = small.api["admin"].post(f"{BASE}/{selected}/full-application/approve", json={})
    assert first.status_code == 201, first.json
    assert retry.status_code == 201 and retry.json == first.json
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert other_body.status_code == 422 and "Idempotency-Key" in other_body.json["errors"]
    assert without_key.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(ProjectDecision)) == 1
    assert db.session.scalar(select(func.count()).select_from(Grant).where(
        Grant.source == f"if-project:{selected}")) == 1


def test_round_trip_through_the_pages(small, selected, client, people):
    with clock.freeze(AFTER):
        client.login(people["org"])
        page = client.get(f"/innovationsfonds/skizzen/{selected}").get_data(as_text=True)
        assert "Vollantrag stellen" in page
        form = client.get(f"/innovationsfonds/skizzen/{selected}/vollantrag").get_data(as_text=True)
        assert "Haushaltsjahr 2021" in form and "data-confirm" in form
        too_much = client.post(f"/innovationsfonds/skizzen/{selected}/vollantrag", data={
            "line_2020": "150.000,00", "line_2021": "100.000,00", "line_2022": "abc", "start_date": "2020-09-01",
            "end_date": ""})
        assert too_much.status_code == 422
        text = too_much.get_data(as_text=True)
        assert 'id="f-line_2022-error"' in text and 'id="f-end_date-error"' in text
        over = client.post(f"/innovationsfonds/skizzen/{selected}/vollantrag", data={
            "line_2020": "150.000,00", "line_2021": "100.000,00", "start_date": "2020-09-01",
            "end_date": "2021-12-31"})
        assert over.status_code == 422 and "übersteigt den in der Skizze beantragten" in over.get_data(as_text=True)
        ok = client.post(f"/innovationsfonds/skizzen/{selected}/vollantrag", data={
            "line_2020": "50.000,00", "line_2021": "100.000,00", "start_date": "2020-09-01", "end_date": "2021-12-31"})
        assert ok.status_code == 302
        client.client.get("/abmelden")
        client.login(people["admin"])
        page = client.get(f"/innovationsfonds/skizzen/{selected}").get_data(as_text=True)
        assert "150.000,00" in page and "ANBest-P" in page and 'id="approve-form"' in page
        empty = client.post(f"/innovationsfonds/skizzen/{selected}/vollantrag/aenderungen", data={"reason": " "})
        assert empty.status_code == 422 and 'id="f-reason-error"' in empty.get_data(as_text=True)
        asked = client.post(f"/innovationsfonds/skizzen/{selected}/vollantrag/aenderungen",
                            data={"reason": "Meilensteine fehlen."})
        assert asked.status_code == 302
        assert 'id="approve-form"' not in client.get(f"/innovationsfonds/skizzen/{selected}").get_data(as_text=True)
        client.client.get("/abmelden")
        client.login(people["org"])
        form = client.get(f"/innovationsfonds/skizzen/{selected}/vollantrag").get_data(as_text=True)
        assert "Meilensteine fehlen." in form and "50.000,00" in form
        assert client.post(f"/innovationsfonds/skizzen/{selected}/vollantrag", data={
            "line_2020": "50.000,00", "line_2021": "100.000,00", "start_date": "2020-09-01", "end_date": "2021-12-31",
            "description": "Meilensteine: M1 Start, M2 Bilanz."}).status_code == 302
        client.client.get("/abmelden")
        client.login(people["admin"])
        assert client.post(f"/innovationsfonds/skizzen/{selected}/vollantrag/bewilligen",
                           data={"comment": ""}).status_code == 302
        page = client.get(f"/innovationsfonds/skizzen/{selected}").get_data(as_text=True)
    assert "IF-ZB-2020-0001" in page and "bewilligt" in page
    decision = db.session.scalar(select(ProjectDecision).where(ProjectDecision.sketch_id == selected))
    assert decision.approved_cents == 15_000_000 and decision.grant_id is not None

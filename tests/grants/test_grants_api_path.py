"""The whole path through the API: draft → submit → changes → resubmit → approve → decision →
amendment F2 → F4 → changed decision; ceilings, validation, commitments, released money."""

from sqlalchemy import select

from app.budgets.models import Grant
from app.grants.decisions import released_by_kommune
from app.grants.models import Revision
from app.notifications.models import Message
from app.platform.audit import AuditEntry
from app.platform.extensions import db
from app.reference.services import get_programme
from tests.grants.conftest import draft_body, lines_body


def _grant_lines(source):
    grant = db.session.scalar(select(Grant).where(Grant.source == source))
    return grant, {(line.module_code, line.budget_year): line.approved_cents for line in grant.lines
                   if line.approved_cents}


def test_whole_path_through_the_api(flow):
    kommune, admin = flow.api["kommune"], flow.api["programme_admin"]
    app_id = flow.draft()
    shown = kommune.get(f"/api/v1/applications/{app_id}").json
    assert shown["status"] == "draft" and shown["allowed_actions"] == ["edit", "submit", "withdraw"]
    revision = shown["current_revision"]
    assert revision["total_planned"] == "650000.00"
    assert revision["total_eligible_cost"] == "812500.00" and revision["total_own_share"] == "162500.00"
    assert revision["funding_rate_bp"] == 8000 and shown["ceiling"] == "2950000.00"

    assert kommune.post(f"/api/v1/applications/{app_id}/submit").status_code == 200
    response = admin.post(f"/api/v1/applications/{app_id}/request-changes",
                          json={"comment": "Bitte F3 erst ab 2021 planen."})
    assert response.status_code == 200 and response.json["status"] == "changes_requested"
    assert response.json["events"][-1]["comment"] == "Bitte F3 erst ab 2021 planen."

    changed = {("F1", 2020): "100000.00", ("F2", 2021): "300000.00", ("F3", 2021): "50000.00",
               ("F4", 2022): "200000.00"}
    assert kommune.put(f"/api/v1/applications/{app_id}/draft", json=draft_body(changed)).status_code == 200
    response = kommune.post(f"/api/v1/applications/{app_id}/submit")
    assert response.status_code == 200 and response.json["revisions"] == [1, 2]

    diff = admin.get(f"/api/v1/applications/{app_id}/diff").json
    assert (diff["old"], diff["new"]) == ("Revision 1", "Revision 2")
    moved = {row["key"]: (row["old"], row["new"]) for row in diff["rows"] if row["changed"]}
    assert moved == {"lines.F3.2022": (5_000_000, 0), "lines.F3.2021": (0, 5_000_000)}

    lowered = [{"module": "F1", "year": 2020, "amount": "90000.00", "reason": "Personalkosten zu hoch angesetzt."}]
    response = admin.post(f"/api/v1/applications/{app_id}/approve", json={"lines": lowered})
    assert response.status_code == 201, response.json
    decision = response.json
    assert decision["number"] == "ZB-2020-0001" and decision["revision"] == 2
    assert decision["total_requested"] == "650000.00" and decision["total_approved"] == "640000.00"
    assert decision["funding_rate_bp"] == 8000 and decision["last_expense_date"] == "2023-06-30"
    f1 = next(line for line in decision["lines"] if line["module"] == "F1")
    assert f1["approved"] == "90000.00" and f1["reason"] == "Personalkosten zu hoch angesetzt."

    grant, committed = _grant_lines(f"application:{app_id}")
    assert grant.reference == "ZB-2020-0001" and grant.funding_rate_bp == 8000
    assert committed == {("F1", 2020): 9_000_000, ("F2", 2021): 30_000_000, ("F3", 2021): 5_000_000,
                         ("F4", 2022): 20_000_000}
    assert kommune.get(f"/api/v1/decisions/{decision['id']}").json["number"] == "ZB-2020-0001"
    mine = select(Message).where(Message.recipient_id == flow.users["kommune"].id)
    kinds = [m.kind for m in db.session.scalars(mine)]
    assert kinds == ["grants.changes_requested", "grants.decision"]

    # Amendment: shift 100,000 € from F2 2021 to F4 2022 (Budgetumschichtung)
    response = kommune.post(f"/api/v1/applications/{app_id}/amendments")
    assert response.status_code == 201
    amendment = response.json
    assert amendment["kind"] == "amendment" and amendment["parent_id"] == app_id
    prefilled = {(line["module"], line["year"]): line["planned"] for line in amendment["current_revision"]["lines"]
                 if line["planned"] != "0.00"}
    assert prefilled[("F1", 2020)] == "90000.00"  # the approved, not the requested amount
    assert kommune.post(f"/api/v1/applications/{app_id}/amendments").status_code == 409  # one open at a time
    shifted = {("F1", 2020): "90000.00", ("F2", 2021): "200000.00", ("F3", 2021): "50000.00",
               ("F4", 2022): "300000.00"}
    body = draft_body(shifted, justification="Mehr Bedarf an Jugendintegrationskursen.")
    assert kommune.put(f"/api/v1/applications/{amendment['id']}/draft", json=body).status_code == 200
    assert kommune.post(f"/api/v1/applications/{amendment['id']}/submit").status_code == 200

    diff = admin.get(f"/api/v1/applications/{amendment['id']}/diff").json
    assert diff["old"] == "Bewilligt (ZB-2020-0001)"
    moved = {row["key"]: (row["old"], row["new"]) for row in diff["rows"] if row["changed"] and row["kind"] == "money"}
    assert moved == {"lines.F2.2021": (30_000_000, 20_000_000), "lines.F4.2022": (20_000_000, 30_000_000)}

    response = admin.post(f"/api/v1/applications/{amendment['id']}/approve", json={})
    assert response.status_code == 201, response.json
    assert response.json["number"] == "ZB-2020-0001-Ä1" and response.json["supersedes"] == "ZB-2020-0001"
    assert response.json["released"] == "0.00"
    grant, committed = _grant_lines(f"application:{app_id}")
    assert grant.reference == "ZB-2020-0001-Ä1"
    assert committed[("F2", 2021)] == 20_000_000 and committed[("F4", 2022)] == 30_000_000
    assert sum(committed.values()) == 64_000_000
    assert released_by_kommune(get_programme().id) == {}
    actions = {e.action for e in db.session.scalars(select(AuditEntry))}
    assert {"grants.application.create", "grants.application.submit", "grants.application.approve",
            "grant.commitment"} <= actions


def test_reducing_amendment_releases_money(flow):
    kommune, admin = flow.api["kommune"], flow.api["programme_admin"]
    app_id = flow.in_state("approved")
    amendment_id = kommune.post(f"/api/v1/applications/{app_id}/amendments").json["id"]
    reduced = {("F1", 2020): "100000.00", ("F2", 2021): "250000.00", ("F3", 2022): "50000.00",
               ("F4", 2022): "200000.00"}
    kommune.put(f"/api/v1/applications/{amendment_id}/draft",
                json=draft_body(reduced, justification="Weniger Teilnehmende in F2."))
    assert kommune.post(f"/api/v1/applications/{amendment_id}/submit").status_code == 200
    decision = admin.post(f"/api/v1/applications/{amendment_id}/approve", json={}).json
    assert decision["released"] == "50000.00"
    kommune_id = flow.users["kommune"].kommune_id
    assert released_by_kommune(get_programme().id) == {kommune_id: 5_000_000}
    assert admin.get("/api/v1/released-funds").json == [{"kommune_id": kommune_id, "released": "50000.00"}]


def test_more_than_the_ceiling_is_422_naming_field_and_ceiling(flow):
    kommune = flow.api["kommune"]
    app_id = flow.create()
    too_much = {("F1", 2020): "2000000.00", ("F2", 2021): "950000.01"}
    response = kommune.put(f"/api/v1/applications/{app_id}/draft", json=draft_body(too_much))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert "lines" in response.json["errors"]
    assert "2.950.000,00" in response.json["errors"]["lines"][0]
    assert response.json["ceiling"] == "2950000.00"


def test_validation_names_each_field(flow):
    kommune = flow.api["kommune"]
    app_id = flow.create()
    body = draft_body({("F5", 2020): "10.00", ("F1", 2024): "10.00"}, contact_email="kaputt")
    response = kommune.put(f"/api/v1/applications/{app_id}/draft", json=body)
    assert response.status_code == 422
    errors = response.json["errors"]
    assert "F1, F2, F3, F4" in errors["lines.F5.2020"][0]
    assert "2020–2023" in errors["lines.F1.2024"][0]
    assert "contact_email" in errors
    for amount in ("-5.00", "1,50", 12.5, "1.005"):
        response = kommune.put(f"/api/v1/applications/{app_id}/draft",
                               json={"lines": [{"module": "F1", "year": 2020, "amount": amount}]})
        assert response.status_code == 422 and "lines" in response.json["errors"], amount
    duplicate = lines_body({("F1", 2020): "1.00"}) * 2
    assert kommune.put(f"/api/v1/applications/{app_id}/draft", json={"lines": duplicate}).status_code == 422
    empty = kommune.post(f"/api/v1/applications/{app_id}/submit")
    assert empty.status_code == 422
    assert {"lines", "measures"} <= set(empty.json["errors"])


def test_approval_cannot_exceed_request_and_lowering_needs_reason(flow):
    admin = flow.api["programme_admin"]
    app_id = flow.in_state("submitted")
    more = [{"module": "F1", "year": 2020, "amount": "100000.01"}]
    response = admin.post(f"/api/v1/applications/{app_id}/approve", json={"lines": more})
    assert response.status_code == 422 and "lines.F1.2020" in response.json["errors"]
    less = [{"module": "F1", "year": 2020, "amount": "1.00"}]
    response = admin.post(f"/api/v1/applications/{app_id}/approve", json={"lines": less})
    assert response.status_code == 422 and "reasons.F1.2020" in response.json["errors"]
    assert db.session.scalar(select(Grant)) is None


def test_one_application_per_kommune(flow):
    flow.create()
    response = flow.api["kommune"].post("/api/v1/applications")
    assert response.status_code == 409


def test_submitted_revisions_are_immutable(flow):
    app_id = flow.in_state("submitted")
    revision = db.session.scalar(select(Revision).where(Revision.application_id == app_id))
    revision.measures = "heimlich geändert"
    try:
        db.session.flush()
        raise AssertionError("a frozen revision was changed")
    except RuntimeError as refused:
        assert "immutable" in str(refused)
    db.session.rollback()


def test_idempotent_approval_returns_the_first_decision(flow):
    admin = flow.api["programme_admin"]
    app_id = flow.in_state("submitted")
    first = admin.post(f"/api/v1/applications/{app_id}/approve", json={}, headers={"Idempotency-Key": "k-1"})
    again = admin.post(f"/api/v1/applications/{app_id}/approve", json={}, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201 and again.status_code == 201
    assert first.json["id"] == again.json["id"]
    assert admin.post(f"/api/v1/applications/{app_id}/approve", json={}).status_code == 409


def test_rejection_is_numbered_and_commits_nothing(flow):
    admin = flow.api["programme_admin"]
    app_id = flow.in_state("submitted")
    assert admin.post(f"/api/v1/applications/{app_id}/reject", json={"reason": ""}).status_code == 422
    response = admin.post(f"/api/v1/applications/{app_id}/reject", json={"reason": "Nicht förderfähig."})
    assert response.status_code == 201 and response.json["number"] == "AB-2020-0001"
    assert response.json["total_approved"] == "0.00"
    assert db.session.scalar(select(Grant)) is None


def test_kommune_rate_override_changes_eligible_cost(flow):
    admin, kommune = flow.api["programme_admin"], flow.api["kommune"]
    kommune_id = flow.users["kommune"].kommune_id
    response = admin.put(f"/api/v1/kommune-rates/{kommune_id}", json={"funding_rate_bp": 9000,
                                                                    "note": "Haushaltssicherung"})
    assert response.status_code == 200 and response.json["funding_rate_bp"] == 9000
    assert kommune.put(f"/api/v1/kommune-rates/{kommune_id}", json={"funding_rate_bp": 10000}).status_code == 403
    app_id = flow.draft(amounts={("F1", 2020): "90000.00"})
    revision = kommune.get(f"/api/v1/applications/{app_id}").json["current_revision"]
    assert revision["funding_rate_bp"] == 9000
    assert revision["total_eligible_cost"] == "100000.00" and revision["total_own_share"] == "10000.00"


def test_amendment_below_spent_is_refused_by_the_budget(flow, monkeypatch):
    """set_commitment refuses lines below what was paid/spent: the 422 reaches the user, nothing is kept."""
    from app.grants import decisions as decisions_module
    from app.grants.models import Decision
    from app.platform.errors import ValidationFailed

    kommune, admin = flow.api["kommune"], flow.api["programme_admin"]
    app_id = flow.in_state("approved")
    amendment_id = kommune.post(f"/api/v1/applications/{app_id}/amendments").json["id"]
    kommune.put(f"/api/v1/applications/{amendment_id}/draft",
                json=draft_body({("F1", 2020): "1.00"}, justification="Kürzung."))
    assert kommune.post(f"/api/v1/applications/{amendment_id}/submit").status_code == 200

    def refuse(**_kwargs):
        raise ValidationFailed.field("lines", "F1/2020: bereits 50.000,00 € ausgegeben.")

    monkeypatch.setattr(decisions_module, "set_commitment", refuse)
    response = admin.post(f"/api/v1/applications/{amendment_id}/approve", json={})
    assert response.status_code == 422 and "bereits 50.000,00" in response.json["errors"]["lines"][0]
    assert kommune.get(f"/api/v1/applications/{amendment_id}").json["status"] == "submitted"
    assert db.session.scalar(select(Decision).where(Decision.application_id == amendment_id)) is None

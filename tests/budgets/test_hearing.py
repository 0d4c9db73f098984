"""Anhörung (§ 28 VwVfG) before a final decision that takes money back (app/budgets/hearings.py).

The grant: 4.000 € paid on 01.03.2022, 2.500 € spent in the drawdown period (80 % = 2.000 € earned),
proof of use on 10.07.2023: the final decision would fix 2.000 € and reclaim 2.000 €.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.budgets import hearings, services, settlement
from app.budgets.hearings import HEARING_TRANSITIONS, HearingStatus
from app.budgets.models import ProofStatus
from app.notifications.models import Message
from app.platform import clock
from app.platform.audit import AuditEntry
from app.platform.errors import Conflict, Forbidden, ValidationFailed
from app.platform.extensions import db
from tests.budgets.conftest import overpaid_grant

PROOF_DAY, DEADLINE = date(2023, 7, 10), date(2023, 7, 24)


@pytest.fixture()
def case(app, make_user, make_grant):
    kommune, finance, admin = make_user("kommune"), make_user("finance"), make_user("programme_admin")
    grant = overpaid_grant(make_grant, kommune, finance)
    return grant, kommune, admin


def _open(grant, admin):
    with clock.freeze(PROOF_DAY):
        hearing = hearings.open_hearing(grant, actor=admin)
    db.session.commit()
    return hearing


def test_the_final_decision_waits_for_the_comment(case):
    grant, kommune, admin = case
    with clock.freeze(PROOF_DAY), pytest.raises(Conflict, match="anzuhören"):
        settlement.decide_final(grant, actor=admin)
    db.session.rollback()
    hearing = _open(grant, admin)
    assert (hearing.final_grant_cents, hearing.paid_cents, hearing.principal_cents) == (200_000, 400_000, 200_000)
    assert hearing.deadline == DEADLINE and hearing.status == HearingStatus.OPEN
    notice = db.session.scalar(select(Message).where(Message.recipient_id == kommune.id,
                                                     Message.link == f"/budgets/anhoerungen/{hearing.id}"))
    assert notice is not None and "24.07.2023" in notice.body and "2.000,00" in notice.body
    with clock.freeze(date(2023, 7, 12)):
        with pytest.raises(Conflict, match="läuft bis zum 24.07.2023"):
            settlement.decide_final(grant, actor=admin)
        db.session.rollback()
        hearings.submit_comment(hearing, comment="Die Belege reichen wir nach.", actor=kommune)
        proof = settlement.decide_final(grant, actor=admin)  # the comment is in: no need to wait
    db.session.commit()
    assert proof.status == ProofStatus.DECIDED and proof.overpaid_cents == 200_000
    assert hearing.status == HearingStatus.CONCLUDED and hearing.comment == "Die Belege reichen wir nach."
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "hearing")))
    assert actions == {"hearing.open", "hearing.comment", "hearing.conclude"}


def test_without_a_comment_the_decision_follows_after_the_deadline(case):
    grant, kommune, admin = case
    hearing = _open(grant, admin)
    with clock.freeze(DEADLINE):  # the deadline day still counts
        with pytest.raises(Conflict):
            settlement.decide_final(grant, actor=admin)
        db.session.rollback()
    with clock.freeze(date(2023, 7, 25)):
        assert hearing.expired
        with pytest.raises(Conflict, match="abgelaufen"):
            hearings.submit_comment(hearing, comment="zu spät", actor=kommune)
        db.session.rollback()
        settlement.decide_final(grant, actor=admin)
    db.session.commit()
    assert hearing.status == HearingStatus.CONCLUDED and hearing.comment is None


def test_changed_figures_need_a_new_hearing_which_supersedes_the_old_one(case):
    grant, kommune, admin = case
    first = _open(grant, admin)
    with clock.freeze(date(2023, 7, 11)):
        hearings.submit_comment(first, comment="Einverstanden.", actor=kommune)
        expense = db.session.scalars(services.expenses_select(grant)).first()
        services.mark_ineligible(expense, reason="Beleg fehlt", actor=admin)  # a further finding
        db.session.commit()
        with pytest.raises(Conflict, match="geändert"):
            settlement.decide_final(grant, actor=admin)
        db.session.rollback()
        second = hearings.open_hearing(grant, actor=admin)
        db.session.commit()
    assert first.status == HearingStatus.SUPERSEDED and second.status == HearingStatus.OPEN
    assert second.principal_cents > first.principal_cents and second.deadline == date(2023, 7, 25)
    assert hearings.current_hearing(second.proof) == second
    assert hearings.hearings_of(second.proof) == [second, first]  # both kept
    with clock.freeze(date(2023, 7, 26)):
        proof = settlement.decide_final(grant, actor=admin)
    assert proof.overpaid_cents == second.principal_cents


def test_no_hearing_without_a_reclaim_and_none_twice_on_the_same_figures(app, case, make_user, make_grant):
    grant, _kommune, admin = case
    _open(grant, admin)
    with clock.freeze(PROOF_DAY), pytest.raises(Conflict, match="bereits"):
        hearings.open_hearing(grant, actor=admin)
    db.session.rollback()
    unpaid = make_grant(ags="05154", lines={("F1", 2022): 1_000_000})
    owner = make_user("kommune", kommune_ags="05154")
    with clock.freeze(PROOF_DAY):
        settlement.submit_proof(unpaid, narrative="Sachbericht", confirmed=True, actor=owner)
        with pytest.raises(Conflict, match="nicht nötig"):
            hearings.open_hearing(unpaid, actor=admin)


def test_the_comment_is_checked_and_the_deadline_is_a_programme_setting(case):
    grant, kommune, admin = case
    programme = grant.programme
    programme.settings = {**programme.settings, "hearing_days": 7}
    try:
        hearing = _open(grant, admin)
        assert hearing.deadline == date(2023, 7, 17)
        with clock.freeze(PROOF_DAY):
            for text, message in (("  ", "eingeben"), ("x" * 20001, "zu lang")):
                with pytest.raises(ValidationFailed) as failed:
                    hearings.submit_comment(hearing, comment=text, actor=kommune)
                assert message in failed.value.errors["comment"][0]
    finally:
        db.session.rollback()
        programme.settings = {k: v for k, v in programme.settings.items() if k != "hearing_days"}
        db.session.commit()


STATES = [None, HearingStatus.OPEN, HearingStatus.COMMENTED, HearingStatus.CONCLUDED]
ACTIONS = ["open", "supersede", "comment", "conclude"]
ROLES = ["programme_admin", "kommune", "finance"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", STATES)
def test_hearing_workflow_table(case, make_user, state, action, role):
    """Each (state, action, role): allowed exactly where HEARING_TRANSITIONS says so; else 403 or 409."""
    grant, kommune, admin = case
    actor = kommune if role == "kommune" else make_user(role)
    hearing = None
    if state is not None:
        hearing = _open(grant, admin)
        with clock.freeze(PROOF_DAY):
            if state in (HearingStatus.COMMENTED, HearingStatus.CONCLUDED):
                hearings.submit_comment(hearing, comment="Stellungnahme", actor=kommune)
            if state == HearingStatus.CONCLUDED:
                settlement.decide_final(grant, actor=admin)
        db.session.commit()

    def run():
        with clock.freeze(date(2023, 8, 1)):  # after the deadline
            if action == "open":
                return hearings.open_hearing(grant, actor=actor)
            if action == "supersede":
                if state is None:
                    pytest.skip("nothing to supersede: that is 'open'")
                if state != HearingStatus.CONCLUDED:
                    expense = db.session.scalars(services.expenses_select(grant)).first()
                    services.mark_ineligible(expense, reason="Beleg fehlt", actor=admin)
                return hearings.open_hearing(grant, actor=actor)
            if action == "comment":
                with clock.freeze(PROOF_DAY):
                    return hearings.submit_comment(hearing, comment="Stellungnahme", actor=actor) if hearing \
                        else pytest.skip("no hearing to comment on")
            return settlement.decide_final(grant, actor=actor)

    rule = HEARING_TRANSITIONS.get((state, action))
    roles = set().union(*(r for (_s, a), (_n, r) in HEARING_TRANSITIONS.items() if a == action))
    if rule is not None and role in rule[1]:
        run()
        db.session.commit()
        current = hearings.current_hearing(services.proof_of(grant))
        expected = HearingStatus.OPEN if action in ("open", "supersede") else rule[0]
        assert current.status == expected
        if action == "supersede":
            assert hearing.status == HearingStatus.SUPERSEDED
    elif role not in roles:
        with pytest.raises(Forbidden):
            run()
    else:
        with pytest.raises(Conflict):
            run()
    db.session.rollback()


def test_pages_open_the_hearing_take_the_comment_and_show_it_on_the_decision_page(case, client, make_user):
    grant, kommune, admin = case
    proof_url = f"/budgets/zuwendungen/{grant.id}/verwendungsnachweis"
    with clock.freeze(date(2023, 7, 11)):
        client.login(admin)
        page = client.get(proof_url).get_data(as_text=True)
        assert "Anhörung einleiten" in page
        refused = client.post(f"/budgets/zuwendungen/{grant.id}/schlussbescheid")
        assert refused.status_code == 409 and "anzuhören" in refused.get_data(as_text=True)
        opened = client.post(f"/budgets/zuwendungen/{grant.id}/anhoerung")
        hearing = hearings.current_hearing(services.proof_of(grant))
        assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/budgets/anhoerungen/{hearing.id}")
        assert "Anhörung einleiten" not in client.get(proof_url).get_data(as_text=True)
        client.login(make_user("kommune", kommune_ags="05154"))
        assert client.get(f"/budgets/anhoerungen/{hearing.id}").status_code == 404  # another Kommune's
        client.login(kommune)
        assert f"/budgets/anhoerungen/{hearing.id}" in client.get(proof_url).get_data(as_text=True)
        shown = client.get(f"/budgets/anhoerungen/{hearing.id}").get_data(as_text=True)
        assert "Stellungnahme abgeben" in shown and "2.000,00" in shown and "25.07.2023" in shown
        empty = client.post(f"/budgets/anhoerungen/{hearing.id}/stellungnahme", data={"comment": " "})
        assert empty.status_code == 422 and "Bitte die Stellungnahme eingeben." in empty.get_data(as_text=True)
        sent = client.post(f"/budgets/anhoerungen/{hearing.id}/stellungnahme",
                           data={"comment": "Der Beleg 17 lag der Prüfung nicht vor."})
        assert sent.status_code == 302
        client.login(admin)
        decision_page = client.get(proof_url).get_data(as_text=True)
        assert "Der Beleg 17 lag der Prüfung nicht vor." in decision_page
        assert "Stellungnahme eingegangen" in decision_page
        assert client.post(f"/budgets/zuwendungen/{grant.id}/schlussbescheid").status_code == 302
    assert services.proof_of(grant).status == ProofStatus.DECIDED

"""Editing a call: which fields freeze when (window opened, closed, reviewers assigned, decision
staged), through the API (422 naming the field) and the page (German errors beside the fields,
frozen fields disabled and kept)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.innovationsfonds.models import Call
from app.innovationsfonds.views.call_forms import call_as_form
from app.platform import clock
from app.platform.audit import AuditEntry
from app.platform.extensions import db
from tests.innovationsfonds.conftest import AFTER, CLOSES, CRITERIA, DURING, call_body

BEFORE = datetime(2020, 1, 12, tzinfo=UTC)


def _put(small, when, **changes):
    with clock.freeze(when):
        return small.api["admin"].put(f"/api/v1/innovationsfonds/calls/{small.call}",
                                      json=call_body(**{"reviewers_per_sketch": 2, **changes}))


def test_everything_changes_before_the_window_opens(small):
    criteria = [{**CRITERIA[0], "weight": 5}, CRITERIA[1]]
    response = _put(small, BEFORE, max_per_project="300000.00", criteria=criteria, reviewers_per_sketch=4,
                    group_minimums={"target:primary": 2})
    assert response.status_code == 200, response.json
    assert response.json["max_per_project"] == "300000.00" and response.json["reviewers_per_sketch"] == 4
    assert [(c["key"], c["weight"]) for c in response.json["criteria"]] == [("relevance", 5), ("innovation", 2)]
    assert response.json["group_minimums"] == {"target:primary": 2}


def test_eligibility_rules_freeze_when_the_window_opens(small):
    refused = _put(small, DURING, max_per_project="300000.00", eligible_kinds=["club"])
    assert refused.status_code == 422
    assert set(refused.json["errors"]) == {"max_per_project", "eligible_kinds"}
    assert "Einreichung hat begonnen" in refused.json["errors"]["max_per_project"][0]
    later = CLOSES.replace(day=30, month=4)
    extended = _put(small, DURING, closes_at=later.isoformat(), title="Verlängert")
    assert extended.status_code == 200, extended.json
    assert extended.json["title"] == "Verlängert"
    past = _put(small, DURING, closes_at=datetime(2020, 3, 1, tzinfo=clock.BERLIN).isoformat())
    assert past.status_code == 422 and "closes_at" in past.json["errors"]
    call = db.session.get(Call, small.call)
    assert call.max_per_project_cents == 50_000_000 and call.closes_at == later


def test_scoring_rules_freeze_when_reviewers_are_assigned(small):
    small.submitted()
    small.submitted(who="other_org")
    small.close()
    small.assign()
    closed = _put(small, AFTER, closes_at=CLOSES.replace(day=30, month=4).isoformat())
    assert closed.status_code == 422 and "Einreichungsfrist ist abgelaufen" in closed.json["errors"]["closes_at"][0]
    weights = _put(small, AFTER, criteria=[{**CRITERIA[0], "weight": 9}, *CRITERIA[1:]], reviewers_per_sketch=3)
    assert weights.status_code == 422 and set(weights.json["errors"]) == {"criteria", "reviewers_per_sketch"}
    renamed = _put(small, AFTER, criteria=[{**CRITERIA[0], "name": "Nutzen für junge Geflüchtete"}, *CRITERIA[1:]],
                   min_score="50.00", discrepancy_threshold="20.00")
    assert renamed.status_code == 200, renamed.json
    assert renamed.json["criteria"][0]["name"] == "Nutzen für junge Geflüchtete"
    assert renamed.json["criteria"][0]["weight"] == 3 and renamed.json["min_score"] == "50.00"


def test_group_names_must_exist(small):
    response = _put(small, BEFORE, group_minimums={"region:Atlantis": 1, "target:primary": 1})
    assert response.status_code == 422
    assert "region:Atlantis" in response.json["errors"]["group_minimums"][0]
    assert _put(small, BEFORE, group_minimums={"region:Köln": 1}).status_code == 200


def _form(**changes) -> dict:
    form = {"title": "Stichtag 31.03.2020", "description": "", "budget": "5.000.000,00",
            "max_per_project": "50.000,00", "funding_rate": "80", "opens": "2020-01-15", "closes": "2020-03-31",
            "review_deadline": "2020-05-15", "full_application_deadline": "2020-07-31",
            "full_application_days_after_promotion": "42",
            "project_start": "2020-07-01", "project_end": "2023-06-30", "eligible_kinds": ["club", "foundation"],
            "target_groups": ["primary"], "reviewers_per_sketch": "2", "selection_rule": "funding_line_skip",
            "min_score": "40", "discrepancy_threshold": "25", "group_minimums": "target:primary = 1",
            "crit_key_0": "relevanz", "crit_name_0": "Relevanz", "crit_weight_0": "3", "crit_scale_min_0": "0",
            "crit_scale_max_0": "10", "crit_key_1": "umsetzung", "crit_name_1": "Umsetzbarkeit", "crit_weight_1": "1",
            "crit_scale_min_1": "1", "crit_scale_max_1": "5"}
    form.update(changes)
    return form


def test_call_pages_create_and_edit_with_errors_beside_the_fields(client, people):
    client.login(people["admin"])
    with clock.freeze(BEFORE):
        bad = client.post("/innovationsfonds/aufrufe/neu", data=_form(min_score="120", crit_weight_1="viel",
                                                                      group_minimums="region:Atlantis = 1"))
        assert bad.status_code == 422
        text = bad.get_data(as_text=True)
        assert 'id="f-min_score-error"' in text and "Kriterium 2: Gewicht und Skala" in text
        created = client.post("/innovationsfonds/aufrufe/neu", data=_form(budget="100.000,00"))
        assert created.status_code == 302, created.get_data(as_text=True)
        call = db.session.scalar(select(Call))
        assert [(c.key, c.weight, c.scale_min, c.scale_max) for c in call.criteria] == [
            ("relevanz", 3, 0, 10), ("umsetzung", 1, 1, 5)]
        assert call.group_minimums == {"target:primary": 1} and call.funding_rate_bp == 8000
        page = client.get(f"/innovationsfonds/aufrufe/{call.id}/bearbeiten").get_data(as_text=True)
        assert 'value="Umsetzbarkeit"' in page and 'value="100.000,00"' in page and "disabled" not in page
    with clock.freeze(DURING):
        page = client.get(f"/innovationsfonds/aufrufe/{call.id}/bearbeiten").get_data(as_text=True)
        assert "Gesperrt: Die Einreichung hat begonnen" in page
        form = _form(budget="100.000,00", title="Neuer Titel", min_score="45,5")
        for locked in ("max_per_project", "funding_rate", "opens", "project_start", "project_end", "eligible_kinds",
                       "target_groups"):
            form.pop(locked)  # disabled inputs are not sent
        saved = client.post(f"/innovationsfonds/aufrufe/{call.id}/bearbeiten", data=form)
        assert saved.status_code == 302, saved.get_data(as_text=True)
        too_big = client.post(f"/innovationsfonds/aufrufe/{call.id}/bearbeiten",
                              data={**form, "budget": "9.000.000,00"})
        assert too_big.status_code == 422 and 'id="f-budget-error"' in too_big.get_data(as_text=True)
    db.session.refresh(call)
    assert call.title == "Neuer Titel" and str(call.min_score_points) == "45.50"
    assert call.eligible_kinds == ["club", "foundation"] and call.max_per_project_cents == 5_000_000
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "innovationsfonds.call.update",
                                                      AuditEntry.object_id == str(call.id))) is not None


def test_page_keeps_frozen_criteria_and_takes_new_wording(small, client, people):
    small.submitted()
    small.close()
    small.assign()
    call = db.session.get(Call, small.call)
    url = f"/innovationsfonds/aufrufe/{call.id}/bearbeiten"
    client.login(people["admin"])
    with clock.freeze(AFTER):
        page = client.get(url).get_data(as_text=True)
        assert "Gesperrt: Die Begutachtung läuft" in page and ">None<" not in page
        disabled = ("opens", "closes", "max_per_project", "funding_rate", "project_start", "project_end",
                    "eligible_kinds", "target_groups", "reviewers_per_sketch", "reviewers_see_names")
        sent = MultiDict([(k, v) for k, v in call_as_form(call).items(multi=True)  # what a browser sends
                          if k not in disabled and not k.startswith(("crit_key", "crit_weight", "crit_scale"))])
        sent["crit_name_0"] = "Nutzen für die Zielgruppe"
        sent["crit_weight_0"] = "9"  # a disabled input in the browser; a forged value is ignored
        sent["title"] = "Stichtag 31.03.2020 (geändert)"
        response = client.post(url, data=sent)
        assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(call)
    assert call.title.endswith("(geändert)")
    assert [(c.name, c.weight) for c in call.criteria][0] == ("Nutzen für die Zielgruppe", 3)
    assert [c.key for c in call.criteria] == [c["key"] for c in CRITERIA]


def test_group_minimums_on_the_selection_page(small, client, people):
    url = f"/innovationsfonds/aufrufe/{small.call}/auswahl"
    client.login(people["admin"])
    with clock.freeze(AFTER):
        assert 'id="f-group_minimums"' in client.get(url).get_data(as_text=True)
        unknown = client.post(url + "/gruppen", data={"group_minimums": "region:Atlantis = 1"})
        assert unknown.status_code == 422
        assert "„region:Atlantis“ ist keine bekannte Gruppe" in unknown.get_data(as_text=True)
        malformed = client.post(url + "/gruppen", data={"group_minimums": "target:primary = 1\ntarget:primary = viele"})
        assert malformed.status_code == 422
        assert 'id="f-group_minimums-error"' in malformed.get_data(as_text=True)
        assert "Zeile 2: „Gruppe = Anzahl“" in malformed.get_data(as_text=True)
        assert db.session.get(Call, small.call).group_minimums == {}
        saved = client.post(url + "/gruppen", data={"group_minimums": "region:Köln = 1\ntarget:primary = 2"})
        assert saved.status_code == 302
        assert "region:Köln = 1" in client.get(url).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Call, small.call).group_minimums == {"region:Köln": 1, "target:primary": 2}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "innovationsfonds.call.update")
                              .order_by(AuditEntry.id.desc()))
    assert entry.after["group_minimums"] == {"region:Köln": 1, "target:primary": 2}

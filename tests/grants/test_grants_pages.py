"""The pages: the whole path with German forms, errors next to fields, panels, exports, participant counts."""

import io
import re
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from app.budgets.models import Grant
from app.grants.models import Application, Decision
from app.grants.presenters import grid_sums
from app.platform import clock
from app.platform.extensions import db
from app.platform.money import format_eur
from tests.conftest import PageClient
from tests.export_reading import read_export
from tests.grants.conftest import DAY

FORM = {"lines.F1.2020": "100.000,00", "lines.F2.2021": "300.000,00", "lines.F4.2022": "200.000,00",
        "participants.F1": "120", "measures": "Coaching und Sprachkurse.", "contact_name": "Kai Köln",
        "contact_email": "kai@koeln.example", "contact_phone": ""}


def _login(app, user) -> PageClient:
    client = PageClient(app.test_client())
    assert client.login(user).status_code == 302
    return client


def test_whole_path_through_the_pages(app, people):
    with clock.freeze(DAY):
        kommune, admin = _login(app, people["kommune"]), _login(app, people["programme_admin"])
        start = kommune.get("/antraege/").get_data(as_text=True)
        assert "2.950.000,00" in start and "Antrag anlegen" in start
        response = kommune.post("/antraege/neu")
        app_id = int(re.search(r"/antraege/(\d+)/bearbeiten", response.headers["Location"]).group(1))
        assert kommune.get("/antraege/").headers["Location"].endswith(f"/antraege/{app_id}")

        too_much = {**FORM, "lines.F3.2023": "3.000.000,00", "lines.F1.2021": "12,345"}
        page = kommune.post(f"/antraege/{app_id}/bearbeiten", data={**too_much, "then": "save"})
        assert page.status_code == 422
        text = page.get_data(as_text=True)
        assert 'id="f-lines.F1.2021-error"' in text and "höchstens zwei Nachkommastellen" in text
        page = kommune.post(f"/antraege/{app_id}/bearbeiten", data={**FORM, "lines.F3.2023": "3.000.000,00",
                                                                     "then": "save"})
        assert page.status_code == 422 and "Zuwendungshöchstgrenze Ihrer Kommune von 2.950.000,00" in page.get_data(
            as_text=True)
        # issue #21.4: the grid adds up per module, per year and in all, and says what is left or how much is over
        text = page.get_data(as_text=True)
        assert 'data-sum-row="F3">3.000.000,00\xa0€' in text and 'data-sum-column="2023">3.000.000,00\xa0€' in text
        assert "data-sum-total>3.600.000,00\xa0€" in text
        assert "Die Zuwendungshöchstgrenze ist um 650.000,00\xa0€ überschritten." in text
        text = kommune.get(f"/antraege/{app_id}/bearbeiten").get_data(as_text=True)
        assert "data-sum-total>0,00\xa0€" in text and "Bis zur Zuwendungshöchstgrenze verbleiben 2.950.000,00" in text

        response = kommune.post(f"/antraege/{app_id}/bearbeiten", data={**FORM, "then": "submit"})
        assert response.status_code == 302
        assert db.session.get(Application, app_id).status.value == "submitted"

        review = admin.get(f"/antraege/{app_id}/pruefung")
        assert review.status_code == 200 and "Änderungen anfordern" in review.get_data(as_text=True)
        admin.post(f"/antraege/{app_id}/aenderungen-anfordern", data={"changes_comment": "Bitte F3 ergänzen."})
        detail = kommune.get(f"/antraege/{app_id}").get_data(as_text=True)
        assert "Bitte F3 ergänzen." in detail and "Änderungen angefordert" in detail

        kommune.post(f"/antraege/{app_id}/bearbeiten", data={**FORM, "lines.F3.2021": "50.000,00", "then": "submit"})
        review = admin.get(f"/antraege/{app_id}/pruefung").get_data(as_text=True)
        assert 'data-key="lines.F3.2021"' in review and 'data-key="lines.F1.2020"' not in review

        page = admin.post(f"/antraege/{app_id}/bewilligen", data={"lines.F1.2020": "90.000,00"})
        assert page.status_code == 422 and "Bitte begründen Sie die Kürzung." in page.get_data(as_text=True)
        response = admin.post(f"/antraege/{app_id}/bewilligen", data={
            "lines.F1.2020": "90.000,00", "reasons.F1.2020": "Zu hoch angesetzt.", "lines.F2.2021": "300.000,00",
            "lines.F3.2021": "50.000,00", "lines.F4.2022": "200.000,00"})
        assert response.status_code == 302
        decision = db.session.scalar(select(Decision))
        document = kommune.get(f"/bescheide/{decision.id}").get_data(as_text=True)
        for expected in ("Zuwendungsbescheid ZB-2020-0001", "640.000,00", "80\u00a0%", "30.06.2023",
                         "31.12.2023", "ANBest-G", "2 Monaten", "Zu hoch angesetzt."):
            assert expected in document, expected

        response = kommune.post(f"/antraege/{app_id}/aenderungsantrag")
        amendment_id = int(re.search(r"/antraege/(\d+)/bearbeiten", response.headers["Location"]).group(1))
        edit = kommune.get(f"/antraege/{amendment_id}/bearbeiten").get_data(as_text=True)
        assert 'value="90.000,00"' in edit  # prefilled with the approved amounts
        shifted = {**FORM, "lines.F1.2020": "90.000,00", "lines.F2.2021": "200.000,00",
                   "lines.F3.2021": "50.000,00", "lines.F4.2022": "300.000,00", "then": "submit"}
        page = kommune.post(f"/antraege/{amendment_id}/bearbeiten", data=shifted)
        assert page.status_code == 422 and "Bitte begründen Sie die Änderung." in page.get_data(as_text=True)
        kommune.post(f"/antraege/{amendment_id}/bearbeiten", data={**shifted, "justification": "Mehr Kurse."})
        review = admin.get(f"/antraege/{amendment_id}/pruefung").get_data(as_text=True)
        assert "Bewilligt (ZB-2020-0001)" in review and 'data-key="lines.F4.2022"' in review
        admin.post(f"/antraege/{amendment_id}/bewilligen", data={
            "lines.F1.2020": "90.000,00", "lines.F2.2021": "200.000,00", "lines.F3.2021": "50.000,00",
            "lines.F4.2022": "300.000,00"})
        changed = db.session.scalar(select(Decision).where(Decision.application_id == amendment_id))
        document = kommune.get(f"/bescheide/{changed.id}").get_data(as_text=True)
        assert "ZB-2020-0001-Ä1" in document and "Änderungsbescheid" in document
        grant = db.session.scalar(select(Grant))
        assert grant.reference == "ZB-2020-0001-Ä1"
        # issue #21.1: the decisions export says which decision is in force and sums only those
        rows = read_export(admin.get("/bescheide/export.xlsx"))
        header, lines = rows[0], rows[1:]
        state, approved = header.index("Stand"), header.index("Bewilligt")
        in_force = header.index("Bewilligt, in Kraft")
        assert {r[0]: r[state] for r in lines} == {"ZB-2020-0001": "ersetzt", "ZB-2020-0001-Ä1": "in Kraft"}
        assert sum(Decimal(str(r[approved])) for r in lines) == Decimal("1280000")  # both decisions
        assert sum(Decimal(str(r[in_force])) for r in lines) == Decimal("640000")  # what is granted

        start = kommune.get("/").get_data(as_text=True)
        assert "Ihr Antrag (F1–F4)" in start and "ZB-2020-0001-Ä1" in start
        assert "Anträge nach Status" in admin.get("/").get_data(as_text=True)


def test_foreign_kommune_and_wrong_roles_on_pages(app, flow):
    app_id = flow.in_state("submitted")
    foreign = _login(app, flow.users["foreign"])
    assert foreign.get(f"/antraege/{app_id}").status_code == 404
    assert foreign.post(f"/antraege/{app_id}/zurueckziehen").status_code == 404
    kommune = _login(app, flow.users["kommune"])
    assert kommune.post(f"/antraege/{app_id}/bewilligen", data={}).status_code == 403
    finance = _login(app, flow.users["finance"])
    assert finance.get(f"/antraege/{app_id}").status_code == 200
    assert finance.post(f"/antraege/{app_id}/ablehnen", data={"reason": "x"}).status_code == 403
    reviewer = _login(app, flow.users["reviewer"])
    assert reviewer.get("/antraege/").status_code == 403


def test_queue_filters_and_exports(app, flow):
    submitted = flow.in_state("submitted")
    admin = _login(app, flow.users["programme_admin"])
    page = admin.get("/antraege/?status=submitted&kommune=05315").get_data(as_text=True)
    assert f"/antraege/{submitted}/pruefung" in page
    assert "Keine Anträge" in admin.get("/antraege/?status=approved").get_data(as_text=True)
    assert "Unbekannter Status" in admin.get("/antraege/?status=kaputt").get_data(as_text=True)
    flow.api["programme_admin"].post(f"/api/v1/applications/{submitted}/approve", json={})
    csv = admin.get("/antraege/export.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.get_data().decode("utf-8-sig")
    assert "Köln" in text and "650.000,00" in text
    decisions = admin.get("/bescheide/export.xlsx")
    sheet = load_workbook(io.BytesIO(decisions.get_data())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Bescheid" and values[1][0] == "ZB-2020-0001"
    assert admin.get("/bescheide/export.pdf").status_code == 404
    kommune = _login(app, flow.users["kommune"])
    assert kommune.get("/antraege/export.csv").status_code == 403


def test_participant_counts_by_page_and_api(app, flow):
    kommune_client = flow.api["kommune"]
    counts = {"female": {"entered": 10, "exited": 1, "finished": 2, "primary_target": 8},
              "male": {"entered": 30, "exited": 3, "finished": 5, "primary_target": 25}}
    body = {"module": "F1", "year": 2020, "quarter": 2, "counts": counts}
    response = kommune_client.put("/api/v1/participant-counts", json=body)
    assert response.status_code == 409  # not approved yet
    app_id = flow.in_state("approved")
    assert app_id
    assert kommune_client.put("/api/v1/participant-counts", json=body).status_code == 200
    wrong = {**body, "counts": {"female": {"entered": 1, "primary_target": 2}}}
    response = kommune_client.put("/api/v1/participant-counts", json=wrong)
    assert response.status_code == 422 and "counts.female.primary_target" in response.json["errors"]
    future = {**body, "quarter": 4}
    assert kommune_client.put("/api/v1/participant-counts", json=future).status_code == 422
    assert flow.api["programme_admin"].put("/api/v1/participant-counts", json=body).status_code == 403

    page = _login(app, flow.users["kommune"])
    response = page.post("/teilnehmende", data={"module": "F2", "year": "2020", "quarter": "1",
                                                 "counts.female.entered": "5", "counts.diverse.entered": "1",
                                                 "counts.female.primary_target": "4"})
    assert response.status_code == 302
    bad = page.post("/teilnehmende", data={"module": "F2", "year": "2020", "quarter": "1",
                                           "counts.male.entered": "-3"})
    assert bad.status_code == 422 and "ganze Zahl" in bad.get_data(as_text=True)

    report = flow.api["auditor"].get("/api/v1/participant-counts/report").json
    assert report["total"]["entered_total"] == 46
    assert report["total"]["share_women"] == "32.6" and report["total"]["share_men"] == "65.2"
    assert flow.api["kommune"].get("/api/v1/participant-counts/report").status_code == 403
    admin = _login(app, flow.users["programme_admin"])
    html = admin.get("/teilnehmende/bericht").get_data(as_text=True)
    assert "32,6\u00a0%" in html
    xlsx = admin.get("/teilnehmende/bericht.xlsx")
    assert xlsx.status_code == 200
    own = flow.api["kommune"].get("/api/v1/participant-counts").json
    assert {row["module"] for row in own} == {"F1", "F2"}
    assert flow.api["foreign"].get("/api/v1/participant-counts").json == []


@given(st.dictionaries(st.tuples(st.sampled_from(["F1", "F2", "F3", "F4"]), st.sampled_from([2020, 2021, 2022])),
                       st.integers(min_value=0, max_value=10**11), max_size=12),
       st.one_of(st.none(), st.integers(min_value=0, max_value=10**12)))
def test_grid_sums_add_up_both_ways(amounts, ceiling):
    """Rows and columns add up to the same total; the remainder is ceiling minus total; bad input counts 0."""
    values = {f"lines.{m}.{y}": format_eur(c, with_symbol=False) for (m, y), c in amounts.items()}
    values["lines.F1.2023"] = "kaputt"
    sums = grid_sums(values, ["F1", "F2", "F3", "F4"], [2020, 2021, 2022, 2023], ceiling)
    assert sum(sums.rows.values()) == sum(sums.columns.values()) == sums.total == sum(amounts.values())
    assert sums.remaining == (None if ceiling is None else ceiling - sums.total)


def test_decision_forms_answer_beside_the_field_and_messages_reach_the_document(app, flow):
    """Issue #21.6/#21.7: an empty "Änderungen anfordern" or rejection is refused beside its field (not only
    as a banner); the success message of "Bewilligen" is shown on the decision document it leads to; the
    history says what happened ("eingereicht"), the amendment form asks about the amendment."""
    app_id = flow.in_state("submitted")
    admin = _login(app, flow.users["programme_admin"])
    for path, field in (("aenderungen-anfordern", "changes_comment"), ("ablehnen", "reason")):
        page = admin.post(f"/antraege/{app_id}/{path}", data={field: "  "})
        text = page.get_data(as_text=True)
        assert page.status_code == 422 and f'id="f-{field}-error"' in text
        assert 'value="100.000,00"' in text  # the approval form keeps the requested amounts
    assert db.session.get(Application, app_id).status.value == "submitted"
    response = admin.post(f"/antraege/{app_id}/bewilligen", data={
        "lines.F1.2020": "100.000,00", "lines.F2.2021": "300.000,00", "lines.F3.2022": "50.000,00",
        "lines.F4.2022": "200.000,00"})
    document = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bewilligt: Zuwendungsbescheid ZB-2020-0001." in document and 'rel="icon"' in document
    assert "Bewilligt: Zuwendungsbescheid" not in admin.get("/antraege/").get_data(as_text=True)  # shown once
    detail = admin.get(f"/antraege/{app_id}").get_data(as_text=True)
    history = detail[detail.index("<tbody>", detail.rindex("<table")):]
    for word in ("angelegt", "eingereicht", "bewilligt"):
        assert f"<td>{word}</td>" in history
    assert "<td>einreichen</td>" not in history
    kommune = _login(app, flow.users["kommune"])
    response = kommune.post(f"/antraege/{app_id}/aenderungsantrag")
    edit = kommune.get(response.headers["Location"]).get_data(as_text=True)
    assert "Den Änderungsantrag jetzt verbindlich einreichen?" in edit


def test_after_the_programme_end_the_start_page_says_what_is_due(app, flow):
    """Issue #21.6: after the last expense day the Kommune's start page names the proof of use with its
    deadline; "Teilnehmendenzahlen melden" stays only until the last quarter is reported."""
    flow.in_state("approved")
    kommune = _login(app, flow.users["kommune"])
    with clock.freeze(date(2023, 5, 2)):
        running = kommune.get("/").get_data(as_text=True)
    assert "Teilnehmendenzahlen des Quartals melden" in running and "Tage bis zum letzten Ausgabetag" in running
    with clock.freeze(date(2023, 9, 1)):
        after = kommune.get("/").get_data(as_text=True)
        assert "Verwendungsnachweis einreichen (Frist 31.12.2023)" in after
        assert "Tage bis zur Frist für den Verwendungsnachweis 31.12.2023" in after and ">121<" in after
        assert "Teilnehmendenzahlen des Quartals melden" in after  # Q2 2023 not reported yet
        counts = {"female": {"entered": 1, "exited": 0, "finished": 0, "primary_target": 1}}
        reported = flow.api["kommune"].put("/api/v1/participant-counts",
                                           json={"module": "F1", "year": 2023, "quarter": 2, "counts": counts})
        assert reported.status_code == 200, reported.json
        assert "Teilnehmendenzahlen des Quartals melden" not in kommune.get("/").get_data(as_text=True)

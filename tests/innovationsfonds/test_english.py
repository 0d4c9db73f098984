"""The Innovationsfonds pages in English (main.set_language): call page, sketch page, export headings,
flash message, start-page panel and notification kinds are translated; German stays the default and the
German service texts (eligibility reasons, domain errors) are not touched (docs/ui.md, "Sprachen")."""

from __future__ import annotations

import csv
import io

from app.platform import clock
from tests.innovationsfonds.conftest import AFTER, DURING

GERMAN_CALL = ("Übersicht und Förderfähigkeit", "Gutachten je Skizze", "Förderlinie (nicht passende Vorhaben "
               "überspringen)", "förderfähig, in Begutachtung", "Einreichung schließen")
ENGLISH_CALL = ("Overview and eligibility", "Reviews per outline", "Funding line (skip projects that do not fit)",
                "eligible, under review", ">Innovationsfonds</a>")


def _text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_call_page_export_and_panel_in_english_and_back(small, client, people):
    sketch = small.submitted(title="Skizze 0")
    small.close()
    client.login(people["admin"])
    with clock.freeze(AFTER):
        german = _text(client, f"/innovationsfonds/aufrufe/{small.call}")
        client.post("/sprache/en")
        english = _text(client, f"/innovationsfonds/aufrufe/{small.call}")
        export = client.get(f"/innovationsfonds/aufrufe/{small.call}/export/skizzen.csv").get_data(as_text=True)
        start = _text(client, "/")
    assert '<html lang="de">' in german and all(text in german for text in GERMAN_CALL[:4])
    assert '<html lang="en">' in english
    for text in ENGLISH_CALL:
        assert text in english, text
    for text in GERMAN_CALL[:4]:
        assert text not in english, text
    header = next(csv.reader(io.StringIO(export.lstrip("\ufeff")), delimiter=";"))
    assert header[:5] == ["No.", "Title", "Organisation", "Status", "Requested"]
    assert "Calls and state of the review" in start and "Aufrufe und Stand der Begutachtung" not in start

    client.post("/sprache/de")
    with clock.freeze(AFTER):
        page = _text(client, f"/innovationsfonds/skizzen/{sketch}")
    assert '<html lang="de">' in page and "Kurzbeschreibung" in page and "Summary" not in page
    assert "<dd>18–27 Jahre mit Duldung/Gestattung (18–27 Jahre)</dd>" in page  # the label, not the key "primary"


def test_organisation_sees_sketch_page_flash_and_preferences_in_english(small, client, people):
    sketch = small.draft(title="Skizze 0")
    client.login(people["org"])
    client.post("/sprache/en")
    with clock.freeze(DURING):
        response = client.post(f"/innovationsfonds/skizzen/{sketch}/einreichen")
        assert response.status_code == 302
        page = _text(client, f"/innovationsfonds/skizzen/{sketch}")
    assert "The outline has been submitted." in page
    assert "Status:" in page and ">submitted</span>" in page and "Summary" in page
    assert "(Registered club)" in page and "(Verein)" not in page  # the organisation kind (app.reference)
    assert "<dd>Aged 18–27 with toleration or permission to reside (Duldung/Gestattung) (18–27 years)</dd>" in page
    assert "Kurzbeschreibung" not in page and "Die Skizze wurde eingereicht." not in page
    preferences = _text(client, "/nachrichten/einstellungen")
    assert "Innovationsfonds: selection and decisions" in preferences
    assert "Innovationsfonds: Auswahl und Bescheide" not in preferences


def test_every_staff_and_reviewer_page_renders_in_english(small, client, people):
    sketch = small.submitted(title="Skizze 0")
    small.close()
    small.assign()
    reviewer = next(name for name, user in small.users.items() if user.id == small.assigned_to(sketch)[0])
    pages = {"matrix": ("zuordnung", "Assignment matrix", "Zuordnungsmatrix"),
             "ranking": ("rangfolge", "Order: mean, then median", "Reihenfolge: Mittelwert"),
             "selection": ("auswahl", "Selection proposals compared", "Auswahlvorschläge im Vergleich"),
             "outbox": ("postausgang", "No decision staged.", "Keine Entscheidung vorgemerkt."),
             "statistics": ("statistik", "Points per outline (selected ones highlighted)", "Punkte je Skizze"),
             "edit": ("bearbeiten", "Locked: ", "Gesperrt: ")}
    client.login(people["admin"])
    client.post("/sprache/en")
    with clock.freeze(AFTER):
        for name, (path, english, german) in pages.items():
            page = _text(client, f"/innovationsfonds/aufrufe/{small.call}/{path}")
            assert english in page and german not in page, name
        new = _text(client, "/innovationsfonds/aufrufe/neu")
        assert "Funding rate (%)" in new and "Registered club" in new and "Förderquote" not in new
        client.login(people[reviewer])
        client.post("/sprache/en")
        assert "My reviews" in _text(client, "/innovationsfonds/gutachten")
        review = _text(client, f"/innovationsfonds/skizzen/{sketch}/bewertung")
        assert "not applicable" in review and "nicht zutreffend" not in review

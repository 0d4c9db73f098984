"""Needs and offer analysis: imported target-group counts against the places per module, gaps per Kommune."""

from __future__ import annotations

import io

from app.measures import needs
from tests.export_reading import read_export

FILE = "altersgruppe;aufenthaltsstatus;anzahl\n18-20;Duldung;40\n21-27;Gestattung;60\n"


def _upload(client, text: str):
    return client.post("/massnahmen/bedarf", data={"file": (io.BytesIO(text.encode()), "z.csv")},
                       content_type="multipart/form-data", follow_redirects=True)


def test_counts_against_places_give_the_gaps(client, make_user, make_measure):
    kommune = make_user("kommune")
    make_measure(kommune, places=30)  # F1, draft: offers places
    finished = make_measure(kommune, places=70, module_code="F2")
    finished.status = finished.status.FINISHED
    client.login(kommune)
    assert "100 Personen" in _upload(client, FILE).get_data(as_text=True)
    [row] = needs.analysis(kommune.kommune_id)
    assert row["target"] == 100 and row["places"] == {"F1": 30, "F2": 0, "F3": 0, "F4": 0}
    assert row["gaps"] == {"F1": 70, "F2": 100, "F3": 100, "F4": 100}
    exported = read_export(client.get("/massnahmen/bedarf?export=csv"))
    assert exported[1][:3] == ["Köln", "100", "30"]
    _upload(client, "altersgruppe;aufenthaltsstatus;anzahl\n18-20;Duldung;5\n")
    assert needs.analysis(kommune.kommune_id)[0]["target"] == 5  # an import replaces the counts


def test_a_bad_file_changes_nothing_and_names_the_line(client, make_user):
    kommune = make_user("kommune")
    client.login(kommune)
    _upload(client, FILE)
    page = _upload(client, "altersgruppe;aufenthaltsstatus;anzahl\n18-20;Duldung;viele\n").get_data(as_text=True)
    assert "Zeile 2, anzahl" in page
    assert needs.analysis(kommune.kommune_id)[0]["target"] == 100


def test_each_kommune_sees_its_own_the_ministry_all(client, make_user):
    cologne, kleve = make_user("kommune", kommune_ags="05315"), make_user("kommune", kommune_ags="05154")
    client.login(kleve)
    _upload(client, FILE)
    client.login(cologne)
    page = client.get("/massnahmen/bedarf").get_data(as_text=True)
    assert "Kreis Kleve" not in page
    client.login(make_user("auditor"))
    assert "Kreis Kleve" in client.get("/massnahmen/bedarf").get_data(as_text=True)

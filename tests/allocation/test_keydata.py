"""Key files are checked whole: any bad row refuses the file, with line numbers; nothing is stored."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.allocation import keydata
from app.allocation.models import KeyDataset, KeyGemeindeRow
from app.platform.extensions import db

HEADER = "ags,name,kreis_ags,population,area_km2,as_of"
GOOD = [HEADER, '05111000,"Düsseldorf, Stadt",05111,621877,217.41,2019-12-31',
        "05154004,Bedburg-Hau,05154,12945,61.44,2019-12-31"]


def _import(text: str, name: str = "Test"):
    return keydata.import_dataset(kind="gemeinden", name=name, reference_date=date(2019, 12, 31), source="Test",
                                  text=text, actor_label="test")


@pytest.mark.parametrize("bad_line,message", [
    ("05111000,Doppelt,05111,1,1.00,2019-12-31", "Zeile 4: AGS 05111000 doppelt (zuerst in Zeile 2)"),
    ("05999001,Nirgendwo,05999,1,1.00,2019-12-31", "Zeile 4: Kreis „05999“ ist unbekannt"),
    ("05154008,Kleve,05154,-5,1.00,2019-12-31", "Zeile 4: Bevölkerung -5 ist negativ"),
    ("05154008,Kleve,05154,viele,1.00,2019-12-31", "Zeile 4: Bevölkerung „viele“ ist keine ganze Zahl"),
    ("05154008,Kleve,05154,5,-1.00,2019-12-31", "Zeile 4: Fläche -1.00 ist negativ"),
    ("05154008,Kleve,05154,5,1.005,2019-12-31", "Zeile 4: Fläche „1.005“ hat mehr als zwei Nachkommastellen"),
    ("05154008,Kleve,05154,5,x,2019-12-31", "Zeile 4: Fläche „x“ ist keine Zahl"),
])
def test_bad_row_refuses_the_whole_file(app, bad_line, message):
    with pytest.raises(keydata.KeyFileRefused) as refused:
        _import("\n".join([*GOOD, bad_line]))
    assert any(m.startswith(message) for m in refused.value.errors["file"]), refused.value.errors
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(KeyDataset)) == 0
    assert db.session.scalar(select(func.count()).select_from(KeyGemeindeRow)) == 0


def test_missing_column_is_named(app):
    with pytest.raises(keydata.KeyFileRefused) as refused:
        _import("ags,name,kreis_ags,population\n05111000,D,05111,5")
    assert refused.value.errors["file"] == [
        "Zeile 1: Spalte fehlt: area_km2 (erwartet: ags, name, kreis_ags, population, area_km2)."]


def test_every_problem_is_listed(app):
    parsed = keydata.parse_gemeinden("\n".join([HEADER, "1,,05111,-1,a", "05999001,X,05999,1,1"]),
                                     keydata.reference_kreise())
    lines = [line for line, _ in parsed.problems]
    assert lines.count(2) == 4 and lines.count(3) == 1


def test_good_file_is_stored_exactly_and_versioned(app):
    first = _import("\n".join(GOOD))
    second = _import("\n".join(GOOD))
    assert (first.version, second.version) == (1, 2)
    assert first.total == 621877 + 12945
    row = next(r for r in first.gemeinde_rows if r.ags == "05111000")
    assert row.area_hundredths == 21741 and str(row.area) == "21741/100"


def test_semicolon_and_decimal_comma_are_accepted(app):
    text = "ags;name;kreis_ags;population;area_km2\n05154004;Bedburg-Hau;05154;12945;61,44"
    assert _import(text).gemeinde_rows[0].area_hundredths == 6144


def test_counts_file(app):
    dataset = keydata.import_dataset(kind="counts", name="Zählung", reference_date=date(2019, 12, 31),
                                     source="Test", text="ags,count\n05111,10\n05315,30", actor_label="test")
    assert dataset.total == 40
    with pytest.raises(keydata.KeyFileRefused):
        keydata.import_dataset(kind="counts", name="Zählung", reference_date=date(2019, 12, 31), source="Test",
                               text="ags,count\n05111,10\n05111,3\n99999,1", actor_label="test")

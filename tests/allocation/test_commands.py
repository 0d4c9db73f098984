"""The commands: import-key (stores, refuses whole) and compute (stores nothing)."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import func, select

from app.allocation.commands import allocation_group
from app.allocation.models import AllocationVersion, KeyDataset
from app.platform.extensions import db
from tests.allocation.allocation_data import SHIPPED


def test_compute_csv(app):
    result = app.test_cli_runner().invoke(allocation_group, ["compute", "--pool", "45000000.00", "--gemeinden",
                                                             str(SHIPPED), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0]) == ["ags", "name", "key_share", "quota", "ceiling"]
    assert len(rows) == 53
    assert sum(int(r["ceiling"].replace(".", "")) for r in rows) == 4_500_000_000
    assert db.session.scalar(select(func.count()).select_from(AllocationVersion)) == 0


def test_compute_json_and_table(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(allocation_group, ["compute", "--pool", "45000000.00", "--gemeinden", str(SHIPPED),
                                              "--format", "json"])
    data = json.loads(result.output)
    assert data["pool"] == "45000000.00" and len(data["rows"]) == 53
    assert all(r["ceiling"].count(".") == 1 and len(r["ceiling"].split(".")[1]) == 2 for r in data["rows"])
    table = runner.invoke(allocation_group, ["compute", "--pool", "45000000.00", "--gemeinden", str(SHIPPED)])
    assert "45.000.000,00" in table.output and "Summe (53 Kommunen)" in table.output
    bad = tmp_path / "bad.csv"
    bad.write_text("ags,name,kreis_ags,population,area_km2\n05111000,D,05111,-1,1\n", encoding="utf-8")
    refused = runner.invoke(allocation_group, ["compute", "--pool", "100.00", "--gemeinden", str(bad)])
    assert refused.exit_code != 0 and "Zeile 2" in refused.output
    assert runner.invoke(allocation_group, ["compute", "--pool", "1,5", "--gemeinden", str(SHIPPED)]).exit_code == 2


def test_import_key(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(allocation_group, ["import-key", str(SHIPPED), "--source", "Destatis GV-ISys",
                                              "--date", "2019-12-31", "--name", "Destatis GV-ISys 31.12.2019"])
    assert result.exit_code == 0, result.output
    assert "396 Zeilen" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text(SHIPPED.read_text(encoding="utf-8") + "05111000,Doppelt,05111,1,1.00,2019-12-31\n",
                   encoding="utf-8")
    refused = runner.invoke(allocation_group, ["import-key", str(bad), "--source", "x", "--date", "2019-12-31"])
    assert refused.exit_code == 1 and "Zeile 398" in refused.output and "doppelt" in refused.output
    assert db.session.scalar(select(func.count()).select_from(KeyDataset)) == 1

"""One commit per request (#15): views and API routes never commit or roll back; the edge does.

Grep-based over every domain's view and API modules (``*views*.py``, ``api.py``, ``*_api.py``; see
docs/ARCHITECTURE.md, "Request edge"):
``db.session.commit()``/``rollback()`` belong to app/platform/web/edge.py, the CLI and jobs only.
"""

import re
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
EDGE_FILES = sorted(path for path in APP.rglob("*.py")  # views.py, hearing_views.py, api.py, hearing_api.py …
                    if "views" in path.stem or path.stem == "api" or path.stem.endswith("_api"))
TRANSACTION_CALL = re.compile(r"\.(commit|rollback)\(")
# Domains whose conversion (#15) lands on main separately; the lead empties this set once all have landed.
BEING_CONVERTED = {"allocation", "budgets", "grants", "innovationsfonds"}


def _param(path: Path):
    package = path.relative_to(APP).parts[0]
    marks = [pytest.mark.xfail(reason=f"app.{package}: its #15 conversion lands separately", strict=False)] \
        if package in BEING_CONVERTED else []
    return pytest.param(path, id=str(path.relative_to(APP)), marks=marks)


def test_every_domain_is_covered():
    packages = {path.relative_to(APP).parts[0] for path in EDGE_FILES}
    assert {"auth", "main", "notifications", "scheduler", "documents"} | BEING_CONVERTED <= packages


@pytest.mark.parametrize("path", [_param(path) for path in EDGE_FILES])
def test_views_and_api_neither_commit_nor_roll_back(path):
    calls = [f"{path.name}:{number}: {line.strip()}" for number, line in
             enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if TRANSACTION_CALL.search(line) and not line.lstrip().startswith("#")]
    assert calls == [], "the edge commits once per request (app/platform/web/edge.py):\n" + "\n".join(calls)


@pytest.mark.parametrize("path", [_param(path) for path in EDGE_FILES])
def test_url_ids_use_the_id_converter(path):
    assert "<int(max=" not in path.read_text(encoding="utf-8"), "use <id:name> (app/platform/web/edge.py)"

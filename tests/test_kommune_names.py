"""Issue #21.3: one naming rule for the 53 Kommunen (official names from the reference data), used by
pages, filters, greeting and exports; no name is doubled ("Kreis Hochsauerlandkreis")."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.reference.models import Kommune, kommune_display_name

ROOT = Path(__file__).resolve().parents[1]
DOUBLED = re.compile(r"\bKreis\b.*\bKreis\b|\bKreis\s+\S*kreis\b|Kreis Städteregion", re.IGNORECASE)


def test_official_names(app):
    names = {k.ags: k.display_name for k in app.extensions["sqlalchemy"].session.scalars(select(Kommune))}
    assert len(names) == 53
    assert names["05958"] == "Hochsauerlandkreis" and names["05162"] == "Rhein-Kreis Neuss"
    assert names["05962"] == "Märkischer Kreis" and names["05374"] == "Oberbergischer Kreis"
    assert names["05154"] == "Kreis Kleve" and names["05978"] == "Kreis Unna"
    assert names["05334"] == "Städteregion Aachen"
    assert names["05315"] == "Köln" and names["05914"] == "Hagen" and names["05122"] == "Solingen"
    assert not [name for name in names.values() if DOUBLED.search(name)]
    assert len(set(names.values())) == 53


@given(st.text(alphabet="abcdeKkrisä- ", min_size=1, max_size=30).filter(lambda s: s.strip() and "," not in s))
def test_a_kreis_is_named_a_kreis_exactly_once(base):
    name = kommune_display_name(base, "Kreis")
    assert "kreis" in name.casefold()
    assert name == base.strip() or name == f"Kreis {base.strip()}"
    assert not (name.startswith("Kreis ") and "kreis" in base.casefold())


def test_no_page_or_export_builds_a_kommune_name_of_its_own():
    """Every place shows ``display_name`` (or ``kommune_display_name`` over SQL rows), never the raw name."""
    offenders = []
    for path in [*ROOT.joinpath("app").rglob("*.py"), *ROOT.joinpath("templates").rglob("*.html"),
                 *ROOT.joinpath("templates").rglob("*.txt")]:
        text = path.read_text(encoding="utf-8")
        for pattern in (r"kommune\.name\b", r'name\.split\(","\)', r'"Kreis \{', r"'Kreis ' ~"):
            if "reference" in path.parts:  # where the official names are loaded and the rule lives
                continue
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert offenders == []

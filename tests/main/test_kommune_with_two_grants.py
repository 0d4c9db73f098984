"""A Kommune with two grants (F1–F4 and F6, separate decisions): every figure and to-do counts both.

Keyed by AGS, the F6 grant replaced the F1–F4 grant of the same Kommune, and the programme overview, the
reports page and the map left out money that was approved, paid and spent.
"""

from __future__ import annotations

from datetime import date

from flask import url_for

from app.budgets.services import set_commitment
from app.main import insights
from app.main.panels import programme_overview
from app.platform import clock
from app.platform.extensions import db
from app.reference.services import get_programme, kommune_by_ags
from tests.budgets.conftest import LINES, make_grant  # noqa: F401 - fixture

F6_LINES = {("F6", 2021): 3_000_000, ("F6", 2022): 3_000_000}


def _f6_grant(ags: str):
    with clock.freeze(date(2020, 12, 7)):
        grant = set_commitment(programme_id=get_programme().id, source=f"f6:{ags}", reference=f"ZB-F6-{ags}",
                               recipient_kind="kommune", kommune_id=kommune_by_ags(ags).id, funding_rate_bp=8000,
                               start_date=date(2021, 1, 1), last_expense_date=date(2023, 6, 30),
                               lines=dict(F6_LINES), actor=None)
    db.session.commit()
    return grant


def test_a_kommune_with_an_f1_f4_and_an_f6_grant_counts_both(app, make_grant, make_user):  # noqa: F811
    make_grant("05315")
    _f6_grant("05315")
    make_grant("05154")
    statuses = insights.kommune_grant_statuses(with_forecast=False)
    assert sorted(ags for ags, _s in statuses) == ["05154", "05315", "05315"]

    with clock.freeze(date(2022, 1, 10)):
        panel = programme_overview(make_user("programme_admin"))
    both = 2 * sum(LINES.values()) + sum(F6_LINES.values())
    assert panel.data["overall"].approved == both
    assert panel.data["count"] == 2  # Kommunen, not grants

    combined = insights.per_kommune(statuses)
    assert combined["05315"][0].approved == sum(LINES.values()) + sum(F6_LINES.values())
    assert combined["05154"][0].approved == sum(LINES.values())



def test_the_kommune_overview_shows_the_f1_f4_grant_and_the_to_dos_of_both(app, make_grant, make_user):  # noqa: F811
    from app.main.panels import kommune_overview

    f1_f4 = make_grant("05315")
    f6_grant = _f6_grant("05315")
    user = make_user("kommune", kommune_ags="05315")
    with clock.freeze(date(2023, 7, 10)), app.test_request_context("/"):  # after the last expense day
        panel = kommune_overview(user)
    assert panel.data["grant"].id == f1_f4.id
    assert panel.data["status"].total.approved == sum(LINES.values())
    proofs = [label for label, url in panel.data["todos"] if "Verwendungsnachweis" in label]
    assert len(proofs) == 2
    assert any(label.startswith(f"{f6_grant.reference}: ") for label in proofs)
    assert any(label.startswith(f"{f1_f4.reference}: ") for label in proofs)


def test_a_kommune_with_only_an_f6_grant_shows_no_f1_f4_figures(app, make_user):
    from app.main.panels import kommune_overview

    f6_grant = _f6_grant("05711")
    user = make_user("kommune", kommune_ags="05711")
    with clock.freeze(date(2022, 1, 10)), app.test_request_context("/"):
        panel = kommune_overview(user)
        expenses = url_for("budgets.expenses", grant_id=f6_grant.id)
    assert panel.data["grant"] is None and panel.data["status"] is None
    assert ("Ausgaben erfassen oder importieren", expenses) in panel.data["todos"]


def test_without_an_f1_f4_grant_no_proof_of_use_deadline_is_counted_down(app, client, make_user):
    """After the last expense day the tile counts down to the F1–F4 proof of use, which only a grant has."""
    _f6_grant("05711")
    client.login(make_user("kommune", kommune_ags="05711"))
    with clock.freeze(date(2023, 7, 10)):
        page = client.get("/").get_data(as_text=True)
    assert "Mein Überblick" in page
    assert "Frist für den Verwendungsnachweis" not in page.split("Was ist zu tun?")[0]

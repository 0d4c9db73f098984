"""The two halves of "approved − earned" shown on the Kommune's start page."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from app.budgets import services
from app.budgets.status import Figures
from app.platform import clock
from app.platform.extensions import db
from app.platform.money import format_eur
from tests.budgets.conftest import heard, overpaid_grant

cents = st.integers(min_value=0, max_value=10**11)


@given(approved=cents, earned=cents)
def test_not_yet_earned_and_beyond_approval_split_the_remaining(approved: int, earned: int) -> None:
    figures = Figures(approved=approved, earned=earned)
    assert figures.not_yet_earned >= 0 and figures.earned_beyond_approval >= 0
    assert figures.not_yet_earned - figures.earned_beyond_approval == figures.remaining
    assert min(figures.not_yet_earned, figures.earned_beyond_approval) == 0


def test_overspent_grant_shows_nothing_left_and_the_excess() -> None:
    figures = Figures(approved=2_276_366_00, earned=2_338_016_07)
    assert figures.remaining == -61_650_07
    assert (figures.not_yet_earned, figures.earned_beyond_approval) == (0, 61_650_07)


def test_kommune_start_page_shows_no_negative_rest_when_expenses_exceed_the_approval(app, client, make_user,
                                                                                     make_grant):
    kommune = make_user("kommune", kommune_ags="05315")
    grant = make_grant(lines={("F1", 2022): 100_000})  # 1.000 € approved at 80 %
    with clock.freeze(date(2022, 3, 15)):
        services.record_expense(grant, actor=kommune, module="F1", expense_date=date(2022, 3, 15),
                                amount_cents=150_000)  # earns 1.200 €: 200 € beyond the approval
    db.session.commit()
    client.login(kommune)
    with clock.freeze(date(2022, 6, 15)):
        page = client.get("/").get_data(as_text=True)
    assert "-200,00" not in page and "−200,00" not in page
    assert f"liegt {format_eur(200_00)} über der Bewilligung" in page


def test_after_the_final_decision_the_start_page_shows_the_amount_fixed_not_a_rest(app, client, make_user,
                                                                                   make_grant):
    kommune, finance, admin = make_user("kommune"), make_user("finance"), make_user("programme_admin")
    grant = overpaid_grant(make_grant, kommune, finance)  # 10.000 € approved, 2.000 € earned
    client.login(kommune)
    with clock.freeze(date(2023, 7, 11)):
        submitted = client.get("/").get_data(as_text=True)
        assert "Rest (noch nicht verdient)" in submitted and "eingereicht, in Prüfung" in submitted
        assert "Tage bis zur Frist für den Verwendungsnachweis" not in submitted  # it is in already
        heard(grant, admin, kommune)
        services.decide_final(grant, actor=admin)
        db.session.commit()
        settled = client.get("/").get_data(as_text=True)
    assert "Rest (noch nicht verdient)" not in settled and format_eur(8_000_00) not in settled
    assert "Festgesetzt (Schlussbescheid vom 11.07.2023)" in settled and format_eur(2_000_00) in settled
    assert "Schlussbescheid erlassen" in settled

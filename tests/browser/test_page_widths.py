"""Issue #21 in Chromium: no page of a role's day scrolls sideways at 1,280 × 800. Per role (Kommune,
programme administration, finance, auditor): the start page, every entry of the main navigation, the list
pages the role may open and one drawdown, measured with ``document.documentElement.scrollWidth``; no table
hides columns behind a scroll bar of its own (``.table-scroll``) either, and nothing sticks out of a card."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.grants.models import ParticipantCount
from app.measures import demo as measures_demo
from app.measures.models import Measure
from app.platform import clock
from app.platform.extensions import db
from app.reference.services import get_programme, kommune_by_ags
from app.results.reach import GENDERS
from tests.browser.conftest import browser_type_launch_args, chromium_path, live_server  # noqa: F401
from tests.browser.roles import DAY, build_story, login

pytestmark = pytest.mark.browser
WIDTH, HEIGHT = 1280, 800
# list pages outside the main navigation; a role that may not open one (403) skips it
LIST_PAGES = ("/budgets/uebersicht", "/budgets/rueckforderungen", "/budgets/abgleich", "/zuteilung/rueckgaben",
              "/zuteilung/schluesseldaten", "/zuteilung/stellen", "/f6/uebersicht", "/innovationsfonds/traeger",
              "/verwaltung/jobs/", "/audit", "/nachrichten/", "/massnahmen/", "/massnahmen/weiterleitungen",
              "/massnahmen/traeger", "/exporte", "/ergebnisse/quartale")


def _measures(story) -> None:
    """Köln's demo catalogue (#17): measures with costs, consented contracts with payments, providers with
    contact staff, so that the measure and Weiterleitung tables have their real width (1,245 px before)."""
    users = {"admin@demo.nrw": story.users["programme_admin"], "traeger@demo.nrw": story.users["organisation"],
             "koeln@demo.nrw": story.users["kommune"]}
    measures_demo.seed(SimpleNamespace(users=users, day=DAY))
    db.session.commit()


def _results() -> None:
    """Four-digit participant entries of Köln in every module and gender, so that the results tables (14 columns,
    1,427 px before their two-row header) have their real width."""
    kommune_id = kommune_by_ags("05315").id
    for module in ("F1", "F2", "F3", "F4"):
        for gender in GENDERS:
            db.session.add(ParticipantCount(programme_id=get_programme().id, kommune_id=kommune_id,
                                            module_code=module, year=2021, quarter=1, gender=gender, entered=1234,
                                            updated_at=clock.now()))
    db.session.commit()


@pytest.mark.parametrize("role", ["kommune", "programme_admin", "finance", "auditor"])
def test_start_and_list_pages_fit_1280(role, make_user, live_server, page):  # noqa: F811
    story = build_story(make_user)
    _measures(story)
    _results()
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    with clock.freeze(DAY):
        login(page, live_server, story.emails[role])
        menu = page.locator("nav.main-nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert "/" in menu and len(menu) > 2
        widths = {}
        expenses = f"/budgets/zuwendungen/{story.grants['05315']}/ausgaben"
        page.goto(live_server + "/budgets/mittelabrufe")  # and one drawdown: finance decides it there
        drawdown = page.locator("main tbody a").first.get_attribute("href")
        measure = "/massnahmen/" + str(db.session.scalar(select(Measure.id).order_by(Measure.id)))
        for path in dict.fromkeys([*menu, *LIST_PAGES, expenses, drawdown, measure]):
            answer = page.goto(live_server + path)
            if answer.status == 403 and path not in menu:
                continue
            assert answer.status == 200, f"{path}: {answer.status}"
            widths[page.url.removeprefix(live_server)] = page.evaluate("document.documentElement.scrollWidth")
            tables = page.locator(".table-scroll").evaluate_all(
                "boxes => boxes.map(box => box.scrollWidth - box.clientWidth)")
            assert all(hidden <= 1 for hidden in tables), f"{path}: a table scrolls inside its box: {tables}"
            cards = page.locator("main .card").evaluate_all(  # e.g. a panel's facts pushed out of a narrow card
                "cards => cards.filter(c => c.scrollWidth > c.clientWidth + 1)"
                ".map(c => c.textContent.trim().slice(0, 40))")
            assert not cards, f"{path}: content wider than its card: {cards}"
        too_wide = {path: width for path, width in widths.items() if width > WIDTH}
        assert not too_wide, f"{role}: pages wider than {WIDTH} px: {too_wide}"

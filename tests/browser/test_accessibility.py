"""axe-core (vendored, tests/browser/vendor/axe.min.js) in Chromium on the main pages of each role:
no serious or critical violation (WCAG 2.1 A/AA rules and best practices).

The context bypasses the page's CSP only so that Playwright can inject axe as a script tag; the pages
themselves are unchanged (test_roles.py runs them with the CSP enforced and fails on any violation).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.platform import clock
from tests.browser.conftest import browser_type_launch_args, chromium_path, live_server  # noqa: F401
from tests.browser.roles import DAY, build_story, login, logout

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "vendor" / "axe.min.js"


@pytest.fixture()
def browser_context_args(browser_context_args):
    return {**browser_context_args, "bypass_csp": True}


def _pages(story) -> dict[str, list[str]]:
    own, other = story.grants["05315"], story.grants["05154"]
    return {
        "kommune": ["/", f"/budgets/zuwendungen/{own}", f"/budgets/zuwendungen/{own}/ausgaben", "/antraege/",
                    "/budgets/mittelabrufe", "/karte", "/kommunen/05315"],
        "programme_admin": ["/", "/antraege/", "/auswertungen", "/karte?mass=gefaehrdet", "/kommunen/05154",
                            "/audit", "/budgets/uebersicht", "/zuteilung/"],
        "finance": ["/", "/budgets/mittelabrufe", f"/budgets/zuwendungen/{other}", "/budgets/abgleich"],
        "auditor": ["/", "/audit", "/auswertungen", "/karte?mass=teilnehmende"],
        "reviewer": ["/"],
        "organisation": ["/"],
    }


def _violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def test_main_pages_of_each_role_have_no_serious_axe_violations(make_user, live_server, page):  # noqa: F811
    story = build_story(make_user)
    found = {}
    with clock.freeze(DAY):
        for role, urls in _pages(story).items():
            login(page, live_server, story.emails[role])
            for url in urls:
                response = page.goto(live_server + url)
                assert response.status == 200, f"{role} {url}: {response.status}"
                violations = _violations(page)
                if violations:
                    found[f"{role} {url}"] = violations
            logout(page)
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)

"""Fixtures of the grants tests: a published allocation with ceilings, and ready-made applications."""

from __future__ import annotations

from datetime import date

import pytest

from app.allocation import keydata
from app.allocation import services as allocation
from app.allocation.models import AllocationStatus, AllocationVersion, Ceiling
from app.allocation.services import next_version_number
from app.platform import clock
from app.platform.extensions import db
from app.reference.services import get_programme, kommune_by_ags, list_kommunen

KOELN, KLEVE, BIELEFELD = "05315", "05154", "05711"
CEILINGS = {KOELN: 295_000_000, KLEVE: 80_000_000, BIELEFELD: 120_000_000}  # cents
DAY = date(2020, 6, 15)


@pytest.fixture()
def ceilings(app):
    """A published allocation version with ceilings for Köln, Kleve and Bielefeld (cents by AGS)."""
    programme = get_programme()
    version = AllocationVersion(programme_id=programme.id, number=next_version_number(programme.id),
                                title="Test-Verteilung",
                                status=AllocationStatus.PUBLISHED, pool_cents=sum(CEILINGS.values()),
                                parameters={}, created_at=clock.now(), published_at=clock.now())
    for ags, cents in CEILINGS.items():
        version.ceilings.append(Ceiling(kommune_id=kommune_by_ags(ags).id, key_share="1/3", exact_quota=f"{cents}/1",
                                        ceiling_cents=cents))
    db.session.add(version)
    db.session.commit()
    return dict(CEILINGS)


@pytest.fixture()
def people(make_user, ceilings):
    """Users of every role; two Kommunen (Köln = own, Kleve = foreign)."""
    return {
        "kommune": make_user("kommune", kommune_ags=KOELN),
        "foreign": make_user("kommune", kommune_ags=KLEVE),
        "programme_admin": make_user("programme_admin"),
        "admin2": make_user("programme_admin"),
        "finance": make_user("finance"),
        "auditor": make_user("auditor"),
        "reviewer": make_user("reviewer"),
        "organisation": make_user("organisation"),
    }


def lines_body(amounts: dict[tuple[str, int], str]) -> list[dict]:
    return [{"module": m, "year": y, "amount": a} for (m, y), a in amounts.items()]


PLAN = {("F1", 2020): "100000.00", ("F2", 2021): "300000.00", ("F3", 2022): "50000.00", ("F4", 2022): "200000.00"}


def draft_body(amounts=None, **extra) -> dict:
    body = {"lines": lines_body(amounts or PLAN),
            "participants": [{"module": "F1", "planned": 120}, {"module": "F2", "planned": 80}],
            "measures": "Coaching in allen Stadtbezirken; Sprachkurse mit Kinderbetreuung.",
            "contact_name": "Kai Köln", "contact_email": "kai@koeln.example", "contact_phone": "0221 123"}
    body.update(extra)
    return body


@pytest.fixture()
def flow(api, people):
    """API clients per role and helpers that drive an application into a given state."""
    clients = {role: api(user) for role, user in people.items()}

    class Flow:
        api = clients
        users = people

        def create(self, role="kommune"):
            response = clients[role].post("/api/v1/applications")
            assert response.status_code == 201, response.json
            return response.json["id"]

        def draft(self, role="kommune", amounts=None):
            app_id = self.create(role)
            response = clients[role].put(f"/api/v1/applications/{app_id}/draft", json=draft_body(amounts))
            assert response.status_code == 200, response.json
            return app_id

        def submitted(self, role="kommune", amounts=None):
            app_id = self.draft(role, amounts)
            response = clients[role].post(f"/api/v1/applications/{app_id}/submit")
            assert response.status_code == 200, response.json
            return app_id

        def in_state(self, state: str, role="kommune") -> int:
            if state == "draft":
                return self.draft(role)
            app_id = self.submitted(role)
            admin = clients["programme_admin"]
            actions = {"changes_requested": ("request-changes", {"comment": "Bitte F2 genauer beschreiben."}),
                       "approved": ("approve", {}), "rejected": ("reject", {"reason": "Nicht förderfähig."})}
            if state in actions:
                path, body = actions[state]
                response = admin.post(f"/api/v1/applications/{app_id}/{path}", json=body)
                assert response.status_code in (200, 201), response.json
            elif state == "withdrawn":
                assert clients[role].post(f"/api/v1/applications/{app_id}/withdraw").status_code == 200
            return app_id

    with clock.freeze(DAY):
        yield Flow()


@pytest.fixture()
def f6_world(app, make_user):
    """A published positions version of 106 positions (synthetic counts) and users."""
    admin = make_user("programme_admin")
    with clock.freeze(date(2020, 11, 2)):
        lines = ["ags,count"] + [f"{k.ags},{(i * 37) % 400 + 10}" for i, k in enumerate(list_kommunen())]
        dataset = keydata.import_dataset(kind="counts", name="Geduldete 18-27 (synthetisch)",
                                         reference_date=date(2019, 12, 31), source="synthetisch",
                                         text="\n".join(lines), actor=admin)
        version = allocation.create_positions_version(get_programme(), actor=admin, dataset_id=dataset.id)
        allocation.publish_positions_version(version, actor=admin)
        db.session.commit()
    return {"admin": admin, "kommune": make_user("kommune", kommune_ags=KOELN), "finance": make_user("finance"),
            "payer": make_user("finance"), "version": version}

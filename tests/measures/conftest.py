"""Measures fixtures: a measure of a Kommune, a course provider, and budgets' grant fixture."""

from __future__ import annotations

from datetime import date

import pytest

from app.measures import services
from app.platform.extensions import db
from app.reference.models import Organisation
from tests.budgets.conftest import make_grant  # noqa: F401 - the Kommune's grant, as budgets' tests make it

MEASURE = {"module_code": "F1", "title": "Sprachkurs Beruf", "kind": "course", "provider_name": "VHS Köln",
           "provider_id": None, "places": 20, "start_date": date(2021, 3, 1), "end_date": date(2021, 12, 31),
           "weekly_hours": 12, "cost_plan_cents": 5_000_000, "funding_source": "programme", "other_programme": ""}


@pytest.fixture()
def make_measure(app):
    def factory(user, **changes):
        measure = services.create_measure(user, {**MEASURE, **changes})
        db.session.commit()
        return measure

    return factory


@pytest.fixture()
def make_provider(app, make_user):
    """``make_provider()`` -> (organisation with a provider profile, its organisation user)."""
    def factory(name: str = "VHS Testhausen", *, public: bool = False):
        organisation = Organisation(name=name, kind="education_provider", is_public_body=public)
        db.session.add(organisation)
        db.session.flush()
        admin = make_user("programme_admin")
        services.set_provider_profile(admin, {"organisation_id": organisation.id, "kind": "vhs",
                                              "recognition": "anerkannt nach § 14 WbG"})
        db.session.commit()
        return organisation, make_user("organisation", organisation=organisation)

    return factory

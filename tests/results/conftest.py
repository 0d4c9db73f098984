"""Fixtures of the results tests: per-module entries stored as app.grants stores them."""

from __future__ import annotations

import pytest

from app.grants.models import ParticipantCount
from app.platform import clock
from app.platform.extensions import db
from app.reference.services import get_programme, kommune_by_ags

KOELN, KLEVE = "05315", "05154"


@pytest.fixture()
def entries(app):
    """``entries(ags, year, quarter, module, female=…, male=…)`` stores one quarter of one module."""

    def store(ags: str, year: int, quarter: int, module: str, **by_gender: int) -> None:
        for gender, count in by_gender.items():
            db.session.add(ParticipantCount(programme_id=get_programme().id, kommune_id=kommune_by_ags(ags).id,
                                            module_code=module, year=year, quarter=quarter, gender=gender,
                                            entered=count, updated_at=clock.now()))
        db.session.commit()

    return store

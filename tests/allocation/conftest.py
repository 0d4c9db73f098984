"""Fixtures of the allocation tests: the shipped Destatis 2019 data set, admin and versions."""

from __future__ import annotations

from datetime import date

import pytest

from app.allocation import keydata, services
from app.platform.extensions import db
from app.reference.services import get_programme
from tests.allocation.allocation_data import DATASET_NAME, POOL, SHIPPED

__all__ = ["DATASET_NAME", "POOL", "SHIPPED"]


@pytest.fixture()
def programme(app):
    return get_programme()


@pytest.fixture()
def admin(make_user):
    return make_user("programme_admin")


@pytest.fixture()
def dataset(app, admin):
    imported = keydata.import_dataset(kind="gemeinden", name=DATASET_NAME, reference_date=date(2019, 12, 31),
                                      source="Destatis GV-ISys", text=SHIPPED.read_text(encoding="utf-8"),
                                      actor=admin)
    db.session.commit()
    return imported


@pytest.fixture()
def counts_dataset(app, admin):
    lines = ["ags,count"] + [f"{k.ags},{(i * 37) % 400 + 10}" for i, k in enumerate(_kommunen())]
    imported = keydata.import_dataset(kind="counts", name="Geduldete 18-27 (synthetisch)",
                                      reference_date=date(2019, 12, 31), source="synthetisch",
                                      text="\n".join(lines), actor=admin)
    db.session.commit()
    return imported


def _kommunen():
    from app.reference.services import list_kommunen

    return list_kommunen()


@pytest.fixture()
def draft(programme, admin, dataset):
    version = services.create_version(programme, actor=admin, pool_cents=POOL, key_dataset_id=dataset.id,
                                      title="Zuteilung 2020")
    db.session.commit()
    return version


@pytest.fixture()
def published(draft, admin):
    services.publish_version(draft, actor=admin)
    db.session.commit()
    return draft


@pytest.fixture()
def during_programme():
    """The clock on a day within the programme (give-backs are refused after its end, 30.06.2023)."""
    from datetime import date

    from app.platform import clock

    with clock.freeze(date(2022, 6, 1)):
        yield

"""Demo: import the shipped Destatis 2019 data set and publish version 1 with the programme's pool."""

from __future__ import annotations

from datetime import date

from ..reference.services import DATA_DIR
from . import keydata, services

DATASET_NAME = "Destatis GV-ISys 31.12.2019"
SOURCE = ("Statistisches Bundesamt (Destatis), Gemeindeverzeichnis GV-ISys, Gebietsstand 31.12.2019 "
          "– Vervielfältigung und Verbreitung, auch auszugsweise, mit Quellenangabe gestattet.")


def seed(context) -> None:
    admin = context.users["admin@demo.nrw"]
    dataset = keydata.import_dataset(kind="gemeinden", name=DATASET_NAME, reference_date=date(2019, 12, 31),
                                     source=SOURCE, text=(DATA_DIR / "nrw_gemeinden.csv").read_text(encoding="utf-8"),
                                     actor=admin)
    version = services.create_version(context.programme, actor=admin, pool_cents=context.programme.pool_cents,
                                      key_dataset_id=dataset.id, title="Zuteilung F1–F4 (FlüAG-Schlüssel 2019)",
                                      note="Demo: berechnet aus den Destatis-Daten 31.12.2019.")
    services.publish_version(version, actor=admin)

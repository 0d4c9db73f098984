"""Demo: import the shipped Destatis 2019 data set and publish version 1 with the programme's pool; publish the
F6 positions (106) from a synthetic target-group count."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from ..platform import clock
from ..reference.services import DATA_DIR, list_kommunen
from . import keydata, services

DATASET_NAME = "Destatis GV-ISys 31.12.2019"
SYNTHETIC_TARGET_GROUP = 8_000  # tolerated people aged 18–27 in NRW: invented for the demo
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
    _seed_positions(context, admin, version)


def _seed_positions(context, admin, version) -> None:
    """F6: a synthetic target-group count per Kommune (marked) and the published version of 106 positions.

    The count follows the Kommune's FlüAG key share (population and area, like the people assigned to it)
    of an invented state total, varied by up to ±25 % so that it is not the key itself.
    """
    shares = {c.kommune_id: Fraction(c.key_share) for c in version.ceilings}
    rows = ["ags,count"] + [f"{k.ags},{round(shares[k.id] * SYNTHETIC_TARGET_GROUP * (75 + (index * 37) % 51) / 100)}"
                            for index, k in enumerate(list_kommunen())]
    with clock.freeze(date(2020, 10, 1)):
        counts = keydata.import_dataset(kind="counts", name="Geduldete 18–27 (synthetisch)",
                                         reference_date=date(2019, 12, 31), text="\n".join(rows), actor=admin,
                                         source="Synthetische Demo-Daten (keine amtliche Statistik)")
        version = services.create_positions_version(context.programme, actor=admin, dataset_id=counts.id,
                                                     title="Stellen Teilhabemanagement (synthetisch)")
        services.publish_positions_version(version, actor=admin)

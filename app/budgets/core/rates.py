"""Flat rates (Pauschalen) as data: ``config/rates/<programme>.csv`` (code, module, label, unit, rate_eur, source).

An expense priced by a flat rate is ``units x rate`` (units with up to two decimals), rounded half up to
whole cents. Other rates than the two public ones are configurable: add a row.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ...platform.money import MoneyFormatError, parse_api_amount

RATES_DIR = Path(__file__).resolve().parents[3] / "config" / "rates"


@dataclass(frozen=True)
class FlatRate:
    code: str
    module: str
    label: str
    unit: str
    rate_cents: int
    source: str


@lru_cache(maxsize=8)
def flat_rates(programme_code: str = "durchstarten") -> dict[str, FlatRate]:
    path = RATES_DIR / f"{programme_code}.csv"
    if not path.exists():
        return {}
    rates = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                cents = parse_api_amount(row["rate_eur"].strip())
            except (KeyError, AttributeError, MoneyFormatError) as exc:
                raise ValueError(f"{path}, Zeile {line}: ungültiger Satz ({exc}).") from None
            rates[row["code"].strip()] = FlatRate(row["code"].strip(), row["module"].strip(), row["label"].strip(),
                                                  row["unit"].strip(), cents, row.get("source", "").strip())
    return rates


def priced(units_centi: int, rate: FlatRate) -> int:
    """units (hundredths) x rate (cents) rounded half up to whole cents."""
    return (2 * units_centi * rate.rate_cents + 100) // 200

"""Load programmes and the NRW reference data; look them up.

Both loaders are idempotent: running them again updates what changed and adds what is new.
"""

from __future__ import annotations

import csv
import tomllib
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from ..platform import audit
from ..platform.errors import NotFound, ValidationFailed
from ..platform.extensions import db
from ..platform.money import MoneyFormatError, parse_api_amount
from .models import FundingModule, Gemeinde, Kommune, Programme

DATA_DIR = Path(__file__).resolve().parent / "data"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _amount(data: dict, key: str) -> int:
    try:
        return parse_api_amount(str(data[key]))
    except (KeyError, MoneyFormatError) as exc:
        raise ValidationFailed.field(key, f"Programmdatei: „{key}“ fehlt oder ist kein Betrag ({exc}).") from None


def _points(data: dict, key: str) -> str:
    """Percentage points above the Basiszinssatz as decimal text (default 5), e.g. "5" or "2.5"."""
    try:
        value = Decimal(str(data.get(key, "5")))
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(20) or value != value.quantize(Decimal("0.01")):
        raise ValidationFailed.field(key, f"Programmdatei: „{key}“ muss eine Zahl von 0 bis 20 sein.")
    return f"{value.normalize():f}"


def _overrun_percent(data: dict) -> int:
    value = data.get("line_overrun_percent", 20)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        raise ValidationFailed.field("line_overrun_percent",
                                     "Programmdatei: „line_overrun_percent“ muss eine ganze Zahl von 0 bis 100 sein.")
    return value


def load_programme(path: str | Path) -> Programme:
    """Create or update a programme from its TOML definition (see config/programmes/)."""
    path = Path(path)
    if not path.is_absolute():
        path = PROJECT_ROOT / path
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    for key in ("code", "name", "start_date", "last_expense_date", "proof_of_use_deadline", "modules"):
        if key not in data:
            raise ValidationFailed.field(key, f"Programmdatei {path.name}: „{key}“ fehlt.")
    rate = Decimal(str(data.get("funding_rate_percent", "80")))
    values = {
        "name": data["name"],
        "legal_basis": data.get("legal_basis", ""),
        "total_cents": _amount(data, "total"),
        "pool_cents": _amount(data, "pool_f1_f4"),
        "innovationsfonds_cents": _amount(data, "innovationsfonds"),
        "funding_rate_bp": int(rate * 100),
        "start_date": data["start_date"],
        "last_expense_date": data["last_expense_date"],
        "proof_of_use_deadline": data["proof_of_use_deadline"],
        "drawdown_period_months": int(data.get("drawdown_period_months", 2)),
        "interest_on_unused_drawdowns": bool(data.get("interest_on_unused_drawdowns", False)),
        "unused_drawdown_interest_points": _points(data, "unused_drawdown_interest_points"),
        "line_overrun_percent": _overrun_percent(data),
        "budget_years": list(data.get("budget_years", range(data["start_date"].year,
                                                             data["last_expense_date"].year + 1))),
        "settings": data.get("settings", {}),
    }
    if values["pool_cents"] + values["innovationsfonds_cents"] > values["total_cents"]:
        raise ValidationFailed.field("pool_f1_f4", "Pool und Innovationsfonds übersteigen das Programmvolumen.")
    programme = db.session.scalar(select(Programme).where(Programme.code == data["code"]))
    before = _programme_snapshot(programme) if programme else None
    if programme is None:
        programme = Programme(code=data["code"], **values)
        db.session.add(programme)
    else:
        for key, value in values.items():
            setattr(programme, key, value)
    existing = {m.code: m for m in programme.modules}
    for module in data["modules"]:
        if module["code"] in existing:
            existing[module["code"]].name = module["name"]
            existing[module["code"]].recipient = module["recipient"]
        else:
            programme.modules.append(FundingModule(code=module["code"], name=module["name"],
                                                   recipient=module["recipient"]))
    db.session.flush()
    audit.record("programme.load", "programme", programme.id, before=before,
                 after=_programme_snapshot(programme), actor_label="cli: load-programme")
    return programme


def _programme_snapshot(programme: Programme) -> dict:
    return {
        "code": programme.code, "total_cents": programme.total_cents, "pool_cents": programme.pool_cents,
        "innovationsfonds_cents": programme.innovationsfonds_cents, "funding_rate_bp": programme.funding_rate_bp,
        "last_expense_date": programme.last_expense_date, "modules": [m.code for m in programme.modules],
    }


def load_reference_data(data_dir: Path = DATA_DIR) -> tuple[int, int]:
    """Load the 53 Kommunen and 396 Gemeinden (Destatis, 31.12.2019). Returns (kommunen, gemeinden)."""
    kommunen = {k.ags: k for k in db.session.scalars(select(Kommune))}
    with (data_dir / "nrw_kreise.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            kommune = kommunen.get(row["ags"])
            if kommune is None:
                kommune = Kommune(ags=row["ags"])
                db.session.add(kommune)
                kommunen[row["ags"]] = kommune
            kommune.name, kommune.kind, kommune.regierungsbezirk = row["name"], row["type"], row["regierungsbezirk"]
    db.session.flush()
    gemeinden = {g.ags: g for g in db.session.scalars(select(Gemeinde))}
    with (data_dir / "nrw_gemeinden.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            gemeinde = gemeinden.get(row["ags"])
            if gemeinde is None:
                gemeinde = Gemeinde(ags=row["ags"])
                db.session.add(gemeinde)
                gemeinden[row["ags"]] = gemeinde
            gemeinde.name = row["name"]
            gemeinde.kommune_id = kommunen[row["kreis_ags"]].id
    db.session.flush()
    audit.record("reference.load", "reference_data", None,
                 after={"kommunen": len(kommunen), "gemeinden": len(gemeinden)}, actor_label="cli: load-reference-data")
    return len(kommunen), len(gemeinden)


def get_programme(code: str | None = None) -> Programme:
    """The programme with ``code``, by default the configured DEFAULT_PROGRAMME."""
    code = code or current_app.config["DEFAULT_PROGRAMME"]
    programme = db.session.scalar(select(Programme).where(Programme.code == code))
    if programme is None:
        raise NotFound(f"Programm „{code}“ ist nicht geladen (durchstarten load-programme).")
    return programme


def get_kommune(kommune_id: int) -> Kommune:
    kommune = db.session.get(Kommune, kommune_id)
    if kommune is None:
        raise NotFound("Kommune nicht gefunden.")
    return kommune


def kommune_by_ags(ags: str) -> Kommune | None:
    return db.session.scalar(select(Kommune).where(Kommune.ags == ags))


def list_kommunen() -> list[Kommune]:
    return list(db.session.scalars(select(Kommune).order_by(Kommune.ags)))


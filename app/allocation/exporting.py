"""CSV/XLSX downloads of a version's table and of the F6 positions (through app/exports.py)."""

from __future__ import annotations

from decimal import Decimal

from flask import Response

from ..exports import Column, export_response
from . import distribution
from .models import AllocationVersion
from .services import PositionRow, TableRow

VERSION_COLUMNS = [
    Column("AGS"), Column("Kommune"), Column("Regierungsbezirk"), Column("Bevölkerung", "int"),
    Column("Fläche (km²)", "decimal"), Column("Schlüsselanteil (%)"), Column("Schlüsselanteil (exakt)"),
    Column("Exakter Anteil (€)"), Column("Rückgabe", "money"), Column("Zuteilung aus Umverteilung", "money"),
    Column("Zuwendungshöchstgrenze", "money"),
]
POSITION_COLUMNS = [Column("AGS"), Column("Kommune"), Column("Zielgruppe (Anzahl)", "int"),
                    Column("Stellen", "decimal")]


def version_export(version: AllocationVersion, rows: list[TableRow], fmt: str) -> Response:
    table = [
        [r.ags, r.name, r.regierungsbezirk, r.population, Decimal(r.area_hundredths).scaleb(-2),
         distribution.format_number(r.share * 100, 8), str(r.share),
         distribution.format_number(r.exact_quota_cents / 100, 6), r.given_back_cents, r.received_cents,
         r.ceiling_cents]
        for r in rows
    ]
    return export_response(f"zuteilung-version-{version.number}", fmt, VERSION_COLUMNS, table)


def positions_export(rows: list[PositionRow], fmt: str) -> Response:
    return export_response("stellen-teilhabemanagement", fmt, POSITION_COLUMNS,
                           [[r.ags, r.name, r.count, r.positions] for r in rows])

"""CSV/XLSX downloads of a version's table and of the F6 positions (through app/exports.py)."""

from __future__ import annotations

from decimal import Decimal

from flask import Response
from flask_babel import gettext

from ..platform.web.exports import Column, export_response
from . import distribution
from .models import AllocationVersion, GiveBack, KeyDataset
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


def give_back_state(item: GiveBack) -> str:
    """What became of a declaration: redistributed, open (its version is the published one) or outdated."""
    if item.applied_in_id:
        return gettext("umverteilt")
    return gettext("offen") if item.version.status.value == "published" else gettext("veraltet")


def give_back_rows(items: list[GiveBack]) -> tuple[list[Column], list[list]]:
    """The declarations as on the page "Rückgaben" (an empty maximum means: no limit)."""
    columns = [Column(gettext("AGS")), Column(gettext("Kommune")), Column(gettext("Version"), "int"),
               Column(gettext("Rückgabe"), "money"), Column(gettext("Höchstens verwendbar"), "money"),
               Column(gettext("Erklärt"), "datetime"), Column(gettext("Stand")), Column(gettext("Bemerkung"))]
    return columns, [[b.kommune.ags, b.kommune.display_name, b.version.number, b.amount_cents, b.max_usable_cents,
                      b.created_at, give_back_state(b), b.note] for b in items]


def dataset_rows(items: list[KeyDataset]) -> tuple[list[Column], list[list]]:
    """The imported key datasets as on the page "Schlüsseldaten"."""
    columns = [Column(gettext("Name")), Column(gettext("Version"), "int"), Column(gettext("Art")),
               Column(gettext("Stichtag"), "date"), Column(gettext("Quelle")), Column(gettext("Zeilen"), "int"),
               Column(gettext("Summe"), "int"), Column(gettext("Importiert"), "datetime")]
    kinds = {"gemeinden": gettext("Bevölkerung/Fläche je Gemeinde"), "counts": gettext("Anzahl je Kommune")}
    return columns, [[d.name, d.version, kinds.get(d.kind, d.kind), d.reference_date, d.source, d.row_count, d.total,
                      d.created_at] for d in items]

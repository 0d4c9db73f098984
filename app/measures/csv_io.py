"""The catalogue as a spreadsheet: the columns of the export are the columns of the import.

A file exported from the catalogue page (CSV, ``;``, German amounts and dates) can be edited and imported
again (new rows become drafts; the import never changes existing measures). Every row is read through
``MeasureIn`` like the form, so the messages are the same; errors name the line and the column, and a
file with any error imports nothing. Kinds and funding sources may be given as label or code.
"""

from __future__ import annotations

import csv
import io

from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from ..platform.errors import N_, ValidationFailed
from ..platform.web.forms import load_form
from ..platform.web.sanitation import TEXT_CONTROLS
from .models import FundingSource, MeasureKind, MeasureStatus
from .schemas import MeasureIn

MAX_LINES = 5_000
MAX_ERRORS = 100
# (form field, column label, export value kind); "kommune" and "status" are exported only
COLUMNS = (
    ("kommune", N_("Kommune"), "text"),
    ("module", N_("Baustein"), "text"),
    ("title", N_("Titel"), "text"),
    ("kind", N_("Art"), "text"),
    ("provider_name", N_("Träger"), "text"),
    ("places", N_("Plätze"), "int"),
    ("start_date", N_("Beginn"), "date"),
    ("end_date", N_("Ende"), "date"),
    ("weekly_hours", N_("Wochenstunden"), "int"),
    ("cost_plan", N_("Kostenplan"), "money"),
    ("funding_source", N_("Finanzierung"), "text"),
    ("other_programme", N_("Förderlinie"), "text"),
    ("participants", N_("Teilnehmende"), "int"),
    ("status", N_("Status"), "text"),
    ("teaching_hours", N_("Unterrichtsstunden"), "int"),
    ("spent", N_("Kosten bisher"), "money"),
    ("cost_per_place", N_("Kosten je Platz"), "money"),
    ("cost_per_hour", N_("Kosten je Unterrichtsstunde"), "money"),
    ("cost_per_participant", N_("Kosten je Teilnahme"), "money"),
)
# computed or set by the service: exported, never read back (an edited cost in the file changes nothing)
EXPORT_ONLY = ("kommune", "status", "teaching_hours", "spent", "cost_per_place", "cost_per_hour",
               "cost_per_participant")
OPTIONAL = ("provider_name", "other_programme", "participants")  # columns an import file may leave out


def _codes() -> dict[str, str]:
    """Label (German or in the request's language) or code, case-insensitive -> code."""
    return {name.casefold(): member.value for enum in (MeasureKind, FundingSource, MeasureStatus)
            for member in enum for name in (member.value, member.german, member.label)}


def _header_map(header: list[str]) -> dict[int, str]:
    """Column position -> form field, from the German labels (the export's header) or the field names."""
    by_name = {name.casefold(): key for key, label, _kind in COLUMNS for name in (key, label, gettext(label))}
    return {i: by_name[name.strip().casefold()] for i, name in enumerate(header)
            if name.strip().casefold() in by_name and by_name[name.strip().casefold()] not in EXPORT_ONLY}


def parse(data: bytes) -> list[tuple[int, dict]]:
    """(line, loaded row) per record of an uploaded catalogue file, or ValidationFailed on the field ``file``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if TEXT_CONTROLS.search(text):
        raise ValidationFailed.field("file", "Die Datei enthält Steuerzeichen.")
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=";"))
    except csv.Error:
        raise ValidationFailed.field("file", "Die Datei ist kein gültiges CSV.") from None
    if not records or not any(cell.strip() for cell in records[0]):
        raise ValidationFailed.field("file", "Die Datei ist leer.")
    columns = _header_map(records[0])
    missing = [label for key, label, _k in COLUMNS if key not in EXPORT_ONLY and key not in OPTIONAL
               and key not in columns.values()]
    if missing:
        raise ValidationFailed.field("file", "Es fehlen Spalten: " + ", ".join(missing) + ".")
    if len(records) - 1 > MAX_LINES:
        raise ValidationFailed.field("file", f"Höchstens {MAX_LINES:,} Zeilen je Datei.".replace(",", "."))
    rows, errors = [], []
    for line, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        form, codes = MultiDict(), _codes()
        for position, key in columns.items():
            value = record[position].strip() if position < len(record) else ""
            form.add(key, codes.get(value.casefold(), value) if key in ("kind", "funding_source") else value)
        try:
            rows.append((line, load_form(MeasureIn(), form)))
        except ValidationFailed as failed:
            errors.extend(f"Zeile {line}, {_label(field)}: {' '.join(messages)}"
                          for field, messages in failed.errors.items())
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise ValidationFailed("Die Datei enthält Fehler; nichts wurde übernommen.", errors={"file": errors})
    if not rows:
        raise ValidationFailed.field("file", "Die Datei enthält keine Maßnahme.")
    return rows


def _label(field: str) -> str:
    return next((label for key, label, _kind in COLUMNS if key == field or
                 (field, key) in (("module_code", "module"), ("cost_plan_cents", "cost_plan"))), field)


def export_values(measure) -> list:
    """The row of ``measure`` in the order of ``COLUMNS`` (raw values; the export formats them). A cost per
    unit without units (no places, hours or participants) is None: an empty cell, never a division by zero."""
    figures = measure.figures
    return [measure.kommune.display_name, measure.module_code, measure.title, measure.kind.label,
            measure.provider_label, measure.places, measure.start_date, measure.end_date, measure.weekly_hours,
            measure.cost_plan_cents, measure.funding_source.label, measure.other_programme, measure.participants,
            measure.status.label, figures.teaching_hours, figures.spent_cents, figures.per_place_cents,
            figures.per_hour_cents, figures.per_participant_cents]

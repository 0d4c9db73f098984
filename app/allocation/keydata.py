"""Key data sets: parse and import Gemeinde population/area files and count files.

A file is checked completely before anything is stored; any bad row refuses the whole file with
one German message per problem, naming the line (the header is line 1). Areas are stored exactly
as integer hundredths of km² (the Destatis figures have two decimals; more are refused).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from ..platform import audit, clock, limits
from ..platform.errors import ValidationFailed
from ..platform.extensions import db
from ..reference.models import Kommune
from ..reference.services import DATA_DIR
from .models import KeyCountRow, KeyDataset, KeyDatasetKind, KeyGemeindeRow

GEMEINDE_COLUMNS = ("ags", "name", "kreis_ags", "population", "area_km2")
COUNT_COLUMNS = ("ags", "count")
MAX_ROWS = 20_000
MAX_TEXT = 5_000_000  # characters of a key file sent in a JSON body
_INT = re.compile(r"^-?\d+$")
_AREA = re.compile(r"^(-)?(\d{1,9})(?:[.,](\d{1,2}))?$")
_AREA_LONG = re.compile(r"^-?\d+[.,]\d{3,}$")


@dataclass
class ParsedFile:
    """Rows of a key file (dicts) and the problems found, as (line, message)."""

    rows: list[dict] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def messages(self) -> list[str]:
        return [f"Zeile {line}: {message}" for line, message in self.problems]


class KeyFileRefused(ValidationFailed):
    """The whole file is refused; ``errors["file"]`` lists the problems by line."""

    def __init__(self, parsed: ParsedFile) -> None:
        super().__init__(f"Die Datei wurde nicht übernommen: {len(parsed.problems)} Fehler.",
                         errors={"file": parsed.messages})
        self.parsed = parsed


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM); anything else is refused."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed.field("file", "Die Datei ist nicht UTF-8-kodiert.") from None


def _reader(text: str) -> csv.DictReader:
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    return csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)


def _header_problems(reader: csv.DictReader, required: tuple[str, ...]) -> list[tuple[int, str]]:
    header = [(name or "").strip() for name in (reader.fieldnames or [])]
    missing = [name for name in required if name not in header]
    if not header:
        return [(1, "Die Datei ist leer.")]
    if missing:
        return [(1, f"Spalte fehlt: {', '.join(missing)} (erwartet: {', '.join(required)}).")]
    return []


def _cell(row: dict, name: str) -> str:
    return (row.get(name) or "").strip()


def _integer(text: str, what: str) -> tuple[int | None, str | None]:
    if not _INT.match(text):
        return None, f"{what} „{text}“ ist keine ganze Zahl."
    value = int(text)
    if value < 0:
        return None, f"{what} {value} ist negativ."
    return value, None


def _area(text: str) -> tuple[int | None, str | None]:
    if _AREA_LONG.match(text):
        return None, f"Fläche „{text}“ hat mehr als zwei Nachkommastellen."
    match = _AREA.match(text)
    if not match:
        return None, f"Fläche „{text}“ ist keine Zahl."
    sign, whole, decimals = match.groups()
    if sign:
        return None, f"Fläche {text} ist negativ."
    return int(whole) * 100 + int((decimals or "0").ljust(2, "0")), None


def parse_gemeinden(text: str, known_kreise: Mapping[str, object]) -> ParsedFile:
    """Check a Gemeinde file (ags,name,kreis_ags,population,area_km2[,as_of]) completely."""
    parsed = ParsedFile()
    reader = _reader(text)
    parsed.problems += _header_problems(reader, GEMEINDE_COLUMNS)
    if parsed.problems:
        return parsed
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if len(parsed.rows) >= MAX_ROWS:
            parsed.problems.append((line, f"Zu viele Zeilen (höchstens {MAX_ROWS})."))
            break
        if None in row:
            parsed.problems.append((line, "Mehr Werte als Spalten."))
            continue
        ags, kreis = _cell(row, "ags"), _cell(row, "kreis_ags")
        problems = []
        if not re.fullmatch(r"\d{8}", ags):
            problems.append(f"AGS „{ags}“ ist kein 8-stelliger Gemeindeschlüssel.")
        elif ags in seen:
            problems.append(f"AGS {ags} doppelt (zuerst in Zeile {seen[ags]}).")
        if kreis not in known_kreise:
            problems.append(f"Kreis „{kreis}“ ist unbekannt.")
        elif re.fullmatch(r"\d{8}", ags) and not ags.startswith(kreis):
            problems.append(f"AGS {ags} gehört nicht zum Kreis {kreis}.")
        if not _cell(row, "name"):
            problems.append("Name fehlt.")
        population, problem = _integer(_cell(row, "population"), "Bevölkerung")
        problems += [problem] if problem else []
        area, problem = _area(_cell(row, "area_km2"))
        problems += [problem] if problem else []
        as_of = _cell(row, "as_of")
        if as_of:
            try:
                date.fromisoformat(as_of)
            except ValueError:
                problems.append(f"Stichtag „{as_of}“ ist kein Datum (JJJJ-MM-TT).")
        if problems:
            parsed.problems += [(line, p) for p in problems]
        seen.setdefault(ags, line)
        parsed.rows.append({"ags": ags, "name": _cell(row, "name"), "kreis_ags": kreis,
                            "population": population, "area_hundredths": area, "line": line})
    if not parsed.rows and not parsed.problems:
        parsed.problems.append((2, "Die Datei enthält keine Datenzeilen."))
    elif parsed.rows and not parsed.problems and sum(r["population"] for r in parsed.rows) == 0:
        parsed.problems.append((2, "Die Bevölkerung ist insgesamt 0."))
    return parsed


def parse_counts(text: str, known_kommunen: Mapping[str, object]) -> ParsedFile:
    """Check a count file (ags,count[,name]) with one row per Kommune (5-digit AGS)."""
    parsed = ParsedFile()
    reader = _reader(text)
    parsed.problems += _header_problems(reader, COUNT_COLUMNS)
    if parsed.problems:
        return parsed
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if len(parsed.rows) >= MAX_ROWS:
            parsed.problems.append((line, f"Zu viele Zeilen (höchstens {MAX_ROWS})."))
            break
        ags = _cell(row, "ags")
        problems = []
        if ags not in known_kommunen:
            problems.append(f"Kommune „{ags}“ ist unbekannt.")
        elif ags in seen:
            problems.append(f"AGS {ags} doppelt (zuerst in Zeile {seen[ags]}).")
        count, problem = _integer(_cell(row, "count"), "Anzahl")
        problems += [problem] if problem else []
        parsed.problems += [(line, p) for p in problems]
        seen.setdefault(ags, line)
        parsed.rows.append({"ags": ags, "count": count, "line": line})
    if not parsed.rows and not parsed.problems:
        parsed.problems.append((2, "Die Datei enthält keine Datenzeilen."))
    return parsed


def reference_kreise() -> dict[str, str]:
    """The 53 Kreise/kreisfreie Städte from the shipped reference file (AGS -> name); no database."""
    with (DATA_DIR / "nrw_kreise.csv").open(encoding="utf-8") as handle:
        return {row["ags"]: row["name"] for row in csv.DictReader(handle)}


def known_kommunen() -> dict[str, Kommune]:
    return {k.ags: k for k in db.session.scalars(select(Kommune))}


def parse(kind: str, text: str) -> ParsedFile:
    kommunen = known_kommunen()
    return parse_gemeinden(text, kommunen) if kind == KeyDatasetKind.GEMEINDEN else parse_counts(text, kommunen)


def check_meta(kind: str, name: str, reference_date: date | None, source: str) -> None:
    errors = {}
    if kind not in {k.value for k in KeyDatasetKind}:
        errors["kind"] = ["Unbekannte Art von Schlüsseldaten."]
    if not name or len(name) > limits.NAME:
        errors["name"] = [f"Bitte einen Namen angeben (höchstens {limits.NAME} Zeichen)."]
    if reference_date is None:
        errors["reference_date"] = ["Bitte den Stichtag angeben."]
    if not source or len(source) > limits.REASON:
        errors["source"] = [f"Bitte die Quelle angeben (höchstens {limits.REASON} Zeichen)."]
    if errors:
        raise ValidationFailed("Die Angaben zum Datensatz sind unvollständig.", errors=errors)


def import_dataset(*, kind: str, name: str, reference_date: date | None, source: str, text: str,
                   actor=None, actor_label: str | None = None) -> KeyDataset:
    """Import a whole file as the next version of data set ``name``, or refuse it whole."""
    name, source = (name or "").strip(), (source or "").strip()
    check_meta(kind, name, reference_date, source)
    parsed = parse(kind, text)
    if parsed.problems:
        raise KeyFileRefused(parsed)
    version = (db.session.scalar(select(func.max(KeyDataset.version)).where(KeyDataset.name == name)) or 0) + 1
    dataset = KeyDataset(name=name, version=version, kind=kind, reference_date=reference_date, source=source,
                         row_count=len(parsed.rows), created_at=clock.now(),
                         created_by_id=actor.id if actor is not None else None,
                         total=sum(r["population"] if kind == KeyDatasetKind.GEMEINDEN else r["count"]
                                   for r in parsed.rows))
    db.session.add(dataset)
    db.session.flush()
    if kind == KeyDatasetKind.GEMEINDEN:
        db.session.add_all(KeyGemeindeRow(dataset_id=dataset.id, ags=r["ags"], name=r["name"], kreis_ags=r["kreis_ags"],
                                          population=r["population"], area_hundredths=r["area_hundredths"])
                           for r in parsed.rows)
    else:
        db.session.add_all(KeyCountRow(dataset_id=dataset.id, ags=r["ags"], count=r["count"]) for r in parsed.rows)
    db.session.flush()
    audit.record("allocation.keydata.import", "allocation_key_dataset", dataset.id, actor=actor,
                 actor_label=actor_label,
                 after={"name": name, "version": version, "kind": kind, "reference_date": reference_date,
                        "source": source, "rows": len(parsed.rows), "total": dataset.total})
    return dataset


def gemeinde_records(dataset: KeyDataset) -> list[dict]:
    """The rows as input for ``distribution.flueag_key`` (area as an exact Fraction)."""
    return [{"ags": r.ags, "name": r.name, "kreis_ags": r.kreis_ags, "population": r.population, "area": r.area}
            for r in dataset.gemeinde_rows]

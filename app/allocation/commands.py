"""``durchstarten allocation ...``: import a key data set; what-if computation that stores nothing."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from fractions import Fraction
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..platform.formatting import format_date
from ..platform.money import MoneyFormatError, cents_to_api, format_eur, parse_api_amount
from . import distribution
from .keydata import parse_gemeinden, reference_kreise


@click.group("allocation")
def allocation_group() -> None:
    """Zuteilung: Schlüsseldaten importieren, Höchstgrenzen durchrechnen."""


@allocation_group.command("import-key")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="Quelle, z. B. „Destatis GV-ISys“")
@click.option("--date", "reference_date", required=True, help="Stichtag (JJJJ-MM-TT)")
@click.option("--name", default=None, help="Name des Datensatzes (Standard: Quelle und Stichtag)")
@click.option("--kind", type=click.Choice(["gemeinden", "counts"]), default="gemeinden")
@with_appcontext
def import_key(file: Path, source: str, reference_date: str, name: str | None, kind: str) -> None:
    """Import FILE as a key data set; a file with any bad row is refused whole."""
    from ..platform.errors import ValidationFailed
    from ..platform.extensions import db
    from .keydata import decode, import_dataset

    try:
        day = date.fromisoformat(reference_date)
    except ValueError:
        raise click.BadParameter("Stichtag als JJJJ-MM-TT angeben.", param_hint="--date") from None
    try:
        dataset = import_dataset(kind=kind, name=name or f"{source} {format_date(day)}", reference_date=day,
                                 source=source, text=decode(file.read_bytes()),
                                 actor_label="cli: allocation import-key")
    except ValidationFailed as refused:
        db.session.rollback()
        lines = [refused.detail] + [f"  {m}" for messages in refused.errors.values() for m in messages]
        raise click.ClickException("\n".join(lines)) from None
    db.session.commit()
    click.echo(f"Datensatz „{dataset.label}“ mit {dataset.row_count} Zeilen importiert (id {dataset.id}).")


def _quota_text(quota_cents: Fraction) -> str:
    """Exact quota in euros, six decimals (rounded half up, display only)."""
    return f"{distribution.rounded(quota_cents / 100, 6):f}"


@allocation_group.command("compute")
@click.option("--pool", required=True, help="Fördertopf in Euro, z. B. 45000000.00")
@click.option("--gemeinden", "gemeinden_file", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Gemeinde-CSV im Importformat")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
def compute(pool: str, gemeinden_file: Path, fmt: str) -> None:
    """What-if: the ceilings per Kommune for POOL by the FlüAG key; stores nothing, needs no database."""
    try:
        pool_cents = parse_api_amount(pool)
    except MoneyFormatError as bad:
        raise click.BadParameter(str(bad), param_hint="--pool") from None
    kreise = reference_kreise()
    try:
        text = gemeinden_file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException("Die Datei ist nicht UTF-8-kodiert.") from None
    parsed = parse_gemeinden(text, kreise)
    if parsed.problems:
        raise click.ClickException("Die Datei wurde abgelehnt:\n" + "\n".join(f"  {m}" for m in parsed.messages))
    records = [{"ags": r["ags"], "population": r["population"], "area": Fraction(r["area_hundredths"], 100)}
               for r in parsed.rows]
    try:
        key = distribution.flueag_key(records)
        shares = distribution.kommune_shares(key, {r["ags"]: r["kreis_ags"] for r in parsed.rows})
        rows = distribution.split_pool(pool_cents, shares)
    except distribution.DistributionError as error:
        raise click.ClickException(str(error)) from None
    if fmt == "json":
        click.echo(json.dumps({"pool": cents_to_api(pool_cents), "rows": [
            {"ags": r.ags, "name": kreise[r.ags], "key_share": str(r.share),
             "quota": _quota_text(r.exact_quota_cents), "ceiling": cents_to_api(r.ceiling_cents)} for r in rows]},
            ensure_ascii=False, indent=1))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["ags", "name", "key_share", "quota", "ceiling"])
        for r in rows:
            writer.writerow([r.ags, kreise[r.ags], _share_text(r.share), _quota_text(r.exact_quota_cents),
                             cents_to_api(r.ceiling_cents)])
        click.echo(buffer.getvalue(), nl=False)
    else:
        width = max(len(kreise[r.ags]) for r in rows)
        click.echo(f"{'AGS':<6} {'Kommune':<{width}} {'Anteil %':>12} {'Höchstgrenze':>20}")
        for r in rows:
            click.echo(f"{r.ags:<6} {kreise[r.ags]:<{width}} {distribution.format_number(r.share * 100, 6):>12} "
                       f"{format_eur(r.ceiling_cents):>20}")
        click.echo(f"{'':<6} {'Summe (' + str(len(rows)) + ' Kommunen)':<{width}} {'':>12} "
                   f"{format_eur(sum(r.ceiling_cents for r in rows)):>20}")


def _share_text(share: Fraction) -> str:
    """The key share as a decimal with 12 places (rounded half up, display only); exact: --format json."""
    return str(distribution.rounded(share, 12))


COMMANDS = [allocation_group]

"""``durchstarten innovationsfonds select``: a what-if selection from a CSV that stores nothing;
``durchstarten innovationsfonds verify-aggregates [--call N] [--repair]``: the stored review aggregates
against a recomputation from the reviews (``stored_aggregates.verify``; exit 1 on a difference).

CSV header ``id,requested,score`` (requested ``1234.56``, score a decimal with at most two places);
rows are ranked by the core's documented order (score, then lower amount, then row order, then id).
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal, InvalidOperation

import click
from flask.cli import with_appcontext

from ..platform.errors import DomainError
from ..platform.extensions import db
from ..platform.money import MoneyFormatError, cents_to_api, parse_api_amount
from ..reference.models import ORGANISATION_KINDS
from .core.funding import GroupMinimumError, funding_line, max_score
from .core.knapsack import SelectionTooLargeError
from .core.ranking import RankItem, rank

RULES = {"funding-line-stop": "stop", "funding-line-skip": "skip", "max-score": None}


def _score(text: str, line: int) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise click.ClickException(f"Zeile {line}: „{text}“ ist keine Punktzahl.") from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise click.ClickException(f"Zeile {line}: Punktzahl ≥ 0 mit höchstens zwei Nachkommastellen erwartet.")
    return value


def read_sketches(handle) -> list[RankItem]:
    reader = csv.DictReader(handle)
    if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != ["id", "requested", "score"]:
        raise click.ClickException("Die CSV-Datei braucht die Kopfzeile „id,requested,score“.")
    items, seen = [], set()
    for line, row in enumerate(reader, start=2):
        sketch_id = (row["id"] or "").strip()
        if not sketch_id or sketch_id in seen:
            raise click.ClickException(f"Zeile {line}: fehlende oder doppelte id „{sketch_id}“.")
        seen.add(sketch_id)
        try:
            cents = parse_api_amount((row["requested"] or "").strip())
        except MoneyFormatError as exc:
            raise click.ClickException(f"Zeile {line}: {exc}") from None
        if cents <= 0:
            raise click.ClickException(f"Zeile {line}: der beantragte Betrag muss positiv sein.")
        items.append(RankItem(sketch_id, _score(row["score"] or "", line), cents, line))
    return items


@click.group("innovationsfonds")
def innovationsfonds_group() -> None:
    """Innovationsfonds: Auswahl durchrechnen."""


@innovationsfonds_group.command("select")
@click.option("--sketches", "path", required=True, type=click.File("r", encoding="utf-8-sig"),
              help="CSV mit den Spalten id,requested,score")
@click.option("--budget", required=True, help="Budget in Euro, z. B. 5000000.00")
@click.option("--rule", required=True, type=click.Choice(list(RULES)))
@click.option("--min-score", default=None, help="Mindestpunktzahl (optional)")
@click.option("--format", "fmt", default="text", type=click.Choice(["text", "json"]), show_default=True)
def select_command(path, budget, rule, min_score, fmt) -> None:
    """Welche Skizzen würden ausgewählt? Speichert nichts."""
    try:
        budget_cents = parse_api_amount(budget)
    except MoneyFormatError as exc:
        raise click.BadParameter(str(exc), param_hint="--budget") from None
    threshold = None
    if min_score is not None:
        threshold = _score(min_score, 0) if min_score.strip() else None
    ranked = rank(read_sketches(path))
    try:
        if RULES[rule] is None:
            result = max_score(ranked, budget_cents, min_score=threshold)
        else:
            result = funding_line(ranked, budget_cents, mode=RULES[rule], min_score=threshold)
    except (GroupMinimumError, SelectionTooLargeError) as exc:
        raise click.ClickException(str(exc)) from None
    total, score_total = cents_to_api(result.total_cents), f"{result.score_total:.2f}"
    if fmt == "json":
        click.echo(json.dumps({"selected": list(result.selected), "total": total, "score_total": score_total}))
        return
    click.echo(f"Ausgewählt ({len(result.selected)}): {', '.join(result.selected) or '–'}")
    click.echo(f"Summe: {total}")
    click.echo(f"Punktsumme: {score_total}")


@innovationsfonds_group.command("create-organisation")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice(list(ORGANISATION_KINDS)))
@click.option("--public-body/--private", "public", default=None,
              help="öffentliche Stelle (ANBest-G) oder privat (ANBest-P); Vorgabe: nur Kommunen öffentlich")
@click.option("--city", default="")
@click.option("--contact-name", default="")
@click.option("--contact-email", default="")
@with_appcontext
def create_organisation_command(name, kind, public, city, contact_name, contact_email) -> None:
    """Einen Träger anlegen (danach: durchstarten create-user --role organisation --organisation-id N)."""
    from .organisations import create_organisation

    try:
        organisation = create_organisation(None, {"name": name, "kind": kind, "is_public_body": public, "city": city,
                                                  "contact_name": contact_name, "contact_email": contact_email},
                                           actor_label="cli: innovationsfonds create-organisation")
    except DomainError as error:
        raise click.ClickException(f"{error.detail} {error.errors or ''}") from None
    db.session.commit()
    click.echo(f"Träger {organisation.id} „{organisation.name}“ angelegt.")


@innovationsfonds_group.command("verify-aggregates")
@click.option("--call", "call_id", type=int, default=None, help="nur dieser Aufruf")
@click.option("--repair", is_flag=True, help="abweichende Werte aus den Gutachten neu setzen")
@with_appcontext
def verify_aggregates_command(call_id, repair) -> None:
    """Die gespeicherten Bewertungskennzahlen jeder Skizze mit einer Neuberechnung aus den Gutachten vergleichen."""
    from .stored_aggregates import verify

    differences = verify(call_id, repair=repair)
    for difference in differences:
        click.echo(f"Skizze {difference.sketch_id}: gespeichert {difference.stored}, aus den Gutachten "
                   f"{difference.computed}")
    if repair:
        db.session.commit()
        click.echo(f"{len(differences)} Skizzen korrigiert.")
    elif differences:
        raise click.exceptions.Exit(1)
    else:
        click.echo("Alle gespeicherten Kennzahlen stimmen mit den Gutachten überein.")


COMMANDS = [innovationsfonds_group]

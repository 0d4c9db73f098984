"""Budget commands: ``durchstarten interest`` (a case check for finance staff) and ``verify-ledger``."""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal, InvalidOperation

import click
from flask.cli import with_appcontext

from ..platform.money import MoneyFormatError, cents_to_api, parse_api_amount
from .core.interest import DAY_COUNTS, BaseRateError, compute_interest, format_calculation_lines, load_base_rates


def _date(_ctx, param, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} ist kein Datum (JJJJ-MM-TT).", param=param) from None


@click.command("interest")
@click.option("--amount", required=True, help="Hauptforderung in Euro, z. B. 10000.00")
@click.option("--from", "start", required=True, callback=_date, help="Zinsbeginn (Tag der Auszahlung), JJJJ-MM-TT")
@click.option("--to", "end", required=True, callback=_date, help="Zinsende (Tag der Rückzahlung, exklusiv)")
@click.option("--points", default="5", show_default=True, help="Prozentpunkte über dem Basiszinssatz")
@click.option("--day-count", default="act/365", show_default=True, type=click.Choice(DAY_COUNTS))
@click.option("--format", "fmt", default="text", type=click.Choice(["text", "json"]), show_default=True)
@click.option("--table", "table_path", default=None,
              help="Basiszinssatz-Tabelle (CSV), Standard: config/basiszinssatz.csv")
def interest_command(amount, start, end, points, day_count, fmt, table_path) -> None:
    """Zinsen nach § 49a Abs. 3 VwVfG: Betrag, Zeitraum, Rechnung je Zeitraum gleichen Basiszinssatzes."""
    try:
        cents = parse_api_amount(amount)
    except MoneyFormatError as exc:
        raise click.BadParameter(str(exc), param_hint="--amount") from None
    try:
        points_value = Decimal(points)
    except InvalidOperation:
        raise click.BadParameter(f"{points!r} ist keine Zahl.", param_hint="--points") from None
    if not points_value.is_finite():
        raise click.BadParameter(f"{points!r} ist keine Zahl.", param_hint="--points")
    try:
        result = compute_interest(cents, start, end, points=points_value, table=load_base_rates(table_path),
                                  day_count=day_count)
    except (BaseRateError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps({
            "interest": cents_to_api(result.interest_cents),
            "day_count": result.day_count,
            "principal": cents_to_api(cents),
            "points": str(points_value),
            "periods": [{"from": p.start.isoformat(), "to": p.last_day.isoformat(), "days": p.days,
                         "base_rate": str(p.base_rate), "rate": str(p.total_rate),
                         "interest": cents_to_api(p.interest_cents)} for p in result.periods],
        }, ensure_ascii=False))
        return
    for line in format_calculation_lines(result):
        click.echo(line)


@click.command("verify-ledger")
@click.option("--incremental", is_flag=True,
              help="Schnelle Prüfung: nur die Journale seit der letzten gespeicherten Prüfung und die Zuwendungen, "
                   "für die seitdem gebucht wurde (sonst vollständig).")
@with_appcontext
def verify_ledger_command(incremental: bool) -> None:
    """Saldenabgleich: Journal, Salden und Belege (Bewilligungen, Abrufe, Zahlungen, Ausgaben) vergleichen."""
    from ..platform.extensions import db
    from .reconciliation import run_check

    check = run_check(full=not incremental, actor_label="cli: verify-ledger")
    db.session.commit()
    if check.problem_count:
        for problem in check.problems:
            click.echo(problem)
        click.echo(f"{check.problem_count} Abweichung(en) gefunden.", err=True)
        sys.exit(1)
    click.echo("Ledger geprüft: keine Abweichungen.")


COMMANDS = [interest_command, verify_ledger_command]

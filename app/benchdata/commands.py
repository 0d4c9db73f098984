"""``durchstarten seed-bench``: synthetic, ledger-consistent data at scale (benchmarks, load tests)."""

from __future__ import annotations

import sys
import time
from datetime import date
from functools import partial

import click
from flask import current_app
from flask.cli import with_appcontext

from ..platform.formatting import format_decimal


def _date(_ctx, param, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} ist kein Datum (JJJJ-MM-TT).", param=param) from None


@click.command("seed-bench")
@click.option("--kommunen", default=53, show_default=True, type=click.IntRange(1, 53),
              help="Anzahl Kommunen (je eine Zuwendung)")
@click.option("--lines", default=1_000_000, show_default=True, type=click.IntRange(0, 50_000_000),
              help="Buchungszeilen (ledger entries) insgesamt")
@click.option("--today", default="2022-06-15", show_default=True, callback=_date,
              help="Stichtag: Ausgaben und Abrufe bis zu diesem Tag")
@click.option("--seed", "seed_value", default=2020, show_default=True, type=int)
@click.option("--verify/--no-verify", default=False, help="danach verify-ledger ausführen")
@with_appcontext
def seed_bench_command(kommunen: int, lines: int, today: date, seed_value: int, verify: bool) -> None:
    """Synthetische Massendaten (nur für Benchmarks): Zuwendungen, Abrufe, Ausgaben, konsistentes Ledger."""
    from ..platform.extensions import db
    from .generator import AlreadySeeded, seed

    started = time.perf_counter()
    try:
        result = seed(kommunen=kommunen, lines=lines, today=today, seed_value=seed_value,
                      app_config=current_app.config)
    except AlreadySeeded as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    count = partial(format_decimal, places=0)
    click.echo(f"{len(result.grant_ids)} Zuwendungen, {count(result.drawdowns)} Mittelabrufe, "
               f"{count(result.expenses)} Ausgaben, {count(result.journals)} Journale, "
               f"{count(result.entries)} Buchungszeilen in {format_decimal(time.perf_counter() - started, 1)} s "
               "(synthetisch).")
    if verify:
        from ..budgets.verify import verify_ledger

        problems = verify_ledger()
        for problem in problems[:20]:
            click.echo(problem)
        if problems:
            click.echo(f"{len(problems)} Abweichung(en).", err=True)
            sys.exit(1)
        click.echo("Ledger geprüft: keine Abweichungen.")


COMMANDS = [seed_bench_command]

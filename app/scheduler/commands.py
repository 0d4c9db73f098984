"""``durchstarten scheduler`` (the one scheduler process) and ``durchstarten jobs list|run``."""

from __future__ import annotations

import json
import logging
import os
from datetime import date, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from ..platform import clock


@click.command("scheduler")
@click.option("--holder-id", default=None, help="Name of this process in the lease (default: host:pid:random).")
@with_appcontext
def scheduler_command(holder_id: str | None) -> None:
    """Run the scheduler process (one per deployment; a second one waits as standby)."""
    from .process import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    app = current_app._get_current_object()
    apply_environment(app.config)
    # lower the priority to SCHEDULER_NICE (never raise it) before any thread starts: they inherit it
    os.nice(max(int(app.config.get("SCHEDULER_NICE", 0)) - os.nice(0), 0))
    serve(app, holder=holder_id)


ENV_SETTINGS = {"SCHEDULER_SCHEDULES": json.loads, "SCHEDULER_LEASE_SECONDS": float,
                "SCHEDULER_RENEW_SECONDS": float, "SCHEDULER_STANDBY_POLL_SECONDS": float,
                "SCHEDULER_WORKERS": int, "SCHEDULER_NICE": int}


def apply_environment(config) -> None:
    """Scheduler settings from the environment (JSON for SCHEDULER_SCHEDULES), e.g. for the benchmark."""
    for name, parse in ENV_SETTINGS.items():
        if os.environ.get(name):
            config[name] = parse(os.environ[name])


@click.group("jobs")
def jobs_group() -> None:
    """List the registered jobs or run one by hand."""


@jobs_group.command("list")
@with_appcontext
def list_command() -> None:
    """List the registered jobs with schedule and last run."""
    from .services import job_overview

    for item in job_overview():
        last = item["last_run"]
        last_text = f"{last.status} {last.due_key}" if last is not None else "noch nie"
        click.echo(f"{item['name']:<34} {item['schedule']:<26} zuletzt: {last_text}")
        click.echo(f"    {item['description']}")


@jobs_group.command("run")
@click.argument("name")
@click.option("--day", default=None, help="Run as on this day (YYYY-MM-DD); the clock is set to that day.")
@with_appcontext
def run_command(name: str, day: str | None) -> None:
    """Run job NAME now (once per due key: a second run the same day does nothing)."""
    from ..platform.errors import NotFound
    from .runner import execute

    try:
        chosen = date.fromisoformat(day) if day else None
    except ValueError:
        raise click.BadParameter("Datum im Format JJJJ-MM-TT angeben.", param_hint="--day") from None
    try:
        if chosen is None:
            outcome = execute(name, trigger="cli")
        else:
            local_now = clock.now().astimezone(clock.BERLIN).timetz()
            with clock.freeze(datetime.combine(chosen, local_now)):
                outcome = execute(name, trigger="cli", day=chosen)
    except NotFound as missing:
        raise click.ClickException(missing.detail) from None
    labels = {"ok": "erledigt", "already_done": "bereits erledigt – nichts zu tun", "failed": "FEHLGESCHLAGEN"}
    click.echo(f"{name} [{outcome.due_key}]: {labels.get(outcome.status, outcome.status)}")
    if outcome.summary:
        click.echo(json.dumps(outcome.summary, ensure_ascii=False, indent=2))
    if outcome.status == "failed":
        raise click.ClickException(outcome.error or "Job fehlgeschlagen")


COMMANDS = [scheduler_command, jobs_group]

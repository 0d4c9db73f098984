"""The ``durchstarten`` command: set-up, demo data, users and tokens, the server; domains add theirs.

Every command honours ``DATABASE_URL`` (default: the SQLite file under ``instance/``) and
commits once at its end.
"""

from __future__ import annotations

import importlib
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from werkzeug.serving import run_simple

from . import DOMAINS, create_app
from .platform.extensions import db


def _create_app():
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False)
def main() -> None:
    """Durchstarten – Zuwendungs- und Budgetverwaltung."""


@main.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the schema to the newest migration."""
    from flask_migrate import upgrade

    upgrade()
    click.echo("Datenbankschema ist aktuell.")


@main.command("load-programme")
@click.argument("path", default="config/programmes/durchstarten.toml")
@with_appcontext
def load_programme_command(path: str) -> None:
    """Load or update a programme definition (TOML)."""
    from .reference.services import load_programme

    programme = load_programme(path)
    db.session.commit()
    click.echo(f"Programm „{programme.name}“ geladen ({len(programme.modules)} Bausteine).")


@main.command("load-reference-data")
@with_appcontext
def load_reference_data_command() -> None:
    """Load the 53 Kreise/kreisfreie Städte and 396 Gemeinden (Destatis, 31.12.2019)."""
    from .reference.services import load_reference_data

    kommunen, gemeinden = load_reference_data()
    db.session.commit()
    click.echo(f"{kommunen} Kommunen und {gemeinden} Gemeinden geladen.")


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(
    ["kommune", "organisation", "reviewer", "programme_admin", "finance", "auditor"]))
@click.option("--kommune", "kommune_ags", help="AGS (5 digits) for Kommune users")
@click.option("--organisation-id", type=int, help="for organisation users")
@click.password_option(envvar="DURCHSTARTEN_PASSWORD")
@with_appcontext
def create_user_command(email, name, role, kommune_ags, organisation_id, password) -> None:
    """Create a user account."""
    from .auth.services import create_user
    from .platform.errors import DomainError

    try:
        user = create_user(email=email, name=name, password=password, role=role, kommune_ags=kommune_ags,
                           organisation_id=organisation_id, actor_label="cli: create-user")
    except DomainError as error:
        raise click.ClickException(f"{error.detail} {error.errors or ''}") from None
    db.session.commit()
    click.echo(f"Benutzer {user.email} ({user.role.value}) angelegt.")


@main.command("create-token")
@click.option("--email", required=True)
@click.option("--name", default="cli")
@click.option("--days", type=int, default=365)
@with_appcontext
def create_token_command(email: str, name: str, days: int) -> None:
    """Create an API token for a user and print it (shown once)."""
    from sqlalchemy import select

    from .auth.models import User
    from .auth.services import create_token

    user = db.session.scalar(select(User).where(User.email == email.lower()))
    if user is None:
        raise click.ClickException(f"Kein Benutzer {email}.")
    _token, secret = create_token(user, name, days_valid=days)
    db.session.commit()
    click.echo(secret)


@main.command("deactivate-user")
@click.option("--email", required=True)
@with_appcontext
def deactivate_user_command(email: str) -> None:
    """Deactivate a user account: no more logins, every session ends at once."""
    from sqlalchemy import select

    from .auth.models import User
    from .auth.services import deactivate_user

    user = db.session.scalar(select(User).where(User.email == email.lower()))
    if user is None:
        raise click.ClickException(f"Kein Benutzer {email}.")
    deactivate_user(user, actor_label="cli: deactivate-user")
    db.session.commit()
    click.echo(f"Benutzer {user.email} deaktiviert; alle Sitzungen beendet.")


@main.command("seed-demo")
@click.option("--day", default=None, help="Show the programme as on this day (default: 2022-06-15).")
@with_appcontext
def seed_demo_command(day: str | None) -> None:
    """Fill an empty database with demo data (clearly marked as synthetic) and print the logins."""
    from .demo import seed_demo

    logins = seed_demo(day)
    db.session.commit()
    click.echo("Demo-Daten angelegt. Anmeldungen (Passwort jeweils wie angegeben):")
    for login in logins:
        click.echo(f"  {login}")


@main.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def serve(host: str, port: int) -> None:
    """Run the development server (production: gunicorn, see README).

    Werkzeug's server directly: ``app.run()`` does nothing inside a Flask CLI group
    (``FLASK_RUN_FROM_CLI``), which would make the demo command return without serving.
    """
    click.echo(f"Durchstarten läuft auf http://{host}:{port}/ (Strg+C beendet)")
    run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False)


def _register_domain_commands() -> None:
    for package in DOMAINS:
        try:
            module = importlib.import_module(f"{package}.commands")
        except ModuleNotFoundError as missing:
            if missing.name == f"{package}.commands":
                continue
            raise
        for command in module.COMMANDS:
            main.add_command(command)


def _register_bench_command() -> None:
    """``seed-bench`` (bench/README.md): benchmark data is a tool of the repository, not a domain of the service."""
    from .benchdata.commands import seed_bench_command

    main.add_command(seed_bench_command)


_register_domain_commands()
_register_bench_command()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

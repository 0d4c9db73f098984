"""What the templates get: German formatting filters, query-string helpers, navigation, the actor."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, g

from .. import clock
from ..formatting import format_date, format_datetime, format_decimal, format_percent
from ..money import format_eur
from .navigation import nav_items


def pager_query(args, page: int) -> str:
    """The current query string with another page number (filters stay in the URL)."""
    merged = {k: v for k, v in args.items() if k != "page"}
    merged["page"] = str(page)
    return urlencode(merged)


def export_query(args, fmt: str) -> str:
    """The current query string asking for the export ``fmt`` of the same list (without the page number)."""
    merged = {k: v for k, v in args.items() if k not in ("page", "export")}
    merged["export"] = fmt
    return urlencode(merged)


def register_template_helpers(app: Flask, can) -> None:
    """Jinja filters and globals; ``can(user, permission)`` comes from app.auth (the platform imports no domain)."""
    app.jinja_env.filters.update(
        eur=format_eur, date_de=format_date, datetime_de=format_datetime, decimal_de=format_decimal,
        percent_de=format_percent, pager_query=pager_query, export_query=export_query,
    )
    app.jinja_env.globals["nav_items"] = lambda user: nav_items(user, can)

    @app.context_processor
    def _globals():
        actor = getattr(g, "actor", None)
        return {"actor": actor, "today": clock.today(), "can": lambda action: can(actor, action),
                "fake_today": app.config.get("FAKE_TODAY")}

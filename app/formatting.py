"""How values look to people: German money, dates, percentages; registered as Jinja2 filters."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode

from flask import Flask, g

from .clock import BERLIN
from .money import format_eur
from .navigation import nav_items


def format_date(value: date | datetime | str | None) -> str:
    """``15.06.2022``; also for ISO dates kept as text in JSON columns (``"2022-06-15"``)."""
    if value is None:
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(BERLIN).date() if value.tzinfo else value.date()
    return value.strftime("%d.%m.%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return "–"
    return value.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")


def format_decimal(value: Decimal | int | None, places: int = 2) -> str:
    if value is None:
        return "–"
    text = f"{Decimal(value):,.{places}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def format_percent(value: Decimal | None, places: int = 1) -> str:
    return "–" if value is None else f"{format_decimal(value, places)}\u00a0%"


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


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters.update(
        eur=format_eur, date_de=format_date, datetime_de=format_datetime, decimal_de=format_decimal,
        percent_de=format_percent, pager_query=pager_query, export_query=export_query,
    )
    app.jinja_env.globals["nav_items"] = nav_items

    @app.context_processor
    def _globals():
        from . import clock
        from .auth.permissions import can

        actor = getattr(g, "actor", None)
        return {"actor": actor, "today": clock.today(), "can": lambda action: can(actor, action),
                "fake_today": app.config.get("FAKE_TODAY")}

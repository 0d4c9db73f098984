"""Main navigation entries contributed by the domains; shown only to roles with the permission."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for


@dataclass(frozen=True)
class NavEntry:
    label: str  # usually a lazy_gettext string: translated when the menu is shown
    endpoint: str
    permission: str
    order: int


_ENTRIES: list[NavEntry] = []


def nav_entry(label: str, endpoint: str, permission: str, order: int = 100) -> None:
    """Register a menu entry (call at import time of a domain's views module)."""
    _ENTRIES.append(NavEntry(label, endpoint, permission, order))


def nav_items(user, can) -> list[dict]:
    """The entries ``user`` may open; ``can(user, permission)`` is the permission check (app.auth)."""
    return [{"label": str(e.label), "url": url_for(e.endpoint)}
            for e in sorted(_ENTRIES, key=lambda e: e.order) if can(user, e.permission)]

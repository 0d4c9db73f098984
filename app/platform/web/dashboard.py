"""Start-page panels contributed by the domains.

A domain registers a function ``(user) -> Panel | None`` with ``@panel(order)``; the start page
shows every panel that returns something for the current user. This keeps each domain's
dashboard logic in the domain and the start page free of imports from all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Panel:
    title: str
    template: str  # a Jinja2 partial that renders ``panel.data``
    data: dict = field(default_factory=dict)
    order: int = 100
    wide: bool = False  # spans the whole width of the start page (tables, charts)


_PROVIDERS: list[tuple[int, Callable]] = []


def panel(order: int = 100) -> Callable:
    def register(func: Callable) -> Callable:
        _PROVIDERS.append((order, func))
        return func

    return register


def panels_for(user) -> list[Panel]:
    result = []
    for order, provider in sorted(_PROVIDERS, key=lambda item: item[0]):
        found = provider(user)
        if found is not None:
            found.order = order
            result.append(found)
    return result

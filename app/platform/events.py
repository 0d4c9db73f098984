"""Domain events: a service announces what it did; packages that react subscribe (same transaction).

Budgets and grants must not import the packages that react to their decisions (the binding documents
in ``app.documents`` read budgets and grants, the other way round would be a cycle). They call
``emit("drawdown.pay", drawdown=...)`` after the state change; ``app.documents.hooks`` subscribes.
A subscriber that raises aborts the request like any other error in the transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

_SUBSCRIBERS: dict[str, list[Callable[..., object]]] = defaultdict(list)


def subscribe(event: str) -> Callable:
    """Decorator: call the function with the event's keyword arguments whenever ``event`` is emitted."""

    def decorator(function: Callable) -> Callable:
        if function not in _SUBSCRIBERS[event]:
            _SUBSCRIBERS[event].append(function)
        return function

    return decorator


def emit(event: str, **payload) -> None:
    for function in list(_SUBSCRIBERS.get(event, ())):
        function(**payload)

"""Notification jobs: e-mail delivery every minute (see ``delivery`` for the at-most-once design)."""

from __future__ import annotations

from ..platform.jobs import job
from .delivery import deliver_pending


@job("notifications.deliver_email", trigger="interval", minutes=1, own_transactions=True, misfire_grace_time=50,
     description="Ausstehende Nachrichten per E-Mail versenden (mit Wiederholung und Backoff)")
def deliver_email(run) -> dict:
    return deliver_pending()

"""Filtering the audit trail, shared by the page and the API."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Select, select

from ..platform.audit import AuditEntry
from ..platform.clock import BERLIN


def audit_select(filters: dict) -> Select:
    """Newest first; ``action`` and ``actor`` match as prefixes, dates are Berlin calendar days."""
    statement = select(AuditEntry).order_by(AuditEntry.id.desc())
    if filters.get("action"):
        statement = statement.where(AuditEntry.action.startswith(filters["action"], autoescape=True))
    if filters.get("object_type"):
        statement = statement.where(AuditEntry.object_type == filters["object_type"])
    if filters.get("object_id"):
        statement = statement.where(AuditEntry.object_id == str(filters["object_id"]))
    if filters.get("actor"):
        statement = statement.where(AuditEntry.actor_label.startswith(filters["actor"], autoescape=True))
    if filters.get("kommune_id"):
        statement = statement.where(AuditEntry.kommune_id == int(filters["kommune_id"]))
    if filters.get("date_from"):
        statement = statement.where(AuditEntry.occurred_at >= _start(filters["date_from"]))
    if filters.get("date_to"):
        statement = statement.where(AuditEntry.occurred_at <= _start(filters["date_to"], end=True))
    return statement


def _start(day: date, end: bool = False) -> datetime:
    return datetime.combine(day, time.max if end else time.min, tzinfo=BERLIN)

"""Reading grants: the access rule (a recipient sees only its own grants), lists, the grant of a source."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...auth.models import Role
from ...platform.database import sum_cents
from ...platform.errors import NotFound
from ...platform.extensions import db
from ..models import (
    Grant,
    GrantLine,
    ProofOfUse,
)


def ensure_grant_access(user, grant: Grant | None) -> Grant:
    """404 for a missing grant and for another recipient's grant (Kommune/organisation users)."""
    if grant is None:
        raise NotFound("Zuwendung nicht gefunden.")
    if user is not None and user.role == Role.KOMMUNE and grant.kommune_id != user.kommune_id:
        raise NotFound("Zuwendung nicht gefunden.")
    if user is not None and user.role == Role.ORGANISATION and grant.organisation_id != user.organisation_id:
        raise NotFound("Zuwendung nicht gefunden.")
    return grant


# What every budget request reads of a grant: its recipient (access check, name), in the same statement.
# Lines and programme are loaded on first use (one small SELECT each) by the requests that need them;
# joining the lines here multiplied the grant row by its line count on every read (status, lists).
GRANT_EAGER = (joinedload(Grant.kommune), joinedload(Grant.organisation))


def of_visible_grant(user, model, object_id: int, missing: str):
    """The row of ``model`` (an expense, import, reclaim, hearing …) if it exists and belongs to a grant ``user``
    may see; else 404 ``missing``."""
    row = db.session.get(model, object_id)
    if row is None:
        raise NotFound(missing)
    ensure_grant_access(user, db.session.get(Grant, row.grant_id))
    return row


def get_grant(user, grant_id: int, *, recipient: bool = True) -> Grant:
    """The grant ``user`` may see (else 404); ``recipient=False``: the grant's row alone, for a booking that
    names no recipient (the drawdown request, issue #19: the two joined entities were a tenth of its CPU)."""
    return ensure_grant_access(user, db.session.get(Grant, grant_id, options=GRANT_EAGER if recipient else ()))


def grants_visible_to(user) -> list[Grant]:
    statement = select(Grant).order_by(Grant.reference)
    if user.role == Role.KOMMUNE:
        statement = statement.where(Grant.kommune_id == user.kommune_id)
    elif user.role == Role.ORGANISATION:
        statement = statement.where(Grant.organisation_id == user.organisation_id)
    return list(db.session.scalars(statement))


def grant_for_source(source: str) -> Grant | None:
    return db.session.scalar(select(Grant).where(Grant.source == source))


def proof_of(grant: Grant) -> ProofOfUse | None:
    return db.session.scalar(select(ProofOfUse).where(ProofOfUse.grant_id == grant.id))


def kommune_commitment_cents(programme_id: int, kommune_id: int, modules: Sequence[str]) -> int:
    """What the Kommune's grants in the programme approve in ``modules`` (cents): the part of its ceiling in use."""
    return db.session.scalar(
        select(sum_cents(GrantLine.approved_cents)).join(Grant, Grant.id == GrantLine.grant_id)
        .where(Grant.programme_id == programme_id, Grant.kommune_id == kommune_id,
               GrantLine.module_code.in_(list(modules)))) or 0

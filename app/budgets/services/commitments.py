"""Commitments: a grant decision or an approved amendment sets the approved amounts per (module, year).

Other domains create and change grants only through ``set_commitment``: the approved amounts here are the one
source of truth that drawdowns, payments and expenses book against.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select

from ...platform import audit, clock
from ...platform.database import lock_for_update
from ...platform.errors import Conflict, ValidationFailed
from ...platform.extensions import db
from ...platform.money import format_eur
from .. import ledger
from ..core.posting import earned_grant
from ..ledger import Transfer
from ..models import (
    GRANT_LEVEL,
    AccountKind,
    Grant,
    GrantLine,
    ProofOfUse,
    RecipientKind,
)


def set_commitment(
    *,
    programme_id: int,
    source: str,
    reference: str,
    recipient_kind: RecipientKind | str,
    kommune_id: int | None = None,
    organisation_id: int | None = None,
    funding_rate_bp: int,
    start_date: date,
    last_expense_date: date,
    lines: Mapping[tuple[str, int], int],
    actor=None,
) -> Grant:
    """Create the grant for ``source`` or change its approved amounts to ``lines`` ((module, year) -> cents).

    Lines missing from ``lines`` drop to zero. The grant row is locked for the change. Every change is
    booked in the ledger (available / budget); a line may not drop below what was already paid or spent
    there (ValidationFailed on ``lines``), and an existing grant cannot change once its proof of use is in
(Conflict). A changed funding rate re-books the grant earned.
    """
    if any(cents < 0 for cents in lines.values()):
        raise ValidationFailed.field("lines", "Bewilligte Beträge dürfen nicht negativ sein.")
    grant = db.session.scalar(lock_for_update(select(Grant).where(Grant.source == source)))
    before = _snapshot(grant) if grant else None
    if grant is None:
        grant = Grant(programme_id=programme_id, source=source, reference=reference,
                      recipient_kind=RecipientKind(recipient_kind), kommune_id=kommune_id,
                      organisation_id=organisation_id, funding_rate_bp=funding_rate_bp, start_date=start_date,
                      last_expense_date=last_expense_date, created_at=clock.now())
        db.session.add(grant)
        db.session.flush()
    else:
        _refuse_after_proof(grant)
        too_low = _lowered_below_use(grant, lines)
        if too_low:
            raise ValidationFailed(
                "Bereits ausgezahlte, abgerufene oder verdiente Beträge können nicht unterschritten werden.",
                errors={"lines": [f"Bewilligung unter dem bereits verwendeten Betrag: {text}." for text in too_low]})
        grant.reference, grant.funding_rate_bp = reference, funding_rate_bp
        grant.start_date, grant.last_expense_date = start_date, last_expense_date
    existing = {(line.module_code, line.budget_year): line for line in grant.lines}
    changes: dict[tuple[str, int], int] = {}
    for key in sorted(set(existing) | set(lines)):
        cents = lines.get(key, 0)
        if key in existing:
            changes[key] = cents - existing[key].approved_cents
            existing[key].approved_cents = cents
        elif cents:
            grant.lines.append(GrantLine(module_code=key[0], budget_year=key[1], approved_cents=cents))
            changes[key] = cents
    db.session.flush()
    transfers = []
    for (module, year), delta in changes.items():
        accounts = ledger.ensure_accounts(grant.id, module, year)
        transfers.append(Transfer(accounts[(AccountKind.AVAILABLE, module, year)],
                                  accounts[(AccountKind.BUDGET, module, year)], delta))
    transfers += _earned_corrections(grant)
    ledger.post(grant.id, "commitment", transfers, value_date=clock.today(), source_type="grant", source_id=grant.id,
                description=f"Bewilligung {reference}")
    audit.record("grant.commitment", "grant", grant.id, before=before, after=_snapshot(grant), actor=actor,
                 kommune_id=kommune_id)
    return grant


def _refuse_after_proof(grant: Grant) -> None:
    """Once the proof of use is in, the approval it accounts for is fixed: the final decision settles against
    these lines, so a later amendment would change a settled (or being settled) grant behind its back."""
    if db.session.scalar(select(ProofOfUse.id).where(ProofOfUse.grant_id == grant.id)) is not None:
        raise Conflict(f"Zur Zuwendung {grant.reference} ist der Verwendungsnachweis eingereicht; die Bewilligung "
                       "kann nicht mehr geändert werden.")


def _earned_corrections(grant: Grant) -> list[Transfer]:
    """Re-book the grant earned where the rate changed: earned = rate x expenses per line."""
    accounts, balances = ledger.accounts_of(grant.id), ledger.balances_of(grant.id)
    transfers = []
    for kind, module, year in list(accounts):
        if kind != AccountKind.EXPENSES:
            continue
        expenses = balances.get((AccountKind.EXPENSES, module, year), 0)
        delta = earned_grant(expenses, grant.funding_rate_bp) + balances.get((AccountKind.EARNED, module, year), 0)
        if delta:
            transfers.append(Transfer(accounts[(AccountKind.OWN_SHARE, module, year)],
                                      accounts[(AccountKind.EARNED, module, year)], delta))
    return transfers


def _snapshot(grant: Grant) -> dict:
    return {"reference": grant.reference, "funding_rate_bp": grant.funding_rate_bp,
            "lines": {f"{line.module_code}/{line.budget_year}": line.approved_cents for line in grant.lines}}


def used_by_line(grant: Grant) -> dict[tuple[str, int], dict[str, int]]:
    """What each (module, year) has already used, in grant terms (from the balances):

    ``paid`` payments made, ``bound`` paid plus drawdowns requested or approved and not yet paid,
    ``spent`` eligible expenses (100 %), ``earned`` the grant share of them (rate x expenses).
    """
    balances = ledger.balances_of(grant.id)
    result: dict[tuple[str, int], dict[str, int]] = {}
    for (kind, module, year), cents in balances.items():
        if kind in _USE_KINDS and (module, year) != GRANT_LEVEL:
            entry = result.setdefault((module, year), dict.fromkeys(("paid", "bound", "spent", "earned"), 0))
            if kind == AccountKind.EXPENSES:
                entry["spent"] = cents
            elif kind == AccountKind.EARNED:
                entry["earned"] = -cents
            else:
                entry["bound"] += cents
                if kind == AccountKind.PAID:
                    entry["paid"] = cents
    return result


_USE_KINDS = frozenset({AccountKind.PAID, AccountKind.REQUESTED, AccountKind.APPROVED, AccountKind.EXPENSES,
                        AccountKind.EARNED})


def _lowered_below_use(grant: Grant, lines: Mapping[tuple[str, int], int]) -> list[str]:
    """The lines that ``lines`` lowers below what they already used, as German texts.

    Only lowered lines are checked, each against its own use in grant terms: money paid or in an open
    drawdown, and the grant earned on its expenses (the rate's share, never the gross expenses). Lines
    the change leaves alone or raises are never refused, whatever they used (a line may be overrun
    within the final decision's allowance).
    """
    current = {(line.module_code, line.budget_year): line.approved_cents for line in grant.lines}
    used = used_by_line(grant)
    too_low = []
    for key in sorted(current):
        new, old = lines.get(key, 0), current[key]
        amounts = used.get(key)
        if new >= old or amounts is None:
            continue
        floor = max(amounts["bound"], amounts["earned"])
        if new < floor:
            module, year = key
            too_low.append(f"{module}/{year}: neu {format_eur(new)}, bisher {format_eur(old)}, bereits ausgezahlt "
                           f"oder abgerufen {format_eur(amounts['bound'])}, Zuwendungsanteil der Ausgaben "
                           f"{format_eur(amounts['earned'])}")
    return too_low

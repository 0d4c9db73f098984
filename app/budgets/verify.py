"""``verify-ledger``: recompute the balances from the journal and from the source records.

Checks, each reported as a German line naming the grant, account and both values:
1. every journal sums to zero (guaranteed by the entry CHECKs; checked anyway);
2. every stored balance equals the sum of its account's entries;
3. per grant line: budget = approved (grant_lines); requested / approved / paid = the drawdowns in
   that status; expenses = eligible expenses; earned = rate x expenses (the rounding rule);
   available = approved - requested - approved - paid; earned + own share = expenses;
4. per reclaim: reclaimed = principal, receivables = principal/interest charged minus repaid; the
   § 49a Abs. 4 interest fixed by the final decision is recomputed from the drawdowns and expenses;
   the principal is the overpayment the final decision fixed;
5. per final decision without a reclaim: nothing was overpaid and no § 49a Abs. 4 interest is due
   (recomputed for the decision day with the programme's current setting and act/365: whether any
   interest is due does not depend on the day count);
6. per final decision: the final payment orders add up to what the decision left unpaid (none when nothing
   was due), and payments (drawdowns and final payment orders) never exceed the grant's approved total.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from ..platform import audit, clock
from ..platform.database import sum_cents
from ..platform.extensions import db
from .core.interest import BaseRateError
from .core.posting import earned_grant
from .ledger import journal_totals, recomputed_balances
from .models import (
    GRANT_LEVEL,
    AccountKind,
    Drawdown,
    DrawdownKind,
    DrawdownStatus,
    Expense,
    Grant,
    GrantLine,
    LedgerAccount,
    LedgerBalance,
    ProofOfUse,
    ProofStatus,
    Reclaim,
)
from .services import reclaim_unused_interest, unused_interest_cents, unused_interest_points


def verify_ledger(totals: list[tuple[int, int]] | None = None, recomputed: dict[int, int] | None = None,
                  grants: set[int] | None = None) -> list[str]:
    """All differences found (empty: the ledger is consistent).

    Without arguments everything is recomputed from the whole journal. The quick check
    (``reconciliation.run_check``) passes the unbalanced journals among the new ones, the account sums
    it computed from its stored sums plus the new journals, and ``grants``: the grants touched by the new
    journals. Every check then runs on those grants' accounts, lines, reclaims and decisions only (the
    same checks, the same order as the full run filtered to them); an empty set checks nothing.
    """
    problems: list[str] = []
    for journal_id, total in journal_totals() if totals is None else totals:
        problems.append(f"Journal {journal_id}: Summe der Buchungszeilen {total} statt 0.")
    if grants is not None and not grants:
        return problems
    recomputed = recomputed_balances() if recomputed is None else recomputed
    accounts = {row.id: row for row in db.session.execute(_within(
        select(LedgerAccount.id, LedgerAccount.grant_id, LedgerAccount.kind, LedgerAccount.module_code,
               LedgerAccount.budget_year), LedgerAccount.grant_id, grants).order_by(LedgerAccount.id))}
    stored = dict(db.session.execute(_within(
        select(LedgerBalance.account_id, LedgerBalance.balance_cents)
        .join(LedgerAccount, LedgerAccount.id == LedgerBalance.account_id), LedgerAccount.grant_id, grants)).all())
    balances: dict[int, dict] = defaultdict(dict)
    for account_id, row in accounts.items():
        value = stored.get(account_id)
        if value is None:
            problems.append(f"Konto {account_id} ({row.kind.value}): kein Saldo gespeichert.")
            value = 0
        if value != recomputed.get(account_id, 0):
            problems.append(f"Zuwendung {row.grant_id}, Konto {row.kind.value} {row.module_code}/{row.budget_year}: "
                            f"Saldo {value}, aus dem Journal {recomputed.get(account_id, 0)}.")
        balances[row.grant_id][(row.kind, row.module_code, row.budget_year)] = recomputed.get(account_id, 0)
    problems += _check_sources(balances, grants)
    problems += _check_decisions_without_reclaim(grants)
    problems += _check_final_payments(grants)
    return problems


def _within(statement, column, grants: set[int] | None):
    """``statement`` limited to ``grants`` (all grants when None)."""
    return statement if grants is None else statement.where(column.in_(sorted(grants)))


def _check_final_payments(grants: set[int] | None) -> list[str]:
    problems: list[str] = []
    ordered = dict(db.session.execute(_within(
        select(Drawdown.grant_id, sum_cents(Drawdown.amount_approved_cents))
        .where(Drawdown.kind == DrawdownKind.FINAL_PAYMENT), Drawdown.grant_id, grants)
        .group_by(Drawdown.grant_id)).all())
    for proof_id, grant_id, overpaid in db.session.execute(_within(
            select(ProofOfUse.id, ProofOfUse.grant_id, ProofOfUse.overpaid_cents)
            .where(ProofOfUse.status == ProofStatus.DECIDED), ProofOfUse.grant_id, grants).order_by(ProofOfUse.id)):
        due = max(-(overpaid or 0), 0)
        if ordered.get(grant_id, 0) != due:
            problems.append(f"Verwendungsnachweis {proof_id} (Zuwendung {grant_id}): Schlusszahlung laut "
                            f"Schlussbescheid {due}, angewiesen {ordered.get(grant_id, 0)}.")
    decided = set(db.session.scalars(_within(select(ProofOfUse.grant_id).where(
        ProofOfUse.status == ProofStatus.DECIDED), ProofOfUse.grant_id, grants)))
    for grant_id in sorted(set(ordered) - decided):
        problems.append(f"Zuwendung {grant_id}: Schlusszahlung {ordered[grant_id]} ohne Schlussbescheid.")
    approved = dict(db.session.execute(_within(select(GrantLine.grant_id, sum_cents(GrantLine.approved_cents)),
                                               GrantLine.grant_id, grants).group_by(GrantLine.grant_id)).all())
    for grant_id, paid in db.session.execute(_within(
            select(Drawdown.grant_id, sum_cents(Drawdown.amount_approved_cents))
            .where(Drawdown.status.in_([DrawdownStatus.APPROVED, DrawdownStatus.PAID])), Drawdown.grant_id, grants)
            .group_by(Drawdown.grant_id)):
        if paid > approved.get(grant_id, 0):
            problems.append(f"Zuwendung {grant_id}: genehmigt und ausgezahlt {paid}, bewilligt nur "
                            f"{approved.get(grant_id, 0)}.")
    return problems


def _sum_by_line(statement) -> dict[tuple[int, str, int], int]:
    return {(g, m, y): c for g, m, y, c in db.session.execute(statement)}


def _check_sources(balances: dict[int, dict], grants: set[int] | None) -> list[str]:
    problems: list[str] = []
    approved = _sum_by_line(_within(select(GrantLine.grant_id, GrantLine.module_code, GrantLine.budget_year,
                                           sum_cents(GrantLine.approved_cents)), GrantLine.grant_id, grants)
                            .group_by(GrantLine.grant_id, GrantLine.module_code, GrantLine.budget_year))
    drawdowns = defaultdict(dict)
    for status, column in ((DrawdownStatus.REQUESTED, Drawdown.amount_requested_cents),
                           (DrawdownStatus.APPROVED, Drawdown.amount_approved_cents),
                           (DrawdownStatus.PAID, Drawdown.amount_approved_cents)):
        drawdowns[status] = _sum_by_line(_within(
            select(Drawdown.grant_id, Drawdown.module_code, Drawdown.budget_year, sum_cents(column))
            .where(Drawdown.status == status), Drawdown.grant_id, grants)
            .group_by(Drawdown.grant_id, Drawdown.module_code, Drawdown.budget_year))
    expenses = _sum_by_line(_within(select(Expense.grant_id, Expense.module_code, Expense.budget_year,
                                           sum_cents(Expense.amount_cents)).where(Expense.eligible.is_(True)),
                                    Expense.grant_id, grants)
                            .group_by(Expense.grant_id, Expense.module_code, Expense.budget_year))
    rates = dict(db.session.execute(_within(select(Grant.id, Grant.funding_rate_bp), Grant.id, grants)).all())
    lines = set(approved) | set(expenses) | {key for sums in drawdowns.values() for key in sums}
    lines |= {(g, m, y) for g, accounts in balances.items() for (_k, m, y) in accounts if (m, y) != GRANT_LEVEL}
    for grant_id, module, year in sorted(lines):
        b = balances.get(grant_id, {})

        def get(kind, b=b, module=module, year=year):
            return b.get((kind, module, year), 0)

        expected = {
            AccountKind.BUDGET: -approved.get((grant_id, module, year), 0),
            AccountKind.REQUESTED: drawdowns[DrawdownStatus.REQUESTED].get((grant_id, module, year), 0),
            AccountKind.APPROVED: drawdowns[DrawdownStatus.APPROVED].get((grant_id, module, year), 0),
            AccountKind.PAID: drawdowns[DrawdownStatus.PAID].get((grant_id, module, year), 0),
            AccountKind.EXPENSES: expenses.get((grant_id, module, year), 0),
        }
        expected[AccountKind.EARNED] = -earned_grant(expected[AccountKind.EXPENSES], rates.get(grant_id, 0))
        expected[AccountKind.OWN_SHARE] = -(expected[AccountKind.EXPENSES] + expected[AccountKind.EARNED])
        expected[AccountKind.AVAILABLE] = -(expected[AccountKind.BUDGET] + expected[AccountKind.REQUESTED]
                                            + expected[AccountKind.APPROVED] + expected[AccountKind.PAID])
        for kind, value in expected.items():
            if get(kind) != value:
                problems.append(f"Zuwendung {grant_id}, {kind.label} {module}/{year}: Ledger {get(kind)}, "
                                f"aus den Belegen {value}.")
    module, year = GRANT_LEVEL
    overpaid_by_proof = dict(db.session.execute(_within(select(ProofOfUse.id, ProofOfUse.overpaid_cents),
                                                        ProofOfUse.grant_id, grants)).all())
    for reclaim in db.session.scalars(_within(select(Reclaim), Reclaim.grant_id, grants).order_by(Reclaim.id)):
        b = balances.get(reclaim.grant_id, {})
        charged = reclaim.interest_booked_cents + reclaim.unused_interest_cents
        expected = {
            AccountKind.RECLAIMED: -reclaim.principal_cents,
            AccountKind.RECLAIM_RECEIVABLE: reclaim.principal_cents - reclaim.principal_repaid_cents,
            AccountKind.INTEREST_INCOME: -charged,
            AccountKind.INTEREST_RECEIVABLE: charged - reclaim.interest_repaid_cents,
            AccountKind.REPAID: sum(r.amount_cents for r in reclaim.repayments),
        }
        for kind, value in expected.items():
            if b.get((kind, module, year), 0) != value:
                problems.append(f"Rückforderung {reclaim.id}: {kind.label} Ledger {b.get((kind, module, year), 0)}, "
                                f"aus den Belegen {value}.")
        recomputed = sum(item.result.interest_cents for item in reclaim_unused_interest(reclaim))
        if recomputed != reclaim.unused_interest_cents:
            problems.append(f"Rückforderung {reclaim.id}: Zinsen nach § 49a Abs. 4 festgesetzt "
                            f"{reclaim.unused_interest_cents}, neu berechnet {recomputed}.")
        overpaid = max(overpaid_by_proof.get(reclaim.proof_id) or 0, 0)
        if reclaim.principal_cents != overpaid:
            problems.append(f"Rückforderung {reclaim.id}: Hauptforderung {reclaim.principal_cents}, "
                            f"laut Schlussbescheid überzahlt {overpaid}.")
    return problems


def _check_decisions_without_reclaim(grants: set[int] | None) -> list[str]:
    """Decided proofs of use that should have opened a reclaim (overpayment or § 49a Abs. 4 interest)."""
    problems: list[str] = []
    for proof in db.session.scalars(_within(select(ProofOfUse).where(
            ProofOfUse.status == ProofStatus.DECIDED, ~ProofOfUse.grant_id.in_(select(Reclaim.grant_id))),
            ProofOfUse.grant_id, grants).order_by(ProofOfUse.id)):
        where = f"Verwendungsnachweis {proof.id} (Zuwendung {proof.grant_id})"
        if (proof.overpaid_cents or 0) > 0:
            problems.append(f"{where}: überzahlt {proof.overpaid_cents} laut Schlussbescheid, "
                            "aber keine Rückforderung.")
            continue
        decided_on = proof.decided_at.astimezone(clock.BERLIN).date()
        try:
            interest = unused_interest_cents(proof.grant, until=decided_on, points=unused_interest_points(proof.grant),
                                             day_count="act/365", principal=0)
        except BaseRateError as exc:
            problems.append(f"{where}: Zinsen nach § 49a Abs. 4 nicht berechenbar ({exc}).")
            continue
        if interest > 0:
            problems.append(f"{where}: Zinsen nach § 49a Abs. 4 von {interest} am {decided_on:%d.%m.%Y} fällig, "
                            "aber keine Rückforderung.")
    return problems


def record_check(problems: list[str], *, actor_label: str | None = None, **scope) -> None:
    """Keep the result in the audit trail (the finance start page shows the last check); ``scope``: the
    stored check's mode and journal range (``reconciliation.run_check``)."""
    audit.record("ledger.verify", "ledger", None,
                 after={"problems": len(problems), "first": problems[:20], **scope}, actor_label=actor_label)

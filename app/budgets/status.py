"""Budget status read from the balance table (never from the journal), forecast and daily series.

Figures per grant and module (all years summed), all in cents:
approved, requested (open), approved_open (approved, not paid), paid, spent (eligible expenses),
earned (rate x spent), available (may still be requested: the current budget year's lines, as a request books
against them; 0 outside the grant period, so also after the final decision), drawn_not_spent =
max(paid - earned, 0) per module, and the sum of the modules' values for a grant and state-wide (one module's
unspent money is not netted against another's spending),
remaining = approved - earned (negative where expenses exceed the approval; pages show not_yet_earned and
earned_beyond_approval, its two halves), share_used = earned / approved.
"Drawn not spent since": the value date of the oldest payment not yet covered by grant earned
(payments are covered in date order). Forecast: the spend pace of the last 90 days projected to the
last expense date (``forecast.py``); at risk below 90 % of the approved grant.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import bindparam, or_, select

from ..platform import clock
from ..platform.database import sum_cents
from ..platform.extensions import db
from ..platform.money import percent
from ..reference.models import Kommune, Organisation, kommune_display_name
from .core.forecast import Forecast, at_risk, forecast_spend
from .core.posting import earned_grant, expenses_for_grant
from .models import AccountKind, Drawdown, DrawdownStatus, ExpenseDaily, Grant, LedgerAccount, LedgerBalance

WINDOW_DAYS = 90
HISTORY_DAYS = 90  # a grant is flagged at risk only after one forecast window of its own
RISK_THRESHOLD = Decimal("90")
_SIGN = {AccountKind.BUDGET: -1, AccountKind.EARNED: -1, AccountKind.OWN_SHARE: -1}
_FIELDS = {AccountKind.BUDGET: "approved", AccountKind.REQUESTED: "requested", AccountKind.APPROVED: "approved_open",
           AccountKind.PAID: "paid", AccountKind.EXPENSES: "spent", AccountKind.EARNED: "earned",
           AccountKind.AVAILABLE: "available", AccountKind.OWN_SHARE: "own_share"}


@dataclass
class Figures:
    approved: int = 0
    requested: int = 0
    approved_open: int = 0
    paid: int = 0
    spent: int = 0
    earned: int = 0
    available: int = 0
    own_share: int = 0
    parts_drawn_not_spent: int | None = None  # on sums: the parts' drawn_not_spent added up

    @property
    def drawn_not_spent(self) -> int:
        if self.parts_drawn_not_spent is not None:
            return self.parts_drawn_not_spent
        return max(self.paid - self.earned, 0)

    @property
    def remaining(self) -> int:
        return self.approved - self.earned

    @property
    def not_yet_earned(self) -> int:
        """What of the approval is still to be earned; 0 once the expenses' grant share reaches it."""
        return max(self.remaining, 0)

    @property
    def earned_beyond_approval(self) -> int:
        """The grant share of expenses above the approval: never paid (the approval is the upper limit)."""
        return max(-self.remaining, 0)

    @property
    def share_used(self) -> Decimal | None:
        return percent(self.earned, self.approved)

    def add(self, other: Figures) -> None:
        self.parts_drawn_not_spent = (self.parts_drawn_not_spent or 0) + other.drawn_not_spent
        for name in _FIELDS.values():
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class GrantStatus:
    grant_id: int
    reference: str
    recipient: str
    kommune_id: int | None
    rate_bp: int
    last_expense_date: date
    modules: dict[str, Figures] = field(default_factory=dict)
    total: Figures = field(default_factory=Figures)
    ceiling: int | None = None
    drawn_since: date | None = None
    forecast: Forecast | None = None
    projected_earned: int = 0
    at_risk: bool = False

    @property
    def days_left(self) -> int:
        return max((self.last_expense_date - clock.today()).days, 0)


# The status statements are built once: building them per call was a third of a status read's CPU
# time. Grant ids and days are bound per call; each "_OF" variant is restricted to the given grants.
_IDS = bindparam("ids", expanding=True)
# Summed per grant, module and kind in SQL (not per budget year: a quarter of the rows to read); only the
# current year's "available" counts (only that year's line can be drawn), so the other years' are left out.
_BALANCES = (select(LedgerAccount.grant_id, LedgerAccount.module_code, LedgerAccount.kind,
                    sum_cents(LedgerBalance.balance_cents))
             .join(LedgerBalance, LedgerBalance.account_id == LedgerAccount.id)
             .where(LedgerAccount.kind.in_(list(_FIELDS)),
                    or_(LedgerAccount.kind != AccountKind.AVAILABLE, LedgerAccount.budget_year == bindparam("year")))
             .group_by(LedgerAccount.grant_id, LedgerAccount.module_code, LedgerAccount.kind))
_BALANCES_OF = _BALANCES.where(LedgerAccount.grant_id.in_(_IDS))
# Payments summed per grant and value date, read in the order of the covering index
# ``ix_drawdowns_grant_status_date`` (fewer rows than one per drawdown at a million journal lines).
_PAID = (select(Drawdown.grant_id, Drawdown.value_date, sum_cents(Drawdown.amount_approved_cents))
         .where(Drawdown.status == DrawdownStatus.PAID)
         .group_by(Drawdown.grant_id, Drawdown.value_date).order_by(Drawdown.grant_id, Drawdown.value_date))
_PAID_OF = _PAID.where(Drawdown.grant_id.in_(_IDS))
_RECENT = (select(ExpenseDaily.grant_id, sum_cents(ExpenseDaily.amount_cents))
           .where(ExpenseDaily.day > bindparam("window_start"), ExpenseDaily.day <= bindparam("today"))
           .group_by(ExpenseDaily.grant_id))
_RECENT_OF = _RECENT.where(ExpenseDaily.grant_id.in_(_IDS))


def _balances(grant_ids: list[int] | None, year: int):
    if grant_ids is None:
        return db.session.execute(_BALANCES, {"year": year})
    return db.session.execute(_BALANCES_OF, {"ids": grant_ids, "year": year})


def status_for(grants: list[Grant] | None = None, *, ceilings: dict[int, int] | None = None,
               with_forecast: bool = True) -> list[GrantStatus]:
    """Status of the given grants (None: all), from the balance table; ``ceilings`` by kommune id if known."""
    today = clock.today()
    if grants is None:
        rows = [(*row[:7], kommune_display_name(row[7], row[8]) if row[7] else row[9] or "")
                for row in db.session.execute(
                    select(Grant.id, Grant.reference, Grant.kommune_id, Grant.funding_rate_bp, Grant.last_expense_date,
                           Grant.start_date, Grant.created_at, Kommune.name, Kommune.kind, Organisation.name)
                    .outerjoin(Kommune, Kommune.id == Grant.kommune_id)
                    .outerjoin(Organisation, Organisation.id == Grant.organisation_id)
                    .order_by(Grant.reference))]
        ids = None
    else:
        rows = [(g.id, g.reference, g.kommune_id, g.funding_rate_bp, g.last_expense_date, g.start_date, g.created_at,
                 g.kommune.display_name if g.kommune else g.organisation.name if g.organisation else "")
                for g in grants]
        ids = [g.id for g in grants]
    result: dict[int, GrantStatus] = {}
    starts: dict[int, date] = {}
    granted: dict[int, date] = {}
    for gid, reference, kommune_id, rate, last_day, start, created, recipient in rows:
        result[gid] = GrantStatus(gid, reference, recipient, kommune_id, rate, last_day,
                                  ceiling=(ceilings or {}).get(kommune_id))
        starts[gid] = start
        granted[gid] = created.astimezone(clock.BERLIN).date()
    for gid, module, kind, cents in _balances(ids, today.year):
        status = result.get(gid)
        if status is None:
            continue
        if kind == AccountKind.AVAILABLE and not starts[gid] <= today <= status.last_expense_date:
            continue  # only within the grant period can the current year's line be drawn
        figures = status.modules.setdefault(module, Figures())
        setattr(figures, _FIELDS[kind], getattr(figures, _FIELDS[kind]) + _SIGN.get(kind, 1) * cents)
    for status in result.values():
        status.modules = dict(sorted(status.modules.items()))
        for figures in status.modules.values():
            status.total.add(figures)
    _drawn_since(result)
    if with_forecast:
        _forecasts(result, starts, granted, today)
    return list(result.values())


def _drawn_since(result: dict[int, GrantStatus]) -> None:
    """The value date of each grant's oldest payment not covered by the grant earned."""
    paid = db.session.execute(_PAID_OF, {"ids": list(result)}) if len(result) < 100 else db.session.execute(_PAID)
    covered: dict[int, int] = {gid: status.total.earned for gid, status in result.items()}
    for gid, value_date, cents in paid:
        status = result.get(gid)
        if status is None or status.drawn_since is not None:
            continue
        covered[gid] -= cents
        if covered[gid] < 0:
            status.drawn_since = value_date


def _forecasts(result: dict[int, GrantStatus], starts: dict[int, date], granted: dict[int, date],
               today: date) -> None:
    """Forecast per grant; "at risk" only once the grant has a history to forecast from: granted at least
    ``HISTORY_DAYS`` ago (a grant approved today has spent nothing yet and would always look at risk)."""
    window_start = today - timedelta(days=WINDOW_DAYS)
    days = {"window_start": window_start, "today": today}
    if len(result) < 100:
        recent = dict(db.session.execute(_RECENT_OF, {**days, "ids": list(result)}).all())
    else:
        recent = dict(db.session.execute(_RECENT, days).all())
    for gid, status in result.items():
        spent = max(status.total.spent, 0)
        first = max(window_start, starts[gid]) if starts[gid] <= today else today
        points = [(first, max(spent - recent.get(gid, 0), 0))]
        if today > first:
            points.append((today, spent))
        forecast = forecast_spend(points, today=today, deadline=status.last_expense_date, window_days=WINDOW_DAYS)
        status.forecast = forecast

        status.projected_earned = min(earned_grant(forecast.projected_cents, status.rate_bp), status.total.approved)
        approved_as_expenses = expenses_for_grant(status.total.approved, status.rate_bp)
        status.at_risk = (granted[gid] <= today - timedelta(days=HISTORY_DAYS) and today <= status.last_expense_date
                          and at_risk(forecast, approved_as_expenses, RISK_THRESHOLD))


def totals(statuses: list[GrantStatus]) -> tuple[Figures, dict[str, Figures]]:
    """State-wide sums: overall and per module."""
    overall, by_module = Figures(), defaultdict(Figures)
    for status in statuses:
        overall.add(status.total)
        for module, figures in status.modules.items():
            by_module[module].add(figures)
    return overall, dict(sorted(by_module.items()))


def daily_series(grant: Grant) -> list[dict]:
    """Cumulative eligible expenses and payments per day (only days with a movement)."""
    moves: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for day, cents in db.session.execute(select(ExpenseDaily.day, sum_cents(ExpenseDaily.amount_cents))
                                         .where(ExpenseDaily.grant_id == grant.id).group_by(ExpenseDaily.day)):
        moves[day][0] += cents
    for day, cents in db.session.execute(select(Drawdown.value_date, sum_cents(Drawdown.amount_approved_cents))
                                         .where(Drawdown.grant_id == grant.id, Drawdown.status == DrawdownStatus.PAID)
                                         .group_by(Drawdown.value_date)):
        moves[day][1] += cents
    spent = paid = 0
    series = []
    for day in sorted(moves):
        spent += moves[day][0]
        paid += moves[day][1]
        series.append({"day": day, "spent_cents": spent, "paid_cents": paid})
    return series


"""F6 Teilhabemanagement use cases (docs/f6.md): the application for the published positions, its decision,
the staffing reports and the cap they put on the eligible costs; queries for the pages, API and exports.

* The application follows ``workflow.APPLICATION`` (the same table as the ceiling applications): the Kommune
  edits, submits, withdraws, takes it up again; the programme administration requests changes, approves,
  rejects. One per Kommune and programme, checked against the Kommune's **published** positions
  (``allocation.services.published_positions``), outside the F1–F4 ceiling.
* Approval books the grant in the one money cycle: ``budgets.services.set_commitment`` with lines
  ``("F6", year)`` (source ``f6:<id>``, number ``ZB-F6-<year>-<nnnn>``), so drawdowns, expenses, proof of use,
  final decision and reclaim are the budgets' own. It also sets the first cap (no month reported yet: 0).
* Every staffing report recomputes the cap over the whole F6 period (``staffing.eligible_by_year``; months not
  reported count as unfilled) and hands it to ``budgets.services.set_eligible_cap``; the final decision
  recognises F6 at most up to it.

Each state change locks the application row, checks ownership (404) and the workflow (403/409), writes an audit
entry and flushes; the request edge commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from ..allocation.services import published_positions
from ..auth.models import Role, User
from ..auth.permissions import ensure_kommune_access, scope_kommune_id
from ..budgets.core.posting import earned_grant
from ..budgets.models import Grant
from ..budgets.services import grant_for_source, set_commitment, set_eligible_cap, used_by_line
from ..platform import audit, clock, limits
from ..platform.database import lock_for_update
from ..platform.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..platform.events import emit
from ..platform.extensions import db
from ..platform.formatting import format_decimal
from ..platform.numbering import next_number
from ..reference.models import Programme
from . import staffing
from .models import ApplicationStatus, F6Application, F6CostMode, F6Staffing
from .services import funding_rate_bp
from .workflow import APPLICATION

MODULE = "F6"
CAP_BASIS = "Personalmeldungen Teilhabemanagement (F6)"
MAX_MONTHLY_COST_CENTS = 2_000_000  # 20,000 € per FTE and month: more is a typing error


# ---------------------------------------------------------------- lookups
def f6_period(programme: Programme) -> tuple[date, date]:
    """The F6 period from the programme file (``[settings] f6_start``/``f6_end``), else the programme's."""
    settings = programme.settings or {}
    start = date.fromisoformat(settings["f6_start"]) if settings.get("f6_start") else programme.start_date
    end = date.fromisoformat(settings["f6_end"]) if settings.get("f6_end") else programme.last_expense_date
    return start, end


def published_halves(programme_id: int, kommune_id: int) -> int | None:
    """The Kommune's published positions in halves (None: no positions version published)."""
    shares = published_positions(programme_id, kommune_id)
    return shares[0].halves if shares else None


def application_of(programme: Programme, kommune_id: int) -> F6Application | None:
    return db.session.scalar(select(F6Application).where(F6Application.programme_id == programme.id,
                                                         F6Application.kommune_id == kommune_id))


def get_f6(application_id: int, actor: User, *, lock: bool = False) -> F6Application:
    """The F6 application if ``actor`` may see it (another Kommune's answers 404)."""
    statement = select(F6Application).where(F6Application.id == application_id)
    if lock:
        statement = lock_for_update(statement).execution_options(populate_existing=True)
    application = db.session.scalar(statement)
    if application is None:
        raise NotFound("F6-Antrag nicht gefunden.")
    ensure_kommune_access(actor, application.kommune_id, "F6-Antrag")
    return application


def f6_select(actor: User, status: str | None = None) -> Select:
    statement = select(F6Application).order_by(F6Application.submitted_at.is_(None), F6Application.submitted_at,
                                               F6Application.id)
    scope = scope_kommune_id(actor)
    if scope is not None:
        statement = statement.where(F6Application.kommune_id == scope)
    if status:
        statement = statement.where(F6Application.status == ApplicationStatus(status))
    return statement


def overview_month(programme: Programme) -> date:
    """The default month of the overview: the last complete one (the month before today's), at the latest the
    F6 period's last month (after it, a later month would show every position as vacant)."""
    first = clock.today().replace(day=1)
    previous = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    return min(previous, f6_period(programme)[1].replace(day=1))


def grant_of(application: F6Application) -> Grant | None:
    return grant_for_source(commitment_source(application))


def commitment_source(application: F6Application) -> str:
    return f"f6:{application.id}"


def months(application: F6Application) -> list[date]:
    return staffing.months_of(application.start_date, application.end_date)


def planned_by_year(application: F6Application) -> dict[int, int]:
    return staffing.planned_by_year(months(application), application.positions_halves,
                                    application.monthly_cost_cents)


def filled_by_month(application: F6Application) -> dict[date, int]:
    return {row.month: row.filled_centi for row in application.staffing}


def cap_by_year(application: F6Application) -> dict[int, int]:
    return staffing.eligible_by_year(months(application), application.positions_halves,
                                     application.monthly_cost_cents, filled_by_month(application))


def _snapshot(application: F6Application) -> dict:
    return {"status": application.status, "positions_halves": application.positions_halves,
            "cost_mode": application.cost_mode, "monthly_cost_cents": application.monthly_cost_cents,
            "funding_rate_bp": application.funding_rate_bp}


def _audit(action: str, application: F6Application, before: dict | None, actor: User | None, **extra) -> None:
    audit.record(f"grants.f6.{action}", "f6_application", application.id, before=before,
                 after={**_snapshot(application), **extra}, actor=actor, kommune_id=application.kommune_id)


# ---------------------------------------------------------------- the application
def _validate(programme: Programme, kommune_id: int, halves: int, monthly_cost_cents: int) -> None:
    errors: dict[str, list[str]] = {}
    published = published_halves(programme.id, kommune_id)
    if published is None or published == 0:
        errors["positions"] = ["Für Ihre Kommune sind keine Stellen Teilhabemanagement veröffentlicht."]
    elif not 1 <= halves <= published:
        errors["positions"] = [f"Bitte zwischen 0,5 und {format_decimal(Decimal(published) / 2, 1)} Stellen "
                               "(in halben Stellen) angeben: so viele sind Ihrer Kommune zugeteilt."]
    if not 1 <= monthly_cost_cents <= MAX_MONTHLY_COST_CENTS:
        errors["monthly_cost"] = ["Bitte einen Betrag über 0 und höchstens 20.000,00 € je VZÄ und Monat angeben."]
    if errors:
        raise ValidationFailed("Der F6-Antrag enthält ungültige Angaben.", errors=errors)


def save_f6(actor: User, programme: Programme, *, positions: Decimal, cost_mode: str, monthly_cost_cents: int,
            description: str = "") -> F6Application:
    """Create the Kommune's F6 application as a draft, or change it (draft, changes requested)."""
    if actor.role != Role.KOMMUNE or actor.kommune_id is None:
        raise Forbidden("Nur Kommunen beantragen Stellen Teilhabemanagement.")
    halves = positions * 2
    if halves != int(halves):
        raise ValidationFailed.field("positions", "Bitte in halben Stellen angeben (z. B. 1,5).")
    halves = int(halves)
    _validate(programme, actor.kommune_id, halves, monthly_cost_cents)
    application = application_of(programme, actor.kommune_id)
    start, end = f6_period(programme)
    values = {"positions_halves": halves, "cost_mode": F6CostMode(cost_mode), "monthly_cost_cents": monthly_cost_cents,
              "description": (description or "").strip()[:limits.DESCRIPTION], "start_date": start, "end_date": end,
              "funding_rate_bp": funding_rate_bp(programme, actor.kommune_id)}
    if application is None:
        application = F6Application(programme_id=programme.id, kommune_id=actor.kommune_id,
                                    status=ApplicationStatus.DRAFT, created_at=clock.now(), **values)
        try:
            with db.session.begin_nested():
                db.session.add(application)
                db.session.flush()
        except IntegrityError:
            raise Conflict("Für Ihre Kommune besteht bereits ein F6-Antrag.") from None
        _audit("create", application, None, actor)
        return application
    application = get_f6(application.id, actor, lock=True)
    before = _snapshot(application)
    APPLICATION.check(application.status, "edit", actor)
    for key, value in values.items():
        setattr(application, key, value)
    db.session.flush()
    _audit("edit", application, before, actor)
    return application


def _transition(application_id: int, actor: User, action: str,
                comment: str | None = None) -> tuple[F6Application, dict]:
    application = get_f6(application_id, actor, lock=True)
    before = _snapshot(application)
    application.status = APPLICATION.check(application.status, action, actor)
    if comment is not None:
        application.comment = comment
    return application, before


def submit_f6(application_id: int, actor: User) -> F6Application:
    """Submit: checked again against the published positions; the Kommune's rate in force is stored."""
    application = get_f6(application_id, actor)
    _validate(application.programme, application.kommune_id, application.positions_halves,
              application.monthly_cost_cents)
    application, before = _transition(application_id, actor, "submit")
    application.funding_rate_bp = funding_rate_bp(application.programme, application.kommune_id)
    application.submitted_at = clock.now()
    db.session.flush()
    _audit("submit", application, before, actor)
    return application


def withdraw_f6(application_id: int, actor: User) -> F6Application:
    application, before = _transition(application_id, actor, "withdraw")
    db.session.flush()
    _audit("withdraw", application, before, actor)
    return application


def reapply_f6(application_id: int, actor: User) -> F6Application:
    application, before = _transition(application_id, actor, "reapply")
    application.submitted_at, application.decided_at = None, None
    db.session.flush()
    _audit("reapply", application, before, actor)
    return application


def _reason(text: str, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed.field(field, "Bitte eine Begründung angeben.")
    return text[:limits.REASON]


def request_changes_f6(application_id: int, actor: User, comment: str) -> F6Application:
    comment = _reason(comment, "comment")
    application, before = _transition(application_id, actor, "request_changes", comment)
    db.session.flush()
    _audit("request_changes", application, before, actor)
    return application


def reject_f6(application_id: int, actor: User, reason: str) -> F6Application:
    reason = _reason(reason, "reason")
    application, before = _transition(application_id, actor, "reject", reason)
    application.decided_at, application.decided_by_id = clock.now(), actor.id
    application.decision_number = _number("AB-F6")
    db.session.flush()
    _audit("reject", application, before, actor, decision=application.decision_number)
    emit("grants.f6.decision", application=application, actor=actor)  # the Ablehnungsbescheid (app.documents)
    return application


def _number(prefix: str) -> str:
    year = clock.today().year
    return f"{prefix}-{year}-{next_number(f'{prefix}-{year}'):04d}"


def approve_f6(application_id: int, actor: User, comment: str = "") -> F6Application:
    """Approve as applied: the grant (rate x planned costs, split over the budget years) is committed in the
    budgets' ledger; the cap on its eligible costs starts from the staffing reported (none yet: 0)."""
    application = get_f6(application_id, actor)
    _validate(application.programme, application.kommune_id, application.positions_halves,
              application.monthly_cost_cents)
    application, before = _transition(application_id, actor, "approve", (comment or "").strip()[:limits.REASON])
    application.funding_rate_bp = funding_rate_bp(application.programme, application.kommune_id)
    application.decided_at, application.decided_by_id = clock.now(), actor.id
    application.decision_number = _number("ZB-F6")
    db.session.flush()
    lines = staffing.grant_by_year(planned_by_year(application), application.funding_rate_bp)
    grant = set_commitment(programme_id=application.programme_id, source=commitment_source(application),
                           reference=application.decision_number, recipient_kind="kommune",
                           kommune_id=application.kommune_id, funding_rate_bp=application.funding_rate_bp,
                           start_date=application.start_date, last_expense_date=application.end_date,
                           lines={(MODULE, year): cents for year, cents in lines.items() if cents}, actor=actor)
    _refresh_cap(application, grant, actor)
    _audit("approve", application, before, actor, decision=application.decision_number,
           approved_cents=sum(lines.values()))
    emit("grants.f6.decision", application=application, actor=actor)  # the Zuwendungsbescheid (app.documents)
    return application


def _refresh_cap(application: F6Application, grant: Grant, actor: User | None) -> None:
    set_eligible_cap(grant, MODULE, sum(cap_by_year(application).values()), basis=CAP_BASIS, actor=actor)


# ---------------------------------------------------------------- staffing reports
def report_staffing(application_id: int, actor: User, *, month: date, filled_centi: int,
                    note: str = "") -> F6Staffing:
    """Report (or correct) one month's staffing of an approved F6 grant: FTE filled, in hundredths.

    The month must lie in the F6 period and have begun; at most the approved FTE can be filled. The cap on the
    eligible costs is recomputed at once (refused with 409 after the final decision).
    """
    application = get_f6(application_id, actor, lock=True)
    if actor.role != Role.KOMMUNE:
        raise Forbidden("Nur die Kommune meldet ihre Stellenbesetzung.")
    if application.status is not ApplicationStatus.APPROVED:
        raise Conflict(f"Personalmeldungen sind erst nach der Bewilligung möglich (Status: "
                       f"{application.status.label}).")
    month = month.replace(day=1)
    errors: dict[str, list[str]] = {}
    if month not in months(application):
        errors["month"] = [f"Bitte einen Monat im F6-Zeitraum ({application.start_date:%m/%Y} bis "
                           f"{application.end_date:%m/%Y}) angeben."]
    elif month > clock.today():
        errors["month"] = ["Ein Monat kann erst gemeldet werden, wenn er begonnen hat."]
    approved = application.positions_halves * staffing.CENTI_PER_HALF
    if not 0 <= filled_centi <= approved:
        errors["filled"] = [f"Bitte zwischen 0 und {format_decimal(Decimal(approved) / 100, 2)} VZÄ angeben "
                            "(die bewilligten Stellen)."]
    if errors:
        raise ValidationFailed("Die Personalmeldung enthält ungültige Angaben.", errors=errors)
    row = next((r for r in application.staffing if r.month == month), None)
    before = {"filled_centi": row.filled_centi} if row else None
    if row is None:
        row = F6Staffing(month=month)
        application.staffing.append(row)
    row.filled_centi, row.note = filled_centi, (note or "").strip()[:limits.REASON]
    row.reported_at, row.reported_by_id = clock.now(), actor.id
    db.session.flush()
    grant = grant_of(application)
    if grant is not None:
        _refresh_cap(application, grant, actor)
    audit.record("grants.f6.staffing", "f6_application", application.id, before=before,
                 after={"month": month.isoformat(), "filled_centi": filled_centi}, actor=actor,
                 kommune_id=application.kommune_id)
    return row


@dataclass(frozen=True)
class MonthRow:
    month: date
    approved_centi: int
    filled_centi: int | None  # None: not reported (counts as unfilled)
    note: str

    @property
    def vacant_centi(self) -> int:
        return self.approved_centi - (self.filled_centi or 0)


@dataclass(frozen=True)
class Figures:
    """An F6 grant's money as the Kommune sees it (cents): planned, approved, what staffing allows, spent."""

    planned_cents: int  # planned eligible costs (100 %)
    approved_cents: int  # the grant (Landesmittel)
    cap_cents: int  # eligible costs staffing allows (months not reported count as unfilled)
    spent_cents: int  # eligible expenses booked on F6
    rate_bp: int

    @property
    def counted_cents(self) -> int:
        """The expenses that count: at most what staffing allows."""
        return min(self.spent_cents, self.cap_cents)

    @property
    def earned_cents(self) -> int:
        """The grant share of what counts (before the final decision's other rules)."""
        return earned_grant(self.counted_cents, self.rate_bp)


def month_rows(application: F6Application) -> list[MonthRow]:
    reported = {row.month: row for row in application.staffing}
    approved = application.positions_halves * staffing.CENTI_PER_HALF
    return [MonthRow(m, approved, reported[m].filled_centi if m in reported else None,
                     reported[m].note if m in reported else "") for m in months(application)]


def figures(application: F6Application) -> Figures:
    grant = grant_of(application)
    spent = sum(v["spent"] for (module, _y), v in used_by_line(grant).items() if module == MODULE) if grant else 0
    return Figures(planned_cents=sum(planned_by_year(application).values()),
                   approved_cents=grant.approved_cents if grant else 0,
                   cap_cents=sum(cap_by_year(application).values()), spent_cents=spent,
                   rate_bp=application.funding_rate_bp)


@dataclass(frozen=True)
class StatewideRow:
    ags: str
    name: str
    published_halves: int
    status: ApplicationStatus | None
    approved_halves: int  # 0 unless approved
    filled_centi: int | None  # in the chosen month; None: not reported
    application_id: int | None

    @property
    def vacant_centi(self) -> int:
        return self.approved_halves * staffing.CENTI_PER_HALF - (self.filled_centi or 0)


def statewide(programme: Programme, month: date, actor: User) -> list[StatewideRow]:
    """Per Kommune with published positions: positions, the F6 application and the staffing in ``month``."""
    scope = scope_kommune_id(actor)
    applications = {a.kommune_id: a for a in db.session.scalars(
        select(F6Application).where(F6Application.programme_id == programme.id))}
    rows = []
    for share in published_positions(programme.id):
        if scope is not None and share.kommune_id != scope:
            continue
        application = applications.get(share.kommune_id)
        approved = application is not None and application.status is ApplicationStatus.APPROVED
        filled = next((r.filled_centi for r in application.staffing if r.month == month), None) if approved else None
        rows.append(StatewideRow(share.kommune.ags, share.kommune.display_name, share.halves,
                                 application.status if application else None,
                                 application.positions_halves if approved else 0, filled,
                                 application.id if application else None))
    return sorted(rows, key=lambda r: r.ags)

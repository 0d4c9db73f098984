"""Use cases of the interim proof (Zwischennachweis): the Kommune submits a budget year's proof with the
ledger's figures and a short report, the programme administration accepts it or requests changes, the
scheduler reminds before the due day and flags the late ones (rules: ``app.results.interim``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext
from sqlalchemy import select

from ...auth.models import User
from ...auth.permissions import scope_kommune_id
from ...budgets.models import Grant, GrantLine, RecipientKind
from ...budgets.notices import recipients
from ...budgets.services import ensure_grant_access, line_figures
from ...notifications.kinds import DEADLINE_NOTICE, declare_kind
from ...notifications.services import remind
from ...platform import audit, clock, limits
from ...platform.errors import Conflict, NotFound, ValidationFailed
from ...platform.extensions import db
from ...platform.formatting import format_decimal
from ...platform.money import format_eur
from ...reference.models import Kommune, Programme
from .. import interim
from ..models import InterimProof, InterimStatus
from ..workflow import INTERIM

REVIEWED = declare_kind(
    "results.interim_review", lazy_gettext("Zwischennachweis: anerkannt oder Änderungen angefordert"),
    roles={"kommune"}, description=lazy_gettext("Wenn die Programmverwaltung einen Zwischennachweis anerkennt oder "
                                                "Änderungen anfordert."))


@dataclass(frozen=True)
class InterimRow:
    """One interim proof that is due (or will be): grant, year, due day, the stored proof if any, late."""

    grant: Grant
    kommune: str  # display name
    year: int
    due: date
    proof: InterimProof | None
    late: bool

    @property
    def status(self) -> InterimStatus | None:
        return self.proof.status if self.proof is not None else None

    @property
    def status_label(self) -> str:
        return self.status.label if self.status is not None else str(INTERIM.none_label)

    @property
    def late_flagged_on(self) -> date | None:
        return self.proof.late_flagged_on if self.proof is not None else None


def due_setting(programme: Programme) -> str:
    """The programme file's ``interim_proof_due`` ("MM-DD" of the year after the budget year)."""
    return str((programme.settings or {}).get("interim_proof_due", interim.DEFAULT_DUE))


def due_date(grant: Grant, year: int) -> date:
    return interim.due_date(year, due_setting(grant.programme))


def _line_years(grant_ids: list[int]) -> dict[int, set[int]]:
    """The budget years with an approved line, per grant: one query for all of them."""
    years: dict[int, set[int]] = {}
    for grant_id, year in db.session.execute(select(GrantLine.grant_id, GrantLine.budget_year).distinct()
                                             .where(GrantLine.grant_id.in_(grant_ids), GrantLine.approved_cents != 0)):
        years.setdefault(grant_id, set()).add(year)
    return years


def years_of(grant: Grant, line_years: dict[int, set[int]] | None = None) -> list[int]:
    """The budget years of the grant that need an interim proof (``line_years``: read for many grants already)."""
    years = (line_years if line_years is not None else _line_years([grant.id])).get(grant.id, ())
    return interim.required_years(years, grant.last_expense_date)


def _first_submitted_on(proof: InterimProof | None) -> date | None:
    if proof is None or proof.first_submitted_at is None:
        return None
    return proof.first_submitted_at.astimezone(clock.BERLIN).date()


def interim_rows(actor: User | None = None, *, today: date | None = None) -> list[InterimRow]:
    """Every interim proof due from the Kommune grants (a Kommune user: only its own), by Kommune and year."""
    today = today or clock.today()
    statement = (select(Grant, Kommune).join(Kommune, Kommune.id == Grant.kommune_id)
                 .where(Grant.recipient_kind == RecipientKind.KOMMUNE).order_by(Kommune.name, Grant.id))
    scope = scope_kommune_id(actor) if actor is not None else None
    if scope is not None:
        statement = statement.where(Grant.kommune_id == scope)
    pairs = [(grant, kommune) for grant, kommune in db.session.execute(statement)]
    line_years = _line_years([grant.id for grant, _k in pairs])
    proofs = {(p.grant_id, p.budget_year): p for p in db.session.scalars(
        select(InterimProof).where(InterimProof.grant_id.in_([grant.id for grant, _k in pairs])))}
    rows = []
    for grant, kommune in pairs:
        for year in years_of(grant, line_years):
            proof, due = proofs.get((grant.id, year)), due_date(grant, year)
            late = (proof is not None and proof.late_flagged_on is not None) or interim.is_late(
                due, today, _first_submitted_on(proof))
            rows.append(InterimRow(grant, kommune.display_name, year, due, proof, late))
    return rows


def get_interim(actor: User, grant_id: int, year: int) -> InterimRow:
    """One grant's interim proof of ``year`` (404 for another Kommune's grant or a year without one)."""
    grant = ensure_grant_access(actor, db.session.get(Grant, grant_id))
    if grant.recipient_kind != RecipientKind.KOMMUNE or year not in years_of(grant):
        raise NotFound("Zwischennachweis nicht gefunden.")
    proof = db.session.scalar(select(InterimProof).where(InterimProof.grant_id == grant.id,
                                                         InterimProof.budget_year == year))
    due = due_date(grant, year)
    late = (proof is not None and proof.late_flagged_on is not None) or interim.is_late(
        due, clock.today(), _first_submitted_on(proof))
    return InterimRow(grant, grant.kommune.display_name, year, due, proof, late)


def ledger_figures(grant: Grant, year: int) -> interim.YearFigures:
    """The year's figures as the ledger has them now (read only, the same lines as the proof of use)."""
    return interim.year_figures(line_figures(grant.id), year)


def submit_interim(actor: User, grant_id: int, year: int, *, report: str) -> InterimProof:
    """The Kommune submits (or resubmits) a year's interim proof: the report and the ledger's figures of that year."""
    row = get_interim(actor, grant_id, year)
    new_status = INTERIM.check(row.status, "submit", actor)
    if not interim.open_for_submission(year, clock.today()):
        raise Conflict(f"Der Zwischennachweis für {year} kann erst ab dem 01.01.{year + 1} eingereicht werden.")
    report = (report or "").strip()
    if not report:
        raise ValidationFailed.field("report", "Bitte den Sachbericht eingeben.")
    if len(report) > limits.SUMMARY:
        raise ValidationFailed.field("report", f"Bitte höchstens {format_decimal(limits.SUMMARY, 0)} Zeichen angeben.")
    figures = ledger_figures(row.grant, year)
    proof = row.proof
    before = None
    if proof is None:
        proof = InterimProof(grant_id=row.grant.id, kommune_id=row.grant.kommune_id, budget_year=year)
        db.session.add(proof)
    else:
        before = {"status": proof.status.value if proof.status else None}
    now = clock.now()
    proof.status, proof.report, proof.submitted_at, proof.submitted_by_id = new_status, report, now, actor.id
    proof.first_submitted_at = proof.first_submitted_at or now
    proof.approved_cents, proof.paid_cents = figures.approved_cents, figures.paid_cents
    proof.expenses_cents, proof.earned_cents = figures.expenses_cents, figures.earned_cents
    db.session.flush()
    audit.record("results.interim.submit", "interim_proof", proof.id, before=before, after={
        "grant": row.grant.reference, "year": year, "status": new_status.value,
        "approved_cents": figures.approved_cents, "paid_cents": figures.paid_cents,
        "expenses_cents": figures.expenses_cents, "earned_cents": figures.earned_cents, "late": row.late},
        actor=actor, kommune_id=row.grant.kommune_id)
    return proof


def review_interim(actor: User, grant_id: int, year: int, *, action: str, note: str = "") -> InterimProof:
    """The programme administration accepts the interim proof or requests changes (with a reason)."""
    row = get_interim(actor, grant_id, year)
    if action not in ("accept", "request_changes"):
        raise ValidationFailed.field("action", "Bitte „anerkennen“ oder „Änderungen anfordern“ wählen.")
    new_status = INTERIM.check(row.status, action, actor)
    note = (note or "").strip()
    if action == "request_changes" and not note:
        raise ValidationFailed.field("note", "Bitte angeben, was geändert werden soll.")
    proof = row.proof
    before = proof.status.value
    proof.status, proof.review_note, proof.reviewed_at, proof.reviewed_by_id = new_status, note or None, \
        clock.now(), actor.id
    db.session.flush()
    audit.record(f"results.interim.{action}", "interim_proof", proof.id, before={"status": before},
                 after={"status": new_status.value, "note": note or None}, actor=actor,
                 kommune_id=row.grant.kommune_id)
    outcome = ("anerkannt" if action == "accept" else "zurückgegeben: Änderungen angefordert")
    remind(recipients(row.grant), REVIEWED, "emails/notice.txt",
           subject=f"Zwischennachweis {year} ({row.grant.reference}) {outcome}",
           link=f"/zwischennachweise/{row.grant.id}/{year}",
           dedup_key=f"results.interim.review:{proof.id}:{proof.reviewed_at.isoformat()}",
           lines=[f"Die Programmverwaltung hat Ihren Zwischennachweis für das Haushaltsjahr {year} {outcome}.",
                  *([f"Begründung: {note}"] if note else [])])
    return proof


def remind_due(day: date) -> int:
    """Reminders 30 and 7 days before the due day to the Kommunen whose proof is not (again) submitted."""
    sent = 0
    for row in interim_rows(today=day):
        days_left = interim.reminder_days(row.due, day)
        if days_left is None or row.status not in (None, InterimStatus.CHANGES_REQUESTED):
            continue
        figures = ledger_figures(row.grant, row.year)
        sent += len(remind(
            recipients(row.grant), DEADLINE_NOTICE, "emails/reminder_deadline.txt",
            subject=f"Frist: Zwischennachweis {row.year} bis {row.due:%d.%m.%Y} einreichen ({row.grant.reference})",
            link=f"/zwischennachweise/{row.grant.id}/{row.year}",
            dedup_key=f"results.interim:{row.grant.id}:{row.year}:d{days_left}",
            what=f"Die Frist für den Zwischennachweis {row.year} der Zuwendung {row.grant.reference}",
            deadline=row.due, days_left=days_left,
            details=f"Laut Hauptbuch für {row.year}: bewilligt {format_eur(figures.approved_cents)}, ausgezahlt "
                    f"{format_eur(figures.paid_cents)}, förderfähige Ausgaben {format_eur(figures.expenses_cents)}.",
            action="Bitte reichen Sie den kurzen Sachbericht ein; die Zahlen übernimmt der Dienst aus dem Hauptbuch."))
    return sent


def flag_late(day: date, *, actor_label: str) -> int:
    """Mark (once, audited) every interim proof not submitted by its due day as late and tell the Kommune;
    the number flagged."""
    flagged = 0
    for row in interim_rows(today=day):
        if not row.late or row.late_flagged_on is not None or _first_submitted_on(row.proof) is not None:
            continue
        proof = row.proof
        if proof is None:
            proof = InterimProof(grant_id=row.grant.id, kommune_id=row.grant.kommune_id, budget_year=row.year)
            db.session.add(proof)
        proof.late_flagged_on = day
        db.session.flush()
        audit.record("results.interim.late", "interim_proof", proof.id,
                     after={"grant": row.grant.reference, "year": row.year, "due": row.due.isoformat()},
                     actor_label=actor_label, kommune_id=row.grant.kommune_id)
        remind(recipients(row.grant), DEADLINE_NOTICE, "emails/notice.txt",
               subject=f"Frist versäumt: Zwischennachweis {row.year} ({row.grant.reference})",
               link=f"/zwischennachweise/{row.grant.id}/{row.year}",
               dedup_key=f"results.interim:{row.grant.id}:{row.year}:late",
               lines=[f"Der Zwischennachweis {row.year} der Zuwendung {row.grant.reference} war bis zum "
                      f"{row.due:%d.%m.%Y} einzureichen und ist nicht eingegangen. Er ist als verspätet vermerkt.",
                      "Bitte reichen Sie ihn umgehend nach; die Zahlen übernimmt der Dienst aus dem Hauptbuch."])
        flagged += 1
    return flagged


"""Budget jobs: reminders around the drawdown period, the last expense date and the proof-of-use
deadline; closing expense entry after the last expense date; the nightly ledger and risk check.

Each is idempotent beyond the runner's once-per-day guard: state changes are guarded by state
(expense entry is closed once, risk flags are compared with the stored ones) and every message has
a dedup key naming its object and threshold (``budgets.last_expense:<grant>:d30``), so a second run
on the same day changes nothing and sends nothing. Thresholds are exact days: a day off a
threshold sends nothing. See docs/scheduler.md for the table of all jobs.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta

from flask_babel import lazy_gettext
from sqlalchemy import select

from ..notifications.kinds import DEADLINE_NOTICE, declare_kind
from ..notifications.services import notify_role, remind
from ..platform.extensions import db
from ..platform.jobs import job
from ..platform.money import format_eur
from ..reference.models import Programme
from .models import Drawdown, DrawdownKind, DrawdownStatus, Grant, ProofOfUse
from .monitoring import refresh_risk_flags, unspent_by_payment
from .notices import recipients
from .phases import close_expense_entry, grants_to_close
from .reconciliation import run_check
from .status import status_for

log = logging.getLogger("durchstarten.budgets")

DRAWN_NOT_SPENT = declare_kind(
    "budgets.drawn_not_spent", lazy_gettext("Erinnerung: abgerufene Mittel noch nicht verausgabt"),
    roles={"kommune", "organisation"},
    description=lazy_gettext("14 und 3 Tage vor dem Ende des Abrufzeitraums einer Auszahlung, solange davon etwas "
                             "nicht als Ausgabe erfasst ist."))
LAST_EXPENSE_DATE = declare_kind(
    "budgets.last_expense_date", lazy_gettext("Erinnerung: letzter Ausgabetag"), roles={"kommune", "organisation"},
    description=lazy_gettext("60, 30 und 7 Tage vor dem letzten Tag, an dem förderfähige Ausgaben anfallen dürfen."))
RISK_CHANGES = declare_kind(
    "budgets.risk_changes", lazy_gettext("Budget: neue und behobene Mittelabflussrisiken"),
    roles={"finance", "programme_admin"},
    description=lazy_gettext("Nach der nächtlichen Prognose: Zuwendungen, die neu gefährdet sind oder es nicht mehr "
                             "sind."))
LEDGER_DIFFERENCES = declare_kind(
    "budgets.ledger_differences", lazy_gettext("Hauptbuch: Abweichungen bei der nächtlichen Prüfung"),
    roles={"finance", "programme_admin"}, mandatory=True,
    description=lazy_gettext("Die nächtliche Prüfung des Hauptbuchs hat Abweichungen gefunden (nicht abschaltbar)."))

DRAWN_DAYS = (14, 3)  # before the end of a payment's drawdown period
LAST_EXPENSE_DAYS = (60, 30, 7)  # before the last expense date
PROOF_DAYS = (30, 14, 3)  # before the programme's proof-of-use deadline
STAFF_ROLES = ("finance", "programme_admin")


def _due_days(run, days: tuple[int, ...]) -> dict:
    """{deadline date: days left} for the thresholds as seen from the run's day."""
    return {run.day + timedelta(days=d): d for d in days}


@job("budgets.remind_drawn_not_spent", trigger="cron", hour=7, minute=10,
     description="Empfänger an abgerufene, noch nicht verausgabte Mittel erinnern (14 und 3 Tage vor Ende des "
                 "Abrufzeitraums)")
def remind_drawn_not_spent(run) -> dict:
    due = _due_days(run, DRAWN_DAYS)
    ending = list(db.session.scalars(
        select(Drawdown).join(Grant).where(Drawdown.status == DrawdownStatus.PAID,
                                           Drawdown.kind == DrawdownKind.REQUEST, Drawdown.period_end.in_(list(due)),
                                           Grant.expense_entry_closed_at.is_(None)).order_by(Drawdown.id)))
    if not ending:
        return {"reminders": 0, "drawdowns": 0}
    grants = {d.grant_id: d.grant for d in ending}
    statuses = {s.grant_id: s for s in status_for(list(grants.values()), with_forecast=False)}
    payments: dict[tuple[int, str], list[Drawdown]] = defaultdict(list)
    for paid in db.session.scalars(select(Drawdown).where(Drawdown.grant_id.in_(list(grants)),
                                                          Drawdown.status == DrawdownStatus.PAID)
                                   .order_by(Drawdown.value_date, Drawdown.id)):
        payments[(paid.grant_id, paid.module_code)].append(paid)
    sent = 0
    for drawdown in ending:
        grant, module = grants[drawdown.grant_id], drawdown.module_code
        figures = statuses[grant.id].modules.get(module)
        paid = payments[(grant.id, module)]
        unspent_parts = unspent_by_payment([p.amount_approved_cents for p in paid], figures.earned if figures else 0)
        unspent = unspent_parts[paid.index(drawdown)]
        if unspent <= 0:
            continue
        days_left = due[drawdown.period_end]
        sent += len(remind(
            recipients(grant), DRAWN_NOT_SPENT, "emails/budgets_drawn_not_spent.txt",
            subject=f"Erinnerung: {format_eur(unspent)} abgerufen und noch nicht verausgabt ({grant.reference})",
            link=f"/budgets/zuwendungen/{grant.id}/ausgaben", dedup_key=f"budgets.drawn:{drawdown.id}:d{days_left}",
            grant=grant, drawdown=drawdown, unspent_cents=unspent, days_left=days_left, format_eur=format_eur))
    return {"reminders": sent, "drawdowns": len(ending)}


@job("budgets.remind_last_expense_date", trigger="cron", hour=7, minute=20,
     description="Empfänger an den letzten Ausgabetag erinnern (60, 30 und 7 Tage vorher)")
def remind_last_expense_date(run) -> dict:
    due = _due_days(run, LAST_EXPENSE_DAYS)
    grants = list(db.session.scalars(select(Grant).where(Grant.last_expense_date.in_(list(due)),
                                                         Grant.expense_entry_closed_at.is_(None)).order_by(Grant.id)))
    statuses = {s.grant_id: s for s in status_for(grants, with_forecast=False)}
    sent = 0
    for grant in grants:
        status = statuses[grant.id]
        if status.total.approved <= 0:
            continue
        days_left = due[grant.last_expense_date]
        sent += len(remind(
            recipients(grant), LAST_EXPENSE_DATE, "emails/reminder_deadline.txt",
            subject=f"Erinnerung: letzter Ausgabetag {grant.last_expense_date:%d.%m.%Y} ({grant.reference})",
            link=f"/budgets/zuwendungen/{grant.id}/ausgaben", dedup_key=f"budgets.last_expense:{grant.id}:d{days_left}",
            what=f"Der Bewilligungszeitraum der Zuwendung {grant.reference} (letzter Tag, an dem förderfähige "
                 "Ausgaben anfallen dürfen)",
            deadline=grant.last_expense_date, days_left=days_left,
            details=f"Bewilligt sind {format_eur(status.total.approved)}; nach den erfassten Ausgaben sind davon "
                    f"{format_eur(status.total.earned)} als Zuwendung verdient, ausgezahlt wurden "
                    f"{format_eur(status.total.paid)}.",
            action="Bitte erfassen Sie alle Ausgaben bis zu diesem Tag. Danach wird die Ausgabenerfassung "
                   "geschlossen und der Verwendungsnachweis ist einzureichen."))
    return {"reminders": sent, "grants": len(grants)}


@job("budgets.remind_proof_of_use", trigger="cron", hour=7, minute=30,
     description="Empfänger ohne eingereichten Verwendungsnachweis an die Frist erinnern (30, 14 und 3 Tage vorher; "
                 "nicht abschaltbar)")
def remind_proof_of_use(run) -> dict:
    due = _due_days(run, PROOF_DAYS)
    grants = list(db.session.scalars(
        select(Grant).join(Programme, Programme.id == Grant.programme_id)
        .outerjoin(ProofOfUse, ProofOfUse.grant_id == Grant.id)
        .where(Programme.proof_of_use_deadline.in_(list(due)), Grant.last_expense_date < run.day,
               ProofOfUse.id.is_(None)).order_by(Grant.id)))
    sent = 0
    for grant in grants:
        deadline = grant.programme.proof_of_use_deadline
        days_left = due[deadline]
        sent += len(remind(
            recipients(grant), DEADLINE_NOTICE, "emails/reminder_deadline.txt",
            subject=f"Frist: Verwendungsnachweis bis {deadline:%d.%m.%Y} einreichen ({grant.reference})",
            link=f"/budgets/zuwendungen/{grant.id}/verwendungsnachweis",
            dedup_key=f"budgets.proof:{grant.id}:d{days_left}",
            what=f"Die Frist für den Verwendungsnachweis der Zuwendung {grant.reference}", deadline=deadline,
            days_left=days_left,
            action="Bitte reichen Sie den Sachbericht mit der Bestätigung ein; die Ausgabenliste ist die bereits "
                   "erfasste."))
    return {"reminders": sent, "grants": len(grants)}


@job("budgets.close_expense_entry", trigger="cron", hour=0, minute=15,
     description="Nach dem letzten Ausgabetag die Ausgabenerfassung schließen, den Verwendungsnachweis öffnen und die "
                 "Empfänger benachrichtigen (nicht abschaltbar)")
def close_expense_entry_job(run) -> dict:
    closed = notices = 0
    for grant in grants_to_close(run.day):
        if not close_expense_entry(grant, actor_label=run.actor_label):
            continue
        closed += 1
        deadline = grant.programme.proof_of_use_deadline
        lines = [f"der Bewilligungszeitraum der Zuwendung {grant.reference} endete am "
                 f"{grant.last_expense_date:%d.%m.%Y}. Die Ausgabenerfassung ist jetzt geschlossen; Ausgaben "
                 "können nicht mehr erfasst oder importiert werden."]
        if db.session.scalar(select(ProofOfUse.id).where(ProofOfUse.grant_id == grant.id)) is None:
            lines.append(f"Bitte reichen Sie den Verwendungsnachweis bis zum {deadline:%d.%m.%Y} ein.")
        notices += len(remind(
            recipients(grant), DEADLINE_NOTICE, "emails/notice.txt",
            subject=f"Ausgabenerfassung geschlossen – Verwendungsnachweis bis {deadline:%d.%m.%Y} einreichen "
                    f"({grant.reference})",
            link=f"/budgets/zuwendungen/{grant.id}/verwendungsnachweis", dedup_key=f"budgets.closed:{grant.id}",
            lines=lines))
        run.note(f"{grant.reference}: Ausgabenerfassung geschlossen")
    return {"closed": closed, "notices": notices}


@job("budgets.nightly_check", trigger="cron", hour=2, minute=0,
     description="Hauptbuch prüfen, Prognosen und Risikomarkierungen erneuern, Finanzen und Programmverwaltung über "
                 "Änderungen und Abweichungen informieren")
def nightly_check(run) -> dict:
    """Ledger differences are reported, not raised: the check itself worked, its result is kept in the
    audit trail (``ledger.verify``, as by the command) and a mandatory notice goes to finance staff and
    administrators every night while differences remain. A crash of the check fails the run."""
    check = run_check(full=True, actor_label=run.actor_label)  # the nightly full recomputation
    problems, count = check.problems, check.problem_count
    changes = refresh_risk_flags(status_for(), day=run.day, actor_label=run.actor_label)
    messages = 0
    if count:
        log.error("nightly ledger check %s: %d differences", run.day, count)
        run.note(f"Hauptbuch: {count} Abweichungen")
        messages += len(notify_role(
            STAFF_ROLES, LEDGER_DIFFERENCES, "emails/budgets_ledger_differences.txt",
            subject=f"Hauptbuch: {count} Abweichung{'en' if count != 1 else ''} "
                    f"bei der Prüfung am {run.day:%d.%m.%Y}",
            link="/budgets/abgleich", dedup_key=f"budgets.ledger:{run.day.isoformat()}", problems=problems[:20],
            count=count, day=run.day))
    if changes.new or changes.recovered:
        messages += len(notify_role(
            STAFF_ROLES, RISK_CHANGES, "emails/budgets_risk_changes.txt",
            subject=f"Budget: {len(changes.new)} neu gefährdet, {len(changes.recovered)} nicht mehr gefährdet "
                    f"({run.day:%d.%m.%Y})",
            link="/budgets/uebersicht", dedup_key=f"budgets.risk:{run.day.isoformat()}", changes=changes,
            format_eur=format_eur, day=run.day))
    return {"differences": count, "at_risk": changes.at_risk, "new_at_risk": len(changes.new),
            "recovered": len(changes.recovered), "messages": messages}

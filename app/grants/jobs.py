"""Grants job: remind Kommunen of applications and amendments they have not (re)submitted.

The programme has no application deadline (ceiling applications are open until the end of the
programme; ``config/programmes/durchstarten.toml`` has none), so the reminder is by age: an
application in ``draft`` or ``changes_requested`` is reminded 14 days after it entered that status
and then every 7 days, until it is submitted or withdrawn or the programme's last expense date has
passed. Only the users of the application's own Kommune receive it; they can switch it off.
The dedup key names the application, the status entry day and the age, so a repeat sends nothing.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext
from sqlalchemy import select

from ..notifications.kinds import declare_kind
from ..notifications.services import remind, users_with_role
from ..platform import clock
from ..platform.extensions import db
from ..platform.jobs import job
from .models import Application, ApplicationStatus

DRAFT_REMINDER = declare_kind(
    "grants.draft_reminder", lazy_gettext("Erinnerung: Antrag noch nicht eingereicht"), roles={"kommune"},
    description=lazy_gettext("Ein Antrag oder Änderungsantrag ist seit 14 Tagen im Entwurf oder wartet nach "
                             "angeforderten Änderungen auf die Einreichung (danach wöchentlich)."))
FIRST_AFTER_DAYS = 14
EVERY_DAYS = 7
WAITING_STATUSES = (ApplicationStatus.DRAFT, ApplicationStatus.CHANGES_REQUESTED)


def waiting_since(application: Application) -> date:
    """The Berlin day the application entered its current status (its latest event into that status)."""
    entered = [e.created_at for e in application.events if e.to_status == application.status.value]
    return max(entered, default=application.created_at).astimezone(clock.BERLIN).date()


def reminder_due(waiting_days: int) -> bool:
    return waiting_days >= FIRST_AFTER_DAYS and (waiting_days - FIRST_AFTER_DAYS) % EVERY_DAYS == 0


@job("grants.remind_drafts", trigger="cron", hour=7, minute=0,
     description="Kommunen an nicht eingereichte Anträge erinnern (Entwurf oder Änderungen angefordert: nach 14 Tagen, "
                 "dann wöchentlich)")
def remind_drafts(run) -> dict:
    sent = waiting = 0
    for application in db.session.scalars(select(Application).where(Application.status.in_(WAITING_STATUSES))
                                          .order_by(Application.id)):
        if run.day > application.programme.last_expense_date:
            continue
        waiting += 1
        since = waiting_since(application)
        days = (run.day - since).days
        if not reminder_due(days):
            continue
        changes = application.status is ApplicationStatus.CHANGES_REQUESTED
        sent += len(remind(
            users_with_role("kommune", kommune_id=application.kommune_id), DRAFT_REMINDER,
            "emails/grants_draft_reminder.txt",
            subject=f"Erinnerung: {application.title} noch nicht {'erneut ' if changes else ''}eingereicht",
            link=f"/antraege/{application.id}",
            dedup_key=f"grants.draft:{application.id}:{application.status.value}:{since.isoformat()}:a{days}",
            application=application, since=since, days=days, changes=changes))
    return {"reminders": sent, "waiting": waiting}

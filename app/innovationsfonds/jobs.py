"""Innovationsfonds jobs: close each call's submission window at its deadline (and run the automatic
eligibility check), and remind reviewers of open reviews before the review deadline.

Both are idempotent: a closed call is not closed again; reminders carry a dedup key per call,
threshold and reviewer.
"""

from __future__ import annotations

from flask_babel import lazy_gettext
from sqlalchemy import select

from ..notifications.kinds import declare_kind
from ..notifications.services import remind
from ..platform import clock
from ..platform.extensions import db
from ..platform.jobs import job
from .models import Call
from .reviewing import pending_reviews
from .services.eligibility import close_window

REVIEW_REMINDER = declare_kind(
    "innovationsfonds.review_deadline", lazy_gettext("Innovationsfonds: Begutachtungsfrist"), roles={"reviewer"},
    mandatory=True,
    description=lazy_gettext("Offene Gutachten vor dem Ende der Begutachtungsfrist (nicht abschaltbar)."))
REMIND_DAYS = (7, 3, 1)


@job("innovationsfonds.close_windows", trigger="interval", minutes=5,
     description="Einreichungsfristen der Aufrufe schließen und die automatische Förderfähigkeitsprüfung starten")
def close_windows(run) -> dict:
    closed = []
    for call in db.session.scalars(select(Call).where(Call.closed_at.is_(None), Call.closes_at < clock.now())
                                   .order_by(Call.id)):
        result = close_window(call.id, actor_label=run.actor_label)
        closed.append(result)
        run.note(f"Aufruf {call.id}: {result.get('eligible', 0)} förderfähig, {result.get('ineligible', 0)} nicht")
    return {"closed": len(closed)}


@job("innovationsfonds.remind_reviewers", trigger="cron", hour=7, minute=30,
     description="Gutachtende an offene Gutachten erinnern (7, 3 und 1 Tag vor der Begutachtungsfrist)")
def remind_reviewers(run) -> dict:
    sent = 0
    for call in db.session.scalars(select(Call).where(Call.closed_at.is_not(None), Call.decision_staged_at.is_(None),
                                                      Call.released_at.is_(None))):
        days_left = (call.review_deadline - run.day).days
        if days_left not in REMIND_DAYS:
            continue
        for reviewer, open_count in pending_reviews(call):
            sent += len(remind([reviewer], REVIEW_REMINDER, "emails/innovationsfonds_review_reminder.txt",
                               subject=f"Erinnerung: {open_count} Gutachten bis {call.review_deadline:%d.%m.%Y}",
                               link="/innovationsfonds/gutachten", dedup_key=f"if.review:{call.id}:d{days_left}",
                               call=call, open_count=open_count, days_left=days_left))
    return {"reminders": sent}

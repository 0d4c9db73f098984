"""Start-page panels: the Kommune's application and what needs its action; applications by status for staff."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext
from sqlalchemy import select

from ..auth.models import Role
from ..platform import clock
from ..platform.extensions import db
from ..platform.web.dashboard import Panel, panel
from ..reference.services import get_programme
from . import services
from .models import ApplicationStatus, ParticipantCount


@panel(order=200)
def grants_panel(user):
    if user.role == Role.KOMMUNE and user.kommune_id is not None:
        return _kommune_panel(user)
    if user.role in (Role.PROGRAMME_ADMIN, Role.FINANCE, Role.AUDITOR):
        counts = services.status_counts(get_programme().id)
        return Panel(title=gettext("Anträge nach Status"), template="grants/_panel_admin.html",
                     data={"counts": [(s, counts[s]) for s in ApplicationStatus],
                           "waiting": counts[ApplicationStatus.SUBMITTED] if user.role == Role.PROGRAMME_ADMIN else 0})
    return None


def _counts_due(programme, kommune_id: int) -> bool:
    """Quarterly counts are a to-do while the programme runs; after its last expense day only until the
    last quarter is reported (issue 21: the to-do stayed forever)."""
    last = programme.last_expense_date
    if clock.today() <= last:
        return True
    quarter = (last.month - 1) // 3 + 1
    return db.session.scalar(select(ParticipantCount.id).where(
        ParticipantCount.programme_id == programme.id, ParticipantCount.kommune_id == kommune_id,
        ParticipantCount.year == last.year, ParticipantCount.quarter == quarter).limit(1)) is None


def _kommune_panel(user) -> Panel:
    programme = get_programme()
    application = services.application_of_kommune(user.kommune_id, programme)
    data = {"application": application, "ceiling": services.ceiling_cents(programme.id, user.kommune_id),
            "todo": None, "todo_url": None, "decision": None, "amendment": None, "committed": 0}
    if application is None:
        data["todo"], data["todo_url"] = gettext("Antrag anlegen"), url_for("grants.index")
    else:
        data["decision"] = services.current_decision(application)
        data["committed"] = sum(services.committed_lines(application).values())
        data["amendment"] = services.open_amendment(application)
        current = data["amendment"] or application
        if current.status is ApplicationStatus.DRAFT:
            data["todo"] = gettext("%(title)s fertigstellen und einreichen", title=current.title)
        elif current.status is ApplicationStatus.CHANGES_REQUESTED:
            data["todo"] = gettext("%(title)s: angeforderte Änderungen einarbeiten", title=current.title)
        elif application.status is ApplicationStatus.APPROVED and _counts_due(programme, user.kommune_id):
            data["todo"], data["todo_url"] = gettext("Teilnehmendenzahlen des Quartals melden"), url_for(
                "grants.participants_page")
        if data["todo"] and data["todo_url"] is None:
            data["todo_url"] = url_for("grants.detail", application_id=current.id)
    return Panel(title=gettext("Ihr Antrag (F1–F4)"), template="grants/_panel_kommune.html", data=data)

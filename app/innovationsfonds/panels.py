"""Start-page panel of the Innovationsfonds, one per role: the organisation's sketches with their
status and next step, the reviewer's progress and deadline, the administrator's calls with the
review progress."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import func, select

from ..auth.models import Role
from ..platform import clock
from ..platform.extensions import db
from ..platform.formatting import format_date, format_datetime
from ..platform.web.dashboard import Panel, panel
from . import access, projects, reviewing
from .models import Assignment, FullApplicationStatus, Review, Sketch, SketchStatus


def _next_step(sketch: Sketch, now) -> str | None:
    """What the organisation has to do for this sketch now (None: nothing)."""
    if sketch.status is SketchStatus.DRAFT and sketch.call.is_open(now):
        return gettext("bis %(deadline)s Uhr einreichen", deadline=format_datetime(sketch.call.closes_at))
    if sketch.status is SketchStatus.SELECTED:
        application = projects.full_application_of(sketch)
        if application is None:
            deadline = format_date(sketch.full_application_deadline)
            return gettext("Vollantrag bis %(deadline)s stellen", deadline=deadline)
        if application.status is FullApplicationStatus.CHANGES_REQUESTED:
            return gettext("angeforderte Änderungen am Vollantrag einarbeiten")
    return None


def _organisation(user) -> Panel:
    now = clock.now()
    sketches = list(db.session.scalars(access.sketches_select(user)))
    rows = [{"sketch": s, "next": _next_step(s, now)} for s in sketches]
    return Panel(title=gettext("Innovationsfonds"), template="innovationsfonds/_panel.html",
                 data={"kind": "organisation", "rows": rows, "open_calls": [
                     c for c in db.session.scalars(access.calls_select()) if c.is_open(now)]})


def _reviewer(user) -> Panel:
    items = reviewing.my_assignments(user)
    open_calls = {i["sketch"].call for i in items if i["state"] != "submitted"}
    deadline = min((c.review_deadline for c in open_calls), default=None)
    return Panel(title=gettext("Innovationsfonds"), template="innovationsfonds/_panel.html",
                 data={"kind": "reviewer", "progress": reviewing.progress(items), "deadline": deadline,
                       "days_left": (deadline - clock.today()).days if deadline else None})


def _admin() -> Panel:
    assigned = dict(db.session.execute(select(Sketch.call_id, func.count()).select_from(Assignment).join(Sketch)
                                       .group_by(Sketch.call_id)).all())
    submitted = dict(db.session.execute(select(Sketch.call_id, func.count()).select_from(Review).join(Sketch)
                                        .where(Review.submitted_at.is_not(None)).group_by(Sketch.call_id)).all())
    sketches = dict(db.session.execute(select(Sketch.call_id, func.count()).where(Sketch.submitted_at.is_not(None))
                                       .group_by(Sketch.call_id)).all())
    calls = [{"call": c, "sketches": sketches.get(c.id, 0), "assigned": assigned.get(c.id, 0),
              "submitted": submitted.get(c.id, 0)} for c in db.session.scalars(access.calls_select())]
    return Panel(title=gettext("Innovationsfonds"), template="innovationsfonds/_panel.html", wide=True,
                 data={"kind": "admin", "calls": calls, "now": clock.now()})


@panel(order=7)
def innovationsfonds_panel(user):
    if user.role == Role.ORGANISATION and user.organisation_id is not None:
        return _organisation(user)
    if user.role == Role.REVIEWER:
        return _reviewer(user)
    if user.role == Role.PROGRAMME_ADMIN:
        return _admin()
    return None

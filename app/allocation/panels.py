"""Start-page panel: the allocation state for staff, the own ceiling for Kommune users."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select

from ..auth.models import Role
from ..auth.permissions import can
from ..platform.extensions import db
from ..platform.web.dashboard import Panel, panel
from ..reference.models import Programme
from .models import AllocationStatus, AllocationVersion, GiveBack
from .permissions import ALLOCATION_READ, OWN_CEILING


@panel(order=20)
def allocation_panel(user):
    if not can(user, OWN_CEILING):
        return None
    programme = db.session.scalar(select(Programme).where(Programme.code == current_app.config["DEFAULT_PROGRAMME"]))
    if programme is None:
        return None
    version = db.session.scalar(select(AllocationVersion).where(
        AllocationVersion.programme_id == programme.id, AllocationVersion.status == AllocationStatus.PUBLISHED))
    if user.role == Role.KOMMUNE:
        ceiling = next((c for c in version.ceilings if c.kommune_id == user.kommune_id), None) if version else None
        return Panel(title=gettext("Zuwendungshöchstgrenze"), template="allocation/_panel.html",
                     data={"kommune_view": True, "version": version, "ceiling": ceiling})
    if not can(user, ALLOCATION_READ):
        return None
    drafts = db.session.scalar(select(func.count()).select_from(AllocationVersion).where(
        AllocationVersion.programme_id == programme.id, AllocationVersion.status == AllocationStatus.DRAFT))
    open_give_backs = 0
    if version is not None:
        open_give_backs = db.session.scalar(select(func.count()).select_from(GiveBack).where(
            GiveBack.version_id == version.id, GiveBack.applied_in_id.is_(None)))
    return Panel(title=gettext("Zuteilung F1–F4"), template="allocation/_panel.html",
                 data={"kommune_view": False, "version": version, "count": len(version.ceilings) if version else 0,
                       "drafts": drafts, "open_give_backs": open_give_backs})

"""Start-page panel of the interim proofs: the Kommune's open ones (due day, late), the administration's queue."""

from __future__ import annotations

from flask_babel import gettext

from ..auth.models import Role
from ..platform import clock
from ..platform.web.dashboard import Panel, panel
from . import interim, services
from .models import InterimStatus


@panel(order=220)
def interim_panel(user):
    """Kommune: proofs it can submit now (not submitted or changes requested). Administration: waiting and late."""
    if user.role == Role.KOMMUNE and user.kommune_id is not None:
        today = clock.today()
        rows = [row for row in services.interim_rows(user, today=today) if row.status in (
            None, InterimStatus.CHANGES_REQUESTED) and interim.open_for_submission(row.year, today)]
        if not rows:
            return None
        return Panel(title=gettext("Zwischennachweise"), template="results/_panel_interim.html", data={"rows": rows})
    if user.role == Role.PROGRAMME_ADMIN:
        rows = services.interim_rows(user)
        waiting = sum(row.status is InterimStatus.SUBMITTED for row in rows)
        late = sum(row.late and row.status is None for row in rows)
        if not waiting and not late:
            return None
        return Panel(title=gettext("Zwischennachweise"), template="results/_panel_interim.html",
                     data={"waiting": waiting, "late": late})
    return None

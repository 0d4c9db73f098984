"""Pages of the Anhörung (``hearings``): opened from the proof-of-use page, read and commented on by the recipient.

Registered on the budgets blueprint (``views`` imports this module).
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from ..auth.permissions import requires
from ..platform.web.edge import submit
from . import hearings, services
from .permissions import BUDGET_READ, HEARING_COMMENT, PROOF_CHECK
from .views import ID, bp


@bp.route("/zuwendungen/" + ID.format("grant_id") + "/anhoerung", methods=["POST"])
@requires(PROOF_CHECK)
def open_hearing(grant_id: int):
    hearing = hearings.open_hearing(services.get_grant(g.actor, grant_id), actor=g.actor)
    flash(gettext("Die Anhörung wurde eingeleitet; Frist zur Stellungnahme bis %(day)s.",
                  day=hearing.deadline.strftime("%d.%m.%Y")), "success")
    return redirect(url_for("budgets.hearing", hearing_id=hearing.id))


@bp.route("/anhoerungen/" + ID.format("hearing_id"))
@requires(BUDGET_READ)
def hearing(hearing_id: int, errors: dict | None = None):
    item = hearings.get_hearing(g.actor, hearing_id)
    return render_template("budgets/hearing.html", hearing=item, grant=item.grant, errors=errors or {},
                           form=request.form), (422 if errors else 200)


@bp.route("/anhoerungen/" + ID.format("hearing_id") + "/stellungnahme", methods=["POST"])
@requires(HEARING_COMMENT)
def comment(hearing_id: int):
    item = hearings.get_hearing(g.actor, hearing_id)

    def change() -> str:
        hearings.submit_comment(item, comment=request.form.get("comment", ""), actor=g.actor)
        return url_for("budgets.hearing", hearing_id=hearing_id)

    response, errors = submit(change, success=gettext("Ihre Stellungnahme wurde übermittelt."))
    return response or hearing(hearing_id, errors=errors)

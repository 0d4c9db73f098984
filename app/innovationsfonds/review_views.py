"""The desk officer's review page: open and overdue reviews per reviewer and sketch, under-staffed sketches,
and the reminder action (``review_flow``). A blueprint nested in ``views.bp`` (``innovationsfonds.reviews.*``)."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext

from ..auth.permissions import requires
from ..platform import clock
from . import review_flow, services
from .permissions import IF_MANAGE, IF_STAFF

bp = Blueprint("reviews", __name__)
CALL = "/aufrufe/<id:call_id>"


@bp.route(CALL + "/offene-gutachten")
@requires(IF_STAFF)
def open_reviews(call_id: int):
    call = services.get_call(call_id)
    return render_template("innovationsfonds/open_reviews.html", call=call, rows=review_flow.open_reviews(call),
                           overdue=review_flow.overdue(call), understaffed=review_flow.understaffed(call),
                           today=clock.today())


@bp.route(CALL + "/offene-gutachten/erinnern", methods=["POST"])
@requires(IF_MANAGE)
def remind(call_id: int):
    told = review_flow.remind_open(call_id, g.actor)
    flash(gettext("%(count)s Gutachtende erinnert (höchstens einmal am Tag).", count=told), "success")
    return redirect(url_for("innovationsfonds.reviews.open_reviews", call_id=call_id))

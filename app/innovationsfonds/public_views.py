"""Innovationsfonds pages outside the working area: the public call pages (no login) and the printable
receipt of a submitted sketch. A blueprint nested in ``views.bp`` (endpoints ``innovationsfonds.public.*``);
the public endpoints are listed in ``app.auth.session.PUBLIC_ENDPOINTS``."""

from __future__ import annotations

from flask import Blueprint, g, render_template

from ..auth.permissions import PUBLIC, requires
from ..reference.models import ORGANISATION_KINDS
from . import receipts
from .models import TARGET_GROUPS
from .permissions import IF_READ

bp = Blueprint("public", __name__)


@bp.route("/ausschreibungen")
@requires(PUBLIC)
def calls():
    return render_template("innovationsfonds/public_calls.html", calls=receipts.public_calls())


@bp.route("/ausschreibungen/<id:call_id>")
@requires(PUBLIC)
def call(call_id: int):
    call = receipts.public_call(call_id)
    return render_template("innovationsfonds/public_call.html", call=call, kinds=ORGANISATION_KINDS,
                           groups=TARGET_GROUPS, shares=receipts.weight_shares(call))


@bp.route("/skizzen/<id:sketch_id>/eingangsbestaetigung")
@requires(IF_READ)
def receipt(sketch_id: int):
    sketch = receipts.receipt_of(sketch_id, g.actor)
    return render_template("innovationsfonds/receipt.html", sketch=sketch,
                           submitted=receipts.submitted_text(sketch))

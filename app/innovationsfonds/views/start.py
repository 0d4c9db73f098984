"""The Innovationsfonds start page: the calls, and for an organisation its sketches and the reviewers it
named as conflicted (reviewers go to their own start page)."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from ...auth.models import Role
from ...auth.permissions import requires
from ...platform import clock
from ...platform.extensions import db
from .. import conflicts, reviewing
from ..access import calls_select, sketches_select
from ..permissions import IF_READ
from .blueprint import bp


@bp.route("/")
@requires(IF_READ)
def index():
    if g.actor.role == Role.REVIEWER:
        return redirect(url_for("innovationsfonds.reviewer_home"))
    return start_page()


def start_page(errors: dict | None = None):
    """The start page (with the conflict form's errors when it is shown again)."""
    organisation = g.actor.role == Role.ORGANISATION
    sketches = list(db.session.scalars(sketches_select(g.actor))) if organisation else []
    return render_template("innovationsfonds/index.html", calls=list(db.session.scalars(calls_select())),
                           sketches=sketches, now=clock.now(),
                           conflicts=conflicts.conflicts_of(g.actor) if organisation else [],
                           reviewer_options=[(u.id, u.name) for u in reviewing.reviewers()] if organisation else [],
                           errors=errors or {},
                           form=request.form), (422 if errors else 200)

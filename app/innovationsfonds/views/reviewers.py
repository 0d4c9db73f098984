"""Reviewers' pages: the own assignments with progress, conflicts of interest (also declared by
organisations on the start page), recusal from one sketch, and the scoring form."""

from __future__ import annotations

from flask import g, render_template, request, url_for
from flask_babel import gettext

from ...auth.models import Role
from ...auth.permissions import requires
from ...platform.errors import Conflict
from ...platform.web.edge import discard_changes, submit
from ...platform.web.forms import load_form
from ...reference.services import list_kommunen
from .. import conflicts, review_flow, reviewing
from ..access import get_sketch
from ..permissions import IF_CONFLICTS, IF_REVIEW
from ..presenters import present_review, present_sketch
from ..schemas.reviewing import ConflictIn, RecusalIn, review_form_marks
from .blueprint import SKETCH, act, bp
from .start import start_page


def _reviewer_home(errors: dict | None = None):
    items = reviewing.my_assignments(g.actor)
    return render_template("innovationsfonds/reviewer.html", items=items, progress=reviewing.progress(items),
                           conflicts=conflicts.conflicts_of(g.actor),
                           kommune_options=[(k.id, k.display_name) for k in list_kommunen()],
                           organisation_groups=[(call.title, [(o.id, o.name) for o in organisations])
                                                for call, organisations in conflicts.applicant_organisations()],
                           errors=errors or {},
                           form=request.form), (422 if errors else 200)


@bp.route("/gutachten")
@requires(IF_REVIEW)
def reviewer_home():
    return _reviewer_home()


@bp.route("/konflikte", methods=["POST"])
@requires(IF_CONFLICTS)
def conflict_declare():
    """Reviewers: an applicant organisation (from the list) or a Kommune; organisations: a reviewer."""
    reviewer = g.actor.role == Role.REVIEWER
    home = url_for("innovationsfonds.reviewer_home" if reviewer else "innovationsfonds.index")

    def declare() -> str:
        conflicts.declare_conflict(g.actor, **load_form(ConflictIn()))
        return home

    return act(declare, success=gettext("Der Interessenkonflikt wurde erklärt."), back=home,
               show_errors=_reviewer_home if reviewer else start_page)


@bp.route(SKETCH + "/befangenheit", methods=["POST"])
@requires(IF_REVIEW)
def recuse(sketch_id: int):
    def declare_bias() -> str:
        conflicts.recuse(sketch_id, g.actor, load_form(RecusalIn())["reason"])
        return url_for("innovationsfonds.reviewer_home")

    return act(declare_bias, success=gettext("Sie haben sich für befangen erklärt; die Skizze wurde Ihnen abgenommen."),
               back=url_for("innovationsfonds.review_form", sketch_id=sketch_id))


@bp.route(SKETCH + "/bewertung", methods=["GET", "POST"])
@requires(IF_REVIEW)
def review_form(sketch_id: int):
    """The scoring form; marks the service refuses (outside the scale, not a number, unknown criterion) are shown
    beside their criterion with the API's message, and nothing is saved."""
    sketch = get_sketch(sketch_id, g.actor)
    errors: dict = {}
    if request.method == "POST":
        final = request.form.get("submit") == "1"

        def score() -> str:
            marks, comment = review_form_marks(request.form)
            if final:
                reviewing.submit_review(sketch_id, g.actor, marks, comment)
            else:
                reviewing.save_review(sketch_id, g.actor, marks, comment)
            return url_for("innovationsfonds.review_form", sketch_id=sketch_id)

        try:
            response, errors = submit(score, success=gettext("Ihr Gutachten wurde abgegeben.") if final
                                      else gettext("Ihr Entwurf wurde gespeichert."))
        except Conflict as refused:  # already submitted, deadline passed: shown above the form
            discard_changes()
            response, errors = None, {"marks": [refused.detail]}
        if response:
            return response
        sketch = get_sketch(sketch_id, g.actor)
    review = reviewing.get_own_review(sketch_id, g.actor)
    others = []
    if review is not None and review.submitted_at is not None:
        others = [present_review(r, g.actor, n)
                  for n, r in enumerate(reviewing.visible_reviews(sketch_id, g.actor), start=1)]
    items = reviewing.my_assignments(g.actor, sketch.call_id)
    ids = [i["sketch"].id for i in items]
    here = ids.index(sketch.id) if sketch.id in ids else -1
    neighbours = {"previous": ids[here - 1] if here > 0 else None,
                  "next": ids[here + 1] if 0 <= here < len(ids) - 1 else None}
    return render_template("innovationsfonds/review_form.html", sketch=sketch, view=present_sketch(sketch, g.actor),
                           review=review, others=others, errors=errors, form=request.form, neighbours=neighbours,
                           progress=reviewing.progress(items), position=here + 1,
                           revisable=review_flow.revisable(review, sketch.call)), (422 if errors else 200)

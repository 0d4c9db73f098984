"""Calls: the administrator's form (new, edit with the fields frozen by the round's progress), the call
page for staff and the round's steps (close the window, assign reviewers, release the decision)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from ...auth.permissions import requires
from ...platform import clock
from ...platform.web.edge import submit
from ...reference.models import ORGANISATION_KINDS
from ...reference.services import get_programme
from .. import reviewing, selection
from ..access import get_call, submitted_sketches
from ..models import TARGET_GROUPS, SelectionRule, SketchStatus
from ..permissions import IF_MANAGE, IF_STAFF
from ..services import calls
from ..services.eligibility import close_window
from .blueprint import CALL, act, bp
from .call_forms import MAX_CRITERIA, NEW_CALL_FORM, PAGE_FIELD, call_as_form, call_data, group_names, page_errors


def _render_call_form(call, form, errors: dict, locks: dict):
    rows = max(len(call.criteria) if call else 0, sum(1 for k in form if k.startswith("crit_key_"))) + 2
    return render_template("innovationsfonds/call_form.html", call=call, errors=errors, form=form, locks=locks,
                           kinds=ORGANISATION_KINDS, groups=TARGET_GROUPS, rules=list(SelectionRule),
                           criterion_rows=min(rows, MAX_CRITERIA), group_names=group_names()), (
        422 if errors else 200)


def _detail(call) -> str:
    return url_for("innovationsfonds.call_detail", call_id=call.id)


@bp.route("/aufrufe/neu", methods=["GET", "POST"])
@requires(IF_MANAGE)
def call_new():
    errors: dict = {}
    if request.method == "POST":
        response, errors = submit(lambda: _detail(calls.create_call(g.actor, get_programme(), call_data(request.form))),
                                  success=gettext("Der Aufruf wurde angelegt."))
        if response:
            return response
    return _render_call_form(None, request.form if request.method == "POST" else NEW_CALL_FORM, page_errors(errors),
                             {})


@bp.route(CALL + "/bearbeiten", methods=["GET", "POST"])
@requires(IF_MANAGE)
def call_edit(call_id: int):
    """Edit a call; fields frozen by ``calls.call_locks`` are shown disabled and keep their values."""
    call = get_call(call_id)
    if call.released_at is not None:
        flash(gettext("Die Entscheidung zu diesem Aufruf ist freigegeben; er kann nicht mehr geändert werden."),
              "error")
        return redirect(_detail(call))
    frozen = calls.call_locks(call)
    locks = {PAGE_FIELD.get(name, name): reason for name, reason in frozen.items()}
    current = call_as_form(call)
    errors: dict = {}
    form = current
    if request.method == "POST":
        form = MultiDict(request.form)
        for name in locks:  # disabled inputs are not sent: locked fields keep the call's values
            if name == "criteria":
                for key in [k for k in form if k.startswith("crit_")]:
                    form.pop(key)
                form.update({k: v for k, v in current.items() if k.startswith("crit_")})
            else:
                form.setlist(name, current.getlist(name))

        def update() -> str:
            data = call_data(form)
            if "criteria" in locks:  # wording of criteria stays editable
                for n, criterion in enumerate(data.get("criteria", [])):
                    criterion["name"] = (request.form.get(f"crit_name_{n}") or criterion["name"]).strip()
                    criterion["description"] = (request.form.get(f"crit_description_{n}") or "").strip()
            data.update({name: value for name, value in calls.call_values(call).items()
                         if name in frozen and name != "criteria"})
            return _detail(calls.update_call(call_id, g.actor, data))

        response, errors = submit(update, success=gettext("Der Aufruf wurde gespeichert."))
        if response:
            return response
        errors, call = page_errors(errors), get_call(call_id)
    return _render_call_form(call, form, errors, locks)


@bp.route(CALL)
@requires(IF_STAFF)
def call_detail(call_id: int):
    call = get_call(call_id)
    aggs = selection.aggregates(call)
    return render_template("innovationsfonds/call.html", call=call, sketches=submitted_sketches(call), aggregates=aggs,
                           now=clock.now(), statuses=SketchStatus)


@bp.route(CALL + "/<any(schliessen, zuordnen, freigeben):step>", methods=["POST"])
@requires(IF_MANAGE)
def call_step(call_id: int, step: str):
    target = url_for("innovationsfonds.outbox" if step == "freigeben" else "innovationsfonds.call_detail",
                     call_id=call_id)
    done = {}

    def run() -> str:
        if step == "schliessen":
            result = close_window(call_id, actor=g.actor)
            done["message"] = gettext(
                "Einreichung geschlossen: %(eligible)s förderfähig, %(ineligible)s nicht förderfähig.",
                eligible=result.get("eligible", 0), ineligible=result.get("ineligible", 0))
        elif step == "zuordnen":
            result = reviewing.auto_assign(call_id, g.actor)
            done["message"] = gettext("%(created)s Zuordnungen angelegt; Last je Person %(low)s–%(high)s.",
                                      created=result["created"], low=result["load_min"], high=result["load_max"])
        else:
            result = selection.release(call_id, g.actor)
            done["message"] = gettext("Entscheidung freigegeben; %(count)s Nachrichten versandt.",
                                      count=result["messages"])
        return target

    return act(run, success=lambda: done["message"], back=target)

"""The round of a call for staff: the assignment matrix, the ranking, the selection with both proposals
and the decision form, the Steuerkreis view, the outbox, the statistics and the exports."""

from __future__ import annotations

from types import SimpleNamespace

from flask import g, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from ...auth.permissions import require, requires
from ...platform import clock
from ...platform.errors import DomainError, NotFound, ValidationFailed
from ...platform.money import format_eur
from ...platform.web.edge import discard_changes, submit
from ...platform.web.exports import export_response, today_stamp
from ...platform.web.forms import load_form
from .. import exports, reviewing, round_statistics, selection, steering
from ..access import get_call, get_sketch, submitted_sketches
from ..core.funding import METHOD_TEXT, SKIP_REASON_TEXT
from ..matrix import assignment_matrix
from ..permissions import IF_MANAGE, IF_STAFF
from ..schemas.decisions import SelectionDecisionIn
from ..schemas.reviewing import MatrixChangeIn
from ..services import calls
from .blueprint import CALL, SKETCH, bp
from .call_forms import group_minimums_of, group_names, minimums_text


def budget_bar(total: int, budget: int, label: str) -> Markup:
    """A horizontal SVG bar: the share of the budget a selection uses (no inline style: CSP)."""
    width = 600
    used = 0 if budget <= 0 else min(width, total * width // budget)
    text = gettext("%(label)s: %(total)s von %(budget)s", label=label, total=format_eur(total),
                   budget=format_eur(budget))
    return Markup(
        '<svg class="budget-bar" viewBox="0 0 {width} 28" role="img" aria-label="{text}">'
        '<rect x="0" y="4" width="{width}" height="20" fill="#eef1f5" stroke="#5b6675"/>'
        '<rect x="0" y="4" width="{used}" height="20" fill="#0b4f8a"/></svg>'
        '<p class="hint">{hint}</p>').format(width=width, used=used, text=text,
                                            hint=gettext("%(text)s (Rest %(rest)s)", text=text,
                                                         rest=format_eur(budget - total)))



def _matrix_page(call_id: int, errors: dict | None = None):
    call = get_call(call_id)
    editable = call.closed_at is not None and not call.decision_fixed
    page = request.args.get("seite", "1")
    matrix = assignment_matrix(call, page=int(page) if page.isdigit() and len(page) < 6 else 1)
    pages = SimpleNamespace(page=matrix["page"], pages=matrix["pages"], page_url=lambda n: url_for(
        "innovationsfonds.matrix", call_id=call_id, seite=n))
    return render_template("innovationsfonds/matrix.html", call=call, matrix=matrix, pages=pages,
                           editable=editable, errors=errors or {}, form=request.form), (422 if errors else 200)


@bp.route(CALL + "/zuordnung")
@requires(IF_STAFF)
def matrix(call_id: int):
    return _matrix_page(call_id)


@bp.route(CALL + "/zuordnung/aendern", methods=["POST"])
@requires(IF_MANAGE)
def matrix_edit(call_id: int):
    """Add or remove one reviewer of one sketch by hand (never a conflicted one; audited by the service); every
    refusal is shown beside the form."""
    add = request.form.get("action") == "add"

    def change() -> str:
        data = load_form(MatrixChangeIn())
        if get_sketch(data["sketch_id"], g.actor).call_id != call_id:
            raise ValidationFailed.field("sketch_id", "Die Skizze gehört nicht zu diesem Aufruf.")
        (reviewing.assign if add else reviewing.unassign)(data["sketch_id"], data["reviewer_id"], g.actor)
        return url_for("innovationsfonds.matrix", call_id=call_id)

    try:
        response, errors = submit(change, success=gettext("Die Zuordnung wurde hinzugefügt.") if add
                                  else gettext("Die Zuordnung wurde entfernt."))
    except DomainError as refused:  # conflicted reviewer, window still open, unknown sketch: beside the form
        discard_changes()
        response, errors = None, refused.errors or {"reviewer_id": [refused.detail]}
    return response or _matrix_page(call_id, errors)


@bp.route(CALL + "/rangfolge")
@requires(IF_STAFF)
def ranking_page(call_id: int):
    call = get_call(call_id)
    return render_template("innovationsfonds/ranking.html", call=call, result=selection.ranking(call))


@bp.route(CALL + "/auswahl", methods=["GET", "POST"])
@requires(IF_STAFF)
def selection_page(call_id: int):
    """The two proposals and the decision form (ticked ids load through the API's schema: a malformed id is a
    field error, not dropped); a refused decision is shown above the form."""
    get_call(call_id)  # 404 before anything else
    errors: dict = {}
    if request.method == "POST":
        require(g.actor, IF_MANAGE)  # finance and Prüfung may read the page, not decide (403)

        def stage() -> str:
            ticked = load_form(SelectionDecisionIn(only=("selected", "rejected"), partial=True))
            reasons = {int(key[7:]): text for key, text in request.form.items()
                       if key.startswith("reason_") and key[7:].isdigit() and len(key) < 20}
            selection.record_decision(call_id, g.actor, basis=request.form.get("basis", ""),
                                      selected=ticked.get("selected", []), reasons=reasons,
                                      note=request.form.get("note", ""), rejected=ticked.get("rejected", []))
            return url_for("innovationsfonds.outbox", call_id=call_id)

        try:
            response, errors = submit(stage, success=gettext(
                "Die Entscheidung ist vorgemerkt. Bitte prüfen Sie den Postausgang und geben Sie sie frei."))
        except DomainError as refused:
            if isinstance(refused, NotFound):
                raise
            discard_changes()
            response, errors = None, refused.errors or {"_": [refused.detail]}
        if response:
            return response
    return _selection_page(call_id, errors)


def _selection_page(call_id: int, errors: dict):
    call = get_call(call_id)
    result = selection.proposals(call)
    method_text = {method: gettext(text) for method, text in METHOD_TEXT.items()}
    skip_text = {reason: gettext(text) for reason, text in SKIP_REASON_TEXT.items()}
    bars = {}
    for key, item in (("line", result.line), ("best", result.best)):
        if item is not None:
            bars[key] = budget_bar(item.total_cents, call.budget_cents, method_text[item.method])
    form = _decision_form(call, result)
    return render_template("innovationsfonds/selection.html", call=call, result=result, bars=bars, errors=errors,
                           form=form, rows=_decision_rows(result, form), method_text=method_text, skip_text=skip_text,
                           minimums=request.form.get("group_minimums", minimums_text(call)), group_names=group_names(),
                           minimums_locked=calls.call_locks(call).get("group_minimums")), (422 if errors else 200)


def _decision_rows(result, form) -> SimpleNamespace:
    """What every row of the decision table asks, worked out once (the table has a row per eligible sketch, ~1,000
    at 10 × the real size): the ticked ids as sets, the proposals each sketch is in, the rows' label texts."""
    proposals: dict[str, str] = {}
    for item in (result.line, result.best):
        for sketch_id in item.selected if item else ():
            proposals[sketch_id] = proposals.get(sketch_id, "") + item.method + " "
    return SimpleNamespace(
        ticked=set(form.getlist("selected")), refused=set(form.getlist("rejected")), proposals=proposals,
        select=gettext("%(reference)s auswählen", reference="{reference}"),
        reject=gettext("%(reference)s ablehnen", reference="{reference}"),
        reason=gettext("Begründung %(reference)s", reference="{reference}"))


def _decision_form(call, result) -> MultiDict:
    """The decision form's values: as posted; else the staged decision (kept through withdrawals, so a
    decision that needs review starts from the previous choices and reasons); else the funding line."""
    if request.method == "POST":
        return request.form
    form = MultiDict()
    if call.decision_staged_at is not None:
        form["basis"], form["note"] = call.decision_basis or "", call.decision_note
        for sketch in call.sketches:
            if sketch.staged_outcome in ("selected", "rejected"):
                form.add(sketch.staged_outcome, str(sketch.id))
            if sketch.staged_reason:
                form[f"reason_{sketch.id}"] = sketch.staged_reason
    elif result.line is not None:
        form.setlist("selected", list(result.line.selected))
    return form



@bp.route(CALL + "/auswahl/gruppen", methods=["POST"])
@requires(IF_MANAGE)
def group_minimums(call_id: int):
    """Set the call's group minimums from the selection page; both proposals are recomputed with them."""
    response, errors = submit(lambda: url_for("innovationsfonds.selection_page", call_id=calls.set_group_minimums(
        call_id, g.actor, group_minimums_of(request.form)).id), success=gettext(
        "Die Mindestzahlen je Gruppe wurden gespeichert."))
    return response or _selection_page(call_id, errors)


@bp.route(CALL + "/export/<any(skizzen, rangfolge, zuordnung, postausgang):what>.<any(csv, xlsx):fmt>")
@requires(IF_STAFF)
def export(call_id: int, what: str, fmt: str):
    """A list of the call as CSV/XLSX (sketches, ranking, assignment matrix, outbox): the columns the page shows."""
    call = get_call(call_id)
    if what == "skizzen":
        columns, rows = exports.sketch_rows(submitted_sketches(call), selection.aggregates(call))
    elif what == "rangfolge":
        columns, rows = exports.ranking_rows(selection.ranking(call))
    elif what == "zuordnung":
        columns, rows = exports.matrix_rows(assignment_matrix(call))
    else:
        columns, rows = exports.outbox_rows(selection.outbox(call))
    return export_response(f"innovationsfonds-{call.id}-{what}-{today_stamp(clock.today())}", fmt, columns, rows)


@bp.route(CALL + "/gutachten")
@requires(IF_STAFF)
def steering_page(call_id: int):
    """Every review in full, side by side per sketch, with the reviewers' calibration (Steuerkreis, Prüfung)."""
    call = get_call(call_id)
    page = request.args.get("seite", "1")
    listing = steering.sheet_page(call, int(page) if page.isdigit() and len(page) < 6 else 1,
                                  flagged_only=request.args.get("nur") == "abweichung",
                                  url=lambda n, flagged: url_for("innovationsfonds.steering_page", call_id=call_id,
                                                                 seite=n, **({"nur": "abweichung"} if flagged else {})))
    return render_template("innovationsfonds/steering.html", call=call, listing=listing,
                           calibrations=steering.calibration(call))


@bp.route(SKETCH + "/begruendung.<any(csv, xlsx):fmt>")
@requires(IF_STAFF)
def justification(sketch_id: int, fmt: str):
    """Why a sketch was (not) funded: marks per criterion and reviewer, rank, decision, reason."""
    sketch = get_sketch(sketch_id, g.actor)
    columns, rows = steering.justification_rows(sketch)
    return export_response(f"innovationsfonds-{sketch.reference}-begruendung-{today_stamp(clock.today())}", fmt,
                           columns, rows)


@bp.route(CALL + "/postausgang")
@requires(IF_STAFF)
def outbox(call_id: int):
    call = get_call(call_id)
    return render_template("innovationsfonds/outbox.html", call=call, messages=selection.outbox(call))


@bp.route(CALL + "/statistik")
@requires(IF_STAFF)
def statistics(call_id: int):
    call = get_call(call_id)
    return render_template("innovationsfonds/statistics.html", call=call, stats=round_statistics.statistics(call))

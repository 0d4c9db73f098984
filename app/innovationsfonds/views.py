"""Pages of the Innovationsfonds: organisations (my sketches, form, status, decision), reviewers
(assignments with progress, conflicts, score form), administrators (call set-up, eligibility,
assignment matrix, ranking with flags, selection comparison with the budget bar, decision,
outbox, statistics)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from types import SimpleNamespace

from flask import Blueprint, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext, lazy_gettext
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from ..auth.models import Role
from ..auth.permissions import require, requires
from ..platform import clock
from ..platform.errors import Conflict, DomainError, Forbidden, ValidationFailed
from ..platform.extensions import db
from ..platform.money import MoneyFormatError, format_eur, parse_german_amount
from ..platform.web.exports import export_response, today_stamp
from ..platform.web.navigation import nav_entry
from ..reference.models import ORGANISATION_KINDS
from ..reference.services import get_programme, list_kommunen
from . import (
    exports,
    organisations,
    projects,
    public_views,
    registration_views,
    review_flow,
    review_views,
    reviewing,
    selection,
    services,
    steering,
)
from .matrix import assignment_matrix
from .models import PROMOTION_DAYS_DEFAULT, TARGET_GROUPS, SelectionRule, SketchStatus
from .permissions import IF_APPLY, IF_CONFLICTS, IF_MANAGE, IF_READ, IF_REVIEW, IF_STAFF
from .presenters import present_review, present_sketch
from .ranking import METHOD_TEXT, SKIP_REASON_TEXT
from .workflow import ACTION_LABELS, FULL_APPLICATION_TRANSITIONS, allowed_actions

bp = Blueprint("innovationsfonds", __name__, url_prefix="/innovationsfonds")
bp.register_blueprint(public_views.bp)
bp.register_blueprint(review_views.bp)
bp.register_blueprint(registration_views.bp)
nav_entry(lazy_gettext("Innovationsfonds"), "innovationsfonds.index", IF_READ, order=250)
CALL = "/aufrufe/<int(max=2147483647):call_id>"
SKETCH = "/skizzen/<int(max=2147483647):sketch_id>"


def _int(name: str, errors: dict, form) -> int | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        errors[name] = ["Bitte eine ganze Zahl angeben."]
        return None
    return int(raw)


def _amount(name: str, errors: dict, form) -> int | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return parse_german_amount(raw)
    except MoneyFormatError as bad:
        errors[name] = [str(bad)]
        return None


def _date(name: str, errors: dict, form) -> date | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = ["Bitte ein Datum angeben (JJJJ-MM-TT)."]
        return None


def _save(change, message: str) -> tuple:
    """Run ``change() -> redirect URL``; commit, flash ``message`` and redirect, or roll back and
    return the field errors of a ValidationFailed: ``(response or None, errors)``."""
    try:
        target = change()
    except ValidationFailed as failed:
        db.session.rollback()
        return None, failed.errors
    db.session.commit()
    flash(message, "success")
    return redirect(target), {}


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


# ---------------------------------------------------------------------------------------- start


@bp.route("/")
@requires(IF_READ)
def index():
    if g.actor.role == Role.REVIEWER:
        return redirect(url_for("innovationsfonds.reviewer_home"))
    return _index()


def _index(errors: dict | None = None):
    calls = list(db.session.scalars(services.calls_select()))
    organisation = g.actor.role == Role.ORGANISATION
    sketches = list(db.session.scalars(services.sketches_select(g.actor))) if organisation else []
    return render_template("innovationsfonds/index.html", calls=calls, sketches=sketches, now=clock.now(),
                           conflicts=reviewing.conflicts_of(g.actor) if organisation else [],
                           reviewer_options=[(u.id, u.name) for u in reviewing.reviewers()] if organisation else [],
                           errors=errors or {},
                           form=request.form), (422 if errors else 200)


# ---------------------------------------------------------------------------------------- call set-up


# service data key / API field -> field of the call form
PAGE_FIELD = {"opens_at": "opens", "closes_at": "closes", "funding_rate_bp": "funding_rate", "budget_cents": "budget",
              "max_per_project_cents": "max_per_project"}
CRITERION_PARTS = ("key", "name", "description", "weight", "scale_min", "scale_max")
MAX_CRITERIA = 30


def _points(name: str, errors: dict, form) -> Decimal | None:
    """A score 0–100 with at most two decimals ("62,5")."""
    raw = (form.get(name) or "").strip().replace(",", ".")
    try:
        value = Decimal(raw) if raw else None
        if value is not None and (not value.is_finite() or not 0 <= value <= 100
                                  or value != value.quantize(Decimal("0.01"))):
            raise ValueError
        return value
    except (ArithmeticError, ValueError):
        errors[name] = ["Bitte eine Punktzahl von 0 bis 100 angeben (höchstens zwei Nachkommastellen)."]
        return None


def _criteria(form, errors: dict) -> list[dict]:
    """Criterion rows ``crit_<part>_<n>``; empty rows are skipped, a row's error names its number."""
    criteria = []
    for n in range(MAX_CRITERIA):
        row = {part: (form.get(f"crit_{part}_{n}") or "").strip() for part in CRITERION_PARTS}
        if not any(row.values()):
            continue
        try:
            for part in ("weight", "scale_min", "scale_max"):
                if not row[part].lstrip("-").isdigit() or len(row[part]) > 6:
                    raise ValueError
                row[part] = int(row[part])
        except ValueError:
            errors.setdefault("criteria", []).append(f"Kriterium {n + 1}: Gewicht und Skala als ganze Zahlen angeben.")
            continue
        if not row["key"] or not row["name"]:
            errors.setdefault("criteria", []).append(f"Kriterium {n + 1}: Schlüssel und Name angeben.")
            continue
        criteria.append(row)
    return criteria


def minimums_text(call) -> str:
    """The group minimums as the form's lines ``group = count``."""
    return "\n".join(f"{group} = {count}" for group, count in (call.group_minimums or {}).items())


def _group_minimums(form, errors: dict) -> dict[str, int]:
    """Lines ``region:Köln = 1`` or ``target:primary = 10``."""
    minimums = {}
    for number, line in enumerate((form.get("group_minimums") or "").splitlines(), start=1):
        if not line.strip():
            continue
        group, _sep, count = (part.strip() for part in line.partition("="))
        if not group or not count.isdigit() or len(count) > 4:
            errors.setdefault("group_minimums", []).append(
                f"Zeile {number}: „Gruppe = Anzahl“, z. B. „region:Köln = 1“.")
            continue
        minimums[group] = int(count)
    return minimums


def _call_form(form) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    data: dict = {"title": (form.get("title") or "").strip(), "description": form.get("description", "")}
    if not data["title"]:
        errors["title"] = ["Bitte einen Titel angeben."]
    data["budget_cents"] = _amount("budget", errors, form) or 0
    data["max_per_project_cents"] = _amount("max_per_project", errors, form) or 0
    opens, closes = _date("opens", errors, form), _date("closes", errors, form)
    for name in ("review_deadline", "full_application_deadline", "project_start", "project_end"):
        data[name] = _date(name, errors, form)
        if data[name] is None and name not in errors:
            errors[name] = ["Bitte ein Datum angeben."]
    if opens is None or closes is None:
        errors.setdefault("closes", ["Bitte Beginn und Ende der Einreichung angeben."])
    else:
        data["opens_at"] = datetime.combine(opens, time(0, 0), tzinfo=clock.BERLIN)
        data["closes_at"] = clock.end_of_day(closes)
    data["eligible_kinds"] = form.getlist("eligible_kinds")
    data["target_groups"] = form.getlist("target_groups")
    rate = _points("funding_rate", errors, form)
    if rate is None or rate <= 0:
        errors.setdefault("funding_rate", ["Bitte eine Förderquote über 0 bis 100 % angeben."])
    data["funding_rate_bp"] = int((rate or 0) * 100)
    data["full_application_days_after_promotion"] = _int("full_application_days_after_promotion", errors, form)
    if data["full_application_days_after_promotion"] is None:  # the range is checked by the service
        errors.setdefault("full_application_days_after_promotion", ["Bitte eine Anzahl Tage angeben."])
    data["waiting_list_limit"] = _int("waiting_list_limit", errors, form)  # empty: unlimited
    data["reviewers_per_sketch"] = _int("reviewers_per_sketch", errors, form)
    if not 1 <= (data["reviewers_per_sketch"] or 0) <= 20:
        errors.setdefault("reviewers_per_sketch", ["Bitte 1 bis 20 Gutachten je Skizze angeben."])
    data["reviewers_see_names"] = form.get("reviewers_see_names") == "1"
    data["show_scores_to_rejected"] = form.get("show_scores_to_rejected") == "1"
    if form.get("selection_rule") in {r.value for r in SelectionRule}:
        data["selection_rule"] = form.get("selection_rule")
    else:
        errors["selection_rule"] = ["Bitte eine Auswahlregel wählen."]
    data["min_score"] = _points("min_score", errors, form)
    data["discrepancy_threshold"] = _points("discrepancy_threshold", errors, form)
    if data["discrepancy_threshold"] is None:
        errors.setdefault("discrepancy_threshold", ["Bitte eine Abweichungsschwelle (Punkte) angeben."])
    data["group_minimums"] = _group_minimums(form, errors)
    data["criteria"] = _criteria(form, errors)
    return data, errors


def _call_as_form(call) -> MultiDict:
    """The call's current values as the form's strings (prefill and the values of locked fields)."""
    form = MultiDict({
        "title": call.title, "description": call.description,
        "budget": format_eur(call.budget_cents, with_symbol=False),
        "max_per_project": format_eur(call.max_per_project_cents, with_symbol=False),
        "opens": call.opens_at.astimezone(clock.BERLIN).date().isoformat(),
        "closes": call.closes_at.astimezone(clock.BERLIN).date().isoformat(),
        "funding_rate": services.score_text(Decimal(call.funding_rate_bp).scaleb(-2)),
        "full_application_days_after_promotion": str(call.full_application_days_after_promotion),
        "waiting_list_limit": "" if call.waiting_list_limit is None else str(call.waiting_list_limit),
        "reviewers_per_sketch": str(call.reviewers_per_sketch), "selection_rule": call.selection_rule.value,
        "min_score": services.score_text(call.min_score_points) if call.min_score is not None else "",
        "discrepancy_threshold": services.score_text(call.threshold_points),
        "group_minimums": minimums_text(call)})
    for name in ("review_deadline", "full_application_deadline", "project_start", "project_end"):
        form[name] = getattr(call, name).isoformat()
    for name in ("reviewers_see_names", "show_scores_to_rejected"):
        if getattr(call, name):
            form[name] = "1"
    form.setlist("eligible_kinds", call.eligible_kinds)
    form.setlist("target_groups", call.target_groups)
    for n, criterion in enumerate(call.criteria):
        for part in CRITERION_PARTS:
            form[f"crit_{part}_{n}"] = str(getattr(criterion, part))
    return form


NEW_CALL_FORM = MultiDict({
    "budget": "5.000.000,00", "max_per_project": "500.000,00", "funding_rate": "80", "reviewers_per_sketch": "3",
    "full_application_days_after_promotion": str(PROMOTION_DAYS_DEFAULT),
    "show_scores_to_rejected": "1", "discrepancy_threshold": "25",
    "selection_rule": SelectionRule.FUNDING_LINE_STOP.value,
    "eligible_kinds": list(ORGANISATION_KINDS), "target_groups": list(TARGET_GROUPS),
    **{f"crit_{part}_{n}": value for n, (key, name, weight) in enumerate((
        ("relevanz", "Relevanz für die Zielgruppe", "3"), ("innovation", "Innovationsgehalt", "2"),
        ("umsetzbarkeit", "Umsetzbarkeit", "2")))
       for part, value in (("key", key), ("name", name), ("weight", weight), ("scale_min", "0"), ("scale_max", "10"))}})


def _render_call_form(call, form, errors: dict, locks: dict):
    rows = max(len(call.criteria) if call else 0, sum(1 for k in form if k.startswith("crit_key_"))) + 2
    return render_template("innovationsfonds/call_form.html", call=call, errors=errors, form=form, locks=locks,
                           kinds=ORGANISATION_KINDS, groups=TARGET_GROUPS, rules=list(SelectionRule),
                           criterion_rows=min(rows, MAX_CRITERIA), group_names=_group_names()), (
        422 if errors else 200)


def _group_names() -> list[str]:
    return [f"region:{r}" for r in services.regions()] + [f"target:{t}" for t in TARGET_GROUPS]


def _page_errors(errors: dict) -> dict:
    return {PAGE_FIELD.get(name, name): messages for name, messages in errors.items()}


@bp.route("/aufrufe/neu", methods=["GET", "POST"])
@requires(IF_MANAGE)
def call_new():
    errors: dict = {}
    if request.method == "POST":
        data, errors = _call_form(request.form)
        if not errors:
            done, errors = _save(lambda: url_for("innovationsfonds.call_detail", call_id=services.create_call(
                g.actor, get_programme(), data).id), gettext("Der Aufruf wurde angelegt."))
            if done:
                return done
            errors = _page_errors(errors)
    return _render_call_form(None, request.form if request.method == "POST" else NEW_CALL_FORM, errors, {})


@bp.route(CALL + "/bearbeiten", methods=["GET", "POST"])
@requires(IF_MANAGE)
def call_edit(call_id: int):
    """Edit a call; fields frozen by ``services.call_locks`` are shown disabled and keep their values."""
    call = services.get_call(call_id)
    if call.released_at is not None:
        flash(gettext("Die Entscheidung zu diesem Aufruf ist freigegeben; er kann nicht mehr geändert werden."),
              "error")
        return redirect(url_for("innovationsfonds.call_detail", call_id=call_id))
    frozen = services.call_locks(call)
    locks = {PAGE_FIELD.get(name, name): reason for name, reason in frozen.items()}
    current = _call_as_form(call)
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
        data, errors = _call_form(form)
        if "criteria" in locks:  # wording of criteria stays editable
            for n, criterion in enumerate(data.get("criteria", [])):
                criterion["name"] = (request.form.get(f"crit_name_{n}") or criterion["name"]).strip()
                criterion["description"] = (request.form.get(f"crit_description_{n}") or "").strip()
        data.update({name: value for name, value in services.call_values(call).items()
                     if name in frozen and name != "criteria"})
        if not errors:
            done, errors = _save(lambda: url_for("innovationsfonds.call_detail", call_id=services.update_call(
                call_id, g.actor, data).id), gettext("Der Aufruf wurde gespeichert."))
            if done:
                return done
            errors, call = _page_errors(errors), services.get_call(call_id)
    return _render_call_form(call, form, errors, locks)


@bp.route(CALL)
@requires(IF_STAFF)
def call_detail(call_id: int):
    call = services.get_call(call_id)
    aggs = selection.aggregates(call)
    return render_template("innovationsfonds/call.html", call=call, sketches=call.sketches, aggregates=aggs,
                           now=clock.now(), statuses=SketchStatus)


@bp.route(CALL + "/<any(schliessen, zuordnen, freigeben):step>", methods=["POST"])
@requires(IF_MANAGE)
def call_step(call_id: int, step: str):
    try:
        if step == "schliessen":
            result = services.close_window(call_id, actor=g.actor)
            message = gettext("Einreichung geschlossen: %(eligible)s förderfähig, %(ineligible)s nicht förderfähig.",
                              eligible=result.get("eligible", 0), ineligible=result.get("ineligible", 0))
        elif step == "zuordnen":
            result = reviewing.auto_assign(call_id, g.actor)
            message = gettext("%(created)s Zuordnungen angelegt; Last je Person %(low)s–%(high)s.",
                              created=result["created"], low=result["load_min"], high=result["load_max"])
        else:
            result = selection.release(call_id, g.actor)
            message = gettext("Entscheidung freigegeben; %(count)s Nachrichten versandt.", count=result["messages"])
        db.session.commit()
        flash(message, "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.detail, "error")
    target = "innovationsfonds.outbox" if step == "freigeben" else "innovationsfonds.call_detail"
    return redirect(url_for(target, call_id=call_id))


def _matrix_page(call_id: int, errors: dict | None = None):
    call = services.get_call(call_id)
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
    """Add or remove one reviewer of one sketch by hand (never a conflicted one; audited by the service)."""
    errors: dict = {}
    sketch_id, reviewer_id = _int("sketch_id", errors, request.form), _int("reviewer_id", errors, request.form)
    if sketch_id is None:
        errors.setdefault("sketch_id", ["Bitte eine Skizze wählen."])
    if reviewer_id is None:
        errors.setdefault("reviewer_id", ["Bitte eine Gutachterin oder einen Gutachter wählen."])
    add = request.form.get("action") == "add"
    if not errors:
        try:
            if services.get_sketch(sketch_id, g.actor).call_id != call_id:
                raise ValidationFailed.field("sketch_id", "Die Skizze gehört nicht zu diesem Aufruf.")
            if add:
                reviewing.assign(sketch_id, reviewer_id, g.actor)
            else:
                reviewing.unassign(sketch_id, reviewer_id, g.actor)
            db.session.commit()
            flash(gettext("Die Zuordnung wurde hinzugefügt.") if add else gettext("Die Zuordnung wurde entfernt."),
                  "success")
            return redirect(url_for("innovationsfonds.matrix", call_id=call_id))
        except DomainError as error:
            db.session.rollback()
            errors = error.errors or {"reviewer_id": [error.detail]}
    return _matrix_page(call_id, errors)


@bp.route(CALL + "/rangfolge")
@requires(IF_STAFF)
def ranking_page(call_id: int):
    call = services.get_call(call_id)
    return render_template("innovationsfonds/ranking.html", call=call, result=selection.proposals(call))


@bp.route(CALL + "/auswahl", methods=["GET", "POST"])
@requires(IF_STAFF)
def selection_page(call_id: int):
    services.get_call(call_id)  # 404 before anything else
    errors: dict = {}
    if request.method == "POST":
        require(g.actor, IF_MANAGE)  # finance and Prüfung may read the page, not decide (403)
        chosen, refused = ([int(v) for v in request.form.getlist(name) if v.isdigit() and len(v) < 10]
                           for name in ("selected", "rejected"))
        reasons = {int(k[7:]): v for k, v in request.form.items() if k.startswith("reason_") and k[7:].isdigit()
                   and len(k) < 20}
        try:
            selection.record_decision(call_id, g.actor, basis=request.form.get("basis", ""), selected=chosen,
                                      reasons=reasons, note=request.form.get("note", ""), rejected=refused)
            db.session.commit()
            flash(gettext("Die Entscheidung ist vorgemerkt. Bitte prüfen Sie den Postausgang und geben Sie sie frei."),
                  "success")
            return redirect(url_for("innovationsfonds.outbox", call_id=call_id))
        except DomainError as error:
            db.session.rollback()
            errors = error.errors or {"_": [error.detail]}
    return _selection_page(call_id, errors)


def _selection_page(call_id: int, errors: dict):
    call = services.get_call(call_id)
    result = selection.proposals(call)
    method_text = {method: gettext(text) for method, text in METHOD_TEXT.items()}
    skip_text = {reason: gettext(text) for reason, text in SKIP_REASON_TEXT.items()}
    bars = {}
    for key, item in (("line", result.line), ("best", result.best)):
        if item is not None:
            bars[key] = budget_bar(item.total_cents, call.budget_cents, method_text[item.method])
    return render_template("innovationsfonds/selection.html", call=call, result=result, bars=bars, errors=errors,
                           form=_decision_form(call, result), method_text=method_text, skip_text=skip_text,
                           minimums=request.form.get("group_minimums", minimums_text(call)), group_names=_group_names(),
                           minimums_locked=services.call_locks(call).get("group_minimums")), (422 if errors else 200)


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
    errors: dict = {}
    minimums = _group_minimums(request.form, errors)
    if not errors:
        done, errors = _save(lambda: url_for("innovationsfonds.selection_page", call_id=services.set_group_minimums(
            call_id, g.actor, minimums).id), gettext("Die Mindestzahlen je Gruppe wurden gespeichert."))
        if done:
            return done
    return _selection_page(call_id, errors)


@bp.route(CALL + "/export/<any(skizzen, rangfolge, zuordnung, postausgang):what>.<any(csv, xlsx):fmt>")
@requires(IF_STAFF)
def export(call_id: int, what: str, fmt: str):
    """A list of the call as CSV/XLSX (sketches, ranking, assignment matrix, outbox): the columns the page shows."""
    call = services.get_call(call_id)
    if what == "skizzen":
        columns, rows = exports.sketch_rows(call, selection.aggregates(call))
    elif what == "rangfolge":
        columns, rows = exports.ranking_rows(selection.proposals(call))
    elif what == "zuordnung":
        columns, rows = exports.matrix_rows(assignment_matrix(call))
    else:
        columns, rows = exports.outbox_rows(selection.outbox(call))
    return export_response(f"innovationsfonds-{call.id}-{what}-{today_stamp(clock.today())}", fmt, columns, rows)


@bp.route(CALL + "/gutachten")
@requires(IF_STAFF)
def steering_page(call_id: int):
    """Every review in full, side by side per sketch, with the reviewers' calibration (Steuerkreis, Prüfung)."""
    call = services.get_call(call_id)
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
    sketch = services.get_sketch(sketch_id, g.actor)
    columns, rows = steering.justification_rows(sketch)
    return export_response(f"innovationsfonds-{sketch.reference}-begruendung-{today_stamp(clock.today())}", fmt,
                           columns, rows)


@bp.route(CALL + "/postausgang")
@requires(IF_STAFF)
def outbox(call_id: int):
    call = services.get_call(call_id)
    return render_template("innovationsfonds/outbox.html", call=call, messages=selection.outbox(call))


@bp.route(CALL + "/statistik")
@requires(IF_STAFF)
def statistics(call_id: int):
    call = services.get_call(call_id)
    return render_template("innovationsfonds/statistics.html", call=call, stats=selection.statistics(call))


# ---------------------------------------------------------------------------------------- organisations


def _organisations_page(errors: dict | None = None):
    return render_template("innovationsfonds/organisations.html", organisations=organisations.list_organisations(),
                           kinds=ORGANISATION_KINDS,
                           kind_options=[(k, gettext(v)) for k, v in ORGANISATION_KINDS.items()],
                           kommune_options=[(k.id, k.display_name) for k in list_kommunen()],
                           errors=errors or {}, form=request.form), (422 if errors else 200)


@bp.route("/traeger")
@requires(IF_STAFF)
def organisations_page():
    return _organisations_page()


@bp.route("/traeger/neu", methods=["POST"])
@requires(IF_MANAGE)
def organisation_new():
    """Create a Träger (so that an empty installation can run a call)."""
    errors: dict = {}
    data = {name: request.form.get(name, "") for name in ("name", "kind", "city", "contact_name", "contact_email")}
    data["kommune_id"] = _int("kommune_id", errors, request.form)
    data["is_public_body"] = request.form.get("is_public_body") == "1"

    def create() -> str:
        organisations.create_organisation(g.actor, data)
        return url_for("innovationsfonds.organisations_page")

    if not errors:
        done, errors = _save(create, gettext("Der Träger wurde angelegt."))
        if done:
            return done
    return _organisations_page(errors)


# ---------------------------------------------------------------------------------------- sketches


def _sketch_form(form) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    data = {"title": form.get("title", ""), "summary": form.get("summary", ""),
            "target_group": form.get("target_group") if form.get("target_group") in TARGET_GROUPS else "primary",
            "age_min": _int("age_min", errors, form), "age_max": _int("age_max", errors, form),
            "planned_participants": _int("planned_participants", errors, form),
            "planned_women": _int("planned_women", errors, form), "kommune_id": _int("kommune_id", errors, form),
            "start_date": _date("start_date", errors, form), "end_date": _date("end_date", errors, form),
            "requested_cents": _amount("requested", errors, form),
            "total_cost_cents": _amount("total_cost", errors, form)}
    return data, errors


@bp.route("/skizzen/neu", methods=["GET", "POST"])
@requires(IF_APPLY)
def sketch_new():
    call_id = request.args.get("call", type=int) or request.form.get("call_id", type=int)
    call = services.get_call(call_id or 0)
    errors: dict = {}
    if request.method == "POST":
        data, errors = _sketch_form(request.form)
        if not errors:
            done, errors = _save(lambda: url_for("innovationsfonds.sketch_detail", sketch_id=services.create_sketch(
                g.actor, call.id, data).id), gettext("Der Entwurf wurde gespeichert."))
            if done:
                return done
    return render_template("innovationsfonds/sketch_form.html", call=call, sketch=None, form=request.form,
                           errors=errors, kommunen=list_kommunen(), groups=TARGET_GROUPS,
                           kinds=ORGANISATION_KINDS), (422 if errors else 200)


def _sketch_page(sketch_id: int, errors: dict | None = None):
    sketch = services.get_sketch(sketch_id, g.actor)
    staff = g.actor.role in services.STAFF_ROLES
    view = present_sketch(sketch, g.actor, selection.aggregates(sketch.call)[sketch.id] if staff else None)
    application = projects.full_application_of(sketch) if g.actor.role != Role.REVIEWER else None
    return render_template(
        "innovationsfonds/sketch.html", sketch=sketch, view=view, action_labels=ACTION_LABELS,
        full_application=application, project_decision=projects.decision_of(sketch), errors=errors or {},
        form=request.form, application_actions=allowed_actions(application.status, g.actor,
                                                               FULL_APPLICATION_TRANSITIONS) if application else [],
        rejectable=projects.rejectable(sketch, application, g.actor),
        sheet=steering.sheet_of(sketch) if staff else None,
        calibrations=steering.calibration(sketch.call) if staff else {},
    ), (422 if errors else 200)


@bp.route(SKETCH)
@requires(IF_READ)
def sketch_detail(sketch_id: int):
    return _sketch_page(sketch_id)


@bp.route(SKETCH + "/bearbeiten", methods=["GET", "POST"])
@requires(IF_APPLY)
def sketch_edit(sketch_id: int):
    sketch = services.get_sketch(sketch_id, g.actor)
    errors: dict = {}
    if request.method == "POST":
        data, errors = _sketch_form(request.form)
        if not errors:
            done, errors = _save(lambda: url_for("innovationsfonds.sketch_detail", sketch_id=services.update_sketch(
                sketch_id, g.actor, data).id), gettext("Der Entwurf wurde gespeichert."))
            if done:
                return done
    return _sketch_form_page(sketch, request.form, errors)


def _sketch_form_page(sketch, form, errors: dict):
    return render_template("innovationsfonds/sketch_form.html", call=sketch.call, sketch=sketch, form=form,
                           errors=errors, kommunen=list_kommunen(), groups=TARGET_GROUPS,
                           kinds=ORGANISATION_KINDS), (422 if errors else 200)


@bp.route(SKETCH + "/<any(einreichen, zurueckziehen):action>", methods=["POST"])
@requires(IF_APPLY)
def sketch_action(sketch_id: int, action: str):
    """Submit (an incomplete sketch or one that breaks the call's rules: the form with the message beside each
    field) or withdraw."""
    try:
        if action == "einreichen":
            services.submit_sketch(sketch_id, g.actor)
            message = gettext("Die Skizze wurde eingereicht.")
        else:
            services.withdraw_sketch(sketch_id, g.actor)
            message = gettext("Die Skizze wurde zurückgezogen.")
        db.session.commit()
        flash(message, "success")
    except ValidationFailed as failed:
        db.session.rollback()
        return _sketch_form_page(services.get_sketch(sketch_id, g.actor), MultiDict(), failed.errors)
    except DomainError as error:
        db.session.rollback()
        flash(error.detail, "error")
    return redirect(url_for("innovationsfonds.sketch_detail", sketch_id=sketch_id))


@bp.route(SKETCH + "/anlagen", methods=["POST"])
@requires(IF_APPLY)
def upload(sketch_id: int):
    upload_file = request.files.get("file")
    try:
        if upload_file is None:
            raise ValidationFailed.field("file", "Bitte eine PDF-Datei auswählen.")
        services.add_attachment(sketch_id, g.actor, upload_file.filename or "", upload_file.read())
        db.session.commit()
        flash(gettext("Die Anlage wurde hochgeladen."), "success")
    except DomainError as error:
        db.session.rollback()
        flash(" ".join(m for ms in error.errors.values() for m in ms) or error.detail, "error")
    return redirect(url_for("innovationsfonds.sketch_detail", sketch_id=sketch_id))


@bp.route(SKETCH + "/anlagen/<int(max=2147483647):attachment_id>/loeschen", methods=["POST"])
@requires(IF_APPLY)
def delete_attachment(sketch_id: int, attachment_id: int):
    try:
        services.delete_attachment(sketch_id, attachment_id, g.actor)
        db.session.commit()
        flash(gettext("Die Anlage wurde gelöscht."), "success")
    except (Conflict, Forbidden) as error:  # another organisation's sketch stays a 404
        db.session.rollback()
        flash(error.detail, "error")
    return redirect(url_for("innovationsfonds.sketch_detail", sketch_id=sketch_id))


@bp.route(SKETCH + "/anlagen/<int(max=2147483647):attachment_id>")
@requires(IF_READ)
def download(sketch_id: int, attachment_id: int):
    attachment, path = services.get_attachment(sketch_id, attachment_id, g.actor)
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=attachment.original_name)


@bp.route(SKETCH + "/foerderfaehigkeit", methods=["POST"])
@requires(IF_MANAGE)
def eligibility(sketch_id: int):
    try:
        services.decide_eligibility(sketch_id, g.actor, eligible=request.form.get("eligible") == "1",
                                    reason=request.form.get("reason", ""))
        db.session.commit()
        flash(gettext("Die Förderfähigkeit wurde festgelegt."), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.detail, "error")
    return redirect(url_for("innovationsfonds.sketch_detail", sketch_id=sketch_id))


# ---------------------------------------------------------------------------------------- full application


def budget_years(call) -> list[int]:
    return list(range(call.project_start.year, call.project_end.year + 1))


def _full_application_form(form, years: list[int]) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    lines = {}
    for year in years:
        amount = _amount(f"line_{year}", errors, form)
        if amount:
            lines[year] = amount
    data = {"lines": lines, "start_date": _date("start_date", errors, form),
            "end_date": _date("end_date", errors, form), "description": form.get("description", "")}
    for name in ("start_date", "end_date"):
        if data[name] is None and name not in errors:
            errors[name] = ["Bitte ein Datum angeben."]
    return data, errors


@bp.route(SKETCH + "/vollantrag", methods=["GET", "POST"])
@requires(IF_APPLY)
def full_application_form(sketch_id: int):
    """The selected organisation's full application: amounts per budget year, period, description."""
    sketch = services.get_sketch(sketch_id, g.actor)
    application = projects.full_application_of(sketch)
    years = budget_years(sketch.call)
    errors: dict = {}
    if request.method == "POST":
        data, errors = _full_application_form(request.form, years)
        if not errors:
            try:
                projects.submit_full_application(sketch_id, g.actor, **data)
                db.session.commit()
                flash(gettext("Der Vollantrag wurde eingereicht."), "success")
                return redirect(url_for("innovationsfonds.sketch_detail", sketch_id=sketch_id))
            except ValidationFailed as failed:
                db.session.rollback()
                errors = failed.errors
            except DomainError as error:
                db.session.rollback()
                flash(error.detail, "error")
                return redirect(url_for("innovationsfonds.sketch_detail", sketch_id=sketch_id))
        form = request.form
    elif application is not None:
        form = {f"line_{y}": format_eur(c, with_symbol=False) for y, c in application.lines.items()}
        form.update(start_date=application.start_date.isoformat(), end_date=application.end_date.isoformat(),
                    description=application.description)
    else:
        form = {"start_date": max(sketch.start_date, sketch.call.project_start).isoformat(),
                "end_date": min(sketch.end_date, sketch.call.project_end).isoformat()}
    return render_template("innovationsfonds/full_application_form.html", sketch=sketch, application=application,
                           years=years, form=form, errors=errors), (422 if errors else 200)


@bp.route(SKETCH + "/vollantrag/<any(bewilligen, aenderungen, ablehnen):action>", methods=["POST"])
@requires(IF_MANAGE)
def full_application_decide(sketch_id: int, action: str):
    """Approve the full application (grant decision, commitment in the budget), request changes or reject it
    (the sketch leaves the selection; the waiting list moves up)."""
    try:
        if action == "bewilligen":
            decision = projects.approve_full_application(sketch_id, g.actor, comment=request.form.get("comment", ""))
            message = gettext("Der Vollantrag wurde bewilligt (Zuwendungsbescheid %(number)s).", number=decision.number)
        elif action == "aenderungen":
            projects.request_changes(sketch_id, g.actor, reason=request.form.get("reason", ""))
            message = gettext("Die Änderungswünsche wurden an den Träger gesendet.")
        else:
            projects.reject_full_application(sketch_id, g.actor, reason=request.form.get("rejection_reason", ""))
            message = gettext("Der Vollantrag wurde abgelehnt; die Skizze ist nicht mehr ausgewählt.")
        db.session.commit()
        flash(message, "success")
    except ValidationFailed as failed:
        db.session.rollback()
        field = {"bewilligen": "comment", "aenderungen": "reason", "ablehnen": "rejection_reason"}[action]
        return _sketch_page(sketch_id, errors={field: [m for ms in failed.errors.values() for m in ms]
                                               or [failed.detail]})
    except DomainError as error:
        db.session.rollback()
        flash(error.detail, "error")
    return redirect(url_for("innovationsfonds.sketch_detail", sketch_id=sketch_id))


# ---------------------------------------------------------------------------------------- reviewers


def _reviewer_home(errors: dict | None = None):
    items = reviewing.my_assignments(g.actor)
    return render_template("innovationsfonds/reviewer.html", items=items, progress=reviewing.progress(items),
                           conflicts=reviewing.conflicts_of(g.actor),
                           kommune_options=[(k.id, k.display_name) for k in list_kommunen()],
                           organisation_groups=[(call.title, [(o.id, o.name) for o in organisations])
                                                for call, organisations in reviewing.applicant_organisations()],
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
    errors: dict = {}
    ids = {name: _int(name, errors, request.form) for name in ("organisation_id", "kommune_id", "reviewer_id")}
    try:
        if errors:
            raise ValidationFailed("Ungültige Angabe.", errors=errors)
        reviewing.declare_conflict(g.actor, **ids, reason=request.form.get("reason", ""))
        db.session.commit()
        flash(gettext("Der Interessenkonflikt wurde erklärt."), "success")
    except ValidationFailed as failed:
        db.session.rollback()
        if g.actor.role == Role.REVIEWER:
            return _reviewer_home(failed.errors)
        return _index(failed.errors)
    except DomainError as error:
        db.session.rollback()
        flash(error.detail, "error")
    return redirect(url_for("innovationsfonds.reviewer_home" if g.actor.role == Role.REVIEWER
                            else "innovationsfonds.index"))


@bp.route(SKETCH + "/befangenheit", methods=["POST"])
@requires(IF_REVIEW)
def recuse(sketch_id: int):
    try:
        reviewing.recuse(sketch_id, g.actor, request.form.get("reason", ""))
        db.session.commit()
        flash(gettext("Sie haben sich für befangen erklärt; die Skizze wurde Ihnen abgenommen."), "success")
        return redirect(url_for("innovationsfonds.reviewer_home"))
    except DomainError as error:
        db.session.rollback()
        flash(error.detail, "error")
    return redirect(url_for("innovationsfonds.review_form", sketch_id=sketch_id))


@bp.route(SKETCH + "/bewertung", methods=["GET", "POST"])
@requires(IF_REVIEW)
def review_form(sketch_id: int):
    sketch = services.get_sketch(sketch_id, g.actor)
    errors: dict = {}
    if request.method == "POST":
        marks: dict = {}
        for criterion in sketch.call.criteria:
            raw = (request.form.get(f"mark_{criterion.key}") or "").strip()
            if raw == "na":
                marks[criterion.key] = None
            elif raw.lstrip("-").isdigit() and len(raw) < 5:
                marks[criterion.key] = int(raw)
        try:
            if request.form.get("submit") == "1":
                reviewing.submit_review(sketch_id, g.actor, marks, request.form.get("comment", ""))
                message = gettext("Ihr Gutachten wurde abgegeben.")
            else:
                reviewing.save_review(sketch_id, g.actor, marks, request.form.get("comment", ""))
                message = gettext("Ihr Entwurf wurde gespeichert.")
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("innovationsfonds.review_form", sketch_id=sketch_id))
        except DomainError as error:
            db.session.rollback()
            errors = error.errors or {"marks": [error.detail]}
            sketch = services.get_sketch(sketch_id, g.actor)
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

"""Pages: the Kommune's application, its editing and submission, the review queue and the review with
the diff, decisions (printable Zuwendungsbescheid), amendments, participant counts, exports."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext, lazy_gettext

from ..auth.permissions import can, requires
from ..platform import clock
from ..platform.errors import DomainError, ValidationFailed
from ..platform.extensions import db
from ..platform.formatting import format_decimal
from ..platform.money import format_eur
from ..platform.web import edge
from ..platform.web.exports import FORMATS, Column, export_response, today_stamp
from ..platform.web.forms import load_form
from ..platform.web.listing import ListColumn, Listing, build_listing, export_of
from ..platform.web.navigation import nav_entry
from ..reference.models import Kommune
from ..reference.services import get_programme, kommune_by_ags, list_kommunen
from . import decisions, f6, participants, services
from .content import Content, format_rate, line_field, participants_field
from .exports import application_rows, decision_rows, participant_rows
from .models import GENDER_LABELS, GENDERS, Application, ApplicationKind, ApplicationStatus
from .permissions import (
    F6_OVERVIEW,
    F6_STAFFING,
    GRANTS_APPLY,
    GRANTS_DECIDE,
    GRANTS_EXPORT,
    GRANTS_READ,
    PARTICIPANTS_OVERVIEW,
    PARTICIPANTS_READ,
    PARTICIPANTS_REPORT,
)
from .presenters import closed_year_warnings, grid_cents, grid_sums, present_application
from .schemas import (
    ChangesForm,
    F6ApplicationIn,
    F6CommentIn,
    F6OverviewQuery,
    F6ReasonIn,
    F6StaffingIn,
    RejectIn,
    approve_form,
    draft_form,
    quarter_form,
)
from .workflow import APPLICATION, EVENT_LABELS

bp = Blueprint("grants", __name__)
nav_entry(lazy_gettext("Anträge"), "grants.index", GRANTS_READ, order=200)
nav_entry(lazy_gettext("Teilnehmende"), "grants.participants_page", PARTICIPANTS_READ, order=210)
ID = "<id:application_id>"
PAGE_SIZE = 50


def _common(application) -> dict:
    programme = application.programme
    return {"application": application, "view": present_application(application, g.actor),
            "modules": programme.kommune_modules, "years": list(programme.budget_years),
            "format_rate": format_rate, "event_labels": EVENT_LABELS}


# ---------------------------------------------------------------- Kommune: own application
@bp.route("/antraege/")
@requires(GRANTS_READ)
def index():
    if g.actor.kommune_id is not None:
        own = services.application_of_kommune(g.actor.kommune_id)
        if own is not None:
            return redirect(url_for("grants.detail", application_id=own.id))
        programme = get_programme()
        return render_template("grants/start.html", ceiling=services.ceiling_cents(programme.id, g.actor.kommune_id),
                               rate=format_rate(services.funding_rate_bp(programme, g.actor.kommune_id)))
    return _queue()


def _queue():
    args = request.args
    errors = {}
    status = args.get("status") or None
    if status and status not in {s.value for s in ApplicationStatus}:
        errors["status"], status = ["Unbekannter Status."], None
    kind = args.get("kind") or None
    if kind and kind not in {k.value for k in ApplicationKind}:
        errors["kind"], kind = ["Unbekannte Art."], None
    kommune_id = None
    if args.get("kommune"):
        kommune = kommune_by_ags(args["kommune"])
        if kommune is None:
            errors["kommune"] = ["Unbekannte Kommune."]
        else:
            kommune_id = kommune.id
    statement = services.application_select(g.actor, status=status, kind=kind, kommune_id=kommune_id).join(
        Kommune, Kommune.id == Application.kommune_id)
    listing = build_listing(statement, QUEUE_COLUMNS, args=args, search=[Kommune.name], per_page=PAGE_SIZE,
                            tiebreak=Application.id, filename="antraege-auswahl")
    if not isinstance(listing, Listing):
        return listing
    programme = get_programme()
    return render_template("grants/queue.html", listing=listing, filters=args, errors=errors,
                           statuses=list(ApplicationStatus),
                           kinds=list(ApplicationKind), kommunen=list_kommunen(),
                           counts=services.status_counts(programme.id))


QUEUE_COLUMNS = [
    ListColumn("kommune", lazy_gettext("Kommune"), lambda a: a.kommune.display_name, sort=Kommune.name),
    ListColumn("kind", lazy_gettext("Art"), lambda a: a.title, sort=Application.kind),
    ListColumn("status", lazy_gettext("Status"), lambda a: a.status.label, sort=Application.status),
    ListColumn("submitted", lazy_gettext("Eingereicht"), lambda a: a.submitted_at, "datetime",
               sort=Application.submitted_at),
    ListColumn("total", lazy_gettext("Summe"), lambda a: a.latest_revision.total_cents if a.latest_revision else None,
               "money"),
]


@bp.route("/antraege/neu", methods=["POST"])
@requires(GRANTS_APPLY)
def create():
    application = services.create_application(g.actor)
    flash(gettext("Der Antrag wurde angelegt. Bitte planen Sie Ihre Beträge."), "success")
    return redirect(url_for("grants.edit", application_id=application.id))


@bp.route(f"/antraege/{ID}")
@requires(GRANTS_READ)
def detail(application_id: int):
    application = services.get_application(application_id, g.actor)
    context = _common(application)
    context["decision_in_force"] = services.current_decision(application.root)
    context["committed"] = services.committed_lines(application.root)
    context["open_amendment"] = services.open_amendment(application.root)
    return render_template("grants/detail.html", **context)


def _form_content(application: Application) -> Content:
    """The edit form as a Content, read through the same fields as the API (``draft_form``)."""
    programme = application.programme
    modules, years = services.module_codes(programme), list(programme.budget_years)
    data = load_form(draft_form(modules, years))
    amendment = application.kind is ApplicationKind.AMENDMENT
    return Content(lines={(m, y): data[line_field(m, y)] for m in modules for y in years if line_field(m, y) in data},
                   participants={m: data[participants_field(m)] for m in modules if participants_field(m) in data},
                   measures=data["measures"], contact_name=data["contact_name"], contact_email=data["contact_email"],
                   contact_phone=data["contact_phone"], justification=data["justification"] if amendment else "")


def _edit_values(revision) -> dict:
    values = {line_field(line.module_code, line.budget_year): format_eur(line.planned_cents, with_symbol=False)
              for line in revision.lines}
    values.update({participants_field(m.module_code): str(m.planned_participants) for m in revision.modules})
    for name in ("measures", "contact_name", "contact_email", "contact_phone", "justification"):
        values[name] = getattr(revision, name)
    return values


@bp.route(f"/antraege/{ID}/bearbeiten", methods=["GET", "POST"])
@requires(GRANTS_APPLY)
def edit(application_id: int):
    application = services.get_application(application_id, g.actor)
    if "edit" not in APPLICATION.allowed_actions(application.status, g.actor):
        flash(gettext("Im Status „%(status)s“ kann der Antrag nicht bearbeitet werden.",
                      status=application.status.label), "warning")
        return redirect(url_for("grants.detail", application_id=application.id))
    errors: dict = {}
    values = _edit_values(application.latest_revision)
    status = 200
    if request.method == "POST":
        submitting = request.form.get("then") == "submit"

        def save() -> str:
            services.save_draft(application.id, g.actor, _form_content(application))
            if submitting:
                services.submit(application.id, g.actor)
            return url_for("grants.detail" if submitting else "grants.edit", application_id=application.id)

        response, errors = edge.submit(save, success=gettext("Der Antrag wurde eingereicht.") if submitting
                                  else gettext("Der Entwurf wurde gespeichert."))
        if response:
            return response
        values, status = dict(request.form), 422
        application = services.get_application(application_id, g.actor)
    context = _common(application)
    codes = [m.code for m in context["modules"]]
    sums = grid_sums(values, codes, context["years"], context["view"]["ceiling"])
    warnings = closed_year_warnings(grid_cents(values, codes, context["years"]), clock.today().year)
    return render_template("grants/edit.html", values=values, errors=errors, sums=sums, warnings=warnings,
                           used=services.used_lines(application), **context), status


def _transition(application_id: int, change, *, success: str, target: str = "grants.detail"):
    """A button on the application's page: run ``change``; a refusal comes back as messages on the page."""
    def run() -> str:
        change(application_id, g.actor)
        return url_for(target, application_id=application_id)

    response, errors = edge.submit(run, success=success)
    if response:
        return response
    edge.flash_errors(errors)
    return redirect(request.referrer or url_for("grants.detail", application_id=application_id))


@bp.route(f"/antraege/{ID}/einreichen", methods=["POST"])
@requires(GRANTS_APPLY)
def submit(application_id: int):
    return _transition(application_id, services.submit, success=gettext("Der Antrag wurde eingereicht."))


@bp.route(f"/antraege/{ID}/zurueckziehen", methods=["POST"])
@requires(GRANTS_APPLY)
def withdraw(application_id: int):
    return _transition(application_id, services.withdraw, success=gettext("Der Antrag wurde zurückgezogen."))


@bp.route(f"/antraege/{ID}/erneut-beantragen", methods=["POST"])
@requires(GRANTS_APPLY)
def reapply(application_id: int):
    return _transition(application_id, services.reapply, target="grants.edit",
                       success=gettext("Der Antrag ist wieder ein Entwurf: Sie können ihn bearbeiten und erneut "
                                       "einreichen."))


@bp.route(f"/antraege/{ID}/aenderungsantrag", methods=["POST"])
@requires(GRANTS_APPLY)
def create_amendment(application_id: int):
    amendment = services.create_amendment(application_id, g.actor)
    flash(gettext("Der Änderungsantrag wurde angelegt; er enthält die bewilligten Beträge."), "success")
    return redirect(url_for("grants.edit", application_id=amendment.id))


# ---------------------------------------------------------------- review and decision
@bp.route(f"/antraege/{ID}/pruefung")
@requires(GRANTS_READ)
def review(application_id: int):
    application = services.get_application(application_id, g.actor)
    new = request.args.get("neu", type=int)
    old = request.args.get("alt", type=int)
    new = new if new and 0 < new < 100000 else None
    old = old if old and 0 < old < 100000 else None
    old_label, new_label, rows = services.review_diff(application, new_number=new, old_number=old)
    context = _common(application)
    revision = application.last_submitted_revision
    return render_template("grants/review.html", old_label=old_label, new_label=new_label, rows=rows,
                           revision=revision, approve_values=_requested_amounts(revision), errors={},
                           may_decide="approve" in APPLICATION.allowed_actions(application.status, g.actor),
                           **context)


@bp.route(f"/antraege/{ID}/aenderungen-anfordern", methods=["POST"])
@requires(GRANTS_DECIDE)
def request_changes(application_id: int):
    def change() -> str:
        services.request_changes(application_id, g.actor, load_form(ChangesForm())["comment"])
        return url_for("grants.detail", application_id=application_id)

    return _decide(application_id, change, success=gettext("Die Kommune wurde um Änderungen gebeten."))


@bp.route(f"/antraege/{ID}/bewilligen", methods=["POST"])
@requires(GRANTS_DECIDE)
def approve(application_id: int):
    decided = {}

    def change() -> str:
        revision = services.get_application(application_id, g.actor).last_submitted_revision
        keys = sorted(revision.line_map()) if revision else []
        data = load_form(approve_form(keys))
        decision = decisions.approve(application_id, g.actor, lines={k: data[line_field(*k)] for k in keys},
                                     reasons={k: data[f"reasons.{k[0]}.{k[1]}"] for k in keys},
                                     comment=data["comment"])
        decided["number"] = decision.number
        return url_for("grants.decision_document", decision_id=decision.id)

    return _decide(application_id, change, success=lambda: gettext("Bewilligt: Zuwendungsbescheid %(number)s.",
                                                                    number=decided["number"]))


@bp.route(f"/antraege/{ID}/ablehnen", methods=["POST"])
@requires(GRANTS_DECIDE)
def reject(application_id: int):
    def change() -> str:
        decisions.reject(application_id, g.actor, load_form(RejectIn())["reason"])
        return url_for("grants.detail", application_id=application_id)

    return _decide(application_id, change, success=gettext("Der Antrag wurde abgelehnt."))


def _decide(application_id: int, change, *, success: str):
    """A decision form of the review page; refused input comes back beside its field (422)."""
    response, errors = edge.submit(change, success=success)
    return response or _review_page(application_id, errors)


def _requested_amounts(revision) -> dict:
    """The approval form starts with the requested amounts."""
    if revision is None:
        return {}
    return {line_field(m, y): format_eur(c, with_symbol=False) for (m, y), c in revision.line_map().items()}


def _review_page(application_id: int, errors: dict):
    """The review page again with the decision forms' input and their errors (422)."""
    application = services.get_application(application_id, g.actor)
    old_label, new_label, rows = services.review_diff(application)
    revision = application.last_submitted_revision
    values = {**_requested_amounts(revision), **request.form}
    return render_template("grants/review.html", old_label=old_label, new_label=new_label, rows=rows,
                           revision=revision, approve_values=values, errors=errors, may_decide=True,
                           **_common(application)), 422


@bp.route("/bescheide/<id:decision_id>")
@requires(GRANTS_READ)
def decision_document(decision_id: int):
    decision = decisions.get_decision(decision_id, g.actor)
    application = decision.application
    programme = application.programme
    with force_locale("de"):  # the Bescheid is the legally binding German text, whatever the page language
        return render_template("grants/decision_document.html", decision=decision, application=application,
                               programme=programme, modules=programme.kommune_modules,
                               years=list(programme.budget_years), format_rate=format_rate,
                               rate_percent=format_rate(decision.funding_rate_bp))


# ---------------------------------------------------------------- exports
@bp.route("/antraege/export.<fmt>")
@requires(GRANTS_EXPORT)
def export_applications(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    columns, rows = application_rows(g.actor)
    return export_response(f"antraege-{today_stamp(clock.today())}", fmt, columns, rows)


@bp.route("/bescheide/export.<fmt>")
@requires(GRANTS_EXPORT)
def export_decisions(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    columns, rows = decision_rows(g.actor)
    return export_response(f"bescheide-{today_stamp(clock.today())}", fmt, columns, rows)


# ---------------------------------------------------------------- participant counts
def _quarter_args(source) -> tuple[str, int, int]:
    programme = get_programme()
    modules = [m.code for m in programme.kommune_modules]
    module = source.get("module") if source.get("module") in modules else modules[0]
    today = clock.today()
    year = source.get("year", type=int)
    years = list(programme.budget_years)
    default_year = today.year if today.year in years else years[-1]
    year = year if year in years else default_year
    quarter = source.get("quarter", type=int)
    quarter = quarter if quarter in (1, 2, 3, 4) else (today.month - 1) // 3 + 1
    return module, year, quarter


@bp.route("/teilnehmende")
@requires(PARTICIPANTS_READ)
def participants_page():
    if g.actor.kommune_id is None:
        return redirect(url_for("grants.participant_report"))
    return _participants_form({}, {}, 200)


def _participants_form(values: dict, errors: dict, status: int):
    module, year, quarter = _quarter_args(request.values)
    programme = get_programme()
    stored = participants.quarter_table(g.actor.kommune_id, module, year, quarter)
    if not values:
        values = {f"counts.{gender}.{name}": str(stored.get(gender, {}).get(name, 0))
                  for gender in GENDERS for name in participants.COUNT_FIELDS}
    rows, total = participants.programme_report(g.actor)
    return render_template("grants/participants.html", module=module, year=year, quarter=quarter,
                           modules=programme.kommune_modules, years=list(programme.budget_years), values=values,
                           errors=errors, genders=GENDERS, gender_labels=GENDER_LABELS,
                           fields=participants.COUNT_FIELDS, field_labels=participants.COUNT_LABELS,
                           rows=rows, total=total, may_report=can(g.actor, PARTICIPANTS_REPORT)), status


@bp.route("/teilnehmende", methods=["POST"])
@requires(PARTICIPANTS_REPORT)
def report_participants():
    module, year, quarter = _quarter_args(request.form)

    def report() -> str:
        data = load_form(quarter_form())
        counts = {gender: {name: data[participants.count_field(gender, name)] for name in participants.COUNT_FIELDS}
                  for gender in GENDERS}
        participants.report_quarter(g.actor, module=module, year=year, quarter=quarter, counts=counts)
        return url_for("grants.participants_page", module=module, year=year, quarter=quarter)

    try:
        response, errors = edge.submit(report, success=gettext(
            "Die Zahlen für %(module)s, %(quarter)s. Quartal %(year)s wurden gespeichert.", module=module,
            quarter=quarter, year=year))
    except DomainError as refused:  # e.g. not approved yet: a message on the page, not an error page
        edge.discard_changes()
        flash(refused.detail, "error")
        return redirect(url_for("grants.participants_page", module=module, year=year, quarter=quarter))
    return response or _participants_form(dict(request.form), errors, 422)


@bp.route("/teilnehmende/bericht")
@requires(PARTICIPANTS_OVERVIEW)
def participant_report():
    rows, total = participants.programme_report(g.actor)
    return render_template("grants/participant_report.html", rows=rows, total=total, genders=GENDERS,
                           gender_labels=GENDER_LABELS)


@bp.route("/teilnehmende/bericht.<fmt>")
@requires(PARTICIPANTS_OVERVIEW)
def export_participants(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    columns, rows = participant_rows(g.actor)
    return export_response(f"teilnehmende-{today_stamp(clock.today())}", fmt, columns, rows)


# ---------------------------------------------------------------- F6 Teilhabemanagement (docs/f6.md)
nav_entry(lazy_gettext("Teilhabemanagement"), "grants.f6_index", GRANTS_READ, order=205)
F6_ID = "<id:application_id>"


@bp.route("/f6/")
@requires(GRANTS_READ)
def f6_index():
    programme = get_programme()
    if g.actor.kommune_id is not None:
        own = f6.application_of(programme, g.actor.kommune_id)
        if own is not None:
            return redirect(url_for("grants.f6_detail", application_id=own.id))
        return redirect(url_for("grants.f6_edit"))
    applications = list(db.session.scalars(f6.f6_select(g.actor)))
    return render_template("grants/f6_queue.html", applications=applications)


def _f6_values(application) -> dict:
    if application is None:
        return {"cost_mode": "rate"}
    return {"positions": format_decimal(application.positions, 1), "cost_mode": application.cost_mode.value,
            "monthly_cost": format_eur(application.monthly_cost_cents, with_symbol=False),
            "description": application.description}


@bp.route("/f6/antrag", methods=["GET", "POST"])
@requires(GRANTS_APPLY)
def f6_edit():
    programme = get_programme()
    application = f6.application_of(programme, g.actor.kommune_id)
    if application is not None and "edit" not in APPLICATION.allowed_actions(application.status, g.actor):
        return redirect(url_for("grants.f6_detail", application_id=application.id))
    values, errors, status = _f6_values(application), {}, 200
    if request.method == "POST":
        submitting = request.form.get("then") == "submit"

        def save() -> str:
            saved = f6.save_f6(g.actor, programme, **_f6_form())
            if submitting:
                f6.submit_f6(saved.id, g.actor)
            return url_for("grants.f6_detail", application_id=saved.id)

        response, errors = edge.submit(save, success=gettext("Der F6-Antrag wurde eingereicht.") if submitting
                                       else gettext("Der F6-Antrag wurde gespeichert."))
        if response:
            return response
        values, status = dict(request.form), 422
    halves = f6.published_halves(programme.id, g.actor.kommune_id)
    start, end = f6.f6_period(programme)
    return render_template("grants/f6_edit.html", values=values, errors=errors, application=application,
                           published=None if halves is None else Decimal(halves) / 2, start=start, end=end,
                           rate=format_rate(services.funding_rate_bp(programme, g.actor.kommune_id))), status


def _f6_form() -> dict:
    data = load_form(F6ApplicationIn())
    return {"positions": data["positions"], "cost_mode": data["cost_mode"], "monthly_cost_cents": data["monthly_cost"],
            "description": data.get("description") or ""}


def _f6_month_rows(application) -> tuple[list, list]:
    columns = [Column(gettext("Monat")), Column(gettext("Bewilligte VZÄ"), "decimal"),
               Column(gettext("Besetzte VZÄ"), "decimal"), Column(gettext("Unbesetzte VZÄ"), "decimal"),
               Column(gettext("Bemerkung"))]
    return columns, [[f"{r.month:%m/%Y}", Decimal(r.approved_centi) / 100,
                      None if r.filled_centi is None else Decimal(r.filled_centi) / 100,
                      Decimal(r.vacant_centi) / 100, r.note] for r in f6.month_rows(application)]


@bp.route(f"/f6/{F6_ID}")
@requires(GRANTS_READ)
def f6_detail(application_id: int, errors: dict | None = None, values: dict | None = None, status: int = 200):
    application = f6.get_f6(application_id, g.actor)
    download = export_of(request.args, f"f6-besetzung-{application.kommune.ags}",
                         lambda: _f6_month_rows(application))
    if download:
        return download
    rows = f6.month_rows(application)
    reportable = [r.month for r in rows if r.month <= clock.today()]
    return render_template(
        "grants/f6_detail.html", application=application, rows=rows, figures=f6.figures(application),
        actions=APPLICATION.allowed_actions(application.status, g.actor), format_rate=format_rate,
        grant=f6.grant_of(application), reportable=reportable, errors=errors or {},
        can_report=can(g.actor, F6_STAFFING) and application.status is ApplicationStatus.APPROVED,
        values=values or {"month": reportable[-1].isoformat() if reportable else ""}), status


F6_ACTIONS = {
    "einreichen": (f6.submit_f6, GRANTS_APPLY, lazy_gettext("Der F6-Antrag wurde eingereicht.")),
    "zurueckziehen": (f6.withdraw_f6, GRANTS_APPLY, lazy_gettext("Der F6-Antrag wurde zurückgezogen.")),
    "erneut": (f6.reapply_f6, GRANTS_APPLY, lazy_gettext("Der F6-Antrag ist wieder ein Entwurf.")),
}


@bp.route(f"/f6/{F6_ID}/<any(einreichen, zurueckziehen, erneut):action>", methods=["POST"])
@requires(GRANTS_APPLY)
def f6_transition(application_id: int, action: str):
    change, _permission, success = F6_ACTIONS[action]
    return _transition(application_id, change, success=str(success), target="grants.f6_detail")


@bp.route(f"/f6/{F6_ID}/entscheiden", methods=["POST"])
@requires(GRANTS_DECIDE)
def f6_decide(application_id: int):
    decision = request.form.get("decision")

    def run() -> str:
        if decision == "approve":
            f6.approve_f6(application_id, g.actor, load_form(F6CommentIn()).get("comment") or "")
        elif decision == "request_changes":
            f6.request_changes_f6(application_id, g.actor, load_form(F6CommentIn()).get("comment") or "")
        elif decision == "reject":
            f6.reject_f6(application_id, g.actor, load_form(F6ReasonIn())["reason"])
        else:
            raise ValidationFailed.field("decision", gettext("Bitte eine Entscheidung wählen."))
        return url_for("grants.f6_detail", application_id=application_id)

    response, errors = edge.submit(run, success=gettext("Die Entscheidung wurde gespeichert."))
    if response:
        return response
    edge.flash_errors(errors)
    return redirect(url_for("grants.f6_detail", application_id=application_id))


@bp.route(f"/f6/{F6_ID}/besetzung", methods=["POST"])
@requires(F6_STAFFING)
def f6_staffing(application_id: int):
    def run() -> str:
        data = load_form(F6StaffingIn())
        f6.report_staffing(application_id, g.actor, month=data["month"], filled_centi=int(data["filled"] * 100),
                           note=data.get("note") or "")
        return url_for("grants.f6_detail", application_id=application_id)

    response, errors = edge.submit(run, success=gettext("Die Personalmeldung wurde gespeichert."))
    if response:
        return response
    return f6_detail(application_id, errors=errors, values=dict(request.form), status=422)


def _f6_overview_rows(rows) -> tuple[list, list]:
    columns = [Column(gettext("AGS")), Column(gettext("Kommune")),
               Column(gettext("Stellen (veröffentlicht)"), "decimal"),
               Column(gettext("F6-Antrag")), Column(gettext("Stellen (bewilligt)"), "decimal"),
               Column(gettext("Besetzte VZÄ"), "decimal"), Column(gettext("Unbesetzte VZÄ"), "decimal")]
    return columns, [[r.ags, r.name, Decimal(r.published_halves) / 2, r.status.label if r.status else "",
                      Decimal(r.approved_halves) / 2,
                      None if r.filled_centi is None else Decimal(r.filled_centi) / 100,
                      Decimal(r.vacant_centi) / 100] for r in rows]


@bp.route("/f6/uebersicht")
@requires(F6_OVERVIEW)
def f6_overview():
    programme = get_programme()
    errors, month = {}, f6.overview_month(programme)
    if request.args.get("month"):
        try:
            month = load_form(F6OverviewQuery(), request.args)["month"].replace(day=1)
        except ValidationFailed as failed:
            errors = failed.errors
    rows = f6.statewide(programme, month, g.actor)
    download = export_of(request.args, f"f6-stellen-{month:%Y-%m}", lambda: _f6_overview_rows(rows))
    if download:
        return download
    return render_template("grants/f6_overview.html", rows=rows, month=month, errors=errors,
                           positions=Decimal(sum(r.published_halves for r in rows)) / 2,
                           approved=Decimal(sum(r.approved_halves for r in rows)) / 2,
                           filled=Decimal(sum(r.filled_centi or 0 for r in rows)) / 100), 422 if errors else 200

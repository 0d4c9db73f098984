"""The call form of the pages and the API's ``CallIn``: the page's scalar fields load through
``CallPageIn`` (the API schema with a day for each end of the window and the funding rate in percent),
criteria come as rows ``crit_<part>_<n>`` (each loaded through ``CriterionIn``), group minimums as lines
``group = count``. Every part's errors are collected, so one answer names every bad field."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from marshmallow import ValidationError as MarshmallowError
from marshmallow import validates
from werkzeug.datastructures import MultiDict

from ...platform import clock
from ...platform.errors import ValidationFailed
from ...platform.fields import Day
from ...platform.formatting import format_decimal
from ...platform.money import format_eur
from ...platform.web.forms import load_form
from ...reference.models import ORGANISATION_KINDS
from ..models import PROMOTION_DAYS_DEFAULT, TARGET_GROUPS, SelectionRule
from ..schemas.calls import CallIn, CriterionIn
from ..schemas.common import Score
from ..services.calls import regions

# service data key / API field -> field of the call form
PAGE_FIELD = {"opens_at": "opens", "closes_at": "closes", "funding_rate_bp": "funding_rate", "budget_cents": "budget",
              "max_per_project_cents": "max_per_project"}
CRITERION_PARTS = ("key", "name", "description", "weight", "scale_min", "scale_max")
MAX_CRITERIA = 30
CHECKBOXES = ("reviewers_see_names", "show_scores_to_rejected")


class CallPageIn(CallIn):
    """The page's scalar call fields: ``CallIn`` with days for the window and the funding rate in percent;
    criteria, group minimums, the ticked lists and the checkboxes are read by :func:`call_data`."""

    class Meta:
        exclude = ("opens_at", "closes_at", "funding_rate_bp", "criteria", "group_minimums", "eligible_kinds",
                   "target_groups", *CHECKBOXES)

    opens = Day(required=True)
    closes = Day(required=True)
    funding_rate = Score(required=True)

    @validates("funding_rate")
    def _positive(self, value: Decimal, **_kwargs) -> None:
        if value <= 0:
            raise MarshmallowError("Bitte eine Förderquote über 0 bis 100 % angeben.")


def call_data(form) -> dict:
    """The call form as ``create_call``/``update_call`` data; ValidationFailed names every bad field (page names)."""
    errors: dict[str, list[str]] = {}
    data: dict = {}
    for part in (lambda: _scalars(form), lambda: {"criteria": _criteria(form)},
                 lambda: {"group_minimums": group_minimums_of(form)}):
        try:
            data.update(part())
        except ValidationFailed as failed:
            for name, messages in failed.errors.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationFailed("Bitte prüfen Sie die markierten Felder.", errors=errors)
    return data


def _scalars(form) -> dict:
    data = load_form(CallPageIn(), form)
    data["opens_at"] = datetime.combine(data.pop("opens"), time(0, 0), tzinfo=clock.BERLIN)
    data["closes_at"] = clock.end_of_day(data.pop("closes"))
    data["funding_rate_bp"] = int(data.pop("funding_rate") * 100)
    data["eligible_kinds"], data["target_groups"] = form.getlist("eligible_kinds"), form.getlist("target_groups")
    data.update({name: form.get(name) == "1" for name in CHECKBOXES})
    return data


def _criteria(form) -> list[dict]:
    """Criterion rows ``crit_<part>_<n>``; empty rows are skipped, a row's error names its number."""
    criteria, errors = [], []
    for n in range(MAX_CRITERIA):
        row = MultiDict({part: form.get(f"crit_{part}_{n}") or "" for part in CRITERION_PARTS})
        if not any(value.strip() for value in row.values()):
            continue
        try:
            criteria.append(load_form(CriterionIn(), row))
        except ValidationFailed as failed:
            if {"weight", "scale_min", "scale_max"} & set(failed.errors):
                errors.append(f"Kriterium {n + 1}: Gewicht und Skala als ganze Zahlen angeben.")
            elif {"key", "name"} & set(failed.errors):
                errors.append(f"Kriterium {n + 1}: Schlüssel und Name angeben.")
            else:
                errors.append(f"Kriterium {n + 1}: " + " ".join(m for ms in failed.errors.values() for m in ms))
    if errors:
        raise ValidationFailed("Bitte prüfen Sie die Kriterien.", errors={"criteria": errors})
    return criteria


def minimums_text(call) -> str:
    """The group minimums as the form's lines ``group = count``."""
    return "\n".join(f"{group} = {count}" for group, count in (call.group_minimums or {}).items())



def group_minimums_of(form) -> dict[str, int]:
    """Lines ``region:Köln = 1`` or ``target:primary = 10``; ValidationFailed names each bad line."""
    minimums, errors = {}, []
    for number, line in enumerate((form.get("group_minimums") or "").splitlines(), start=1):
        if not line.strip():
            continue
        group, _sep, count = (part.strip() for part in line.partition("="))
        if not group or not count.isdigit() or len(count) > 4:
            errors.append(f"Zeile {number}: „Gruppe = Anzahl“, z. B. „region:Köln = 1“.")
            continue
        minimums[group] = int(count)
    if errors:
        raise ValidationFailed("Bitte prüfen Sie die Mindestzahlen.", errors={"group_minimums": errors})
    return minimums


def group_names() -> list[str]:
    return [f"region:{r}" for r in regions()] + [f"target:{t}" for t in TARGET_GROUPS]


def page_errors(errors: dict) -> dict:
    """Service/API field names as the form's."""
    return {PAGE_FIELD.get(name, name): messages for name, messages in errors.items()}


def call_as_form(call) -> MultiDict:
    """The call's current values as the form's strings (prefill and the values of locked fields)."""
    form = MultiDict({
        "title": call.title, "description": call.description,
        "budget": format_eur(call.budget_cents, with_symbol=False),
        "max_per_project": format_eur(call.max_per_project_cents, with_symbol=False),
        "opens": call.opens_at.astimezone(clock.BERLIN).date().isoformat(),
        "closes": call.closes_at.astimezone(clock.BERLIN).date().isoformat(),
        "funding_rate": format_decimal(Decimal(call.funding_rate_bp).scaleb(-2)),
        "full_application_days_after_promotion": str(call.full_application_days_after_promotion),
        "waiting_list_limit": "" if call.waiting_list_limit is None else str(call.waiting_list_limit),
        "reviewers_per_sketch": str(call.reviewers_per_sketch), "selection_rule": call.selection_rule.value,
        "min_score": format_decimal(call.min_score_points) if call.min_score is not None else "",
        "discrepancy_threshold": format_decimal(call.threshold_points),
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


"""Use cases of the catalogue of measures: list (scoped), create, edit, change status, import, provider profiles.

Every change checks ``workflow.MEASURE``, writes one audit entry and never commits (the request edge does).
A Kommune user works on its own Kommune's measures only; another Kommune's measure is a 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select

from ..auth.models import Role
from ..auth.permissions import ensure_kommune_access, scope_kommune_id
from ..platform import audit, clock
from ..platform.database import lock_for_update, sum_cents
from ..platform.errors import Forbidden, NotFound, ValidationFailed
from ..platform.extensions import db
from ..platform.money import format_eur
from ..reference.models import Organisation
from .models import (
    ContractStatus,
    ForwardingContract,
    FundingSource,
    Measure,
    MeasureKind,
    MeasureStatus,
    ProviderKind,
    ProviderProfile,
)
from .workflow import MEASURE

OPEN_CONTRACTS = (ContractStatus.REQUESTED, ContractStatus.CONSENTED)  # they bind part of the cost plan
FIELDS = ("module_code", "title", "kind", "provider_name", "provider_id", "places", "start_date", "end_date",
          "weekly_hours", "cost_plan_cents", "funding_source", "other_programme")


def measures_select(user, *, module: str | None = None, status: str | None = None) -> Select:
    """The measures ``user`` may see (a Kommune its own, the ministry's roles all), newest first."""
    statement = select(Measure).order_by(Measure.id.desc())
    kommune_id = scope_kommune_id(user)
    if kommune_id is not None:
        statement = statement.where(Measure.kommune_id == kommune_id)
    elif user.role not in (Role.PROGRAMME_ADMIN, Role.FINANCE, Role.AUDITOR):
        statement = statement.where(False)
    if module:
        statement = statement.where(Measure.module_code == module)
    if status:
        statement = statement.where(Measure.status == MeasureStatus(status))
    return statement


def get_measure(user, measure_id: int, *, lock: bool = False) -> Measure:
    statement = select(Measure).where(Measure.id == measure_id)
    measure = db.session.scalar(lock_for_update(statement) if lock else statement)
    if measure is None or user.role not in (Role.KOMMUNE, Role.PROGRAMME_ADMIN, Role.FINANCE, Role.AUDITOR):
        raise NotFound("Maßnahme nicht gefunden.")
    ensure_kommune_access(user, measure.kommune_id, "Maßnahme")
    return measure


def provider_profile(organisation_id: int | None) -> ProviderProfile | None:
    if organisation_id is None:
        return None
    return db.session.scalar(select(ProviderProfile).where(ProviderProfile.organisation_id == organisation_id))


def providers_select() -> Select:
    return select(ProviderProfile).join(Organisation).order_by(Organisation.name)


def _checked(data: Mapping[str, Any]) -> dict:
    values = {key: data[key] for key in FIELDS if key in data}
    if values.get("provider_id") is not None and provider_profile(values["provider_id"]) is None:
        raise ValidationFailed.field("provider_id", "Dieser Kursträger ist nicht eingetragen.")
    if values.get("provider_id") is None and not values.get("provider_name"):
        raise ValidationFailed.field("provider_name", "Bitte den Träger nennen oder einen eingetragenen wählen.")
    for key, enum in (("kind", MeasureKind), ("funding_source", FundingSource)):
        if key in values:
            values[key] = enum(values[key])
    if values.get("funding_source") is not FundingSource.OTHER:
        values["other_programme"] = ""
    return values


def _snapshot(measure: Measure) -> dict:
    return {key: getattr(measure, key) for key in FIELDS} | {"status": measure.status}


def create_measure(actor, data: Mapping[str, Any], *, synthetic: bool = False) -> Measure:
    """A new measure of the actor's Kommune, in draft."""
    if actor.role is not Role.KOMMUNE:
        raise Forbidden("Nur eine Kommune legt Maßnahmen an.")
    measure = Measure(kommune_id=actor.kommune_id, status=MeasureStatus.DRAFT, created_at=clock.now(),
                      synthetic=synthetic, **_checked(data))
    db.session.add(measure)
    db.session.flush()
    audit.record("measure.create", "measure", measure.id, after=_snapshot(measure), actor=actor,
                 kommune_id=measure.kommune_id)
    return measure


def update_measure(measure: Measure, actor, data: Mapping[str, Any]) -> Measure:
    """Change the fields of a draft or running measure."""
    MEASURE.check(measure.status, "edit", actor)
    values = _checked(data)
    forwarded = db.session.scalar(select(sum_cents(ForwardingContract.amount_cents)).where(
        ForwardingContract.measure_id == measure.id, ForwardingContract.status.in_(OPEN_CONTRACTS)))
    if forwarded and values.get("funding_source") is FundingSource.OTHER:
        raise ValidationFailed.field("funding_source", "Die Maßnahme hat Weiterleitungsverträge aus diesem Programm.")
    if forwarded > values.get("cost_plan_cents", 0):
        message = (f"Weitergeleitet oder beantragt sind bereits {format_eur(forwarded)}; "
                   "der Kostenplan darf nicht darunter liegen.")
        raise ValidationFailed.field("cost_plan", message)
    before = _snapshot(measure)
    for key, value in values.items():
        setattr(measure, key, value)
    audit.record("measure.update", "measure", measure.id, before=before, after=_snapshot(measure), actor=actor,
                 kommune_id=measure.kommune_id)
    return measure


STATUS_ACTIONS = ("activate", "finish", "cancel")


def change_status(measure: Measure, action: str, actor) -> Measure:
    """Start, finish or cancel a measure (``workflow.MEASURE``)."""
    if action not in STATUS_ACTIONS:
        raise NotFound("Unbekannte Aktion.")
    before = measure.status
    measure.status = MEASURE.check(measure.status, action, actor)
    audit.record(f"measure.{action}", "measure", measure.id, before={"status": before},
                 after={"status": measure.status}, actor=actor, kommune_id=measure.kommune_id)
    return measure


def import_measures(actor, rows: list[dict], *, filename: str = "") -> list[Measure]:
    """Create one draft measure per validated row (all or nothing: rows come from ``csv_io.parse``)."""
    if actor.role is not Role.KOMMUNE:
        raise Forbidden("Nur eine Kommune importiert Maßnahmen.")
    errors: dict[str, list[str]] = {}
    for line, row in rows:
        try:
            _checked(row)
        except ValidationFailed as failed:
            errors.setdefault("file", []).extend(f"Zeile {line}: {m}" for ms in failed.errors.values() for m in ms)
    if errors:
        raise ValidationFailed("Die Datei enthält Fehler; nichts wurde übernommen.", errors=errors)
    created = [Measure(kommune_id=actor.kommune_id, status=MeasureStatus.DRAFT, created_at=clock.now(),
                       **_checked(row)) for _line, row in rows]
    db.session.add_all(created)
    db.session.flush()
    audit.record("measure.import", "measure", None, after={"count": len(created), "filename": filename},
                 actor=actor, kommune_id=actor.kommune_id)
    return created


def set_provider_profile(actor, data: Mapping[str, Any]) -> ProviderProfile:
    """Record (or change) an organisation's kind as a course provider and its recognition."""
    organisation = db.session.get(Organisation, data["organisation_id"])
    if organisation is None:
        raise ValidationFailed.field("organisation_id", "Diese Organisation gibt es nicht.")
    profile = provider_profile(organisation.id)
    before = None if profile is None else {"kind": profile.kind, "recognition": profile.recognition}
    if profile is None:
        profile = ProviderProfile(organisation_id=organisation.id, kind=ProviderKind(data["kind"]))
        db.session.add(profile)
    profile.kind, profile.recognition = ProviderKind(data["kind"]), data.get("recognition", "")
    db.session.flush()
    audit.record("measure.provider.set", "organisation", organisation.id, before=before,
                 after={"kind": profile.kind, "recognition": profile.recognition}, actor=actor)
    return profile

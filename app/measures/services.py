"""Use cases of the catalogue of measures: list (scoped), create, edit, change status, import, provider profiles.

Every change checks ``workflow.MEASURE``, writes one audit entry and never commits (the request edge does).
A Kommune user works on its own Kommune's measures only; another Kommune's measure is a 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select

from ..auth.models import Role
from ..auth.permissions import ensure_kommune_access, scope_kommune_id
from ..budgets.models import Expense, Grant
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
    ProviderContact,
    ProviderKind,
    ProviderProfile,
)
from .workflow import MEASURE

OPEN_CONTRACTS = (ContractStatus.REQUESTED, ContractStatus.CONSENTED)  # they bind part of the cost plan
FIELDS = ("module_code", "title", "kind", "provider_name", "provider_id", "places", "start_date", "end_date",
          "weekly_hours", "cost_plan_cents", "funding_source", "other_programme", "participants")


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
    tied = db.session.scalar(select(Expense.module_code).where(Expense.measure_id == measure.id).limit(1))
    if tied is not None and values.get("module_code") != measure.module_code:
        raise ValidationFailed.field("module", "Der Maßnahme sind Ausgaben zugeordnet; der Baustein bleibt.")
    if tied is not None and values.get("funding_source") is FundingSource.OTHER:
        raise ValidationFailed.field("funding_source", "Der Maßnahme sind Ausgaben dieses Programms zugeordnet.")
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


# --------------------------------------------------------------------------- expenses tied to a measure

def expense_measure_problem(grant: Grant, module: str, measure_id: int) -> str | None:
    """Why an expense of ``grant`` in ``module`` may not be tied to measure ``measure_id`` (None: it may).

    Only the grant's own Kommune's measures of this programme, in the expense's module: another Kommune's
    measure gets the same answer as one that does not exist (nothing is revealed about it).
    """
    measure = db.session.get(Measure, measure_id)
    if measure is None or grant.kommune_id is None or measure.kommune_id != grant.kommune_id:
        return f"Ihre Kommune hat keine Maßnahme Nr. {measure_id}."
    if measure.funding_source is not FundingSource.PROGRAMME:
        return f"Die Maßnahme Nr. {measure_id} wird aus einer anderen Förderlinie finanziert."
    if measure.module_code != module:
        return f"Die Maßnahme Nr. {measure_id} gehört zu Baustein {measure.module_code}, nicht {module}."
    return None


def expense_measure_options(grant: Grant) -> list[tuple[int, str]]:
    """(id, "Nr. – title (module)") of the measures an expense of ``grant`` may name, for budgets' form."""
    if grant.kommune_id is None:
        return []
    measures = db.session.execute(select(Measure.id, Measure.title, Measure.module_code).where(
        Measure.kommune_id == grant.kommune_id, Measure.funding_source == FundingSource.PROGRAMME)
        .order_by(Measure.module_code, Measure.title))
    return [(id_, f"{id_} – {title} ({module})") for id_, title, module in measures]


def measure_expenses(measure: Measure) -> list[Expense]:
    """The expenses tied to ``measure`` (reversed and ineligible ones included, marked on the page)."""
    return list(db.session.scalars(select(Expense).where(Expense.measure_id == measure.id)
                                   .order_by(Expense.expense_date, Expense.id)))


def flat_rate_units(measure: Measure) -> list[tuple[str, Decimal, int]]:
    """(rate code, units, cents) of the eligible flat-rate expenses tied to ``measure``."""
    return [(code, Decimal(int(units)).scaleb(-2), int(cents)) for code, units, cents in db.session.execute(
        select(Expense.rate_code, func.sum(Expense.units_centi), sum_cents(Expense.amount_cents))
        .where(Expense.measure_id == measure.id, Expense.eligible, Expense.rate_code.is_not(None))
        .group_by(Expense.rate_code).order_by(Expense.rate_code))]


# --------------------------------------------------------------------------- providers' contact staff

def contacts_visible_to(user, profile: ProviderProfile) -> list[ProviderContact]:
    """The ministry's roles and the Kommunen (who contract providers) see every provider's contact staff; a
    provider sees only its own; nobody else any."""
    if user.role in (Role.PROGRAMME_ADMIN, Role.FINANCE, Role.AUDITOR, Role.KOMMUNE):
        return profile.contacts
    if user.role is Role.ORGANISATION and user.organisation_id == profile.organisation_id:
        return profile.contacts
    return []


def _ensure_contacts_editable(actor, organisation_id: int) -> None:
    """The programme administration keeps every provider's contacts, a provider user its own (another's: 404)."""
    if actor.role is Role.PROGRAMME_ADMIN:
        return
    if actor.role is not Role.ORGANISATION or actor.organisation_id != organisation_id:
        raise NotFound("Kursträger nicht gefunden.")


def add_contact(actor, data: Mapping[str, Any]) -> ProviderContact:
    """Add a member of a registered provider's staff to contact (name, function, e-mail, phone)."""
    _ensure_contacts_editable(actor, data["organisation_id"])
    if provider_profile(data["organisation_id"]) is None:
        raise ValidationFailed.field("organisation_id", "Dieser Kursträger ist nicht eingetragen.")
    values = {key: data.get(key, "") for key in ("name", "function", "email", "phone")}
    contact = ProviderContact(organisation_id=data["organisation_id"], created_at=clock.now(), **values)
    db.session.add(contact)
    db.session.flush()
    # the append-only audit keeps who and which role, not the e-mail address or phone number (they can be deleted)
    audit.record("measure.contact.add", "organisation", contact.organisation_id,
                 after={"contact_id": contact.id, "name": contact.name, "function": contact.function}, actor=actor)
    return contact


def remove_contact(actor, contact_id: int) -> ProviderContact:
    contact = db.session.get(ProviderContact, contact_id)
    if contact is None:
        raise NotFound("Ansprechperson nicht gefunden.")
    _ensure_contacts_editable(actor, contact.organisation_id)
    before = {"contact_id": contact.id, "name": contact.name, "function": contact.function}
    db.session.delete(contact)
    db.session.flush()
    audit.record("measure.contact.remove", "organisation", contact.organisation_id, before=before,
                 actor=actor)
    return contact

"""Input and output of measures and forwarding, shared by the pages (``load_form``) and the API.

Amounts are ``Money`` (JSON ``"1234.56"``, forms ``1.234,56``), days ``Day`` (forms also ``15.06.2022``).
"""

from __future__ import annotations

import re

from flask import g
from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from ..platform import limits
from ..platform.fields import EMAIL, REQUIRED_MESSAGE, Day, text
from ..platform.money import Money
from .forwarding import MAX_PROOF_LINES
from .models import MODULES, ContractStatus, FundingSource, MeasureKind, MeasureStatus, ProviderKind
from .services import contacts_visible_to
from .workflow import CONTRACT, MEASURE, PROOF

CHOICE_MESSAGE = "Bitte einen der angebotenen Werte wählen."
MAX_PLACES = 100_000
MAX_WEEKLY_HOURS = 60
PHONE = re.compile(r"^[0-9+()/ -]*$")


def count(maximum: int, *, required: bool = False, minimum: int = 0, **kwargs) -> fields.Int:
    """A whole number ``minimum``..``maximum`` with German messages."""
    message = f"Bitte eine ganze Zahl von {minimum} bis {maximum:,} angeben.".replace(",", ".")
    messages = {"invalid": "Bitte eine ganze Zahl angeben.", "required": REQUIRED_MESSAGE}
    return fields.Int(required=required, validate=validate.Range(min=minimum, max=maximum, error=message),
                      error_messages=messages, **kwargs)


def choice(values, *, required: bool = True, **kwargs) -> fields.Str:
    return fields.Str(required=required, validate=validate.OneOf([str(v) for v in values], error=CHOICE_MESSAGE),
                      error_messages={"required": REQUIRED_MESSAGE}, **kwargs)


def object_id(**kwargs) -> fields.Int:
    return count(limits.MAX_ID, minimum=1, **kwargs)


class PeriodMixin(Schema):
    start_date = Day(required=True)
    end_date = Day(required=True)

    @validates_schema(skip_on_field_errors=False)
    def _period(self, data, **_kwargs):
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            raise ValidationError("Das Ende liegt vor dem Beginn.", "end_date")


class MeasureIn(PeriodMixin):
    module = choice(MODULES, attribute="module_code")
    title = text(limits.NAME, required=True)
    kind = choice(MeasureKind)
    provider_name = text(limits.NAME, load_default="")
    provider_id = object_id(load_default=None, allow_none=True,
                            metadata={"description": "Kursträger (Organisation mit Trägerprofil), statt Freitext"})
    places = count(MAX_PLACES, required=True)
    weekly_hours = count(MAX_WEEKLY_HOURS, required=True, metadata={"description": "ganze Unterrichtsstunden"})
    cost_plan = Money(required=True, attribute="cost_plan_cents")
    funding_source = choice(FundingSource)
    other_programme = text(limits.NAME, load_default="", metadata={"description": "die andere Förderlinie"})
    participants = count(MAX_PLACES, load_default=0, metadata={"description": "Teilnehmende bisher (Anzahl)"})

    @validates_schema(skip_on_field_errors=False)
    def _other_programme(self, data, **_kwargs):
        if data.get("funding_source") == FundingSource.OTHER and not data.get("other_programme"):
            raise ValidationError("Bitte die Förderlinie nennen.", "other_programme")


class MeasureFilter(Schema):
    q = fields.Str(load_default="", validate=validate.Length(max=100))
    module = choice(MODULES, required=False)
    status = choice(MeasureStatus, required=False)


class ActionIn(Schema):
    reason = text(limits.REASON, load_default="")


class ContractDecisionIn(ActionIn):
    action = choice(("consent", "refuse"))


def _measure_actions(measure) -> list[str]:
    return MEASURE.allowed_actions(measure.status, g.actor)


def contract_actions(contract) -> list[str]:
    """The consent actions, then the proof actions the current actor may take on ``contract``."""
    proof = PROOF.allowed_actions(contract.proof_status, g.actor) if contract.status is ContractStatus.CONSENTED else []
    return CONTRACT.allowed_actions(contract.status, g.actor) + proof


class MeasureOut(Schema):
    id = fields.Int()
    kommune = fields.Function(lambda m: m.kommune.display_name)
    kommune_ags = fields.Function(lambda m: m.kommune.ags)
    module = fields.Str(attribute="module_code")
    title = fields.Str()
    kind = fields.Str()
    provider = fields.Str(attribute="provider_label")
    provider_id = fields.Int(allow_none=True)
    places = fields.Int()
    start_date = fields.Date()
    end_date = fields.Date()
    weekly_hours = fields.Int()
    cost_plan = Money(attribute="cost_plan_cents")
    funding_source = fields.Str()
    other_programme = fields.Str()
    participants = fields.Int()
    status = fields.Str()
    spent = Money(attribute="figures.spent_cents", metadata={"description": "eligible expenses tied to it"})
    teaching_hours = fields.Int(attribute="figures.teaching_hours",
                                metadata={"description": "weekly hours × weeks begun in its period"})
    cost_per_place = Money(attribute="figures.per_place_cents", allow_none=True,
                           metadata={"description": "null without places"})
    cost_per_teaching_hour = Money(attribute="figures.per_hour_cents", allow_none=True)
    cost_per_participant = Money(attribute="figures.per_participant_cents", allow_none=True)
    allowed_actions = fields.Function(_measure_actions)


class ProviderIn(Schema):
    organisation_id = object_id(required=True)
    kind = choice(ProviderKind)
    recognition = text(limits.NAME, load_default="")


class ProviderContactIn(Schema):
    """A member of the provider's staff (never a participant)."""
    organisation_id = object_id(required=True)
    name = text(limits.NAME, required=True)
    function = text(limits.NAME, load_default="", metadata={"description": "e.g. Kursleitung, Geschäftsführung"})
    email = text(limits.NAME, required=True)
    phone = text(limits.PHONE, load_default="")

    @validates("email")
    def _email(self, value, **_kwargs):
        if not EMAIL.match(value):
            raise ValidationError("Bitte eine gültige E-Mail-Adresse angeben.")

    @validates("phone")
    def _phone(self, value, **_kwargs):
        if not PHONE.match(value):
            raise ValidationError("Bitte nur Ziffern, Leerzeichen und + ( ) / - angeben.")


class ProviderContactOut(Schema):
    id = fields.Int()
    organisation_id = fields.Int()
    name = fields.Str()
    function = fields.Str()
    email = fields.Str()
    phone = fields.Str()


class ProviderOut(Schema):
    organisation_id = fields.Int()
    name = fields.Function(lambda p: p.organisation.name)
    kind = fields.Str()
    recognition = fields.Str()
    contacts = fields.Function(lambda p: ProviderContactOut(many=True).dump(contacts_visible_to(g.actor, p)),
                               metadata={"description": "staff contacts (the ministry, Kommunen, the provider)"})


class ContractIn(PeriodMixin):
    measure_id = object_id(required=True)
    organisation_id = object_id(required=True)
    amount = Money(required=True, attribute="amount_cents")


class ProviderPaymentIn(Schema):
    amount = Money(required=True, attribute="amount_cents")
    payment_date = Day(required=True)
    voucher_ref = text(limits.CODE, load_default="")


class ProofLineIn(Schema):
    """One line of the provider's account (its own expense for the measure)."""
    expense_date = Day(required=True)
    description = text(limits.NAME, required=True)
    voucher_ref = text(limits.CODE, load_default="")
    amount = Money(required=True, attribute="amount_cents")


class ProviderProofIn(Schema):
    expenses = Money(required=True, attribute="proof_expenses_cents",
                     metadata={"description": "die eigenen Ausgaben des Trägers für die Maßnahme"})
    text = text(limits.REASON, load_default="", attribute="proof_text")
    lines = fields.List(fields.Nested(ProofLineIn), load_default=list, metadata={
        "description": f"optional itemised account (at most {MAX_PROOF_LINES} lines); when given, the lines "
                       "add up to expenses"})


class ProofLineOut(Schema):
    position = fields.Int()
    expense_date = fields.Date()
    description = fields.Str()
    voucher_ref = fields.Str()
    amount = Money(attribute="amount_cents")


class ProviderPaymentOut(Schema):
    id = fields.Int()
    amount = Money(attribute="amount_cents")
    payment_date = fields.Date()
    expense_id = fields.Int()


class ContractOut(Schema):
    id = fields.Int()
    measure_id = fields.Int()
    measure = fields.Function(lambda c: c.measure.title)
    organisation_id = fields.Int()
    provider = fields.Function(lambda c: c.organisation.name)
    amount = Money(attribute="amount_cents")
    paid = Money(attribute="paid_cents")
    start_date = fields.Date()
    end_date = fields.Date()
    side_conditions = fields.Str()
    status = fields.Str()
    decision_reason = fields.Str()
    proof_status = fields.Str(allow_none=True)
    proof_expenses = Money(attribute="proof_expenses_cents", allow_none=True)
    proof_text = fields.Str()
    proof_note = fields.Str()
    proof_lines = fields.List(fields.Nested(ProofLineOut))
    payments = fields.List(fields.Nested(ProviderPaymentOut))
    allowed_actions = fields.Function(contract_actions)

"""JSON API of measures and forwarding, under ``/api/v1/measures``. The routes never commit (the edge does);
input goes through the same schemas as the pages."""

from __future__ import annotations

from flask import g

from ..auth.permissions import requires
from ..platform.web.api import ApiBlueprint
from ..platform.web.pagination import SelectPage
from . import forwarding, services
from .models import Measure
from .permissions import (
    FORWARDING_DECIDE,
    FORWARDING_MANAGE,
    FORWARDING_PROOF,
    FORWARDING_READ,
    MEASURES_EDIT,
    MEASURES_READ,
    PROVIDER_CONTACTS,
)
from .schemas import (
    ActionIn,
    ContractDecisionIn,
    ContractIn,
    ContractOut,
    MeasureFilter,
    MeasureIn,
    MeasureOut,
    ProviderContactIn,
    ProviderContactOut,
    ProviderIn,
    ProviderOut,
    ProviderPaymentIn,
    ProviderPaymentOut,
    ProviderProofIn,
)

blp = ApiBlueprint("measures_api", __name__, url_prefix="/api/v1/measures",
                   description="Maßnahmenkatalog der Kommunen, Kursträger und Weiterleitung")
MEASURE = "/<id:measure_id>"
CONTRACT = "/contracts/<id:contract_id>"


@blp.route("")
@requires(MEASURES_READ)
@blp.arguments(MeasureFilter, location="query")
@blp.response(200, MeasureOut(many=True))
@blp.paginate(SelectPage)
def list_measures(args):
    """The catalogue: a Kommune's own measures; for the ministry's roles all Kommunen (search ``q``)."""
    statement = services.measures_select(g.actor, module=args.get("module"), status=args.get("status"))
    if args.get("q"):
        statement = statement.where(Measure.title.icontains(args["q"], autoescape=True))
    return statement


@blp.route("", methods=["POST"])
@requires(MEASURES_EDIT)
@blp.arguments(MeasureIn)
@blp.response(201, MeasureOut)
def create_measure(data):
    return services.create_measure(g.actor, data)


@blp.route(MEASURE)
@requires(MEASURES_READ)
@blp.response(200, MeasureOut)
def get_measure(measure_id: int):
    return services.get_measure(g.actor, measure_id)


@blp.route(MEASURE, methods=["PUT"])
@requires(MEASURES_EDIT)
@blp.arguments(MeasureIn)
@blp.response(200, MeasureOut)
def update_measure(data, measure_id: int):
    return services.update_measure(services.get_measure(g.actor, measure_id, lock=True), g.actor, data)


@blp.route(MEASURE + "/<any(activate, finish, cancel):action>", methods=["POST"])
@requires(MEASURES_EDIT)
@blp.response(200, MeasureOut)
def change_status(measure_id: int, action: str):
    """Start, finish or cancel (see the status table in docs/measures.md)."""
    return services.change_status(services.get_measure(g.actor, measure_id, lock=True), action, g.actor)


@blp.route("/providers")
@requires(FORWARDING_READ)
@blp.response(200, ProviderOut(many=True))
@blp.paginate(SelectPage)
def list_providers():
    return services.providers_select()


@blp.route("/providers", methods=["PUT"])
@requires(FORWARDING_DECIDE)
@blp.arguments(ProviderIn)
@blp.response(200, ProviderOut)
def set_provider(data):
    """Record an organisation's kind as a course provider and its recognition."""
    return services.set_provider_profile(g.actor, data)


@blp.route("/providers/contacts", methods=["POST"])
@requires(PROVIDER_CONTACTS)
@blp.arguments(ProviderContactIn)
@blp.response(201, ProviderContactOut)
def add_contact(data):
    """Add a member of a provider's staff to contact (the administration: any provider; a provider: its own)."""
    return services.add_contact(g.actor, data)


@blp.route("/providers/contacts/<id:contact_id>", methods=["DELETE"])
@requires(PROVIDER_CONTACTS)
@blp.response(204)
def remove_contact(contact_id: int):
    services.remove_contact(g.actor, contact_id)


@blp.route("/contracts")
@requires(FORWARDING_READ)
@blp.response(200, ContractOut(many=True))
@blp.paginate(SelectPage)
def list_contracts():
    """Forwarding contracts: a Kommune's own, a provider's with it, all for the ministry's roles."""
    return forwarding.contracts_select(g.actor)


@blp.route("/contracts", methods=["POST"])
@requires(FORWARDING_MANAGE)
@blp.arguments(ContractIn)
@blp.response(201, ContractOut)
def request_contract(data):
    """Ask the grant authority's consent to forward an amount of a measure to a course provider."""
    return forwarding.request_contract(g.actor, data)


@blp.route(CONTRACT)
@requires(FORWARDING_READ)
@blp.response(200, ContractOut)
def get_contract(contract_id: int):
    return forwarding.get_contract(g.actor, contract_id)


@blp.route(CONTRACT + "/decision", methods=["POST"])
@requires(FORWARDING_DECIDE)
@blp.arguments(ContractDecisionIn)
@blp.response(200, ContractOut)
def decide(data, contract_id: int):
    """Consent or refuse (a reason is required for a refusal)."""
    item = forwarding.get_contract(g.actor, contract_id, lock=True)
    return forwarding.decide(item, data["action"], g.actor, reason=data["reason"])


@blp.route(CONTRACT + "/withdraw", methods=["POST"])
@requires(FORWARDING_MANAGE)
@blp.response(200, ContractOut)
def withdraw(contract_id: int):
    return forwarding.decide(forwarding.get_contract(g.actor, contract_id, lock=True), "withdraw", g.actor)


@blp.route(CONTRACT + "/payments", methods=["POST"])
@requires(FORWARDING_MANAGE)
@blp.arguments(ProviderPaymentIn)
@blp.response(201, ProviderPaymentOut)
def pay(data, contract_id: int):
    """Book a payment to the provider as an expense of the Kommune's grant (within the contract's amount)."""
    return forwarding.pay(forwarding.get_contract(g.actor, contract_id, lock=True), g.actor, data)


@blp.route(CONTRACT + "/proof", methods=["POST"])
@requires(FORWARDING_PROOF)
@blp.arguments(ProviderProofIn)
@blp.response(200, ContractOut)
def submit_proof(data, contract_id: int):
    """The provider submits the proof of its own expenses."""
    return forwarding.proof(forwarding.get_contract(g.actor, contract_id, lock=True), "submit", g.actor, data)


@blp.route(CONTRACT + "/proof/<any(accept, return):action>", methods=["POST"])
@requires(FORWARDING_MANAGE)
@blp.arguments(ActionIn)
@blp.response(200, ContractOut)
def check_proof(data, contract_id: int, action: str):
    """The Kommune accepts the provider's proof or returns it (with a note)."""
    return forwarding.proof(forwarding.get_contract(g.actor, contract_id, lock=True), action, g.actor, data)



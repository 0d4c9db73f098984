"""Pages of the Weiterleitung: contracts (list, export, request), a contract with its consent, payments and the
provider's proof. Registered on ``views.bp``; views never commit (the request edge does)."""

from __future__ import annotations

from dataclasses import replace

from flask import g, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from werkzeug.datastructures import MultiDict

from ..auth.permissions import requires, scope_kommune_id
from ..platform.errors import ValidationFailed
from ..platform.extensions import db
from ..platform.web.edge import submit
from ..platform.web.forms import load_form
from ..platform.web.listing import ListColumn, Listing, build_listing
from ..reference.models import Organisation
from . import forwarding, services
from .blueprint import bp
from .models import ForwardingContract, FundingSource, MeasureStatus
from .permissions import FORWARDING_DECIDE, FORWARDING_MANAGE, FORWARDING_PROOF, FORWARDING_READ
from .schemas import (
    ActionIn,
    ContractDecisionIn,
    ContractIn,
    ProofLineIn,
    ProviderPaymentIn,
    ProviderProofIn,
    contract_actions,
)
from .workflow import CONTRACT, PROOF

CONTRACT_COLUMNS = [
    ListColumn("id", lazy_gettext("Nr."), lambda c: c.id, "int", ForwardingContract.id),
    ListColumn("kommune", lazy_gettext("Kommune"), lambda c: c.measure.kommune.display_name),
    ListColumn("measure", lazy_gettext("Maßnahme"), lambda c: c.measure.title),
    ListColumn("provider", lazy_gettext("Träger"), lambda c: c.organisation.name, sort=Organisation.name),
    ListColumn("amount", lazy_gettext("Betrag"), lambda c: c.amount_cents, "money", ForwardingContract.amount_cents),
    ListColumn("paid", lazy_gettext("gezahlt"), lambda c: c.paid_cents, "money"),
    ListColumn("start_date", lazy_gettext("Beginn"), lambda c: c.start_date, "date", ForwardingContract.start_date),
    ListColumn("end_date", lazy_gettext("Ende"), lambda c: c.end_date, "date"),
    ListColumn("side_conditions", lazy_gettext("Nebenbestimmungen"), lambda c: c.side_conditions),
    ListColumn("status", lazy_gettext("Status"), lambda c: c.status.label),
    ListColumn("proof", lazy_gettext("Nachweis"), lambda c: c.proof_status.label if c.proof_status else ""),
]
# The page fits 1,280 px (#17): the period in one column, "ANBest" for the side conditions, the Kommune only for
# the roles that see several; the export keeps every column.
_PERIOD = ListColumn("start_date", lazy_gettext("Zeitraum"), lambda c: c.start_date, "date",
                     ForwardingContract.start_date)  # sorts like the export's "Beginn"
_SHORT = {"side_conditions": lazy_gettext("ANBest")}


def _page_columns(several_kommunen: bool) -> list[ListColumn]:
    keys = ("id", "kommune", "measure", "provider", "amount", "paid", "start_date", "side_conditions", "status",
            "proof")
    columns = {c.key: replace(c, label=_SHORT.get(c.key, c.label)) for c in CONTRACT_COLUMNS} | {"start_date": _PERIOD}
    return [columns[key] for key in keys if several_kommunen or key != "kommune"]


@bp.route("/weiterleitungen")
@requires(FORWARDING_READ)
def contracts():
    return _contracts_page({})


def _contracts_page(errors: dict):
    statement = forwarding.contracts_select(g.actor).join(Organisation)
    listing = build_listing(statement, CONTRACT_COLUMNS, args=request.args, default_sort="id",
                            default_descending=True, filename="weiterleitungen", search=[Organisation.name])
    if not isinstance(listing, Listing):
        return listing
    measures = [m for m in db.session.scalars(services.measures_select(g.actor))
                if m.status is not MeasureStatus.CANCELLED and m.funding_source is FundingSource.PROGRAMME]
    return render_template("measures/contracts.html", listing=listing, errors=errors, form=request.form,
                           page_columns=_page_columns(scope_kommune_id(g.actor) is None),
                           measures=measures, providers=list(db.session.scalars(services.providers_select()))), \
        (422 if errors else 200)


@bp.route("/weiterleitungen", methods=["POST"])
@requires(FORWARDING_MANAGE)
def request_contract():
    def change() -> str:
        return url_for("measures.contract", contract_id=forwarding.request_contract(
            g.actor, load_form(ContractIn())).id)

    response, errors = submit(change, success=gettext("Die Zustimmung zur Weiterleitung ist beantragt."))
    return response or _contracts_page(errors)


@bp.route("/weiterleitungen/<id:contract_id>")
@requires(FORWARDING_READ)
def contract(contract_id: int):
    return _contract_page(forwarding.get_contract(g.actor, contract_id), {})


def _contract_page(item: ForwardingContract, errors: dict):
    return render_template("measures/contract.html", contract=item, actions=contract_actions(item),
                           line_rows=max(5, len(item.proof_lines) + 2),
                           sent={name: request.form.getlist(f"line_{name}") for name in LINE_FIELDS},
                           contract_flow=CONTRACT, proof_flow=PROOF, errors=errors, form=request.form), \
        (422 if errors else 200)


def _act(contract_id: int, change, success: str):
    item = forwarding.get_contract(g.actor, contract_id, lock=True)
    response, errors = submit(lambda: (change(item), url_for("measures.contract", contract_id=contract_id))[1],
                              success=success)
    return response or _contract_page(forwarding.get_contract(g.actor, contract_id), errors)


@bp.route("/weiterleitungen/<id:contract_id>/entscheidung", methods=["POST"])
@requires(FORWARDING_DECIDE)
def decide(contract_id: int):
    def change(item):
        data = load_form(ContractDecisionIn())
        forwarding.decide(item, data["action"], g.actor, reason=data["reason"])

    return _act(contract_id, change, gettext("Entschieden."))


@bp.route("/weiterleitungen/<id:contract_id>/zurueckziehen", methods=["POST"])
@requires(FORWARDING_MANAGE)
def withdraw(contract_id: int):
    return _act(contract_id, lambda item: forwarding.decide(item, "withdraw", g.actor),
                gettext("Der Antrag ist zurückgezogen."))


@bp.route("/weiterleitungen/<id:contract_id>/zahlung", methods=["POST"])
@requires(FORWARDING_MANAGE)
def pay(contract_id: int):
    return _act(contract_id, lambda item: forwarding.pay(item, g.actor, load_form(ProviderPaymentIn())),
                gettext("Die Zahlung an den Träger ist als Ausgabe gebucht."))


LINE_FIELDS = ("expense_date", "description", "voucher_ref", "amount")


def _proof_form() -> dict:
    """The proof form: total and text through ``ProviderProofIn``, each filled row of the account (inputs
    ``line_<field>``, one per row) through ``ProofLineIn`` like the API's ``lines``; errors name the row."""
    errors: dict[str, list[str]] = {}
    lines = []
    rows = zip(*(request.form.getlist(f"line_{name}") for name in LINE_FIELDS), strict=False)
    for number, cells in enumerate(rows, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        try:
            lines.append(load_form(ProofLineIn(), MultiDict(zip(LINE_FIELDS, cells, strict=True))))
        except ValidationFailed as failed:
            errors.setdefault("lines", []).extend(gettext("Position %(number)s: %(message)s", number=number,
                                                          message=" ".join(messages))
                                                  for messages in failed.errors.values())
    try:
        data = load_form(ProviderProofIn())
    except ValidationFailed as failed:
        errors.update(failed.errors)
    if errors:
        raise ValidationFailed("Bitte prüfen Sie die markierten Felder.", errors=errors)
    return data | {"lines": lines}


@bp.route("/weiterleitungen/<id:contract_id>/nachweis", methods=["POST"])
@requires(FORWARDING_PROOF)
def submit_proof(contract_id: int):
    return _act(contract_id, lambda item: forwarding.proof(item, "submit", g.actor, _proof_form()),
                gettext("Der Nachweis ist eingereicht."))


@bp.route("/weiterleitungen/<id:contract_id>/nachweispruefung", methods=["POST"])
@requires(FORWARDING_MANAGE)
def check_proof(contract_id: int):
    action = request.form.get("action", "")
    return _act(contract_id, lambda item: forwarding.proof(item, action, g.actor, load_form(ActionIn())),
                gettext("Der Nachweis ist geprüft."))

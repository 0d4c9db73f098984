"""JSON API of the Anhörung (``hearings``): open it, read it, comment on it. Registered on the budgets API
blueprint (``api`` imports this module); the final decision (``/final-decision``) answers 409 until it is done."""

from __future__ import annotations

from flask import g, jsonify
from marshmallow import Schema, fields

from ..auth.permissions import requires
from ..platform.money import Money
from ..platform.web.api import DocumentUrl
from . import hearings, services
from .api import ID, blp
from .permissions import BUDGET_READ, HEARING_COMMENT, PROOF_CHECK
from .schemas import FinalDecisionLineOut


class HearingOut(Schema):
    id = fields.Int()
    grant_id = fields.Int()
    status = fields.Str()
    expired = fields.Bool(metadata={"description": "Frist ohne Stellungnahme abgelaufen"})
    deadline = fields.Date(metadata={"description": "letzter Tag für die Stellungnahme"})
    opened_at = fields.DateTime()
    final_grant = Money(attribute="final_grant_cents")
    paid = Money(attribute="paid_cents")
    principal = Money(attribute="principal_cents", metadata={"description": "beabsichtigte Rückforderung"})
    unused_interest = Money(attribute="unused_interest_cents")
    lines = fields.List(fields.Nested(FinalDecisionLineOut))
    comment = fields.Str(allow_none=True)
    commented_at = fields.DateTime(allow_none=True)
    document_url = DocumentUrl("hearing")


class HearingCommentIn(Schema):
    comment = fields.Str(required=True, metadata={"description": "Stellungnahme, höchstens 20.000 Zeichen"})


@blp.route("/grants/" + ID.format("grant_id") + "/hearing", methods=["POST"])
@requires(PROOF_CHECK)
@blp.response(201, HearingOut)
def open_hearing(grant_id: int):
    hearing = hearings.open_hearing(services.get_grant(g.actor, grant_id), actor=g.actor)
    response = jsonify(HearingOut().dump(hearing))
    response.status_code = 201
    return response


@blp.route("/hearings/" + ID.format("hearing_id"))
@requires(BUDGET_READ)
@blp.response(200, HearingOut)
def get_hearing(hearing_id: int):
    return jsonify(HearingOut().dump(hearings.get_hearing(g.actor, hearing_id)))


@blp.route("/hearings/" + ID.format("hearing_id") + "/comment", methods=["POST"])
@requires(HEARING_COMMENT)
@blp.arguments(HearingCommentIn)
@blp.response(200, HearingOut)
def comment(data, hearing_id: int):
    hearing = hearings.submit_comment(hearings.get_hearing(g.actor, hearing_id), comment=data["comment"],
                                      actor=g.actor)
    return jsonify(HearingOut().dump(hearing))

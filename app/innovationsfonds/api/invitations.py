"""API of the invitations to an organisation's account (issue #20): the administrator, or a user of the
organisation for a colleague, invites a person by e-mail (``registrations.invite``) and reads the open
invitations. Routes on the Innovationsfonds API blueprint; they never commit (the request edge does)."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields

from ...auth.permissions import requires
from ...platform import limits
from ...platform.fields import text
from .. import registrations
from ..permissions import IF_INVITE
from .blueprint import blp

INVITATIONS = "/organisations/<id:organisation_id>/invitations"


class InvitationIn(Schema):
    name = text(limits.NAME, required=True)
    email = text(limits.NAME, required=True)


class InvitationOut(Schema):
    id = fields.Int()
    organisation_id = fields.Int()
    name = fields.Str()
    email = fields.Str()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    accepted_at = fields.DateTime(allow_none=True)


@blp.route(INVITATIONS)
@requires(IF_INVITE)
@blp.response(200, InvitationOut(many=True))
def list_invitations(organisation_id: int):
    """The organisation's open invitations (not accepted, not expired), newest first; 404 for another
    organisation's user."""
    return registrations.colleagues(organisation_id, g.actor)[1]


@blp.route(INVITATIONS, methods=["POST"])
@requires(IF_INVITE)
@blp.arguments(InvitationIn)
@blp.response(201, InvitationOut)
def create_invitation(data, organisation_id: int):
    """Invite a person by e-mail: the link (valid 14 days) lets them set a password and creates their account
    as a user of the organisation. 422 naming the field for a bad or already registered address."""
    return registrations.invite(organisation_id, g.actor, email=data["email"], name=data["name"])

"""JSON API for the caller's profile, its tokens, and user administration (the edge commits)."""

from __future__ import annotations

from flask import g
from sqlalchemy import select

from ..platform.web.api import ApiBlueprint
from ..platform.web.pagination import SelectPage
from .models import User
from .permissions import OWN_TOKENS, PROFILE_READ, USERS_MANAGE, USERS_READ, requires
from .schemas import TokenCreated, TokenIn, TokenOut, UserIn, UserOut
from .services import create_token, create_user, revoke_token, tokens_of

blp = ApiBlueprint("auth_api", __name__, url_prefix="/api/v1", description="Konten und API-Tokens")


@blp.route("/me")
@requires(PROFILE_READ)
@blp.response(200, UserOut)
def me():
    return g.actor


@blp.route("/tokens")
@requires(OWN_TOKENS)
@blp.response(200, TokenOut(many=True))
def list_tokens():
    return tokens_of(g.actor)


@blp.route("/tokens", methods=["POST"])
@requires(OWN_TOKENS)
@blp.arguments(TokenIn)
@blp.response(201, TokenCreated)
def new_token(data):
    token, secret = create_token(g.actor, data["name"], days_valid=data["days_valid"])
    token.token = secret  # transient: the secret is answered once and never stored
    return token


@blp.route("/tokens/<id:token_id>", methods=["DELETE"])
@requires(OWN_TOKENS)
@blp.response(200, TokenOut)
def delete_token(token_id: int):
    return revoke_token(token_id, actor=g.actor)


@blp.route("/users")
@requires(USERS_READ)
@blp.response(200, UserOut(many=True))
@blp.paginate(SelectPage)
def list_users():
    return select(User).order_by(User.id)


@blp.route("/users", methods=["POST"])
@requires(USERS_MANAGE)
@blp.arguments(UserIn)
@blp.response(201, UserOut)
def new_user(data):
    return create_user(actor=g.actor, **data)

"""Who is calling: a Bearer token for ``/api/``, the Flask-Login session for pages.

``g.actor`` is the authenticated user (or None). API calls without a valid token get a 401
problem; pages redirect to the login form, except the public ones.
"""

from __future__ import annotations

import re

from flask import Flask, g, redirect, request, url_for
from flask_login import current_user

from ..platform.errors import problem
from ..platform.extensions import db, login_manager
from .models import User
from .services import TokenRefused, user_for_token

PUBLIC_ENDPOINTS = {"auth.login", "auth.forgot_password", "auth.reset",
                    "main.healthz", "main.readyz", "static", "api-docs.openapi_json",
                    "main.api_docs", "main.set_language", "innovationsfonds.public.calls",
                    "innovationsfonds.public.call", "innovationsfonds.registration.register",
                    "innovationsfonds.registration.confirm", "innovationsfonds.registration.invitation"}


_SESSION_ID = re.compile(r"([0-9]{1,10})\.([0-9]{1,10})")


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    """The session carries ``id.session_version`` (User.get_id): a cookie from before a logout, password
    change or deactivation names an old version and loads nobody."""
    match = _SESSION_ID.fullmatch(session_id)
    user = db.session.get(User, int(match.group(1))) if match else None
    if user is None or not user.active or user.session_version != int(match.group(2)):
        return None
    return user


def init_session(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Bitte melden Sie sich an."
    login_manager.session_protection = "strong"

    @app.before_request
    def _resolve_actor():
        g.actor = None
        if request.path.startswith("/api/"):
            if request.endpoint in PUBLIC_ENDPOINTS:
                return None
            header = request.headers.get("Authorization", "")
            scheme, _, secret = header.partition(" ")
            if scheme.lower() != "bearer" or not secret.strip():
                return _unauthorized("Für die API wird ein Bearer-Token benötigt (Authorization: Bearer …).")
            try:
                g.actor = user_for_token(secret.strip())
            except TokenRefused as refused:
                return _unauthorized(refused.message)
            return None
        if current_user.is_authenticated:
            g.actor = current_user._get_current_object()
        elif request.endpoint not in PUBLIC_ENDPOINTS and request.endpoint is not None:
            return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
        return None


def _unauthorized(detail: str):
    response = problem(401, "Unauthorized", detail, slug="unauthorized")
    response.headers["WWW-Authenticate"] = 'Bearer realm="durchstarten"'
    return response

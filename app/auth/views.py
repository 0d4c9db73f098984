"""Login, logout and the personal token page.

The edge (app/platform/web/edge.py) commits each request once; a refused login keeps its changes
(``keep_changes``: the failure counts against the throttle and is audited although the answer is 401/429).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import login_user, logout_user

from ..platform.errors import ValidationFailed
from ..platform.web.edge import discard_changes, keep_changes, submit
from .permissions import OWN_PASSWORD, OWN_TOKENS, PUBLIC, requires
from .reset import InvalidResetLink, open_link, request_reset, reset_password
from .services import LoginRefused, authenticate, change_password, create_token, revoke_token, sign_out, tokens_of

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only local paths without control characters: never redirect to another host after login."""
    if not target or not target.isprintable():
        return url_for("main.start")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith(("//", "/\\")):
        return url_for("main.start")
    return target


def _fresh_session() -> None:
    """Clear the session but keep the chosen interface language (a display preference, no secret)."""
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language


@bp.route("/anmelden", methods=["GET", "POST"])
@requires(PUBLIC)
def login():
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "")
        try:
            user = authenticate(email, request.form.get("password", ""), client=request.remote_addr or "")
        except LoginRefused as refused:
            keep_changes()  # the failure count and the audit entry
            page = render_template("auth/login.html", error=refused.message, email=email)
            if refused.wait_seconds:
                return page, 429, {"Retry-After": str(refused.wait_seconds)}
            return page, 401
        _fresh_session()  # no session fixation: a fresh session after login
        login_user(user)
        flash(gettext("Willkommen, %(name)s.", name=user.name), "success")
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", error=None, email=email)


@bp.route("/abmelden", methods=["POST"])
@requires(PUBLIC)
def logout():
    if g.actor is not None:
        sign_out(g.actor)
    logout_user()
    _fresh_session()
    flash(gettext("Sie wurden abgemeldet."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/konto/passwort", methods=["GET", "POST"])
@requires(OWN_PASSWORD)
def password():
    errors: dict = {}
    if request.method == "POST":
        def change() -> str:
            change_password(g.actor, current=request.form.get("current_password", ""),
                            new=request.form.get("new_password", ""),
                            repeat=request.form.get("new_password_repeat", ""))
            login_user(g.actor)  # this session continues under the new version; all others have ended
            return url_for("auth.password")

        response, errors = submit(change, success=gettext(
            "Ihr Passwort wurde geändert. Alle anderen Sitzungen wurden beendet."))
        if response:
            return response
    return render_template("auth/password.html", errors=errors), (422 if errors else 200)


@bp.route("/passwort-vergessen", methods=["GET", "POST"])
@requires(PUBLIC)
def forgot_password():
    """The same answer for every address (app/auth/reset.py), a 429 only from the throttle."""
    if request.method == "POST":
        try:
            request_reset(request.form.get("email", ""), client=request.remote_addr or "")
        except LoginRefused as refused:  # the edge rolls back (429)
            return (render_template("auth/forgot_password.html", error=refused.message), 429,
                    {"Retry-After": str(refused.wait_seconds)})
        return render_template("auth/forgot_password.html", sent=True)
    return render_template("auth/forgot_password.html")


@bp.route("/passwort-zuruecksetzen/<secret>", methods=["GET", "POST"])
@requires(PUBLIC)
def reset(secret: str):
    errors: dict = {}
    try:
        open_link(secret)
        if request.method == "POST":
            def change() -> str:
                reset_password(secret, new=request.form.get("new_password", ""),
                               repeat=request.form.get("new_password_repeat", ""))
                return url_for("auth.login")

            response, errors = submit(change, success=gettext(
                "Ihr Passwort wurde geändert. Bitte melden Sie sich mit dem neuen Passwort an."))
            if response:
                return response
    except InvalidResetLink as invalid:  # the edge rolls back (404)
        return render_template("auth/reset_password.html", invalid=str(invalid)), 404
    return render_template("auth/reset_password.html", errors=errors), (422 if errors else 200)


@bp.route("/konto/tokens", methods=["GET", "POST"])
@requires(OWN_TOKENS)
def tokens():
    new_secret = None
    errors: dict = {}
    if request.method == "POST":
        try:  # no redirect: the page shows the new secret once
            _token, new_secret = create_token(g.actor, request.form.get("name", ""))
        except ValidationFailed as failed:
            discard_changes()
            errors = failed.errors
    return render_template("auth/tokens.html", tokens=tokens_of(g.actor), new_secret=new_secret, errors=errors,
                           form=request.form)


@bp.route("/konto/tokens/<id:token_id>/widerrufen", methods=["POST"])
@requires(OWN_TOKENS)
def revoke(token_id: int):
    revoke_token(token_id, actor=g.actor)
    flash(gettext("Das Token wurde widerrufen."), "success")
    return redirect(url_for("auth.tokens"))

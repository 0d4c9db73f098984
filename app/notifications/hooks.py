"""Mails that lower layers ask for through events (they may not import notifications)."""

from __future__ import annotations

from flask_babel import lazy_gettext

from ..auth.models import Role, User
from ..auth.reset import SUBJECT, TEMPLATE
from ..platform.events import subscribe
from .kinds import declare_kind
from .services import absolute_url, queue_message

PASSWORD_RESET = declare_kind(
    "auth.password_reset", lazy_gettext("Passwort zurücksetzen (Link per E-Mail)"), roles={r.value for r in Role},
    mandatory=True, description=lazy_gettext("Der Link, den Sie mit „Passwort vergessen?“ angefordert haben."))


@subscribe("auth.password_reset")
def mail_reset_link(*, user: User, secret: str, minutes: int) -> None:
    """The reset link by e-mail (always, whatever the preferences), also in the user's own inbox."""
    queue_message(user, PASSWORD_RESET, TEMPLATE, subject=SUBJECT, email=True, minutes=minutes,
                  reset_url=absolute_url(f"/passwort-zuruecksetzen/{secret}"))

"""The application workflow as one table of the workflow engine (app.platform.workflow).

Applications and amendments share it. ``edit`` keeps the status (it changes the working copy);
every other action moves the application. Services call ``APPLICATION.check(...)``; the pages'
buttons and the API's ``allowed_actions`` come from ``APPLICATION.allowed_actions(...)``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext

from ..auth.models import Role
from ..platform.workflow import Workflow
from .models import ApplicationStatus as S

KOMMUNE = frozenset({Role.KOMMUNE})
ADMIN = frozenset({Role.PROGRAMME_ADMIN})

APPLICATION = Workflow("grant_application", {
    (S.DRAFT, "edit"): (S.DRAFT, KOMMUNE),
    (S.DRAFT, "submit"): (S.SUBMITTED, KOMMUNE),
    (S.DRAFT, "withdraw"): (S.WITHDRAWN, KOMMUNE),
    (S.SUBMITTED, "request_changes"): (S.CHANGES_REQUESTED, ADMIN),
    (S.SUBMITTED, "approve"): (S.APPROVED, ADMIN),
    (S.SUBMITTED, "reject"): (S.REJECTED, ADMIN),
    (S.SUBMITTED, "withdraw"): (S.WITHDRAWN, KOMMUNE),
    (S.CHANGES_REQUESTED, "edit"): (S.CHANGES_REQUESTED, KOMMUNE),
    (S.CHANGES_REQUESTED, "submit"): (S.SUBMITTED, KOMMUNE),
    (S.CHANGES_REQUESTED, "withdraw"): (S.WITHDRAWN, KOMMUNE),
    # a withdrawn or rejected application can be taken up again: a new working copy of the last content
    (S.WITHDRAWN, "reapply"): (S.DRAFT, KOMMUNE),
    (S.REJECTED, "reapply"): (S.DRAFT, KOMMUNE),
}, labels={
    "edit": lazy_gettext("bearbeiten"),
    "submit": lazy_gettext("einreichen"),
    "withdraw": lazy_gettext("zurückziehen"),
    "request_changes": lazy_gettext("Änderungen anfordern"),
    "approve": lazy_gettext("bewilligen"),
    "reject": lazy_gettext("ablehnen"),
    "reapply": lazy_gettext("erneut beantragen"),
})
# the same actions in an application's history: what happened (past participle), not what one may do
EVENT_LABELS = {
    "create": lazy_gettext("angelegt"),
    "edit": lazy_gettext("bearbeitet"),
    "submit": lazy_gettext("eingereicht"),
    "withdraw": lazy_gettext("zurückgezogen"),
    "request_changes": lazy_gettext("Änderungen angefordert"),
    "approve": lazy_gettext("bewilligt"),
    "reject": lazy_gettext("abgelehnt"),
    "reapply": lazy_gettext("erneut aufgenommen"),
}

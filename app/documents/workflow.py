"""The document's one transition: a current document is corrected (Berichtigung nach § 42 VwVfG).

A stored document never changes; its status is derived (``current`` until a correction names it
in ``replaces_id``, then ``superseded``). Engine and check order: app/platform/workflow.py.
"""

from flask_babel import lazy_gettext

from ..auth.models import Role
from ..platform.workflow import Workflow

DOCUMENT = Workflow("document", {
    ("current", "correct"): ("superseded", frozenset({Role.PROGRAMME_ADMIN})),
}, labels={"correct": lazy_gettext("berichtigen")})

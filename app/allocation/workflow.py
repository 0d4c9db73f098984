"""The allocation version's workflow as one table of the workflow engine (app.platform.workflow).

"supersede" happens to the published version when another version of the same programme is
published; "redistribute" replaces it by a new published version that spreads the give-backs.
Publishing from the CLI or the demo without a user runs with ``system=True`` (no role check).
"""

from __future__ import annotations

from flask_babel import lazy_gettext

from ..auth.models import Role
from ..platform.workflow import Workflow
from .models import AllocationStatus as S

ADMIN = frozenset({Role.PROGRAMME_ADMIN})

VERSION = Workflow("allocation_version", {
    (S.DRAFT, "publish"): (S.PUBLISHED, ADMIN),
    (S.PUBLISHED, "redistribute"): (S.SUPERSEDED, ADMIN),
    (S.PUBLISHED, "supersede"): (S.SUPERSEDED, ADMIN),
}, labels={"publish": lazy_gettext("veröffentlichen"), "redistribute": lazy_gettext("umverteilen"),
           "supersede": lazy_gettext("ablösen")})

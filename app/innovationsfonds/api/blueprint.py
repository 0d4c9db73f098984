"""The Innovationsfonds API blueprint, its URL prefixes and the sketch answer every group shares."""

from __future__ import annotations

from flask import g

from ...platform.web.api import ApiBlueprint
from .. import access, stored_aggregates
from ..presenters import present_sketch

blp = ApiBlueprint("innovationsfonds_api", __name__, url_prefix="/api/v1/innovationsfonds",
                   description="Innovationsfonds: Aufrufe, Projektskizzen, Begutachtung, Auswahl, Entscheidungen")
CALL = "/calls/<id:call_id>"
SKETCH = "/sketches/<id:sketch_id>"


def sketch_out(sketch_id: int) -> dict:
    """The sketch as ``SketchOut`` for the actor (staff also get its aggregate)."""
    sketch = access.get_sketch(sketch_id, g.actor)
    aggregate = stored_aggregates.of(sketch) if g.actor.role in access.STAFF_ROLES else None
    return present_sketch(sketch, g.actor, aggregate)

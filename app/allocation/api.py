"""JSON API of the allocation domain under /api/v1/allocation."""

from __future__ import annotations

from types import SimpleNamespace

from flask import g

from ..auth.permissions import requires
from ..platform.web.api import ApiBlueprint
from ..platform.web.pagination import SelectPage
from ..reference.services import get_programme
from . import keydata, services
from .exporting import positions_export, version_export
from .permissions import (
    ALLOCATION_MANAGE,
    ALLOCATION_READ,
    GIVE_BACK_DECLARE,
    GIVE_BACK_READ,
    KEYDATA_IMPORT,
    KEYDATA_READ,
    OWN_CEILING,
    POSITIONS_READ,
)
from .schemas import (
    ExplanationOut,
    ExportQuery,
    GiveBackIn,
    GiveBackOut,
    KeyDatasetIn,
    KeyDatasetOut,
    PositionOut,
    PositionsExportQuery,
    PositionsQuery,
    PositionsVersionIn,
    PositionsVersionOut,
    RedistributeIn,
    SortQuery,
    VersionDetailOut,
    VersionIn,
    VersionOut,
)

blp = ApiBlueprint("allocation_api", __name__, url_prefix="/api/v1/allocation",
                   description="Zuteilung: Schlüsseldaten, Höchstgrenzen, Umverteilung, Stellen F6")


_VERSION_FIELDS = ("id", "number", "title", "status", "pool_cents", "unallocated_cents", "parameters", "parent_id",
                   "key_dataset_id", "secondary_dataset_id", "note", "created_at", "published_at", "superseded_at")


def _detail(version, actor, sort="ags", direction="asc") -> SimpleNamespace:
    """The version with its (scoped, sorted) rows and their total, for ``VersionDetailOut``."""
    rows = services.table_rows(version, actor, sort=sort, descending=direction == "desc")
    return SimpleNamespace(**{name: getattr(version, name) for name in _VERSION_FIELDS}, ceilings=rows,
                           total=sum(r.ceiling_cents for r in rows))


@blp.route("/key-datasets")
@requires(KEYDATA_READ)
@blp.response(200, KeyDatasetOut(many=True))
def list_datasets():
    return services.list_datasets()


@blp.route("/key-datasets", methods=["POST"])
@requires(KEYDATA_IMPORT)
@blp.arguments(KeyDatasetIn)
@blp.response(201, KeyDatasetOut)
def import_dataset(data):
    dataset = keydata.import_dataset(text=data.pop("csv"), actor=g.actor, **data)
    return dataset


@blp.route("/versions")
@requires(OWN_CEILING)
@blp.response(200, VersionOut(many=True))
@blp.paginate(SelectPage)
def list_versions():
    return services.visible_versions(g.actor, get_programme().id)


@blp.route("/versions", methods=["POST"])
@requires(ALLOCATION_MANAGE)
@blp.arguments(VersionIn)
@blp.response(201, VersionDetailOut)
def create_version(data):
    version = services.create_version(get_programme(), actor=g.actor, **data)
    return _detail(version, g.actor)


@blp.route("/versions/<id:version_id>")
@requires(OWN_CEILING)
@blp.arguments(SortQuery, location="query")
@blp.response(200, VersionDetailOut)
def show_version(query, version_id: int):
    """Kommune users get the published/superseded versions with their own row only."""
    return _detail(services.get_version(version_id, g.actor), g.actor, query["sort"], query["direction"])


@blp.route("/versions/<id:version_id>/ceilings/<string(length=5):ags>")
@requires(OWN_CEILING)
@blp.response(200, ExplanationOut)
def explain(version_id: int, ags: str):
    version = services.get_version(version_id, g.actor)
    ceiling = services.ceiling_of(version, ags, g.actor)
    steps = [{"label": label, "value": value} for label, value in services.explain(version, ceiling)]
    return {"version_id": version.id, "ags": ags, "ceiling_cents": ceiling.ceiling_cents, "steps": steps}


@blp.route("/versions/<id:version_id>/publish", methods=["POST"])
@requires(ALLOCATION_MANAGE)
@blp.response(200, VersionOut)
def publish(version_id: int):
    version = services.publish_version(services.get_version(version_id, g.actor), actor=g.actor)
    return version


@blp.route("/versions/<id:version_id>/redistribute", methods=["POST"])
@requires(ALLOCATION_MANAGE)
@blp.arguments(RedistributeIn)
@blp.response(201, VersionDetailOut)
def redistribute(data, version_id: int):
    new = services.redistribute_version(services.get_version(version_id, g.actor), actor=g.actor, note=data["note"])
    return _detail(new, g.actor)


@blp.route("/versions/<id:version_id>/export")
@requires(ALLOCATION_READ)
@blp.arguments(ExportQuery, location="query")
@blp.response(200, content_type="text/csv")
def export(query, version_id: int):
    version = services.get_version(version_id, g.actor)
    return version_export(version, services.table_rows(version, g.actor), query["format"])


@blp.route("/give-backs")
@requires(GIVE_BACK_READ)
@blp.response(200, GiveBackOut(many=True))
def list_give_backs():
    return services.list_give_backs(g.actor, get_programme().id)


@blp.route("/give-backs", methods=["POST"])
@requires(GIVE_BACK_DECLARE)
@blp.arguments(GiveBackIn)
@blp.response(201, GiveBackOut)
def declare_give_back(data):
    give_back = services.declare_give_back(get_programme(), actor=g.actor, **data)
    return give_back


@blp.route("/positions")
@requires(POSITIONS_READ)
@blp.arguments(PositionsQuery, location="query")
@blp.response(200, PositionOut(many=True))
def positions(query):
    return services.positions(query["dataset_id"], query["total"])


@blp.route("/position-versions")
@requires(POSITIONS_READ)
@blp.response(200, PositionsVersionOut(many=True))
def position_versions():
    return services.positions_versions(get_programme().id)


@blp.route("/position-versions", methods=["POST"])
@requires(ALLOCATION_MANAGE)
@blp.arguments(PositionsVersionIn)
@blp.response(201, PositionsVersionOut)
def create_position_version(data):
    return services.create_positions_version(get_programme(), actor=g.actor, dataset_id=data["dataset_id"],
                                             total_positions=data["total"], title=data["title"])


@blp.route("/position-versions/<id:version_id>/publish", methods=["POST"])
@requires(ALLOCATION_MANAGE)
@blp.response(200, PositionsVersionOut)
def publish_position_version(version_id: int):
    return services.publish_positions_version(services.get_positions_version(version_id), actor=g.actor)


@blp.route("/positions/export")
@requires(POSITIONS_READ)
@blp.arguments(PositionsExportQuery, location="query")
@blp.response(200, content_type="text/csv")
def positions_download(query):
    return positions_export(services.positions(query["dataset_id"], query["total"]), query["format"])

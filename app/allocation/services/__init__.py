"""Allocation use cases, one module per concern; this package is the domain's service interface.

* ``reading``: key data sets, versions, the published ceiling (other domains read ceilings only
  through ``published_ceiling``/``usable_ceiling_cents``);
* ``tables``: a version's table, its chain of redistributions, the explanation of a ceiling;
* ``versions``: compute, publish and redistribute versions;
* ``give_backs``: declarations and money released by reducing amendments;
* ``positions``: the F6 positions.

Each use case flushes and writes an audit entry; the request edge commits.
"""

from .give_backs import declare_give_back, list_give_backs, open_give_backs, release_to_redistribution
from .positions import (
    F6_POSITIONS,
    PositionRow,
    create_positions_version,
    get_positions_version,
    positions,
    positions_versions,
    publish_positions_version,
    published_positions,
)
from .reading import (
    ceiling_of,
    current_version,
    get_dataset,
    get_version,
    list_datasets,
    open_give_back_cents,
    published_ceiling,
    usable_ceiling_cents,
    visible_versions,
)
from .tables import SORT_KEYS, TableRow, explain, table_rows, version_chain
from .versions import create_version, next_version_number, publish_version, redistribute_version

__all__ = [
    "F6_POSITIONS", "SORT_KEYS", "PositionRow", "TableRow", "ceiling_of", "create_positions_version",
    "create_version", "current_version", "get_positions_version", "positions_versions",
    "publish_positions_version", "published_positions",
    "declare_give_back", "explain", "get_dataset", "get_version", "list_datasets", "list_give_backs",
    "next_version_number", "open_give_back_cents", "open_give_backs", "positions", "publish_version",
    "published_ceiling", "redistribute_version", "release_to_redistribution", "table_rows", "usable_ceiling_cents",
    "version_chain", "visible_versions",
]

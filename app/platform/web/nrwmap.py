"""The map of NRW's 53 Kreise and kreisfreie Städte as server-rendered SVG.

Boundaries: ``app/reference/data/geo/nrw_kreise.geojson`` (BKG VG250, © GeoBasis-DE / BKG,
dl-de/by-2-0; attribution shown under every map). Projection: equirectangular with the longitude
scaled by cos(51.5°) — accurate enough for a state of NRW's size and free of dependencies. Paths
are computed once per process (the geometry never changes) and coloured per request.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext
from markupsafe import Markup, escape

GEOJSON = Path(__file__).resolve().parents[2] / "reference" / "data" / "geo" / "nrw_kreise.geojson"
ATTRIBUTION = "Grenzen: © GeoBasis-DE / BKG (VG250, Stand 31.12.2018), Datenlizenz Deutschland – Namensnennung 2.0"
# Sequential blue scale (light to dark), each step distinguishable; the legend names the ranges.
SCALE = ["#dbe7f3", "#a9c6e4", "#6fa0cf", "#3a76b4", "#0b4f8a"]
NO_DATA = "#eeeeee"


@dataclass(frozen=True)
class MapArea:
    ags: str
    name: str
    path: str


@lru_cache(maxsize=1)
def map_areas(width: int = 640) -> tuple[tuple[MapArea, ...], int, int]:
    """The 53 areas as SVG path data, with the SVG width and height."""
    data = json.loads(GEOJSON.read_text(encoding="utf-8"))
    scale_x = math.cos(math.radians(51.5))
    rings_by_area = []
    min_x = min_y = math.inf
    max_x = max_y = -math.inf
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        rings = []
        for polygon in polygons:
            for ring in polygon:
                projected = [(lon * scale_x, -lat) for lon, lat in ring]
                rings.append(projected)
                for px, py in projected:
                    min_x, max_x, min_y, max_y = min(min_x, px), max(max_x, px), min(min_y, py), max(max_y, py)
        rings_by_area.append((feature["properties"]["ags"], feature["properties"]["name"], rings))
    factor = (width - 20) / (max_x - min_x)
    height = int((max_y - min_y) * factor) + 20
    areas = []
    for ags, name, rings in rings_by_area:
        path = " ".join(
            "M" + " L".join(f"{(px - min_x) * factor + 10:.1f},{(py - min_y) * factor + 10:.1f}" for px, py in ring)
            + " Z" for ring in rings)
        areas.append(MapArea(ags, name, path))
    return tuple(sorted(areas, key=lambda a: a.ags)), width, height


def _round_up(value: int, digits: int = 2) -> int:
    """Round a class bound up to two significant digits, so the legend reads "bis 720 Tsd. €", not
    "bis 716.468,15 €" (classes stay contiguous: every value still falls under a bound at or above it)."""
    if value <= 0:
        return value
    unit = 10 ** max(len(str(value)) - digits, 0)
    return -(-value // unit) * unit


def classify(values: Mapping[str, int | None], steps: int = len(SCALE)) -> tuple[dict[str, int], list[int]]:
    """Equal-interval classes over the present values: {ags: class index} and the class bounds."""
    present = [v for v in values.values() if v is not None]
    if not present:
        return {}, []
    low, high = min(present), max(present)
    inner = [_round_up(low + (high - low) * i // steps) for i in range(1, steps)]
    bounds = [low, *[min(bound, high) for bound in inner], high]
    classes = {}
    for ags, value in values.items():
        if value is None:
            continue
        index = next((i for i in range(steps) if value <= bounds[i + 1]), steps - 1)
        classes[ags] = index
    return classes, bounds


def render_map(values: Mapping[str, int | None], *, title: str, link: Callable[[str], str | None],
               value_label: Callable[[int], str] = str, names: Mapping[str, str] | None = None,
               categories: Mapping[int, tuple[str, str]] | None = None,
               legend_label: Callable[[int], str] | None = None) -> Markup:
    """The NRW map coloured by ``values`` (ags -> integer measure); each area links to ``link(ags)``.

    ``categories`` ({value: (colour, legend label)}) colours a categorical measure (e.g. at risk yes/no)
    instead of the equal-interval classes.
    """
    areas, width, height = map_areas()
    classes, bounds = ({}, []) if categories else classify(values)
    # With links the map is a group of interactive areas (role=img would hide them from assistive tech).
    role = "group" if any(link(area.ags) for area in areas) else "img"
    parts = [f'<figure class="nrw-map"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 40}" '
             f'role="{role}" aria-labelledby="map-title"><title id="map-title">{escape(title)}</title>']
    for area in areas:
        value = values.get(area.ags)
        if categories:
            colour = categories[value][0] if value in categories else NO_DATA
        else:
            colour = SCALE[classes[area.ags]] if area.ags in classes else NO_DATA
        name = (names or {}).get(area.ags, area.name)
        label = f"{name}: {value_label(value) if value is not None else 'keine Daten'}"
        shape = (f'<path d="{area.path}" fill="{colour}" stroke="#ffffff" stroke-width="0.8" '
                 f'data-ags="{area.ags}"><title>{escape(label)}</title></path>')
        target = link(area.ags)
        parts.append(f'<a href="{escape(target)}" aria-label="{escape(label)}">{shape}</a>' if target else shape)
    legend = ([(colour, label) for colour, label in categories.values()] if categories else
              [(SCALE[i], gettext("bis %(value)s", value=(legend_label or value_label)(bounds[i + 1])))
               for i in range(len(bounds) - 1)])
    legend.append((NO_DATA, gettext("keine Daten")))
    for i, (colour, label) in enumerate(legend):
        x = 10 + i * 105
        parts.append(f'<rect x="{x}" y="{height + 8}" width="16" height="12" fill="{colour}" stroke="#888"/>'
                     f'<text x="{x + 20}" y="{height + 18}" font-size="10">{escape(label)}</text>')
    parts.append(f'</svg><figcaption class="muted">{escape(ATTRIBUTION)}</figcaption></figure>')
    return Markup("".join(parts))

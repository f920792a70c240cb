"""Malmö's municipal border, drawn under the map's cells: cut from a file of Sweden's municipalities and
checked when it is read.

The border is data like the figures: the project ships data/geo/malmo_border.geojson, one feature whose
`source_id` names its row in data/sources.csv, and the map page lists that source in its footer. It is cut
from the municipalities of okfse/sweden-geojson, already simplified (Malmö has 25 points), with
`python -m slutaskjut cut-border FILE > data/geo/malmo_border.geojson` (see data/README.md). A GeoJSON file
is no table, so it is not in the database: `read` checks it when the page reads it and raises a DataError
naming what is wrong, as the loader does for a CSV file: each problem a text of the catalogue (texts.toml,
data_problem), so the page lists it in the reader's language.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from slutaskjut.problems import DataError, Problem

BORDER_FILE = Path("geo") / "malmo_border.geojson"  # in the data folder
MALMO_CODE = "1280"  # Malmö's municipality code, the `id` of its feature in the municipalities file
SOURCE_ID = "okfse_sweden_geojson"  # the municipalities file's row in data/sources.csv
DECIMALS = 5  # about a metre: finer than the simplified border
# Sweden's bounding box (longitude, latitude): a border point outside it is a mistake (swapped axes, another
# projection), wherever the file came from.
SWEDEN_LON, SWEDEN_LAT = (10.9, 24.2), (55.3, 69.1)


@dataclass(frozen=True)
class Border:
    """The municipality's outline: polygons of rings of [longitude, latitude] (the first ring of each polygon is
    its outside, any others holes), and the source it comes from."""

    polygons: list[list[list[list[float]]]]
    source_id: str


def cut(municipalities: dict, code: str = MALMO_CODE, source_id: str = SOURCE_ID) -> dict:
    """The feature of municipality `code` alone, as GeoJSON to ship, from a FeatureCollection of municipalities
    whose features carry the code in `properties.id` (okfse/sweden-geojson). Coordinates are rounded to DECIMALS;
    the properties kept are the name, the code and `source_id`."""
    features = _object(municipalities).get("features")
    found = [f for f in features or [] if str(_object(_object(f).get("properties")).get("id")) == code]
    if len(found) != 1:
        raise DataError(
            [Problem.of("municipalities", 0, "properties.id", "municipality_not_one", count=len(found), code=code)]
        )
    (feature,) = found
    geometry = feature["geometry"]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "name": feature["properties"].get("kom_namn"),
                    "municipality_code": code,
                    "source_id": source_id,
                },
                "geometry": {"type": geometry["type"], "coordinates": _rounded(geometry["coordinates"])},
            }
        ],
    }


def _rounded(coordinates):
    if isinstance(coordinates[0], (int, float)):
        return [round(value, DECIMALS) for value in coordinates]
    return [_rounded(part) for part in coordinates]


def read(path: Path) -> Border:
    """The border in `path`, checked: one feature, a Polygon or MultiPolygon of closed rings of at least four
    points, each a longitude and latitude inside Sweden, and a source_id. Raises DataError listing every problem.
    Whether the source is in sources.csv the page checks (check_source) with the sources query that puts the
    source in its footer.

    Read once while the file's time and size stay the same: the map page asks for it on every run, and a
    reader's change reads no data file (tests/test_pages.py)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise DataError([Problem.of(path.name, 0, "-", "file_missing")]) from None
    return _read(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _read(path: Path, mtime_ns: int, size: int) -> Border:
    name = path.name
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError([Problem.of(name, 0, "-", "file_missing")]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError([Problem.of(name, 0, "-", "border_not_json", reason=str(error))]) from None
    features = _object(collection).get("features")
    if _object(collection).get("type") != "FeatureCollection" or not isinstance(features, list) or len(features) != 1:
        raise DataError([Problem.of(name, 0, "features", "border_not_one_feature")])
    properties, geometry = (
        _object(_object(features[0]).get("properties")),
        _object(_object(features[0]).get("geometry")),
    )
    problems = []
    source_id = properties.get("source_id")
    if not isinstance(source_id, str) or not source_id.strip():
        problems.append(Problem.of(name, 0, "properties.source_id", "value_missing"))
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    polygons = {"Polygon": [coordinates], "MultiPolygon": coordinates}.get(kind)
    if not isinstance(polygons, list) or not polygons or not all(isinstance(p, list) and p for p in polygons):
        problems.append(Problem.of(name, 0, "geometry", "border_not_polygon"))
    else:
        for p, polygon in enumerate(polygons):
            for r, ring in enumerate(polygon):
                problems += _ring_problems(name, f"geometry.coordinates[{p}][{r}]", ring)
    if problems:
        raise DataError(problems)
    return Border(polygons, source_id.strip())


def check_source(outline: Border, sources: pd.DataFrame) -> None:
    """Raise DataError unless `sources`, the sources query run for the border's source_id, holds its row: the
    loader's check of a source_id against sources.csv, for a file the loader does not read."""
    if outline.source_id not in set(sources["source_id"]):
        problem = Problem.of(
            BORDER_FILE.name, 0, "source_id", "unknown_reference", name="source_id", value=outline.source_id
        )
        raise DataError([problem])


def _object(value) -> dict:
    """A JSON object as a dict; anything else as an empty one, so a wrong type reads as a missing member."""
    return value if isinstance(value, dict) else {}


def _ring_problems(file: str, where: str, ring) -> list[Problem]:
    if not isinstance(ring, list) or len(ring) < 4:
        return [Problem.of(file, 0, where, "border_ring_too_short")]
    problems = []
    for number, position in enumerate(ring):
        if not _inside_sweden(position):
            problems.append(
                Problem.of(file, 0, f"{where}[{number}]", "border_point_outside_sweden", position=repr(position))
            )
    if not problems and ring[0] != ring[-1]:
        problems.append(Problem.of(file, 0, where, "border_ring_not_closed"))
    return problems


def _inside_sweden(position) -> bool:
    if not isinstance(position, list) or len(position) != 2:
        return False
    if not all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in position):
        return False
    lon, lat = position
    return SWEDEN_LON[0] <= lon <= SWEDEN_LON[1] and SWEDEN_LAT[0] <= lat <= SWEDEN_LAT[1]  # NaN is never inside

"""The map's place: Malmö's border under the cells with its source, cells named by district, Swedish numbers, and
a basemap a deployment may set (issue 13)."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import shipped
from conftest import extract_database, footer_lines, run_page
from test_extract_views import MAP_ROWS, decks, incident, incidents, layer_data, point
from test_map_privacy import scattered_rows

from slutaskjut import border, maps, markdown
from slutaskjut.__main__ import main
from slutaskjut.extract_schema import INCIDENT_KINDS
from slutaskjut.i18n import t
from slutaskjut.paths import ROOT
from slutaskjut.problems import DataError
from slutaskjut.queries import run_query

SHIPPED_BORDER = shipped.data_dir() / border.BORDER_FILE
MUNICIPALITIES = ROOT.parent / "shared" / "data" / "geo" / "swedish-municipalities.geojson"  # not in the repository
STORTORGET, LUND = (13.0038, 55.6050), (13.1910, 55.7047)  # (longitude, latitude) of Malmö's centre, and of Lund's
STYLE = "https://tiles.example.org/styles/streets/style.json?key=abc"


# The outline ----------------------------------------------------------------------------------------


def crosses(a, b, c, d) -> bool:
    """Whether the segments ab and cd cross at a point inside both."""

    def side(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    return side(a, b, c) * side(a, b, d) < 0 and side(c, d, a) * side(c, d, b) < 0


def inside(position, ring) -> bool:
    """Whether a (longitude, latitude) lies inside a ring, by counting the edges a ray to the east crosses."""
    x, y = position
    edges = zip(ring, ring[1:], strict=False)
    return sum((a[1] > y) != (b[1] > y) and x < a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]) for a, b in edges) % 2


def test_the_shipped_outline_is_malmo_as_a_simple_polygon_with_its_source():
    outline = border.read(SHIPPED_BORDER)
    (polygon,) = outline.polygons
    (ring,) = polygon  # no holes
    assert len(ring) >= 4 and ring[0] == ring[-1]
    edges = list(zip(ring, ring[1:], strict=False))
    assert not [
        (e, f) for (i, e), (j, f) in itertools.combinations(enumerate(edges), 2) if j > i + 1 and crosses(*e, *f)
    ], "the outline crosses itself"
    assert all(
        border.SWEDEN_LON[0] <= lon <= border.SWEDEN_LON[1] and border.SWEDEN_LAT[0] <= lat <= border.SWEDEN_LAT[1]
        for lon, lat in ring
    )
    assert inside(STORTORGET, ring) and not inside(LUND, ring), "the outline is Malmö's"
    assert inside((maps.MALMO_VIEW["longitude"], maps.MALMO_VIEW["latitude"]), ring), "the map opens on it"
    sources = shipped.tables()["sources"].set_index("source_id")
    assert outline.source_id in sources.index, "its source is in data/sources.csv"
    assert sources.loc[outline.source_id, "url"] and sources.loc[outline.source_id, "publisher"]


def municipalities() -> dict:
    """Two municipalities as the okfse file has them, coordinates to 15 decimals, Malmö's a square."""

    def feature(code: str, name: str, lon: float) -> dict:
        square = [[lon, 55.5], [lon + 0.1, 55.5], [lon + 0.1, 55.6], [lon, 55.6], [lon, 55.5]]
        return {
            "type": "Feature",
            "properties": {"lan_code": "12", "kom_namn": name, "id": code, "geo_point_2d": [55.55, lon + 0.05]},
            "geometry": {"type": "Polygon", "coordinates": [[[x + 1.23456789e-9, y] for x, y in square]]},
        }

    return {"type": "FeatureCollection", "features": [feature("1281", "Lund", 13.1), feature("1280", "Malmö", 12.9)]}


def test_cut_border_prints_malmo_alone_with_its_source(tmp_path, capsys):
    path = tmp_path / "municipalities.geojson"
    path.write_text(json.dumps(municipalities()), encoding="utf-8")
    assert main(["cut-border", str(path)]) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed) == border.cut(municipalities())
    (feature,) = json.loads(printed)["features"]
    assert feature["properties"] == {"name": "Malmö", "municipality_code": "1280", "source_id": border.SOURCE_ID}
    assert feature["geometry"]["coordinates"][0][:2] == [[12.9, 55.5], [13.0, 55.5]], "rounded to 5 decimals"
    shipped_file = tmp_path / "malmo_border.geojson"
    shipped_file.write_text(printed, encoding="utf-8")
    assert border.read(shipped_file).polygons == [feature["geometry"]["coordinates"]]
    without_malmo = {"type": "FeatureCollection", "features": municipalities()["features"][:1]}
    with pytest.raises(DataError, match="0 features have id 1280"):
        border.cut(without_malmo)
    assert main(["cut-border", str(tmp_path / "none.geojson")]) == 2
    assert "file not found" in capsys.readouterr().err


@pytest.mark.skipif(not MUNICIPALITIES.exists(), reason="the shared municipalities file is not beside the repository")
def test_cutting_the_municipalities_again_gives_the_shipped_file(capsys):
    assert main(["cut-border", str(MUNICIPALITIES)]) == 0
    assert capsys.readouterr().out == SHIPPED_BORDER.read_text(encoding="utf-8")


def feature_collection(geometry: dict, properties: dict | None = None) -> dict:
    properties = {"source_id": border.SOURCE_ID} if properties is None else properties
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": properties, "geometry": geometry}],
    }


SQUARE = [[13.0, 55.5], [13.1, 55.5], [13.1, 55.6], [13.0, 55.6], [13.0, 55.5]]


@pytest.mark.parametrize(
    ("content", "column", "message"),
    [
        ("{not json", "-", "not a JSON file"),
        (json.dumps([1, 2]), "features", "one feature"),
        (json.dumps({"type": "FeatureCollection", "features": []}), "features", "one feature"),
        (json.dumps(feature_collection({"type": "Point", "coordinates": [13.0, 55.6]})), "geometry", "Polygon"),
        (json.dumps(feature_collection({"type": "Polygon", "coordinates": [SQUARE]}, {})), "properties.source_id", ""),
        (json.dumps(feature_collection({"type": "Polygon", "coordinates": [SQUARE[:-1]]})), "[0][0]", "not closed"),
        (json.dumps(feature_collection({"type": "Polygon", "coordinates": [SQUARE[:3]]})), "[0][0]", "at least 4"),
        (  # latitude and longitude swapped
            json.dumps(feature_collection({"type": "Polygon", "coordinates": [[[y, x] for x, y in SQUARE]]})),
            "geometry.coordinates[0][0][0]",
            "not a longitude, latitude in Sweden",
        ),
        (  # in metres (SWEREF 99 TM), not degrees
            json.dumps(feature_collection({"type": "MultiPolygon", "coordinates": [[[[374000, 6160000]] * 4]]})),
            "geometry.coordinates[0][0][0]",
            "in Sweden",
        ),
    ],
)
def test_a_broken_border_file_is_a_data_error_naming_what_is_wrong(tmp_path, content, column, message):
    path = tmp_path / "malmo_border.geojson"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as raised:
        border.read(path)
    assert any(column in problem.column and message in problem.message for problem in raised.value.problems), [
        str(problem) for problem in raised.value.problems
    ]
    assert all(problem.file == path.name for problem in raised.value.problems)
    assert all(problem.key for problem in raised.value.problems), "each a catalogue text, so a page words it in Swedish"


def test_a_border_whose_source_is_not_in_the_sources_is_refused():
    outline = border.Border([[SQUARE]], "nowhere")
    with pytest.raises(DataError, match="unknown source_id 'nowhere'") as raised:
        border.check_source(outline, pd.DataFrame({"source_id": []}))
    (problem,) = raised.value.problems
    assert (
        markdown.plain(problem.text("sv")) == "malmo_border.geojson, rad 0, kolumn source_id: okänd source_id 'nowhere'"
    )
    border.check_source(
        border.Border([[SQUARE]], "okfse_sweden_geojson"),
        pd.DataFrame({"source_id": [outline.source_id, "okfse_sweden_geojson"]}),
    )


# Cells named by district ------------------------------------------------------------------------------


def cell_districts(con, first: int = 2019, last: int = 2019, kind: str = "all") -> dict[str, tuple]:
    """Each shown cell's named districts (a set) and whether some of its incidents are in districts not named."""
    cells = run_query(con, "incidents_by_cell", from_year=first, to_year=last, kind=kind, min_count=3, **maps.GRID)
    shown = cells[cells["row_type"] == "cell"]
    return {
        row.cell_id: (set() if pd.isna(row.district) else set(row.district.split(", ")), bool(row.unnamed_districts))
        for row in shown.itertuples()
    }


def test_a_cell_is_named_by_the_districts_with_a_count_of_a_kind_and_year_that_reaches_the_threshold(tmp_path):
    def at(east: float, north: float, district: str | None, kind: str = "shooting") -> dict:
        return incident("2019-05-01", kind, place=point(east, north), district=district)

    # one district; an explosion in Hyllie is a small count of its kind and year: it is not counted, and names nothing
    fosie = [at(0, 0, "Fosie")] * 3 + [at(100, 0, "Hyllie", "explosion")]
    # two districts named, each by a kind of its own, and one shooting of Kirseberg among Rosengård's
    rosengard = [at(0, 3000, "Rosengård")] * 3 + [at(0, 3000, "Kirseberg")] + [at(0, 3000, "Husie", "explosion")] * 3
    oxie = [at(6000, 0, district) for district in ("Oxie", "Oxie", None)]  # Oxie has 2: not named
    unknown = [at(-6000, 0, None)] * 3
    rows = fosie + rosengard + oxie + unknown
    path = extract_database(tmp_path / "districts.duckdb", incidents=incidents(rows))
    with duckdb.connect(str(path), read_only=True) as con:
        assert sorted(cell_districts(con).values(), key=str) == sorted(
            [({"Fosie"}, False), ({"Husie", "Rosengård"}, True), (set(), True), (set(), False)], key=str
        )
        assert sorted(map(str, cell_districts(con, kind="shooting").values())) == sorted(
            map(str, [({"Fosie"}, False), ({"Rosengård"}, True), (set(), True), (set(), False)])
        )


@pytest.fixture(scope="module")
def scattered(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    """test_map_privacy's incidents: around a few places, in districts drawn regardless of the place."""
    path = extract_database(
        tmp_path_factory.mktemp("scattered") / "scattered.duckdb", incidents=incidents(scattered_rows())
    )
    with duckdb.connect(str(path), read_only=True) as connection:
        yield connection


def test_a_view_names_the_districts_its_single_years_and_kinds_name(scattered):
    """The names follow the counts' rule: a view names for a cell the districts its years and kinds name one by one,
    so comparing two views tells no more than comparing their single years and kinds, where each name stands for
    at least the threshold."""
    single = {
        (year, kind): cell_districts(scattered, year, year, kind)
        for year in range(2016, 2020)
        for kind in INCIDENT_KINDS
    }
    for first, last in itertools.combinations_with_replacement(range(2016, 2020), 2):
        for kind in maps.KINDS:
            view = cell_districts(scattered, first, last, kind)
            windows = [
                (year, k) for year in range(first, last + 1) for k in (INCIDENT_KINDS if kind == "all" else [kind])
            ]
            for cell, (names, _) in view.items():
                assert names == set().union(*(single[w].get(cell, (set(), False))[0] for w in windows)), (
                    cell,
                    first,
                    last,
                )
    assert any(len(names) > 1 for names, _ in cell_districts(scattered, 2016, 2019).values()), "the test can fail"


def test_a_cell_reads_its_districts_or_says_in_words_that_none_is_named():
    cells = pd.DataFrame(
        {
            "row_type": ["cell", "cell", "cell", "cell", "small_cells"],
            "cell_id": ["0,0", "1,0", "2,0", "3,0", None],
            "district": ["Fosie", "Husie, Rosengård", None, None, None],
            "unnamed_districts": [False, True, True, False, None],
            "latitude": [55.6, 55.6, 55.6, 55.6, None],
            "longitude": [13.0, 13.03, 13.06, 13.09, None],
            "count": [12, 4, 3, 3, 2],
        }
    )
    named = maps.with_district_names(cells, "sv", 3)["district"]
    assert named[:4].tolist() == [
        "Fosie",
        "Husie, Rosengård med flera",
        "Ingen stadsdel når 3 händelser",
        "Stadsdel saknas",
    ]
    assert pd.isna(named[4]), "the other rows are left for name_merged_rows"
    deck = json.loads(maps.cell_deck(cells, lang="sv", threshold=3, kind="shooting").to_json())
    assert [cell["tooltip"] for cell in layer_data(deck, "cells")] == [
        "Fosie\n12 skjutningar i rutan\nRutans mitt: 55,600° N, 13,000° Ö",
        "Husie, Rosengård med flera\n4 skjutningar i rutan\nRutans mitt: 55,600° N, 13,030° Ö",
        "Ingen stadsdel når 3 händelser\n3 skjutningar i rutan\nRutans mitt: 55,600° N, 13,060° Ö",
        "Stadsdel saknas\n3 skjutningar i rutan\nRutans mitt: 55,600° N, 13,090° Ö",
    ]
    english = json.loads(maps.cell_deck(cells, lang="en", threshold=3).to_json())
    assert layer_data(english, "cells")[1]["tooltip"] == (
        "Husie, Rosengård and others\n4 incidents in the cell\nCell centre: 55.600° N, 13.030° E"
    )


# The page ---------------------------------------------------------------------------------------------


@pytest.fixture
def map_database(tmp_path, monkeypatch):
    monkeypatch.setenv("SLUTASKJUT_DB", str(extract_database(tmp_path / "map.duckdb", incidents=incidents(MAP_ROWS))))
    monkeypatch.delenv("SLUTASKJUT_MIN_COUNT", raising=False)
    monkeypatch.delenv(maps.STYLE_SETTING, raising=False)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_map_page_draws_the_border_under_the_cells_and_names_its_source(map_database, lang):
    app = run_page("pages/map.py", lang=lang, **{"from": "2016", "to": "2020"})
    assert not app.exception, app.exception[0].value if app.exception else ""
    (deck,) = decks(app)
    assert [layer["id"] for layer in deck["layers"]] == ["border", "cells", "labels"], "the border under the cells"
    assert [row["polygon"] for row in layer_data(deck, "border")] == border.read(SHIPPED_BORDER).polygons
    assert deck["mapStyle"] == maps.BLANK_STYLE_URL and "http" not in json.dumps(deck)
    source = shipped.tables()["sources"].set_index("source_id").loc[border.SOURCE_ID]
    assert any(f"**{source['publisher']}**: {source['title']} (" in markdown.plain(line) for line in footer_lines(app))
    captions = " ".join(caption.value for caption in app.caption)
    assert t("map.border", lang) in captions and t("map.basemap_blank", lang) in captions
    notices = [t("map.border_error", lang), t("map.style_ignored", lang, setting=maps.STYLE_SETTING)]
    assert not [w.value for w in app.warning if any(w.value.startswith(notice) for notice in notices)]


def test_swedish_map_page_names_cells_by_district_in_swedish_numbers(map_database):
    app = run_page("pages/map.py", lang="sv", **{"from": "2016", "to": "2020"})
    (deck,) = decks(app)
    tooltips = [cell["tooltip"] for cell in layer_data(deck, "cells")]
    assert [tooltip.split("\n")[0] for tooltip in tooltips] == ["Fosie", "Oxie"]
    for tooltip in tooltips:
        assert re.fullmatch(r"\S+\n\d+ händelser i rutan\nRutans mitt: 55,\d{3}° N, 1[23],\d{3}° Ö", tooltip), tooltip
        assert "0,0" not in tooltip and "-1,2" not in tooltip and "." not in tooltip, "no cell id, no English decimal"
    cells = app.dataframe[-2].value
    assert all(re.fullmatch(r"\d\d,\d{5}", value) for value in cells.iloc[:2, 2:4].to_numpy().ravel()), cells
    texts = json.dumps([layer["data"] for layer in deck["layers"]], ensure_ascii=False)
    assert not re.search(r"\b(cell|incidents?|district|centre)\b", texts, re.IGNORECASE), "no English in the deck"


def test_a_basemap_set_by_the_deployment_is_used_and_named(map_database, monkeypatch):
    monkeypatch.setenv(maps.STYLE_SETTING, STYLE)
    app = run_page("pages/map.py", lang="sv", **{"from": "2016", "to": "2020"})
    (deck,) = decks(app)
    assert deck["mapStyle"] == STYLE
    (outline,) = [layer for layer in deck["layers"] if layer["id"] == "border"]
    assert outline["filled"] is False, "the basemap shows through Malmö"
    captions = " ".join(caption.value for caption in app.caption)
    assert t("map.basemap_from", "sv", host="tiles.example.org") in captions and "key=abc" not in captions
    assert t("map.style_ignored", "sv", setting=maps.STYLE_SETTING) not in [w.value for w in app.warning]


@pytest.mark.parametrize(
    "setting",
    ["http://tiles.example.org/style.json", "tiles.example.org/style.json", "https://", "javascript:alert(1)"],
)
def test_a_basemap_setting_that_is_no_https_address_falls_back_to_the_blank_one_with_a_notice(
    map_database, monkeypatch, setting
):
    monkeypatch.setenv(maps.STYLE_SETTING, setting)
    app = run_page("pages/map.py", lang="sv", **{"from": "2016", "to": "2020"})
    assert decks(app)[0]["mapStyle"] == maps.BLANK_STYLE_URL
    notice = t("map.style_ignored", "sv", setting=maps.STYLE_SETTING)
    assert notice in [warning.value for warning in app.warning]
    assert not [w.value for w in app.warning if setting in w.value], (
        "the setting's value (it may hold a key) is not shown"
    )


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (None, (maps.BLANK, False)),
        ("  ", (maps.BLANK, False)),
        (f" {STYLE} ", (maps.Basemap(STYLE, "tiles.example.org"), False)),
        ("https://[::1/style.json", (maps.BLANK, True)),
        ("https://tiles.example.org/a style.json", (maps.BLANK, True)),
        ("https://tiles.example.org/\x1b[31m.json", (maps.BLANK, True)),
        ("mapbox://styles/mapbox/streets-v11", (maps.BLANK, True)),
    ],
)
def test_configured_basemap(setting, expected):
    assert maps.configured_basemap(setting) == expected


def test_a_broken_border_is_shown_as_a_data_error_and_the_cells_still_drawn(map_database, monkeypatch, tmp_path):
    broken = tmp_path / "malmo_border.geojson"
    broken.write_text(
        json.dumps(feature_collection({"type": "Polygon", "coordinates": [SQUARE]}, {"source_id": "nowhere"}))
    )
    monkeypatch.setattr(border, "BORDER_FILE", broken)  # absolute: the data folder is left aside
    app = run_page("pages/map.py", lang="sv", **{"from": "2016", "to": "2020"})
    assert not app.exception, app.exception[0].value if app.exception else ""
    (deck,) = decks(app)
    assert [layer["id"] for layer in deck["layers"]] == ["cells", "labels"]
    (warning,) = [w.value for w in app.warning if w.value.startswith(t("map.border_error", "sv"))]
    assert "malmo\\_border.geojson, rad 0, kolumn source\\_id: okänd source\\_id 'nowhere'" in warning
    assert t("map.border", "sv") not in " ".join(caption.value for caption in app.caption)
    monkeypatch.setattr(border, "BORDER_FILE", Path("geo") / "missing.geojson")
    missing = run_page("pages/map.py", lang="en", **{"from": "2016", "to": "2020"})
    assert any("file is missing" in w.value for w in missing.warning) and decks(missing)


SWAPPED = [[y, x] for x, y in SQUARE]  # latitude and longitude swapped: no point in Sweden


@pytest.mark.parametrize(
    ("content", "swedish"),
    [
        (
            json.dumps(feature_collection({"type": "Polygon", "coordinates": [SWAPPED]}, {})),
            [
                "malmo_border.geojson, rad 0, kolumn properties.source_id: värdet saknas",
                "malmo_border.geojson, rad 0, kolumn geometry.coordinates[0][0][0]: "
                "[55.5, 13.0] är inte en longitud, latitud i Sverige",
            ],
        ),
        (
            json.dumps(feature_collection({"type": "Polygon", "coordinates": [SQUARE[:-1]]})),
            ["malmo_border.geojson, rad 0, kolumn geometry.coordinates[0][0]: ringen är inte sluten"],
        ),
    ],
)
def test_a_broken_border_is_listed_in_the_readers_language_naming_the_file(
    map_database, monkeypatch, tmp_path, content, swedish
):
    broken = tmp_path / "malmo_border.geojson"
    broken.write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as raised:
        border.read(broken)
    problems = raised.value.problems
    monkeypatch.setattr(border, "BORDER_FILE", broken)
    listed = {}
    for lang in ("sv", "en"):
        app = run_page("pages/map.py", lang=lang, **{"from": "2016", "to": "2020"})
        assert not app.exception, app.exception[0].value if app.exception else ""
        (listed[lang],) = [
            markdown.plain(w.value) for w in app.warning if w.value.startswith(t("map.border_error", lang))
        ]
    for line in swedish:
        assert f"- {line}" in listed["sv"], listed["sv"]
    assert not [problem.message for problem in problems if problem.message in listed["sv"]], "no English"
    assert not re.search(r"\b(row|column|is not|missing)\b", listed["sv"]), listed["sv"]
    assert [f"- {problem}" for problem in problems] == listed["en"].split("\n\n", 1)[1].split("\n")

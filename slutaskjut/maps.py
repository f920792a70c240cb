"""The map of incidents in hexagonal cells, as a pydeck Deck. Plain functions: no Streamlit.

Privacy: a public map must never show where a single incident happened, in one view or by
comparing two. The cells are counted in SQL (queries/incidents_by_cell.sql) per calendar year and
kind, and only those counts of at least `privacy.min_count()` incidents are added up for a cell,
which comes back with a place, the centre of its hexagon. So a view subtracted from another whose
years and kinds include its own leaves 0 or at least the threshold in every cell. This module
draws those cells as polygons with their counts; it never receives an incident's coordinates, and
it uses no client-side aggregation layer (HexagonLayer, HeatmapLayer, ScreenGridLayer), which would
need every single point sent to the browser. Cells carry no dead or injured: those would place the
few fatal incidents of a cell in it.

Offline basemap. What Streamlit 1.67 does with a Deck (read in the installed package,
elements/deck_gl_json_chart.py and the frontend bundle static/static/js/DeckGlJsonChart.*.js):
- It sends `Deck.to_json()` to the browser. The browser draws the layers with deck.gl and the
  basemap with the mapbox-gl 1.13.3 bundled in Streamlit (react-map-gl's StaticMap), whatever
  `map_provider` says.
- When `mapStyle` is empty, the frontend puts in Carto's positron (or dark-matter) style from
  basemaps.cartocdn.com: an internet request. So the Deck must name a style.
- A style given as a URL is fetched as it is: mapbox-gl rewrites only mapbox:// URLs, and it
  posts its usage events to events.mapbox.com only for tile URLs on mapbox.com; a style with no
  sources has no tiles, so there are no events. mapbox-gl's CSS is in Streamlit's bundle, so
  react-map-gl does not add the stylesheet link to api.tiles.mapbox.com.
- A style given as a dict is not passed on (the frontend takes a string or the first item).
So `map_style` is BLANK_STYLE_URL, static/blank-style.json served by the app itself
(`[server] enableStaticServing = true`): one background layer, no sources, glyphs or sprites.
The URL is relative (no leading slash) so it resolves under any `server.baseUrlPath`.
`map_provider=None` keeps pydeck from reading provider API keys from the environment. The data
is inline and TextLayer draws its characters from the browser's own fonts, so nothing else is
fetched either.

A real basemap. A deployment may set SLUTASKJUT_MAP_STYLE to the https address of a style (mapbox-gl 1.13
reads style version 8; a tile address goes in a style's source, see the README). Every visitor's browser then
fetches the style and its tiles from that host, and the page says so. mapbox-gl shows the attribution of the
style's sources in the map's corner (react-map-gl keeps its attribution control), so the style must carry the
attribution its provider asks for.

Under the cells lies Malmö's municipal border (border.py), and over them no text but their counts: a cell is
named in its tooltip by the districts of its incidents (incidents_by_cell names them by the counts' rule), never
by its id.
"""

from __future__ import annotations

import math
import urllib.parse
from dataclasses import dataclass

import pandas as pd
import pydeck as pdk

from slutaskjut import fmt, markdown
from slutaskjut.border import Border
from slutaskjut.extract_schema import INCIDENT_KINDS
from slutaskjut.i18n import t

KINDS = ["all", *INCIDENT_KINDS]  # the map's choices of kind: the first, all, takes every kind

# The local metric projection around central Malmö and the hexagon size. queries/incidents_by_cell.sql
# counts the cells with these numbers, bound as its parameters (GRID), and this module draws them.
LAT0, LON0 = 55.6, 13.0
METRES_PER_DEGREE_LAT = 110574.0
METRES_PER_DEGREE_LON = 111320 * math.cos(math.radians(LAT0))
CELL_SIZE_M = 1000  # metres from a hexagon's centre to its corners: cells about 1.7 km across
GRID = {
    "origin_lat": LAT0,
    "origin_lon": LON0,
    "metres_per_degree_lat": METRES_PER_DEGREE_LAT,
    "metres_per_degree_lon": METRES_PER_DEGREE_LON,
    "cell_size_m": CELL_SIZE_M,
}

BLANK_STYLE_URL = "app/static/blank-style.json"
STYLE_SETTING = "SLUTASKJUT_MAP_STYLE"  # the environment variable of a deployment's basemap style
# The middle of Malmö's border; at zoom 9.8 its 17 km from west to east fit the 358 px of a phone 390 px wide.
MALMO_VIEW = {"latitude": 55.566, "longitude": 13.016, "zoom": 9.8}
COORDINATE_DECIMALS = 3  # a cell's centre in its tooltip, to about 100 m: the cells are 1.7 km across

LOW_COLOUR, HIGH_COLOUR = (253, 219, 199), (153, 52, 4)  # light to dark orange, the palette's vermillion between
LINE_COLOUR = (255, 255, 255)
MUNICIPALITY_COLOUR, BORDER_COLOUR = (255, 255, 255), (85, 85, 85)  # Malmö white on the grey background


@dataclass(frozen=True)
class Basemap:
    """The map's background: the address of its style, and the host a deployment's style is fetched from (None
    for the blank style the app serves itself)."""

    style: str
    host: str | None = None


BLANK = Basemap(BLANK_STYLE_URL)


def configured_basemap(setting: str | None) -> tuple[Basemap, bool]:
    """The basemap a deployment set (the value of STYLE_SETTING, an https address of a style), else the blank one;
    and whether a setting was ignored because it is no such address, so that the page can say so."""
    if setting is None or not setting.strip():
        return BLANK, False
    address = setting.strip()
    try:
        parts = urllib.parse.urlsplit(address)
        host = parts.hostname
    except ValueError:  # an unclosed [ of an IPv6 host, a port that is not a number
        return BLANK, True
    if parts.scheme != "https" or not host or not address.isprintable() or any(c.isspace() for c in address):
        return BLANK, True
    return Basemap(address, host), False


def hexagon(latitude: float, longitude: float) -> list[list[float]]:
    """The six corners of the pointy-top hexagon centred at a cell's centre, as [lon, lat]."""
    corners = []
    for corner in range(6):
        angle = math.radians(60 * corner - 30)
        x, y = CELL_SIZE_M * math.cos(angle), CELL_SIZE_M * math.sin(angle)
        corners.append([longitude + x / METRES_PER_DEGREE_LON, latitude + y / METRES_PER_DEGREE_LAT])
    return corners


def _colour(share: float) -> list[int]:
    return [round(low + (high - low) * share) for low, high in zip(LOW_COLOUR, HIGH_COLOUR, strict=True)] + [215]


def shown_cells(cells: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The rows of incidents_by_cell that go on the map: cells with a place and at least `threshold`."""
    shown = cells[(cells["row_type"] == "cell") & cells["latitude"].notna() & cells["longitude"].notna()]
    return shown[shown["count"] >= threshold]


def district_name(row, lang: str, threshold: int) -> str:
    """How a shown cell of incidents_by_cell is named, in plain text: the districts named for it, "and others" when
    some of its incidents are in districts not named, or in words that none reaches `threshold` or none is given."""
    others = fmt.flagged(row, "unnamed_districts")
    if fmt.is_missing(row.district):
        key = "map.cell_no_named_district" if others else "map.row_no_district"
        return markdown.plain(t(key, lang, min_count=fmt.count(threshold, lang)))
    return markdown.plain(t("map.cell_districts_and_others", lang, districts=row.district)) if others else row.district


def with_district_names(cells: pd.DataFrame, lang: str, threshold: int) -> pd.DataFrame:
    """incidents_by_cell with every shown cell's district named (district_name) for a table; the other rows keep
    theirs empty, for sentences.name_merged_rows to name."""
    named = [
        district_name(row, lang, threshold) if row.row_type == "cell" else row.district
        for row in cells[["row_type", "district", "unnamed_districts"]].itertuples()
    ]
    return cells.assign(district=named)


def tooltip(row, lang: str, kind: str, threshold: int) -> str:
    """A shown cell's tooltip, in plain text as deck.gl shows it: its districts, its count of incidents of the kind
    chosen and its centre, every number as the language writes it."""
    lines = [
        district_name(row, lang, threshold),
        t("map.tooltip", lang, count=fmt.count(row.count, lang), kind=t(f"incident_kind_lower.{kind}", lang)),
        t(
            "map.tooltip_centre",
            lang,
            latitude=fmt.number(row.latitude, lang, decimals=COORDINATE_DECIMALS),
            longitude=fmt.number(row.longitude, lang, decimals=COORDINATE_DECIMALS),
        ),
    ]
    return "\n".join(markdown.plain(line) for line in lines)


def border_layer(border: Border, *, filled: bool) -> pdk.Layer:
    """Malmö's outline, to lie under the cells, filled in white on the blank basemap (a real one shows through);
    not pickable, so it has no tooltip."""
    return pdk.Layer(
        "PolygonLayer",
        data=[{"polygon": polygon} for polygon in border.polygons],  # a polygon's first ring, then its holes
        id="border",
        get_polygon="polygon",
        get_fill_color=list(MUNICIPALITY_COLOUR),
        get_line_color=list(BORDER_COLOUR),
        line_width_min_pixels=2,
        stroked=True,
        filled=filled,
        pickable=False,
    )


def cell_deck(
    cells: pd.DataFrame,
    *,
    lang: str,
    threshold: int,
    kind: str = "all",
    border: Border | None = None,
    basemap: Basemap = BLANK,
) -> pdk.Deck:
    """A Deck of hexagons, each labelled with its count, over Malmö's border (when there is one) on the basemap.

    `cells` is the result of incidents_by_cell run with GRID and `kind`; rows without a place or under `threshold`
    are left out again here, so a wrong threshold in SQL cannot put a small cell on the map.
    """
    shown = shown_cells(cells, threshold)
    peak = max(shown["count"].max(), 1) if len(shown) else 1
    polygons, labels = [], []
    for row in shown.itertuples():
        share = min(max((row.count - threshold) / max(peak - threshold, 1), 0.0), 1.0)
        count = fmt.count(row.count, lang)
        polygons.append(
            {
                "polygon": hexagon(row.latitude, row.longitude),
                "fill": _colour(share),
                "tooltip": tooltip(row, lang, kind, threshold),
            }
        )
        labels.append(
            {
                "position": [row.longitude, row.latitude],
                "label": count,
                "text_colour": [255, 255, 255] if share > 0.5 else [0, 0, 0],
            }
        )
    layers = [
        *([border_layer(border, filled=basemap == BLANK)] if border else []),  # first: deck.gl draws it under
        pdk.Layer(
            "PolygonLayer",
            data=polygons,
            id="cells",
            get_polygon="polygon",
            get_fill_color="fill",
            get_line_color=list(LINE_COLOUR),
            line_width_min_pixels=1,
            stroked=True,
            filled=True,
            pickable=True,
        ),
        pdk.Layer(
            "TextLayer",
            data=labels,
            id="labels",
            get_position="position",
            get_text="label",
            get_color="text_colour",
            get_size=14,
            get_text_anchor="'middle'",
            get_alignment_baseline="'center'",
            font_weight=700,
        ),
    ]
    return pdk.Deck(
        layers=layers,
        initial_view_state=pdk.ViewState(**MALMO_VIEW),
        map_style=basemap.style,
        map_provider=None,
        tooltip={"text": "{tooltip}"},
    )

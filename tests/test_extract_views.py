"""Views fed by the incident extract: periods, reconciliation, map cells and districts, their charts and pages.

Every exact figure here comes from a fixture database with hand-made incidents (extract_database),
never from the session database, whose demonstration extract may change.
"""

from __future__ import annotations

import json
import math
import random
import tomllib

import duckdb
import pandas as pd
import pytest
import shipped
from conftest import extract_database, footer_lines, run_page
from test_pages import texts_of

from slutaskjut import charts, maps, sentences, tables
from slutaskjut.extract_schema import MALMO_BOUNDS
from slutaskjut.i18n import t
from slutaskjut.paths import ROOT
from slutaskjut.queries import queries, run_query

LAT0, LON0 = 55.6, 13.0


def point(east_m: float, north_m: float) -> tuple[float, float]:
    """A place east and north of central Malmö, in metres, as (latitude, longitude)."""
    return LAT0 + north_m / maps.METRES_PER_DEGREE_LAT, LON0 + east_m / maps.METRES_PER_DEGREE_LON


def incident(
    date: str,
    kind: str = "shooting",
    dead: int | None = 0,
    injured: int | None = 0,
    place: tuple[float, float] | None = None,
    district: str | None = None,
    synthetic: bool = False,
    source: str = "Testpolisen",
) -> dict:
    return {
        "date": pd.Timestamp(date),
        "kind": kind,
        "dead": dead,
        "injured": injured,
        "district": district,
        "latitude": place[0] if place else None,
        "longitude": place[1] if place else None,
        "source": "synthetic" if synthetic else source,
        "is_synthetic": synthetic,
    }


def incidents(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["incident_id"] = [f"t-{number:05d}" for number in range(1, len(frame) + 1)]
    frame["import_id"] = None if frame["is_synthetic"].all() else "test-import"
    return frame


@pytest.fixture
def connect(tmp_path):
    """Build a fixture database from incident rows and open it read-only."""
    opened = []

    def _connect(rows: list[dict]) -> duckdb.DuckDBPyConnection:
        path = extract_database(tmp_path / f"db{len(opened)}.duckdb", incidents=incidents(rows))
        opened.append(duckdb.connect(str(path), read_only=True))
        return opened[-1]

    yield _connect
    for con in opened:
        con.close()


def one(frame: pd.DataFrame, **where) -> pd.Series:
    rows = frame
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, where
    return rows.iloc[0]


# Incidents by period --------------------------------------------------------------------------

PERIOD_ROWS = [
    incident("2019-02-10", "shooting", dead=1, injured=0),
    incident("2019-02-20", "shooting", dead=None, injured=2),
    incident("2019-04-05", "explosion", dead=0, injured=0),
    incident("2019-05-15", "suspected_shooting", dead=0, injured=1),
]


def test_months_inside_the_extract_are_zero_and_outside_absent(connect):
    months = run_query(connect(PERIOD_ROWS), "incidents_by_period", grain="month", from_year=2016, to_year=2022)
    assert sorted(set(months["period"])) == ["2019-02", "2019-03", "2019-04", "2019-05"]
    assert len(months) == 4 * 3  # every month of the coverage, for each kind in the extract
    march = one(months, period="2019-03", kind="shooting")
    assert (march["count"], march["dead"], march["injured"]) == (0, 0, 0)  # known: no incidents
    assert one(months, period="2019-05", kind="shooting")["count"] == 0
    assert one(months, period="2019-05", kind="suspected_shooting")["count"] == 1
    assert one(months, period="2019-04", kind="explosion")["count"] == 1
    assert one(months, period="2019-02", kind="suspected_shooting")["count"] == 0


def test_dead_is_missing_when_any_incident_has_it_unknown(connect):
    months = run_query(connect(PERIOD_ROWS), "incidents_by_period", grain="month", from_year=2019, to_year=2019)
    february = one(months, period="2019-02", kind="shooting")
    assert february["count"] == 2
    assert pd.isna(february["dead"]), "one dead known and one unknown is unknown, not 1"
    assert february["injured"] == 2


def test_partial_periods_are_flagged(connect):
    months = run_query(connect(PERIOD_ROWS), "incidents_by_period", grain="month", from_year=2019, to_year=2019)
    partial = months.groupby("period")["is_partial"].first().to_dict()
    assert partial == {"2019-02": True, "2019-03": False, "2019-04": False, "2019-05": True}


def test_quarters_and_the_year_filter(connect):
    con = connect(PERIOD_ROWS)
    quarters = run_query(con, "incidents_by_period", grain="quarter", from_year=2019, to_year=2019)
    assert sorted(set(quarters["period"])) == ["2019-Q1", "2019-Q2"]
    first = one(quarters, period="2019-Q1", kind="shooting")
    assert first["count"] == 2 and pd.isna(first["dead"])
    assert str(first["period_start"].date()) == "2019-01-01" and str(first["period_end"].date()) == "2019-03-31"
    assert one(quarters, period="2019-Q2", kind="shooting")["count"] == 0
    assert one(quarters, period="2019-Q2", kind="explosion")["count"] == 1
    assert run_query(con, "incidents_by_period", grain="quarter", from_year=2020, to_year=2022).empty


def test_a_kind_the_extract_never_has_gets_no_rows(connect):
    only_shootings = [incident("2019-01-05"), incident("2019-03-05")]
    months = run_query(connect(only_shootings), "incidents_by_period", grain="month", from_year=2019, to_year=2019)
    assert set(months["kind"]) == {"shooting"}
    assert months["count"].tolist() == [1, 0, 1]


# Two sources with a gap between them: police events for 2023-24, a partner's file for 2016-19.
GAP_ROWS = [
    incident("2016-03-10", source="Partnern"),
    incident("2019-11-20", "explosion", source="Partnern"),
    incident("2023-02-01", source="Polisen"),
    incident("2024-05-31", source="Polisen"),
]


def test_coverage_is_per_source(connect):
    coverage = connect(GAP_ROWS).sql("select * from incident_coverage").df()
    assert coverage["source"].tolist() == ["Partnern", "Polisen"]
    assert [str(day.date()) for day in coverage["first_date"]] == ["2016-03-10", "2023-02-01"]
    assert [str(day.date()) for day in coverage["last_date"]] == ["2019-11-20", "2024-05-31"]


def test_months_between_two_sources_are_absent_not_zero(connect):
    months = run_query(connect(GAP_ROWS), "incidents_by_period", grain="month", from_year=2016, to_year=2024)
    periods = sorted(set(months["period"]))
    assert periods[0] == "2016-03" and periods[-1] == "2024-05"
    assert not {period for period in periods if period[:4] in ("2020", "2021", "2022")}, "the gap has no rows"
    assert "2019-11" in periods and "2019-12" not in periods and "2023-01" not in periods and "2023-02" in periods
    assert len(periods) == (12 - 2 + 36 - 1) + (12 - 1 + 5)
    partial = months.groupby("period")["is_partial"].first()
    assert partial[partial].index.tolist() == ["2016-03", "2019-11"]  # the police cover 2023-02 and 2024-05 whole
    assert one(months, period="2017-06", kind="explosion")["count"] == 0
    quarters = run_query(connect(GAP_ROWS), "incidents_by_period", grain="quarter", from_year=2020, to_year=2022)
    assert quarters.empty


def test_the_chart_breaks_its_lines_over_a_gap(connect):
    months = run_query(connect(GAP_ROWS), "incidents_by_period", grain="month", from_year=2019, to_year=2023)
    shootings = charts.period_figure(months, lang="en", title="Incidents").data[0]
    gaps = [n for n, y in enumerate(shootings.y) if y is None]
    assert len(gaps) == 1, "one break, between 2019-11 and 2023-02"
    before, after = shootings.customdata[gaps[0] - 1], shootings.customdata[gaps[0] + 1]
    assert (before, after) == ("2019-11", "2023-02")
    assert len([y for y in shootings.y if y is not None]) == len(months[months["kind"] == "shooting"])


# Reconciliation -------------------------------------------------------------------------------


def year_of_incidents(year: int, shootings: int, explosions: int, dead: int, injured: int) -> list[dict]:
    """Incidents in mid-year: the dead and injured on the first shootings, one each."""
    rows = [
        incident(f"{year}-06-15", "shooting", dead=int(n < dead), injured=int(n < injured)) for n in range(shootings)
    ]
    assert sum(r["dead"] for r in rows) == dead and sum(r["injured"] for r in rows) == injured
    rows += [incident(f"{year}-07-15", "explosion", dead=0, injured=1) for _ in range(explosions)]
    # neither counts in the published figures: suspected shootings and the hurt in explosions
    rows += [incident(f"{year}-08-15", "suspected_shooting", dead=1, injured=1)]
    return rows


RECONCILIATION_ROWS = (
    [incident("2016-12-31", "shooting")]  # 2016 is covered from its last day only
    + year_of_incidents(2017, 65, 62, 7, 35)  # equals the published 2017
    + year_of_incidents(2018, 46, 39, 12, 23)  # one shooting fewer than the published 47
    + year_of_incidents(2021, 21, 0, 0, 0)
    + [incident("2021-10-01", "shooting", dead=None, injured=None), incident("2021-12-31", "explosion")]
)


def test_reconciliation_statuses(connect):
    check = run_query(connect(RECONCILIATION_ROWS), "reconciliation_by_year", from_year=2016, to_year=2022)
    assert sorted(set(check["year"])) == [2016, 2017, 2018, 2019, 2020, 2021]  # the years the extract reaches
    statuses = {(row.year, row.measure): row.status for row in check.itertuples()}
    assert {statuses[2017, m] for m in ("shootings", "explosions", "dead", "injured")} == {"matches"}
    assert statuses[2018, "shootings"] == "differs" and statuses[2018, "explosions"] == "matches"
    assert statuses[2016, "shootings"] == "extract_incomplete"  # 1 of 61, covered from 31 December only
    assert statuses[2019, "shootings"] == "differs"  # covered all year, and no incident against 34
    assert statuses[2021, "shootings"] == "differs"  # 22 against 21
    assert statuses[2021, "explosions"] == "not_published"
    assert statuses[2021, "injured"] == "not_published"
    assert statuses[2021, "dead"] == "extract_incomplete"  # one shooting with dead unknown

    shootings_2018 = one(check, year=2018, measure="shootings")
    assert (shootings_2018["extract_count"], shootings_2018["headline_count"]) == (46, 47)
    assert shootings_2018["difference"] == -1 and shootings_2018["source_id"] == "malmo_sluta_skjut_page"
    dead_2017 = one(check, year=2017, measure="dead")
    assert dead_2017["extract_count"] == 7, "the dead of suspected shootings are not counted"
    assert one(check, year=2017, measure="injured")["extract_count"] == 35, "nor the injured of explosions"
    dead_2021 = one(check, year=2021, measure="dead")
    assert pd.isna(dead_2021["extract_count"]) and pd.isna(dead_2021["difference"])
    explosions_2021 = one(check, year=2021, measure="explosions")
    assert explosions_2021["extract_count"] == 1 and pd.isna(explosions_2021["headline_count"])
    assert explosions_2021["source_id"] == "malmo_fakta_trygghet"
    first = one(check, year=2016, measure="shootings")
    assert str(first["period_start"].date()) == "2016-12-31" and str(first["period_end"].date()) == "2016-12-31"


def test_reconciliation_leaves_out_years_between_two_sources(connect):
    check = run_query(connect(GAP_ROWS), "reconciliation_by_year", from_year=2016, to_year=2024)
    assert sorted(set(check["year"])) == [2016, 2017, 2018, 2019, 2023, 2024], "2020-22: no source, no row"
    statuses = {(row.year, row.measure): row.status for row in check.itertuples()}
    assert statuses[2017, "shootings"] == "differs"  # covered all year by the partner, and 0 against 65
    assert statuses[2016, "shootings"] == "extract_incomplete"  # the partner's file starts on 10 March
    assert statuses[2019, "shootings"] == "extract_incomplete"  # and ends on 20 November
    first = one(check, year=2023, measure="shootings")
    assert (str(first["period_start"].date()), str(first["period_end"].date())) == ("2023-02-01", "2023-12-31")


def test_a_year_one_source_covers_whole_is_whole(connect):
    rows = GAP_ROWS + [incident("2019-06-01", source="Polisen")]  # the police from June 2019 on
    check = run_query(connect(rows), "reconciliation_by_year", from_year=2019, to_year=2022)
    assert sorted(set(check["year"])) == [2019, 2020, 2021, 2022]
    statuses = {(row.year, row.measure): row.status for row in check.itertuples()}
    assert statuses[2019, "shootings"] == "extract_incomplete"  # neither source covers all of 2019
    assert statuses[2020, "shootings"] == "differs"  # the police cover 2020 whole
    covered = one(check, year=2019, measure="shootings")
    assert (str(covered["period_start"].date()), str(covered["period_end"].date())) == ("2019-01-01", "2019-12-31")


def test_reconciliation_keeps_to_the_selected_years(connect):
    check = run_query(connect(RECONCILIATION_ROWS), "reconciliation_by_year", from_year=2017, to_year=2018)
    assert set(check["year"]) == {2017, 2018} and len(check) == 8
    assert sentences.reconciliation_summary(check, "en") == "1 of 8 yearly figures differ and 7 match."
    assert sentences.reconciliation_summary(check, "sv") == "1 av 8 årssiffror skiljer sig och 7 stämmer."


# Map cells ------------------------------------------------------------------------------------


def centre(q: int, r: int, size: float = 1000) -> tuple[float, float]:
    """The (latitude, longitude) of the centre of axial cell q, r."""
    return point(size * math.sqrt(3) * (q + r / 2), size * 1.5 * r)


def nearest_centre(east_m: float, north_m: float, size: float) -> tuple[int, int]:
    """The axial cell of a point, by brute force: the nearest of the hexagon centres around it."""
    best = None
    r0 = round(north_m / (1.5 * size))
    for r in range(r0 - 2, r0 + 3):
        q0 = round(east_m / (math.sqrt(3) * size) - r / 2)
        for q in range(q0 - 2, q0 + 3):
            x, y = size * math.sqrt(3) * (q + r / 2), size * 1.5 * r
            distance = (x - east_m) ** 2 + (y - north_m) ** 2
            if best is None or distance < best[0]:
                best = (distance, q, r)
    return best[1], best[2]


def cells_query(con, min_count: int = 3, kind: str = "all") -> pd.DataFrame:
    return run_query(
        con, "incidents_by_cell", from_year=2016, to_year=2022, kind=kind, min_count=min_count, **maps.GRID
    )


def test_cells_are_the_hexagons_each_incident_is_nearest_to(connect):
    rng = random.Random("cells")
    offsets = [(rng.uniform(-7000, 7000), rng.uniform(-8000, 5000)) for _ in range(400)]  # inside MALMO_BOUNDS
    cells = cells_query(connect([incident("2019-05-01", place=point(*offset)) for offset in offsets]), min_count=1)
    expected = pd.Series([nearest_centre(*offset, 1000) for offset in offsets]).value_counts()
    found = cells[cells["row_type"] == "cell"].set_index("cell_id")["count"]
    assert found.to_dict() == {f"{q},{r}": count for (q, r), count in expected.items()}
    for row in cells.itertuples():  # the centre returned is the hexagon's centre, to about a metre
        q, r = (int(part) for part in row.cell_id.split(","))
        assert (row.latitude, row.longitude) == pytest.approx(centre(q, r), abs=1e-5)
        assert (row.latitude, row.longitude) == (round(row.latitude, 5), round(row.longitude, 5))


def test_small_cells_are_merged_without_a_place(connect):
    rows = [incident("2019-05-01", place=point(dx, dy)) for dx, dy in ((0, 0), (50, 80), (-120, 40))]
    rows += [incident("2019-06-01", place=point(5000 + dx, 0)) for dx in (0, 60)]  # 2 in a cell
    rows += [incident("2020-01-01", "explosion", place=point(-6000, 3000))]  # alone
    rows += [incident("2020-02-01", place=None), incident("2020-02-02", "explosion", place=None)]
    cells = cells_query(connect(rows))
    shown = cells[cells["row_type"] == "cell"]
    assert shown[["cell_id", "count"]].values.tolist() == [["0,0", 3]]
    assert (shown.iloc[0]["latitude"], shown.iloc[0]["longitude"]) == pytest.approx((LAT0, LON0))
    small = one(cells, row_type="small_cells")
    assert small["count"] == 3 and small[["cell_id", "latitude", "longitude"]].isna().all()
    assert "dead" not in cells and "injured" not in cells, "a cell's dead would place its fatal incidents"
    assert one(cells, row_type="no_coordinates")["count"] == 2
    assert cells["count"].sum() == len(rows), "every incident is counted in exactly one row"
    small_centres = [centre(*nearest_centre(5000, 0, 1000)), centre(*nearest_centre(-6000, 3000, 1000))]
    returned = list(zip(cells["latitude"].dropna(), cells["longitude"].dropna(), strict=True))
    for small in small_centres:
        assert all(place != pytest.approx(small) for place in returned)


def test_a_single_incident_is_never_on_the_map(connect):
    place = point(1234, -567)
    cells = cells_query(connect([incident("2019-05-01", place=place)]))
    assert cells["row_type"].tolist() == ["small_cells"]
    assert cells[["latitude", "longitude", "cell_id"]].isna().all().all()
    deck = json.loads(maps.cell_deck(cells, lang="sv", threshold=3).to_json())
    assert all(layer["data"] == [] for layer in deck["layers"])
    # even with the threshold at 1 the map shows the hexagon's centre, not the incident's place
    one_cell = cells_query(connect([incident("2019-05-01", place=place)]), min_count=1)
    assert (one_cell.iloc[0]["latitude"], one_cell.iloc[0]["longitude"]) != pytest.approx(place)


def test_cells_follow_the_kind_and_the_years(connect):
    rows = [incident("2019-05-01", "explosion", place=point(0, 0)) for _ in range(3)]
    rows += [incident("2019-05-01", "shooting", place=point(0, 0)) for _ in range(4)]
    rows += [incident("2015-05-01", "shooting", place=point(0, 0)) for _ in range(5)]
    con = connect(rows)
    assert cells_query(con, kind="explosion")["count"].tolist() == [3]
    assert cells_query(con, kind="shooting")["count"].tolist() == [4]
    assert cells_query(con, kind="all")["count"].tolist() == [7]
    assert cells_query(con, kind="suspected_shooting").empty


# Districts ------------------------------------------------------------------------------------


def districts_query(con, min_count: int = 3) -> pd.DataFrame:
    return run_query(con, "incidents_by_district", from_year=2016, to_year=2022, kind="all", min_count=min_count)


def test_districts_under_the_threshold_are_merged_with_the_next_smallest(connect):
    rows = [incident("2019-05-01", district="Fosie") for _ in range(5)]
    rows += [incident("2019-05-01", district="Husie") for _ in range(4)]
    rows += [incident("2019-05-01", district="Oxie")]
    rows += [incident("2019-05-01", district=None) for _ in range(2)]
    districts = districts_query(connect(rows))
    assert districts["district"].dropna().tolist() == ["Fosie"], "Oxie (1) cannot hide alone, so Husie joins it"
    assert one(districts, row_type="other_districts")["count"] == 5
    assert one(districts, row_type="no_district")["count"] == 2
    assert districts["count"].sum() == len(rows)


def test_districts_all_named_when_large_enough(connect):
    rows = [incident("2019-05-01", district=name) for name in ("Fosie", "Husie") for _ in range(3)]
    districts = districts_query(connect(rows))
    assert districts[["row_type", "district", "count"]].values.tolist() == [
        ["district", "Fosie", 3],
        ["district", "Husie", 3],
    ]


def test_a_lone_small_district_is_never_named(connect):
    districts = districts_query(connect([incident("2019-05-01", district="Oxie"), incident("2019-05-02")]))
    assert districts["district"].isna().all()
    assert set(districts["row_type"]) == {"other_districts", "no_district"}


# Charts, the map and the basemap ----------------------------------------------------------------


def test_period_chart_has_a_panel_per_kind_with_zero_months(connect):
    months = run_query(connect(PERIOD_ROWS), "incidents_by_period", grain="month", from_year=2019, to_year=2019)
    figure = charts.period_figure(months, lang="en", title="Incidents")
    kinds = [trace for trace in figure.data if trace.x[0] is not None]
    assert [trace.name for trace in kinds] == ["Shootings", "Suspected shootings", "Explosions"]
    assert list(kinds[0].y) == [2, 0, 0, 0] and list(kinds[1].y) == [0, 0, 0, 1] and list(kinds[2].y) == [0, 0, 1, 0]
    assert kinds[1].line.dash == "dash" and kinds[0].line.dash == "solid"
    assert kinds[1].line.color != kinds[0].line.color
    assert list(kinds[0].marker.symbol) == ["circle-open", "circle", "circle", "circle-open"]
    assert "Period the extract covers only in part" in [trace.name for trace in figure.data]
    assert [annotation.text for annotation in figure.layout.annotations] == [
        "Shootings",
        "Suspected shootings",
        "Explosions",
    ]
    described = sentences.describe_periods(months, "month", "2019", "en")
    assert described.startswith("Incidents per month in the extract, 2019: Shootings: 2 in all, at most 2 (2019-02)")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_kind_with_no_incidents_in_the_range_has_no_peak(connect, lang):
    rows = [incident("2019-02-10"), incident("2019-03-10"), incident("2020-04-05", "explosion")]
    months = run_query(connect(rows), "incidents_by_period", grain="month", from_year=2019, to_year=2019)
    assert set(months["kind"]) == {"shooting", "explosion"} and not months[months["kind"] == "explosion"]["count"].any()
    described = sentences.describe_periods(months, "month", "2019", lang)
    assert t("trends.describe_kind_none", lang, kind=t("incident_kind.explosion", lang)) in described
    assert "at most 0" not in described and "som mest 0" not in described, "no peak of 0 named"
    assert described.count("(2019-0") == 1  # the shootings' peak only


def test_map_deck_draws_only_cells_with_a_place_on_the_blank_basemap():
    cells = pd.DataFrame(
        {
            "row_type": ["cell", "cell", "cell", "small_cells", "no_coordinates"],
            "cell_id": ["0,0", "1,0", "2,0", None, None],
            "district": ["Fosie", None, "Oxie", None, None],
            "unnamed_districts": [False, True, False, None, None],
            "latitude": [LAT0, LAT0, LAT0, None, None],
            "longitude": [LON0, centre(1, 0)[1], centre(2, 0)[1], None, None],
            "count": [7, 3, 2, 4, 1],  # the 2 is below the threshold: the deck leaves it out again
        }
    )
    deck = maps.cell_deck(cells, lang="en", threshold=3)
    spec = json.loads(deck.to_json())
    assert spec["mapStyle"] == maps.BLANK_STYLE_URL and "mapProvider" not in spec
    assert "http" not in deck.to_json()
    polygons, labels = spec["layers"]
    assert polygons["@@type"] == "PolygonLayer" and labels["@@type"] == "TextLayer"
    assert [label["label"] for label in labels["data"]] == ["7", "3"]
    assert polygons["data"][0]["tooltip"] == "Fosie\n7 incidents in the cell\nCell centre: 55.600° N, 13.000° E"
    assert polygons["data"][1]["tooltip"].startswith("No district reaches 3 incidents\n3 incidents in the cell\n")
    for corner in polygons["data"][0]["polygon"]:
        east = (corner[0] - LON0) * maps.METRES_PER_DEGREE_LON
        north = (corner[1] - LAT0) * maps.METRES_PER_DEGREE_LAT
        assert math.hypot(east, north) == pytest.approx(1000)
    view = spec["initialViewState"]
    assert MALMO_BOUNDS["lat_min"] < view["latitude"] < MALMO_BOUNDS["lat_max"]
    assert MALMO_BOUNDS["lon_min"] < view["longitude"] < MALMO_BOUNDS["lon_max"]
    assert sentences.describe_map(cells, "all", "2019", 3, "en") == (
        "Map of Malmö, incidents, 2019: 2 cells with at least 3 incidents each, 10 incidents in all; "
        "most in one cell: 7."
    )
    assert sentences.describe_map(cells.iloc[2:], "shooting", "2019", 3, "sv") == (
        "Karta över Malmö, skjutningar, 2019: ingen ruta har minst 3 händelser av en typ under ett år, "
        "så kartan är tom."
    )
    placeless = pd.concat([cells, cells.iloc[[0]].assign(cell_id="9,9", latitude=None, longitude=None)])
    assert sentences.describe_map(placeless, "all", "2019", 3, "en") == sentences.describe_map(
        cells, "all", "2019", 3, "en"
    ), "a cell the map cannot draw is not described as on it"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_merged_rows_are_named_for_the_tables(lang):
    cells = pd.DataFrame(
        {"row_type": ["cell", "small_cells", "no_coordinates"], "cell_id": ["0,0", None, None], "count": [7, 4, 1]}
    )
    named = sentences.name_merged_rows(cells, "cell_id", 4, lang)
    assert named["cell_id"].tolist() == [
        "0,0",
        t("map.row_small_cells", lang, min_count="4"),
        t("map.row_no_coordinates", lang),
    ]
    assert cells["cell_id"].isna().tolist() == [False, True, True], "the query's frame is left as it is"
    districts = pd.DataFrame(
        {"row_type": ["district", "other_districts", "no_district"], "district": ["Fosie", None, None]}
    )
    assert sentences.name_merged_rows(districts, "district", 4, lang)["district"].tolist() == [
        "Fosie",
        t("map.row_other_districts", lang),
        t("map.row_no_district", lang),
    ]


def inside(place: tuple[float, float], corners: list[list[float]]) -> bool:
    """Whether a (latitude, longitude) lies in a convex polygon of [lon, lat] corners, counter-clockwise."""
    lat, lon = place
    pairs = zip(corners, corners[1:] + corners[:1], strict=True)
    return all((b[0] - a[0]) * (lat - a[1]) - (b[1] - a[1]) * (lon - a[0]) > 0 for a, b in pairs)


def test_each_cell_counts_the_incidents_inside_the_hexagon_drawn_for_it(connect):
    """The cells counted in SQL and the hexagons maps.py draws are one grid: maps binds it to the query."""
    assert set(maps.GRID) <= queries()["incidents_by_cell"].params
    rng = random.Random("drawn")
    places = [point(rng.uniform(-7000, 7000), rng.uniform(-8000, 5000)) for _ in range(300)]
    cells = cells_query(connect([incident("2019-05-01", place=place) for place in places]), min_count=1)
    for cell in cells.itertuples():
        corners = maps.hexagon(cell.latitude, cell.longitude)
        assert sum(inside(place, corners) for place in places) == cell.count, cell.cell_id
    assert cells["count"].sum() == len(places)


def test_blank_basemap_is_served_by_the_app_and_loads_nothing():
    style = json.loads((ROOT / "static" / "blank-style.json").read_text())
    assert style["version"] == 8 and style["sources"] == {}
    assert "glyphs" not in style and "sprite" not in style
    assert [layer["type"] for layer in style["layers"]] == ["background"]
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableStaticServing"] is True
    assert maps.BLANK_STYLE_URL == "app/static/blank-style.json"


# Pages ------------------------------------------------------------------------------------------

MAP_ROWS = (
    [incident("2019-05-01", place=point(dx, 0), district="Fosie", synthetic=True) for dx in (0, 100, 200, 300)]
    + [incident("2019-05-01", place=point(dx, 3000), district="Oxie", synthetic=True) for dx in (0, 100, 200)]
    + [incident("2019-06-01", "explosion", place=point(5000, 0), district="Husie", synthetic=True)]
    + [incident("2019-07-01", "explosion", place=None, district="Fosie", synthetic=True)]
)


@pytest.fixture
def map_database(tmp_path, monkeypatch):
    path = extract_database(tmp_path / "map.duckdb", incidents=incidents(MAP_ROWS))
    monkeypatch.setenv("SLUTASKJUT_DB", str(path))
    monkeypatch.delenv("SLUTASKJUT_MIN_COUNT", raising=False)
    return path


def decks(app) -> list[dict]:
    return [json.loads(element.proto.json) for element in app.get("deck_gl_json_chart")]


def layer_data(deck: dict, layer_id: str) -> list:
    (layer,) = [layer for layer in deck["layers"] if layer["id"] == layer_id]
    return layer["data"]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_map_page_shows_cells_and_says_what_it_leaves_out(map_database, lang):
    app = run_page("pages/map.py", lang=lang, **{"from": "2016", "to": "2020"})
    assert not app.exception, app.exception[0].value if app.exception else ""
    assert app.title[0].value == t("map.title", lang)
    assert t("extract.synthetic", lang) in [warning.value for warning in app.warning]
    (deck,) = decks(app)
    assert [label["label"] for label in layer_data(deck, "labels")] == ["4", "3"]
    assert [cell["tooltip"].split("\n")[0] for cell in layer_data(deck, "cells")] == ["Fosie", "Oxie"]
    text = texts_of(app)
    assert t("map.small_cells", lang, count="1", min_count="3") in text
    assert t("map.no_coordinates", lang, count="1") in text
    cells = app.dataframe[-2].value
    assert cells.iloc[:, 0].tolist() == ["4", "3", "1", "1"], "the figure first"
    assert cells.iloc[:, 1].tolist() == [
        "Fosie",
        "Oxie",
        t("map.row_no_coordinates", lang),
        t("map.row_small_cells", lang, min_count="3"),
    ]
    assert "0,0" not in cells.to_string() and "-1,2" not in cells.to_string(), "no cell id reaches a reader"
    districts = app.dataframe[-1].value
    assert districts.iloc[:, 1].tolist() == ["Fosie", "Oxie", t("map.row_other_districts", lang)]
    assert districts.iloc[:, 0].tolist() == ["4", "3", "2"]  # the explosions, Fosie 1 and Husie 1, hide together
    footer = footer_lines(app)
    assert footer and t("extract.incidents", lang) in footer[0]


def test_map_page_follows_the_privacy_threshold(map_database, monkeypatch):
    monkeypatch.setenv("SLUTASKJUT_MIN_COUNT", "4")
    app = run_page("pages/map.py", lang="en", **{"from": "2016", "to": "2020"})
    assert [label["label"] for label in layer_data(decks(app)[0], "labels")] == ["4"]
    assert t("map.small_cells", "en", count="4", min_count="4") in texts_of(app)
    # the shootings of 2019: Oxie (3) cannot hide alone, so Fosie (4) joins it
    assert app.dataframe[-1].value.iloc[:, 1].tolist() == [t("map.row_other_districts", "en")]


def test_map_page_kind_lives_in_the_url(map_database):
    app = run_page("pages/map.py", lang="en", kind="explosion", **{"from": "2016", "to": "2020"})
    assert app.radio(key="kind").value == "explosion"
    deck = decks(app)[0]
    assert layer_data(deck, "cells") == layer_data(deck, "labels") == [], "two explosions: no cell reaches 3"
    app.radio(key="kind").set_value("shooting").run()
    assert app.query_params["kind"] == "shooting"
    assert [label["label"] for label in layer_data(decks(app)[0], "labels")] == ["4", "3"]
    odd = run_page("pages/map.py", lang="en", kind="robbery")
    assert odd.radio(key="kind").value == "all" and not odd.exception
    assert "'robbery' in the link (kind) is not one of the choices; showing all." in texts_of(odd)


def test_map_page_without_an_extract_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("SLUTASKJUT_DB", str(extract_database(tmp_path / "empty.duckdb")))
    app = run_page("pages/map.py", lang="sv")
    assert not app.exception
    assert app.title[0].value == t("map.title", "sv")
    assert t("map.no_extract", "sv") in [info.value for info in app.info]
    assert not decks(app) and not app.dataframe
    assert "kind" not in [radio.key for radio in app.radio]
    assert t("footer.sources", "sv") in [header.value for header in app.header]


@pytest.fixture
def trends_database(tmp_path, monkeypatch):
    rows = [{**row, "is_synthetic": True, "source": "synthetic"} for row in RECONCILIATION_ROWS]
    monkeypatch.setenv("SLUTASKJUT_DB", str(extract_database(tmp_path / "trends.duckdb", incidents=incidents(rows))))


def periods_as_shown(periods: list[str], lang: str) -> list[str]:
    """Periods ('2017-01', '2017-Q1') in words, as the page's table shows them."""
    return tables.for_display(pd.DataFrame({"period": periods}), ["period"], lang).iloc[:, 0].tolist()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_trends_page_shows_periods_and_the_reconciliation(trends_database, lang):
    app = run_page("pages/trends.py", lang=lang, **{"from": "2017", "to": "2018"})
    assert not app.exception, app.exception[0].value if app.exception else ""
    assert t("extract.synthetic", lang) in [warning.value for warning in app.warning]
    assert app.radio(key="grain").value == "month"
    headers = [header.value for header in app.header]
    assert t("trends.extract_title", lang) in headers and t("trends.reconciliation_title", lang) in headers
    text = texts_of(app)
    assert sentences.reconciliation_summary(pd.DataFrame({"status": ["differs"] + ["matches"] * 7}), lang) in text
    reconciliation = app.dataframe[-1].value
    shootings_2018 = reconciliation[
        (reconciliation.iloc[:, 0] == "2018") & (reconciliation.iloc[:, 1] == t("measure.shootings", lang))
    ]
    assert shootings_2018.iloc[0, 2:6].tolist() == ["46", "47", "\u22121", t("status.differs", lang)]
    periods = app.dataframe[-2].value
    months = [f"{year}-{month:02d}" for year in (2017, 2018) for month in range(1, 13)]
    assert set(periods.iloc[:, 0]) == set(periods_as_shown(months, lang))
    assert any(t("extract.incidents", lang) in line for line in footer_lines(app))


def test_trends_grain_lives_in_the_url(trends_database):
    app = run_page("pages/trends.py", lang="en", **{"from": "2017", "to": "2017"})
    app.radio(key="grain").set_value("quarter")
    app.session_state["table_incidents_by_quarter"] = True  # the quarters' table, opened
    app.run()
    assert app.query_params["grain"] == "quarter"
    quarters = periods_as_shown(["2017-Q1", "2017-Q2", "2017-Q3", "2017-Q4"], "en")
    (table,) = next(e for e in app.expander if e.key == "table_incidents_by_quarter").get("dataframe")
    assert set(table.value.iloc[:, 0]) == set(quarters)
    linked = run_page("pages/trends.py", lang="sv", grain="quarter", **{"from": "2017", "to": "2017"})
    assert linked.radio(key="grain").value == "quarter"


def test_trends_page_without_an_extract_has_no_extract_section(tmp_path, monkeypatch):
    monkeypatch.setenv("SLUTASKJUT_DB", str(extract_database(tmp_path / "empty.duckdb")))
    app = run_page("pages/trends.py", lang="en")
    assert not app.exception
    assert t("trends.extract_title", "en") not in [header.value for header in app.header]
    assert "grain" not in [radio.key for radio in app.radio]


# Years only an extract reaches ----------------------------------------------------------------


@pytest.mark.parametrize("script", [None, "pages/trends.py", "pages/benchmarks.py", "pages/press.py", "pages/map.py"])
def test_years_past_the_published_figures_are_selectable_and_render(tmp_path, monkeypatch, script):
    """Police events run to 2026 while the published figures stop at 2024: those years work too."""
    rows = [incident("2026-03-01", place=point(0, 0)), incident("2026-03-02"), incident("2025-07-01")]
    monkeypatch.setenv("SLUTASKJUT_DB", str(extract_database(tmp_path / "late.duckdb", incidents=incidents(rows))))
    app = run_page(script, lang="en", **{"from": "2025", "to": "2026"})
    assert not app.exception, app.exception[0].value if app.exception else ""
    assert app.slider(key="years").value == (2025, 2026)
    assert not [notice for notice in app.info if "is not a year in the data" in notice.value]
    if script is None:  # the cards give the latest published figure up to the years chosen, never an empty year
        year = max(year for year in range(2026, 0, -1) if shipped.headline(year, "shootings") is not None)
        card = (f"Shootings {year}", str(shipped.headline(year, "shootings")))
        assert card in [(m.label, m.value) for m in app.metric]


def test_an_extract_before_the_published_figures_widens_the_range_not_the_default(tmp_path, monkeypatch):
    """Incidents from 2012 are selectable, but the default view stays on the published years."""
    rows = [incident("2012-04-01"), incident("2019-05-01")]
    path = extract_database(tmp_path / "early.duckdb", incidents=incidents(rows))
    with duckdb.connect(str(path), read_only=True) as con:
        span = run_query(con, "year_span").iloc[0]
    default = shipped.default_years()
    assert (span["first_year"], span["first_headline_year"], span["last_published_year"]) == (2012, *default)
    monkeypatch.setenv("SLUTASKJUT_DB", str(path))
    app = run_page("pages/trends.py", lang="en")
    assert not app.exception, app.exception[0].value if app.exception else ""
    assert app.slider(key="years").value == default
    assert app.slider(key="years").min == 2012
    early = run_page("pages/trends.py", lang="en", **{"from": "2012", "to": "2013"})
    assert early.slider(key="years").value == (2012, 2013)
    assert not [notice for notice in early.info if "is not a year in the data" in notice.value]

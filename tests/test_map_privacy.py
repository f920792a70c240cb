"""The map's cells and districts cannot be differenced down to small counts (issue 10).

A reader can ask for any range of years and any kind in the URL, and subtract one view from another whose years
and kinds include its own. Both queries count a place per calendar year and kind (a window) and publish a window's
count only when it reaches the threshold, so every view is the sum of its single windows and every difference is
0 or at least the threshold. These tests try every pair of views a URL can ask for, on scattered fixture incidents
and on the built-in data, and show that the per-request rule the map had before would leak on both.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter

import duckdb
import pytest
from conftest import extract_database
from test_extract_views import incident, incidents, point

from slutaskjut import maps, privacy
from slutaskjut.extract_schema import INCIDENT_KINDS
from slutaskjut.queries import run_query

THRESHOLD = 3
PLACE_COLUMNS = {"incidents_by_cell": "cell_id", "incidents_by_district": "district"}
DISTRICT_WEIGHTS = {"Fosie": 10, "Rosengård": 6, "Husie": 3, "Oxie": 1, "Hyllie": 1, "Kirseberg": 0.5}

View = tuple[int, int, str]  # from, to, kind: what a URL asks for
Rows = dict[tuple[str, str], int]  # (row type, place or "" for a row without one) -> count


def read(con: duckdb.DuckDBPyConnection, name: str, view: View, min_count: int) -> Rows:
    """One view of the query `name`: the count of each row."""
    first, last, kind = view
    grid = maps.GRID if name == "incidents_by_cell" else {}
    frame = run_query(con, name, from_year=first, to_year=last, kind=kind, min_count=min_count, **grid)
    places = frame[PLACE_COLUMNS[name]].fillna("")
    return dict(zip(zip(frame["row_type"], places, strict=True), frame["count"], strict=True))


def url_choices(con: duckdb.DuckDBPyConnection) -> list[View]:
    """Every view a URL can ask for: each from <= to of the selectable years, times each kind."""
    span = run_query(con, "year_span").iloc[0]
    years = range(int(span["first_year"]), int(span["last_year"]) + 1)
    return [
        (first, last, kind) for first, last in itertools.combinations_with_replacement(years, 2) for kind in maps.KINDS
    ]


def url_views(con: duckdb.DuckDBPyConnection, name: str, min_count: int) -> dict[View, Rows]:
    return {view: read(con, name, view, min_count) for view in url_choices(con)}


def windows(view: View) -> frozenset[tuple[int, str]]:
    """The years and kinds a view adds up."""
    first, last, kind = view
    kinds = INCIDENT_KINDS if kind == "all" else (kind,)
    return frozenset(itertools.product(range(first, last + 1), kinds))


def placed(rows: Rows) -> Rows:
    return {key: count for key, count in rows.items() if key[1]}


def sum_of_windows(single: dict[tuple[int, str], Rows], view: View) -> Rows:
    """A view's rows added up from the rows of its single years and kinds."""
    total = Counter()
    for window in windows(view):
        total.update(single[window])
    return dict(total)


def small_differences(views: dict[View, Rows], threshold: int) -> list[tuple]:
    """What a reader works out by subtracting a view from another whose years and kinds include its own: each
    place's difference that is from 1 to threshold - 1, or below 0 (a place a view does not show counts 0)."""
    spans = {view: windows(view) for view in views}
    found = []
    for larger, smaller in itertools.permutations(views, 2):
        if spans[smaller] < spans[larger]:
            shown, within = placed(views[larger]), placed(views[smaller])
            for place in shown.keys() | within.keys():
                difference = shown.get(place, 0) - within.get(place, 0)
                if difference < 0 or 0 < difference < threshold:
                    found.append((place, larger, smaller, difference))
    return found


def per_request_rule(con: duckdb.DuckDBPyConnection, name: str, threshold: int) -> dict[View, Rows]:
    """The rule the map had before, at its core: within each view a URL can ask for, every place whose count
    reaches the threshold (the district table merged a few more, which stopped no subtraction between views).
    With min_count 1 the query publishes every year and kind, so a place's count in a view is the sum of its counts
    in the view's single years and kinds."""
    choices = url_choices(con)
    single = {
        (year, kind): placed(read(con, name, (year, year, kind), 1))
        for year, kind in set().union(*map(windows, choices))
    }
    return {
        view: {place: count for place, count in sum_of_windows(single, view).items() if count >= threshold}
        for view in choices
    }


def scattered_rows() -> list[dict]:
    """Incidents of 2016-2019 of every kind around a few places and in districts of unequal size: many a place's
    count of a year and kind is 1 or 2, many are more."""
    rng = random.Random("differencing")
    hotspots = [(rng.uniform(-5000, 5000), rng.uniform(-5000, 4000)) for _ in range(8)]
    rows = []
    for _ in range(500):
        east, north = rng.choice(hotspots)
        rows.append(
            incident(
                f"{rng.randint(2016, 2019)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                rng.choice(INCIDENT_KINDS),
                place=point(east + rng.gauss(0, 400), north + rng.gauss(0, 400)) if rng.random() > 0.05 else None,
                district=rng.choices([*DISTRICT_WEIGHTS, None], [*DISTRICT_WEIGHTS.values(), 0.5])[0],
            )
        )
    return rows


@pytest.fixture(scope="module", params=PLACE_COLUMNS)
def name(request) -> str:
    """The query under test: the map's cells or its districts."""
    return request.param


@pytest.fixture(scope="module")
def scattered(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    path = tmp_path_factory.mktemp("scattered") / "scattered.duckdb"
    con = duckdb.connect(str(extract_database(path, incidents=incidents(scattered_rows()))), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def scattered_views(scattered, name) -> dict[View, Rows]:
    return url_views(scattered, name, THRESHOLD)


def test_no_pair_of_views_differs_by_a_small_count(scattered, name, scattered_views):
    assert small_differences(per_request_rule(scattered, name, THRESHOLD), THRESHOLD), "the rule before leaks here"
    found = small_differences(scattered_views, THRESHOLD)
    assert not found, f"{len(found)} small counts derivable, for example {found[:3]}"


def test_every_view_is_the_sum_of_its_single_years_and_kinds(scattered_views):
    single = {
        (first, kind): rows for (first, last, kind), rows in scattered_views.items() if first == last and kind != "all"
    }
    for view, rows in scattered_views.items():
        assert rows == sum_of_windows(single, view), view
    assert all(count >= THRESHOLD for rows in single.values() for count in placed(rows).values())
    assert any(placed(rows) for rows in single.values()), "some places are shown"
    assert any(not place for rows in single.values() for _, place in rows), "and some incidents are not"


def test_the_reviewers_one_incident_of_2017_cannot_be_worked_out(tmp_path, name):
    """Issue 10: a cell read 3 for 2016 and 4 for 2016-2017 and was absent from 2017, so exactly one incident
    happened there in 2017. Through the kind as well: 3 shootings and an explosion read 3 and 4."""
    rows = [incident(f"2016-0{month}-01", place=point(0, 0), district="Fosie") for month in (2, 5, 8)]
    rows += [incident("2017-03-01", place=point(0, 0), district="Fosie")]
    rows += [incident("2016-09-01", "explosion", place=point(0, 0), district="Fosie")]
    place, merged = {
        "incidents_by_cell": (("cell", "0,0"), ("small_cells", "")),
        "incidents_by_district": (("district", "Fosie"), ("other_districts", "")),
    }[name]
    path = extract_database(tmp_path / "reproduction.duckdb", incidents=incidents(rows))
    with duckdb.connect(str(path), read_only=True) as con:
        before, now = per_request_rule(con, name, THRESHOLD), url_views(con, name, THRESHOLD)
    assert (before[2016, 2016, "shooting"][place], before[2016, 2017, "shooting"][place]) == (3, 4)
    assert place not in before[2017, 2017, "shooting"] and before[2016, 2016, "all"][place] == 4
    assert {difference[1:] for difference in small_differences(before, THRESHOLD) if difference[0] == place} >= {
        ((2016, 2017, "shooting"), (2016, 2016, "shooting"), 1),
        ((2016, 2016, "all"), (2016, 2016, "shooting"), 1),
    }
    assert now[2016, 2016, "shooting"] == {place: 3}
    assert now[2016, 2017, "shooting"] == now[2016, 2016, "all"] == {place: 3, merged: 1}
    assert now[2017, 2017, "shooting"] == {merged: 1}
    assert not small_differences(now, THRESHOLD)


def test_no_pair_of_views_of_the_built_in_data_differs_by_a_small_count(con, name):
    """Where the reviewer found small counts by subtracting two views: the rule before leaks here, this one not."""
    threshold = privacy.min_count()
    assert small_differences(per_request_rule(con, name, threshold), threshold), "the rule before leaks here"
    found = small_differences(url_views(con, name, threshold), threshold)
    assert not found, f"{len(found)} small counts derivable, for example {found[:3]}"

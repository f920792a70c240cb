"""The US cities' yearly series: counting an export, the shipped rows, the queries, the chart and the page.

Exports are fixtures in the open-data formats, written here; the real files (../shared/data/us-cities) are
never copied into the project, and the test that compares the shipped counts with them is skipped without them.
"""

from __future__ import annotations

import csv
import html
import io
import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import shipped
from conftest import run_page
from test_pages import texts_of

from slutaskjut import charts, fmt, markdown, sentences, us_cities
from slutaskjut.__main__ import main
from slutaskjut.columns import label as column_label
from slutaskjut.i18n import t
from slutaskjut.load import build_database, read_table
from slutaskjut.paths import ROOT
from slutaskjut.queries import run_query
from slutaskjut.schema import TABLES_BY_NAME

YEARLY = TABLES_BY_NAME["us_city_yearly"]
# The headers of the two exports (one row per person shot), as the open-data portals give them.
BOSTON_HEADER = ["incident_num", "shooting_date", "district", "shooting_type_v2", "victim_gender", "victim_race"]
BOSTON_HEADER += ["victim_ethnicity_nibrs", "multi_victim"]
PHILADELPHIA_HEADER = ["the_geom", "the_geom_webmercator", "objectid", "year", "dc_key", "code", "date_", "time"]
PHILADELPHIA_HEADER += ["race", "sex", "age", "wound", "officer_involved", "offender_injured", "offender_deceased"]
PHILADELPHIA_HEADER += ["location", "latino", "point_x", "point_y", "dist", "inside", "outside", "fatal", "lat", "lng"]
SHARED_EXPORTS = {
    "boston": ROOT.parent / "shared" / "data" / "us-cities" / "boston-shootings.csv",
    "philadelphia": ROOT.parent / "shared" / "data" / "us-cities" / "philadelphia-shooting-victims.csv",
}


def write_export(path: Path, header: list[str], rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def boston_export(path: Path, shootings: list[tuple[str, str]]) -> Path:
    """An Analyze Boston export with one victim per (shooting_date, shooting_type_v2)."""
    rows = [
        {"incident_num": f"I{n}", "shooting_date": date, "district": "B2", "shooting_type_v2": outcome}
        | {"victim_gender": "Male", "multi_victim": "f"}
        for n, (date, outcome) in enumerate(shootings)
    ]
    return write_export(path, BOSTON_HEADER, rows)


def counted(argv: list[str], capsys) -> tuple[int, list[dict], str]:
    """Run the command: its exit code, the rows it printed and what it wrote on stderr."""
    code = main(argv)
    out, err = capsys.readouterr()
    return code, list(csv.DictReader(io.StringIO(out))), err


def by_year_and_measure(rows: list[dict]) -> dict[tuple[int, str], int]:
    return {(int(row["year"]), row["measure"]): int(row["count"]) for row in rows}


def test_boston_victims_per_whole_year(tmp_path, capsys):
    path = boston_export(
        tmp_path / "shootings.csv",
        [
            ("2021-03-04 21:10:00+00", "Non-Fatal"),
            ("2021-12-31 23:30:00+00", "Fatal"),  # a local time, whatever the "+00": still 2021
            ("2022-01-01 00:15:00+00", "Non-Fatal"),
            ("2022-07-01 02:00:00+00", "Non-Fatal"),
            ("2023-01-05 20:00:00+00", "Fatal"),  # the export's last year, which it covers in part
        ],
    )
    code, rows, err = counted(["count-shootings", "boston", str(path)], capsys)
    assert code == 0
    assert by_year_and_measure(rows) == {
        (2021, "fatal"): 1,
        (2021, "non_fatal"): 1,
        (2021, "total"): 2,
        (2022, "fatal"): 0,
        (2022, "non_fatal"): 2,
        (2022, "total"): 2,
    }
    assert {(row["city"], row["unit"], row["source_id"], row["is_headline"], row["note_en"]) for row in rows} == {
        ("Boston", "victims", "analyze_boston_shootings", "true", "")
    }
    assert {row["as_of"] for row in rows} == {"2021-12-31", "2022-12-31"}
    assert "2023 left out: the file runs to 2023-01-05" in err


def test_the_printed_rows_are_a_valid_us_city_yearly_file(tmp_path, capsys):
    path = boston_export(tmp_path / "shootings.csv", [("2020-05-01 22:00:00+00", "Fatal"), ("2021-01-01", "Fatal")])
    main(["count-shootings", "boston", str(path)])
    rows_file = tmp_path / YEARLY.file_name
    rows_file.write_text(capsys.readouterr().out, encoding="utf-8")
    frame, problems = read_table(rows_file, YEARLY)
    assert problems == [] and len(frame) == 3


def test_philadelphia_counts_by_the_date_and_leaves_out_victims_without_an_outcome(tmp_path, capsys):
    victims = [
        ("2019", "2018-12-31 00:00:00+00", "0"),  # the year column follows the case number; the date is 2018
        ("2018", "2018-05-01 00:00:00+00", "1"),
        ("2018", "2018-06-01 00:00:00+00", ""),  # a police officer-involved shooting: no outcome
        ("2019", "2019-02-01 00:00:00+00", "1"),
    ]
    rows = [{"year": year, "date_": date, "fatal": fatal, "officer_involved": "N"} for year, date, fatal in victims]
    path = write_export(tmp_path / "shootings.csv", PHILADELPHIA_HEADER, rows)
    code, printed, err = counted(["count-shootings", "philadelphia", str(path)], capsys)
    assert code == 0
    assert by_year_and_measure(printed) == {(2018, "fatal"): 1, (2018, "non_fatal"): 1, (2018, "total"): 2}
    assert {row["is_headline"] for row in printed} == {"false"}, "a cross-check of the Controller's table"
    notes = {row["measure"]: row["note_en"] for row in printed}
    assert notes == {"fatal": "", "non_fatal": "", "total": "Left out: 1 victims with no fatal or non-fatal value."}
    assert [row["note_sv"] for row in printed if row["measure"] == "total"] == [
        "Utelämnade: 1 skjutna utan uppgift om dödligt eller icke-dödligt."
    ]
    assert "2019 left out" in err


def test_a_value_the_command_does_not_know_stops_it(tmp_path, capsys):
    path = boston_export(tmp_path / "shootings.csv", [("2020-01-01", "Unknown"), ("yesterday", "Fatal")])
    code, rows, err = counted(["count-shootings", "boston", str(path)], capsys)
    assert code == 2 and rows == []
    assert "shootings.csv, row 2, column shooting_type_v2: 'Unknown' is not one of Fatal, Non-Fatal" in err
    assert "shootings.csv, row 3, column shooting_date: 'yesterday' is not a date" in err
    assert err.strip().endswith("2 problem(s): nothing was counted.")
    wrong = write_export(tmp_path / "other.csv", ["incident_num", "date"], [{"incident_num": "1", "date": "2020"}])
    code, _, err = counted(["count-shootings", "boston", str(wrong)], capsys)
    assert code == 2 and "other.csv, row 1, column shooting_date: required column is missing" in err


# The shipped rows ------------------------------------------------------------------------------


def test_a_total_that_is_no_sum_says_so_and_every_series_has_one_programme_and_unit():
    tables = shipped.tables()
    yearly = tables["us_city_yearly"]
    parts = yearly.pivot_table(index=["city", "year", "source_id"], columns="measure", values="count").dropna()
    totals = yearly[yearly["measure"] == "total"].set_index(["city", "year", "source_id"])["note_en"]
    not_adding_up = parts[parts["fatal"] + parts["non_fatal"] != parts["total"]].index
    assert len(parts) and totals.loc[not_adding_up].notna().all(), "a total that is not the sum says so"
    programmes = [*tables["us_results"]["city"], *tables["us_programmes"]["city"]]
    assert len(programmes) == len(set(programmes)), "a city's programme is in one file, not both"
    assert set(yearly["city"]) <= set(programmes)
    assert (yearly[yearly["is_headline"]].groupby("city")["unit"].nunique() == 1).all()


@pytest.mark.parametrize("city", sorted(us_cities.EXPORTS))
def test_the_shipped_counts_are_what_the_command_counts_in_the_export(city):
    export = us_cities.EXPORTS[city]
    if not SHARED_EXPORTS[city].is_file():
        pytest.skip(f"the {city} export is not here ({SHARED_EXPORTS[city]})")
    printed, _ = us_cities.count_shootings(city, SHARED_EXPORTS[city])
    counted_rows = pd.read_csv(io.StringIO(printed), dtype=str, keep_default_na=False)
    shipped_rows = pd.read_csv(shipped.data_dir() / YEARLY.file_name, dtype=str, keep_default_na=False)
    shipped_rows = shipped_rows[shipped_rows["source_id"] == export.source_id]
    compared = [column.name for column in YEARLY.columns if not column.name.startswith("note_")]  # remarks by hand
    assert sorted(map(tuple, counted_rows[compared].values)) == sorted(map(tuple, shipped_rows[compared].values))


# The queries, the chart and the sentences on fixture cities ----------------------------------------


def append_rows(path: Path, rows: list[dict]) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    with path.open("a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, header, restval="", lineterminator="\n").writerows(rows)


def replace_rows(path: Path, rows: list[dict]) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    write_export(path, header, rows)


def yearly_row(city: str, year: int, count: int, source_id: str = "test_city_source", headline: bool = True) -> dict:
    return {"city": city, "year": year, "measure": "total", "unit": "victims", "count": count} | {
        "is_headline": "true" if headline else "false",
        "as_of": f"{year}-12-31",
        "source_id": source_id,
    }


@pytest.fixture(scope="module")
def fixture_con(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    """The shipped data with two made-up cities as the only US series.

    Springfield's programme began in 2019, so 2018 is its base year; it has no row for 2013-2014, 2016-2017 and
    2019, and populations for 2010 and 2020. Shelbyville's programme (1990) is older than its series, which
    begins in 2016; it has no population.
    """
    folder = tmp_path_factory.mktemp("us_cities")
    data = Path(shutil.copytree(shipped.data_dir(), folder / "data"))
    append_rows(
        data / "sources.csv",
        [
            {"source_id": source, "kind": "secondary", "publisher": "Tests", "title": source}
            | {"date_accessed": "2026-12-02"}
            for source in ("test_city_source", "test_other_source")
        ],
    )
    replace_rows(
        data / "us_city_yearly.csv",
        [
            *(
                yearly_row("Springfield", year, count)
                for year, count in ((2012, 10), (2015, 20), (2018, 40), (2020, 20))
            ),
            yearly_row("Springfield", 2018, 42, "test_other_source", headline=False),
            *(yearly_row("Shelbyville", year, count) for year, count in ((2016, 40), (2017, 20))),
        ],
    )
    replace_rows(
        data / "us_programmes.csv",
        [
            {"city": city, "programme": "GVI", "programme_start_year": start, "source_id": "test_city_source"}
            for city, start in (("Springfield", 2019), ("Shelbyville", 1990))
        ],
    )
    replace_rows(
        data / "us_city_population.csv",
        [
            {"city": "Springfield", "year": year, "population": population}
            | {"as_of": f"{year}-04-01", "source_id": "test_city_source"}
            for year, population in ((2010, 1000), (2020, 2000))
        ],
    )
    database = folder / "fixture.duckdb"
    build_database(data, database)
    connection = duckdb.connect(str(database), read_only=True)
    yield connection
    connection.close()


def city_rows(frame: pd.DataFrame, city: str) -> pd.DataFrame:
    return frame[frame["city"] == city].set_index("year")


def test_the_index_starts_from_the_year_before_the_programme_or_the_first_year(fixture_con):
    series = run_query(fixture_con, "shootings_index_by_city_and_year", from_year=2000, to_year=2030)
    springfield, shelbyville = city_rows(series, "Springfield"), city_rows(series, "Shelbyville")
    assert set(springfield["base_year"]) == {2018} and set(shelbyville["base_year"]) == {2016}
    assert springfield["index_value"].to_dict() == {2012: 25.0, 2015: 50.0, 2018: 100.0, 2020: 50.0}
    assert shelbyville["index_value"].to_dict() == {2016: 100.0, 2017: 50.0}
    assert 2019 not in springfield.index, "a year without a figure is no row, never 0"
    assert set(series["city"]) >= {charts.MALMO, "Springfield", "Shelbyville"}
    assert series["city"].iloc[0] == charts.MALMO, "Malmö first"


def test_a_rate_uses_the_nearest_population_and_none_without_one(fixture_con):
    series = run_query(fixture_con, "shootings_index_by_city_and_year", from_year=2000, to_year=2030)
    springfield = city_rows(series, "Springfield")
    assert springfield["population_year"].to_dict() == {2012: 2010, 2015: 2020, 2018: 2020, 2020: 2020}
    assert springfield["rate_per_100k"].to_dict() == {2012: 1000.0, 2015: 1000.0, 2018: 2000.0, 2020: 1000.0}
    assert city_rows(series, "Shelbyville")["rate_per_100k"].isna().all()


def test_the_base_year_holds_whatever_the_years_chosen(fixture_con):
    series = run_query(fixture_con, "shootings_index_by_city_and_year", from_year=2017, to_year=2018)
    assert city_rows(series, "Shelbyville")["index_value"].to_dict() == {2017: 50.0}
    assert city_rows(series, "Springfield")["index_value"].to_dict() == {2018: 100.0}


def test_counts_and_the_comparison_of_sources(fixture_con):
    counts = run_query(fixture_con, "us_city_counts_by_year", from_year=2000, to_year=2030)
    assert city_rows(counts, "Springfield")["total"].to_dict() == {2012: 10, 2015: 20, 2018: 40, 2020: 20}
    assert city_rows(counts, "Springfield")["fatal"].isna().all(), "not given, not 0"
    comparison = run_query(fixture_con, "us_city_source_comparison", from_year=2000, to_year=2030)
    row = comparison.iloc[0]
    assert len(comparison) == 1
    assert (row["headline_count"], row["other_count"], row["other_minus_shown"]) == (40, 42, 2)
    assert sentences.source_comparison_summary(comparison, "en") == t(
        "benchmarks.comparison_summary", "en", differs="1", total="1", where="Springfield 2018"
    )
    assert sentences.source_comparison_summary(comparison.iloc[0:0], "sv") == t("benchmarks.comparison_none", "sv")


def test_the_chart_leaves_gaps_and_names_what_each_city_counts(fixture_con):
    series = run_query(fixture_con, "shootings_index_by_city_and_year", from_year=2000, to_year=2030)
    figure = charts.city_series_figure(series, value_column="index_value", lang="sv", title="x")
    traces = {trace.name.split(",")[0]: trace for trace in figure.data}
    springfield = traces["Springfield"]
    assert dict(zip(springfield.x, springfield.y, strict=True)) == {  # a year's figure in the middle of its year
        "2012-07-01": 25.0,
        "2013-07-01": None,
        "2014-07-01": None,
        "2015-07-01": 50.0,
        "2016-07-01": None,
        "2017-07-01": None,
        "2018-07-01": 100.0,
        "2019-07-01": None,
        "2020-07-01": 50.0,
    }
    assert springfield.connectgaps is False
    assert traces[charts.MALMO].line.color == charts.MALMO_COLOUR
    assert springfield.name.replace("<br>", " ") == markdown.plain(  # wrapped to fit a phone
        t(
            "benchmarks.legend_index_value",
            "sv",
            city="Springfield",
            unit=t("unit.victims", "sv"),
            base_year=2018,
            base=t("benchmarks.base_before_programme", "sv", year=2019),
        )
    )
    assert t("benchmarks.base_first_year", "sv", year=1990) in traces["Shelbyville"].name.replace("<br>", " ")
    rates = charts.city_series_figure(series, value_column="rate_per_100k", lang="en", title="x")
    assert "Shelbyville" not in {trace.name.split(",")[0] for trace in rates.data}, "no population, no rate"


def test_the_description_names_first_and_last_values_and_gaps(fixture_con):
    series = run_query(fixture_con, "shootings_index_by_city_and_year", from_year=2000, to_year=2030)
    text = markdown.plain(sentences.describe_city_series(series, "index_value", "en"))
    assert "Springfield, people shot: 25.0 in 2012 and 50.0 in 2020 (no figure for 2013–2014, 2016–2017, 2019)" in text
    assert markdown.plain(sentences.describe_city_series(series.iloc[0:0], "rate_per_100k", "sv")) == markdown.plain(
        t("benchmarks.describe_series_none", "sv", scale=t("benchmarks.scale_rate_per_100k", "sv"))
    )


# The page ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_page_shows_the_series_its_tables_and_the_caveat(lang):
    first, last = shipped.default_years()
    app = run_page("pages/benchmarks.py", lang=lang)
    assert not app.exception, app.exception[0].value if app.exception else ""
    assert len(app.get("plotly_chart")) == 2, "the quoted results and the cities year by year"
    text = texts_of(app)
    assert markdown.plain(t("benchmarks.series_caveat", lang)) in text
    yearly = shipped.tables()["us_city_yearly"]
    headline = yearly[yearly["is_headline"] & (yearly["measure"] == "total") & yearly["year"].between(first, last)]
    title = markdown.plain(t("benchmarks.series_title_index_value", lang, years=fmt.year_range(first, last)))
    (series_chart,) = [chart_spec(c) for c in app.get("plotly_chart") if title_of(chart_spec(c)) == title]
    drawn = {trace["name"].split(",")[0] for trace in series_chart["data"]}
    assert drawn == {charts.MALMO, *headline["city"]}, "Malmö and every US city with figures in the years"
    (counts,) = [frame.value for frame in app.dataframe if column_label("non_fatal", lang) in frame.value.columns]
    for row in headline.itertuples():
        shown = counts[
            (counts[column_label("city", lang)] == row.city) & (counts[column_label("year", lang)] == str(row.year))
        ]
        assert shown[column_label("total", lang)].tolist() == [fmt.count(row.count, lang)]


def chart_spec(chart) -> dict:
    return json.loads(chart.proto.spec)


def title_of(spec: dict) -> str:
    """A chart's title as one line of text: the chart wraps it into lines (<br>) and escapes it as HTML."""
    return html.unescape(spec["layout"]["title"]["text"].replace("<br>", " "))


def test_the_rate_leaves_out_cities_without_a_population():
    app = run_page("pages/benchmarks.py", lang="en", scale="rate_per_100k")
    assert not app.exception
    tables = shipped.tables()
    without = sorted(set(tables["us_city_yearly"]["city"]) - set(tables["us_city_population"]["city"]))
    assert without, "the shipped data has a city without a sourced population"
    assert markdown.plain(t("benchmarks.no_population", "en", cities=", ".join(without))) in texts_of(app)

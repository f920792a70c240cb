"""Every query file runs against the built database and returns its declared columns and grain."""

from __future__ import annotations

import itertools
import re

import duckdb
import pandas as pd
import pytest
from conftest import extract_database
from test_extract_views import incident, incidents

from slutaskjut.chokepoint import ALL_YEARS, years_of
from slutaskjut.queries import models, queries, run_query

QUERY_NAMES = sorted(queries())
UPPERCASE_KEYWORD = re.compile(r"\b(SELECT|FROM|WHERE|WITH|JOIN|GROUP|ORDER|AS|AND|CASE|WHEN)\b")


def example_params(name: str) -> dict:
    return {key: spec["example"] for key, spec in queries()[name].description.get("params", {}).items()}


@pytest.mark.parametrize("name", QUERY_NAMES + [f"models/{name}" for name in models()])
def test_query_is_described(name):
    query = (models() if name.startswith("models/") else queries())[name.removeprefix("models/")]
    for field in ("title", "row", "grain", "tables", "columns"):
        assert field in query.description, f"{name}.toml lacks {field}"
    assert set(query.description.get("params", {})) == query.params, f"{name}: declared parameters differ from the SQL"
    assert not UPPERCASE_KEYWORD.search(query.sql), f"{name}: SQL is written lowercase"
    assert "select * from final" in query.sql, f"{name}: ends with select * from final"


# The session database holds only the built-in demonstration extracts, which are not imports, so the
# import history is empty there (test_import_history): these queries run on it with one real import.
ON_AN_IMPORT = {"import_history"}


@pytest.fixture(scope="session")
def imported_con(imported_database) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(imported_database), read_only=True)
    yield connection
    connection.close()


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_query_returns_declared_columns_and_grain(request, name):
    query = queries()[name]
    con = request.getfixturevalue("imported_con" if name in ON_AN_IMPORT else "con")
    frame = run_query(con, name, **example_params(name))
    assert list(frame.columns) == query.columns
    assert len(frame) > 0, f"{name} returned no rows for its example parameters"
    grain = query.description["grain"]
    if grain:
        assert not frame.duplicated(subset=grain).any(), f"{name}: more than one row per {grain}"
    else:
        assert len(frame) == 1


RANGE_QUERIES = [name for name in QUERY_NAMES if "range_picks_rows_by" in queries()[name].description]


def as_values(frame: pd.DataFrame) -> list[list]:
    """A frame's rows as plain values, every missing one None (DuckDB types an all-empty column by its rows)."""
    return [[None if pd.isna(value) else value for value in row] for row in frame.itertuples(index=False)]


@pytest.mark.parametrize("name", RANGE_QUERIES)
def test_a_range_only_chooses_rows_of_all_the_years(con, name):
    """The pages read these queries once over all years and choose a range's rows (chokepoint.protected)."""
    query = queries()[name]
    assert "suppress" not in query.description, "suppression could depend on the rows a range leaves out"
    column, params = query.description["range_picks_rows_by"], example_params(name)
    every_year = run_query(con, name, **params | ALL_YEARS)
    years = sorted(set(years_of(every_year[column])))
    assert len(years) > 1, f"{name}: rows of more than one year to choose from"
    for first, last in itertools.combinations_with_replacement(range(years[0] - 1, years[-1] + 2), 2):
        in_range = every_year[years_of(every_year[column]).between(first, last)]
        own_query = run_query(con, name, **params | {"from_year": first, "to_year": last})
        assert as_values(own_query) == as_values(in_range), (first, last)


def test_model_has_declared_columns(con):
    for model in models().values():
        frame = con.table(model.name).df()
        assert list(frame.columns) == model.columns
        assert not frame.duplicated(subset=model.description["grain"]).any()


def test_wrong_parameters_are_refused(con):
    with pytest.raises(TypeError, match="incidents_by_year takes"):
        run_query(con, "incidents_by_year", from_year=2016)


def figure(frame: pd.DataFrame, **where):
    rows = frame
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, where
    return rows.iloc[0]


def test_yearly_figures_equal_the_published_table(con):
    yearly = run_query(con, "incidents_by_year", from_year=2016, to_year=2024)
    published = {  # Malmö stad, Sluta skjut, last changed 2021-01-28
        2016: (61, 43, 7, 31),
        2017: (65, 62, 7, 35),
        2018: (47, 39, 12, 23),
        2019: (34, 36, 7, 13),
        2020: (20, 17, 3, 5),
    }
    for year, counts in published.items():
        for measure, count in zip(("shootings", "explosions", "dead", "injured"), counts, strict=True):
            assert figure(yearly, year=year, measure=measure)["count"] == count
    assert figure(yearly, year=2021, measure="shootings")["count"] == 21
    assert figure(yearly, year=2022, measure="dead")["count"] == 5
    not_published = figure(yearly, year=2022, measure="explosions")
    assert pd.isna(not_published["count"]) and pd.isna(not_published["rate_per_100k"])
    assert not_published["status"] == "not_published"


def test_rates_use_the_population_of_the_same_year(con):
    yearly = run_query(con, "incidents_by_year", from_year=2017, to_year=2017)
    assert figure(yearly, measure="shootings")["rate_per_100k"] == pytest.approx(65 * 100_000 / 333_633)


def test_provisional_2020_figure_is_kept_apart(con):
    provisional = run_query(con, "provisional_figures", from_year=2016, to_year=2024)
    row = figure(provisional, year=2020, measure="shootings")
    assert row["count"] == 19 and str(row["as_of"].date()) == "2020-12-03"
    headline = run_query(con, "incidents_by_year", from_year=2020, to_year=2020)
    assert figure(headline, measure="shootings")["count"] == 20


def test_change_between_years(con):
    change = run_query(con, "change_between_years", base_year=2017, year=2020)
    shootings = figure(change, measure="shootings")
    assert (shootings["count_base"], shootings["count_year"], shootings["change_count"]) == (65, 20, -45)
    assert shootings["change_pct"] == pytest.approx(-45 / 65 * 100)
    unknown = run_query(con, "change_between_years", base_year=2017, year=2022)
    assert pd.isna(figure(unknown, measure="explosions")["change_pct"])


def test_year_over_year_changes(con):
    changes = run_query(con, "changes_by_year", from_year=2018, to_year=2018)
    row = figure(changes, measure="shootings")
    assert (row["previous_count"], row["change_count"]) == (65, -18)


def test_disagreeing_sources_are_listed(con):
    disagreements = run_query(con, "source_disagreements", from_year=2016, to_year=2024)
    found = {(r.year, r.measure, r.headline_count, r.other_count) for r in disagreements.itertuples()}
    assert found == {(2016, "shootings", 61, 59), (2017, "explosions", 62, 58), (2018, "injured", 23, 14)}


def test_us_results_as_quoted(con):
    us = run_query(con, "us_results").set_index("city")["quoted_change_pct"].to_dict()
    assert us == {"Boston": -63, "New Orleans": -32, "Stockton": -42, "Cincinnati": -41}


def test_outreach_rounds_and_shares(con):
    outreach = run_query(con, "outreach_by_round_and_stage", from_year=2016, to_year=2024)
    may = outreach[outreach["round_id"] == "may_2020"].set_index("stage")
    assert may["count"].to_dict() == {"sought_out": 23, "sought_exit_support": 7, "helped_to_relocate": 2}
    assert may.loc["sought_exit_support", "share_of_first_step_pct"] == pytest.approx(7 / 23 * 100)
    november = outreach[outreach["round_id"] == "nov_2020"].set_index("stage")["count"].to_dict()
    assert november == {"sought_out": 24, "wanted_help_on_the_spot": 5}
    totals = outreach[outreach["round_id"] == "since_start"].set_index("stage")
    assert totals["count"].to_dict() == {"sought_out": 100, "deprived_of_liberty": 40}
    assert totals["is_lower_bound"].all() and totals["share_of_first_step_pct"].isna().all()
    report = outreach[outreach["round_id"] == "feb_2020_report"].set_index("stage")["count"].to_dict()
    assert report == {
        "call_ins_held": 3,
        "call_in_participants": 25,
        "custom_notifications_held": 49,
        "custom_notification_individuals": 44,
    }


def test_year_filter_excludes_outreach_outside_the_range(con):
    assert run_query(con, "outreach_by_round_and_stage", from_year=2016, to_year=2019).empty


def test_import_history(con, imported_con):
    assert run_query(con, "import_history").empty, "the demonstration extracts are not imports"
    (row,) = run_query(imported_con, "import_history").itertuples()
    assert (row.extract, row.file_names, row.imported_by) == ("incidents", "incidents.csv", "test")
    assert (row.rows_read, row.rows_added, row.rows_replaced, row.rows_unchanged, row.rows_skipped) == (3, 3, 0, 0, 0)
    assert len(row.file_sha256) == 64 and row.import_id.startswith("incidents-")


def test_coverage_by_year_splits_each_source_into_its_years(tmp_path):
    rows = [incident("2019-01-01"), incident("2019-07-01", "explosion"), incident("2020-12-12")]
    path = extract_database(tmp_path / "coverage.duckdb", incidents=incidents(rows))
    with duckdb.connect(str(path), read_only=True) as con:
        coverage = run_query(con, "incident_coverage_by_year", from_year=2019, to_year=2020)
    assert coverage["source"].tolist() == ["Testpolisen", "Testpolisen"]
    first, last = coverage.itertuples()
    assert (first.year, first.period_start.date().isoformat(), first.covers_year) == (2019, "2019-01-01", True)
    assert first.days_covered == 365
    assert (last.year, last.period_end.date().isoformat(), last.covers_year) == (2020, "2020-12-12", False)
    assert (first.shootings, first.explosions, last.shootings, last.explosions) == (1, 1, 1, 0)

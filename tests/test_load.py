"""The loader: the shipped data validates; broken copies fail naming file, row and column."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from slutaskjut import markdown
from slutaskjut.i18n import t
from slutaskjut.load import DataError, build_database, built_fingerprint, ensure_database, fingerprint, read_all
from slutaskjut.paths import data_dir
from slutaskjut.schema import LANGUAGES, TABLES


def rewrite(path: Path, change) -> None:
    """Apply `change` to the rows (a list of lists, header first) of a CSV file."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def problems_of(data_dir: Path) -> list[str]:
    with pytest.raises(DataError) as raised:
        read_all(data_dir)
    return [str(problem) for problem in raised.value.problems]


def test_shipped_data_validates_and_every_row_names_a_known_source():
    frames = read_all(data_dir())
    known = set(frames["sources"]["source_id"])
    for table in TABLES:
        frame = frames[table.name]
        assert len(frame) > 0, table.name
        for column in (c.name for c in table.columns if c.name.endswith("source_id")):
            assert frame[column].notna().all(), f"{table.name}.{column} has an empty source"
            assert set(frame[column]) <= known, table.name


def test_every_table_has_a_description_and_a_name_for_readers():
    # its columns' descriptions are in the column catalogue (tests/test_columns.py)
    for table in TABLES:
        assert table.description
        assert all(t(f"data_file.{table.name}", lang).strip() for lang in LANGUAGES), table.name


def test_a_text_in_one_language_only_is_refused(data_copy):
    path = data_copy / "outreach_rounds.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = frame.index[frame["note_sv"] != ""][0]
    frame.loc[row, "note_sv"] = ""
    frame.to_csv(path, index=False)
    with pytest.raises(DataError) as raised:
        read_all(data_copy)
    assert [(p.file, p.row, p.column) for p in raised.value.problems] == [("outreach_rounds.csv", row + 2, "note_sv")]


def test_not_published_figures_are_empty_never_zero():
    yearly = read_all(data_dir())["malmo_yearly"]
    not_published = yearly[yearly["status"] == "not_published"]
    assert len(not_published) > 0
    assert not_published["count"].isna().all()
    assert (yearly.loc[yearly["status"] != "not_published", "count"].notna()).all()


def test_missing_column_is_named(data_copy):
    rewrite(data_copy / "population.csv", lambda rows: [row.pop(1) for row in rows])
    assert problems_of(data_copy) == ["population.csv, row 1, column population: required column is missing"]


def test_text_in_number_column_names_row_and_column(data_copy):
    def break_2017_shootings(rows):
        rows[5][2] = "sixty-five"  # row 6 in a spreadsheet: 2017, shootings

    rewrite(data_copy / "malmo_yearly.csv", break_2017_shootings)
    assert problems_of(data_copy) == ["malmo_yearly.csv, row 6, column count: 'sixty-five' is not a whole number"]


def test_unknown_source_id_is_named(data_copy):
    def unknown_source(rows):
        rows[3][-1] = "nobody"

    rewrite(data_copy / "population.csv", unknown_source)
    assert problems_of(data_copy) == ["population.csv, row 4, column source_id: unknown source_id 'nobody'"]


def test_duplicate_key_names_both_rows(data_copy):
    rewrite(data_copy / "us_results.csv", lambda rows: rows.append(list(rows[1])))
    assert problems_of(data_copy) == ["us_results.csv, row 6, column city: duplicate key Boston: same as row 2"]


def test_two_headline_figures_for_one_year_and_measure(data_copy):
    def second_headline(rows):
        nrk_2016 = next(row for row in rows if row[0] == "2016" and row[6] == "nrk_2021_01")
        nrk_2016[4] = "true"

    rewrite(data_copy / "malmo_yearly.csv", second_headline)
    (problem,) = problems_of(data_copy)
    assert problem.startswith("malmo_yearly.csv, row ")
    assert "column year, measure: more than one row with is_headline true for 2016, shootings: same as row 2" in problem


def test_every_year_needs_a_headline_for_every_measure(data_copy):
    rewrite(data_copy / "malmo_yearly.csv", lambda rows: rows.pop(3))  # 2016, dead
    assert problems_of(data_copy) == ["malmo_yearly.csv, row 2, column is_headline: no headline row for 2016, dead"]


def test_empty_count_for_a_published_figure(data_copy):
    rewrite(data_copy / "malmo_yearly.csv", lambda rows: rows[1].__setitem__(2, ""))
    assert problems_of(data_copy) == ["malmo_yearly.csv, row 2, column count: is missing for a published figure"]


@pytest.mark.parametrize(
    ("file", "row", "column", "value", "message"),
    [
        ("malmo_yearly.csv", 2, "count", "-3", "'-3' is below 0"),
        ("malmo_yearly.csv", 2, "measure", "murders", "'murders' is not one of shootings, explosions, dead, injured"),
        ("malmo_yearly.csv", 2, "as_of", "31/12/2016", "'31/12/2016' is not a date written YYYY-MM-DD"),
        ("malmo_yearly.csv", 2, "is_headline", "yes", "'yes' is not true or false"),
        ("sources.csv", 2, "date_published", "2021-13", "'2021-13' is not a date written YYYY, YYYY-MM or YYYY-MM-DD"),
        ("outreach_figures.csv", 3, "count", "", "value is missing"),
    ],
)
def test_bad_cell_is_named(data_copy, file, row, column, value, message):
    def put(rows):
        rows[row - 1][rows[0].index(column)] = value

    rewrite(data_copy / file, put)
    assert f"{file}, row {row}, column {column}: {message}" in problems_of(data_copy)


def test_a_page_lists_the_problems_in_its_language(data_copy):
    rewrite(data_copy / "malmo_yearly.csv", lambda rows: rows[1].__setitem__(2, "[x](http://a.example)"))
    with pytest.raises(DataError) as raised:
        read_all(data_copy)
    (problem,) = raised.value.problems
    swedish = markdown.plain(problem.text("sv"))
    assert swedish == "malmo_yearly.csv, rad 2, kolumn count: '[x](http://a.example)' är inte ett heltal"
    assert markdown.plain(problem.text("en")) == str(problem), "the command line says it in English"
    assert "\\[x\\]" in problem.text("sv"), "the file's words are escaped, never a link"


def test_every_problem_in_every_file_is_listed_at_once(data_copy):
    rewrite(data_copy / "population.csv", lambda rows: rows[1].__setitem__(1, "many"))
    rewrite(data_copy / "help_lines.csv", lambda rows: rows[1].__setitem__(4, "fax"))
    problems = problems_of(data_copy)
    assert any(p.startswith("population.csv, row 2, column population") for p in problems)
    assert any(p.startswith("help_lines.csv, row 2, column contact_kind") for p in problems)


def test_missing_empty_and_non_utf8_files(data_copy):
    (data_copy / "milestones.csv").unlink()
    (data_copy / "definitions.csv").write_text("")
    (data_copy / "help_lines.csv").write_bytes("line_id,purpose_sv\nx,Hjälp\n".encode("cp1252"))
    problems = problems_of(data_copy)
    assert "milestones.csv, row 0, column -: file is missing" in problems
    assert "definitions.csv, row 1, column -: file is empty: no header row" in problems
    assert any(p.startswith("help_lines.csv, row 0, column -: not UTF-8 text") for p in problems)


def test_failed_build_keeps_the_database_that_was_there(data_copy, tmp_path):
    database = tmp_path / "kept.duckdb"
    first = ensure_database(data_copy, database)
    rewrite(data_copy / "population.csv", lambda rows: rows[1].__setitem__(1, "many"))
    with pytest.raises(DataError):
        ensure_database(data_copy, database)
    assert built_fingerprint(database) == first
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select count(*) from population").fetchone()[0] == 9
    assert not list(tmp_path.glob("*.tmp*")), "no temporary file left behind"


def test_database_is_rebuilt_when_a_data_file_changes(data_copy, tmp_path):
    database = tmp_path / "rebuilt.duckdb"
    first = ensure_database(data_copy, database)
    assert ensure_database(data_copy, database) == first  # unchanged data: no rebuild

    def correct_2024(rows):
        rows[-1][1] = "365700"

    rewrite(data_copy / "population.csv", correct_2024)
    second = ensure_database(data_copy, database)
    assert second != first
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select population from population where year = 2024").fetchone()[0] == 365700


def test_fingerprint_follows_the_demo_extracts_only(data_copy):
    """In demo mode (the session's) the build reads <dataset>_*.csv in data/extracts/: other files there do not
    make it rebuild. Without demo mode it reads the police events instead (tests/test_default_data.py)."""
    extracts = data_copy / "extracts"
    first = fingerprint(data_copy)
    (extracts / "README.md").write_text("Rewritten.\n")
    (extracts / "notes.txt").write_text("Not read by the build.\n")
    assert fingerprint(data_copy) == first
    rewrite(extracts / "incidents_synthetic.csv", lambda rows: rows.pop())
    second = fingerprint(data_copy)
    assert second != first
    (extracts / "interventions_more.csv").write_bytes((extracts / "interventions_synthetic.csv").read_bytes())
    assert fingerprint(data_copy) != second


def test_build_writes_models(tmp_path):
    database = tmp_path / "models.duckdb"
    build_database(data_dir(), database)
    with duckdb.connect(str(database), read_only=True) as con:
        rate = con.execute(
            "select rate_per_100k from yearly_figures where year = 2017 and measure = 'shootings' and is_headline"
        ).fetchone()[0]
    assert rate == pytest.approx(65 / 333_633 * 100_000)

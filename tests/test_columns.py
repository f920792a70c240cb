"""The column catalogue (columns.toml) is the one home of a column's meaning, and tables follow it."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import shipped

from slutaskjut import fmt, tables
from slutaskjut.columns import FORMATS, base_name, catalogue, label, meaning
from slutaskjut.i18n import texts
from slutaskjut.queries import queries
from slutaskjut.schema import LANGUAGES, TABLES

QUERY_COLUMNS = sorted({(name, column) for name, query in queries().items() for column in query.columns})
FILE_COLUMNS = sorted({(table.name, column.name) for table in TABLES for column in table.columns})
NBSP = "\u00a0"


@pytest.mark.parametrize(("query", "column"), QUERY_COLUMNS)
def test_every_column_a_query_returns_is_in_the_catalogue(query, column):
    assert base_name(column) in catalogue(), f"{query} returns {column}, which columns.toml does not describe"


@pytest.mark.parametrize(("table", "column"), FILE_COLUMNS)
def test_every_column_of_a_data_file_is_in_the_catalogue(table, column):
    assert base_name(column) in catalogue(), f"data/{table}.csv holds {column}, which columns.toml does not describe"


def test_a_query_lists_its_columns_and_leaves_their_meaning_to_the_catalogue():
    described = [name for name, query in queries().items() if not isinstance(query.description["columns"], list)]
    assert not described, f"describe these columns in columns.toml and list them only: {described}"


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_column_has_its_label_and_description_in_both_languages(name):
    column = catalogue()[name]
    for text in (column.label, column.description, *([column.role] if column.role else [])):
        assert set(text) == set(LANGUAGES), name
        assert all(value.strip() for value in text.values()), name
    assert column.format in FORMATS, name
    assert column.missing is None or column.missing in texts(), f"{name}: missing reads {column.missing}"
    for flag in (column.lower_bound, column.approximate):
        assert flag is None or meaning(flag).format == "flag", f"{name}: {flag} is not a flag column"
    assert bool(column.codes) == (column.format == "code"), f"{name}: codes go with format code"
    assert column.role is None or column.format == "source", f"{name}: a role is a source's"


def test_every_code_of_the_data_reads_as_words():
    """A code a data file allows (a measure, a status, a stage) has a text in each column that shows it."""
    for table in TABLES:
        for column in table.columns:
            if column.allowed and meaning(column.name).format == "code":
                for value in column.allowed:
                    keys = [pattern.format(value) for pattern in meaning(column.name).codes]
                    assert any(key in texts() for key in keys), f"{table.name}.{column.name} = {value}: no text"


def test_data_notes_are_in_both_languages():
    """Our own words in data files (notes, labels, texts) come as _sv/_en pairs, both filled on every row."""
    frames = shipped.tables()
    for table in TABLES:
        names = {column.name for column in table.columns}
        assert not names & {"note", "notes"}, f"{table.name}: a note is written in both languages (note_sv, note_en)"
        for name in names:
            if name.endswith("_sv"):
                english = name.removesuffix("_sv") + "_en"
                assert english in names, f"{table.name}: {name} without {english}"
                swedish, other = frames[table.name][name], frames[table.name][english]
                assert (swedish.isna() == other.isna()).all(), f"{table.name}: {name} and {english} are filled alike"


def test_a_table_names_a_source_by_its_publisher_and_date_never_its_id():
    sources = shipped.tables()["sources"].set_index("source_id", drop=False)
    dated = sources[sources["date_published"].notna()].iloc[0]
    undated = sources[sources["date_published"].isna()].iloc[0]
    frame = pd.DataFrame(
        {
            "year": [2020, 2021],
            "count": [5, 6],
            "source_id": [dated.source_id, undated.source_id],
            "population_source_id": [undated.source_id, None],
        }
    )
    columns = ["year", "count", "source_id", "population_source_id"]
    shown = tables.for_display(frame, columns, "sv", sources=sources)
    assert list(shown.columns) == ["År", "Antal", "Källa"], "every source in one column"
    published = fmt.date(dated.date_published, "sv")
    population = meaning("population_source_id").role["sv"]
    assert shown["Källa"].tolist() == [
        f"{dated.publisher}, {published}; {population}: {undated.publisher}",
        undated.publisher,
    ]
    assert not any(source_id in cell for cell in shown["Källa"] for source_id in sources["source_id"])
    downloaded = tables.for_download(frame, columns, "en")
    assert downloaded["Source"].tolist() == [dated.source_id, undated.source_id], "the CSV keeps the ids"


SIGNED = sorted(name for name, column in catalogue().items() if column.format in ("signed_count", "signed_percent"))


@pytest.mark.parametrize("name", SIGNED)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_rise_shows_its_plus_sign_and_a_fall_its_minus(name, lang):
    shown = tables.for_display(pd.DataFrame({name: [12.0, -3.0, 0.0]}), [name], lang).iloc[:, 0].tolist()
    assert shown[0].startswith("+12") and shown[1].startswith("\u22123") and shown[2].startswith("0"), shown


def test_the_figure_follows_the_columns_that_say_which_row_it_is_and_stays_in_view_and_a_long_text_wraps():
    frame = pd.DataFrame(
        {
            "year": [2017],
            "measure": ["shootings"],
            "count": [65],
            "status": ["published"],
            "note": ["A very long remark on the figure, which wraps on screen and is kept whole in the CSV. " * 3],
        }
    )
    shown = tables.on_screen(frame, ["year", "measure", "count", "status", "note"], "sv")
    config = shown.column_config
    assert [header for header, column in config.items() if column["pinned"]] == ["År", "Mått", "Antal"]
    assert sum(column["width"] for column in config.values() if column["pinned"]) <= tables.PINNED_WIDTH
    assert config["Antal"]["alignment"] == "right"
    note_width = config["Anmärkning"]["width"]
    assert note_width < tables.text_width(frame["note"][0]) / 2, "a long note wraps, it does not stretch its column"
    lines = tables.wrapped_lines(frame["note"][0], note_width)
    assert 1 < lines <= 4 and shown.row_height == tables.row_height(lines), (lines, shown.row_height)
    assert config["Antal"]["help"] == meaning("count").description["sv"]


def test_long_key_columns_give_way_so_the_figure_stays_in_view_on_a_phone():
    frame = pd.DataFrame(
        {"stage": ["deprived_of_liberty"], "label": ["Custom notifications november 2020"], "count": [9]}
    )
    config = tables.on_screen(frame, ["label", "stage", "count"], "sv").column_config
    pinned = [column for column in config.values() if column["pinned"]]
    assert [column["label"] for column in pinned] == [label("label", "sv"), label("stage", "sv"), "Antal"]
    assert sum(column["width"] for column in pinned) <= tables.PINNED_WIDTH


def test_a_quarter_and_a_month_read_in_words():
    shown = tables.for_display(pd.DataFrame({"period": ["2020-Q2", "2020-05"]}), ["period"], "sv")
    assert shown["Period"].tolist() == ["kvartal 2 2020", "maj 2020"]
    assert tables.for_display(pd.DataFrame({"period": ["2020-Q2"]}), ["period"], "en")["Period"].tolist() == ["Q2 2020"]


def test_coordinates_use_the_languages_decimal_sign():
    shown = tables.for_display(pd.DataFrame({"latitude": [55.60512]}), ["latitude"], "sv").iloc[0, 0]
    assert shown == "55,60512"
    assert not re.search(r"\d\.\d", shown)


def test_a_header_is_never_cut_and_a_short_table_keeps_one_line_rows():
    frame = pd.DataFrame({"year": [2017], "measure": ["shootings"], "count": [65], "rate_per_100k": [18.9]})
    shown = tables.on_screen(frame, ["year", "measure", "count", "rate_per_100k"], "sv")
    for header, column in shown.column_config.items():
        assert column["width"] >= tables.text_width(header) + 16, header
    assert shown.row_height is None


def test_lines_wrap_at_spaces_and_a_long_word_goes_on():
    word = tables.text_width("skjutningar")
    assert tables.wrapped_lines("skjutningar", word + 30) == 1
    assert tables.wrapped_lines("skjutningar skjutningar", word + 30) == 2
    assert tables.wrapped_lines("skjutningar" * 3, word + 30) == 3
    assert tables.row_height(1) is None and tables.row_height(2) > 64 and tables.row_height(5) > tables.row_height(4)

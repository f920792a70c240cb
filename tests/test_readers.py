"""Staging extract files as text rows: formats, police events, mappings, whole-file problems and bounds."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import gzip
import io
import json
import os
import random
import tracemalloc
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from extract_files import (
    incident_row,
    intervention_row,
    police_event,
    write_csv,
    write_parquet,
    write_police_events,
    write_xlsx,
)

from slutaskjut import readers
from slutaskjut.extract_schema import INCIDENTS, INTERVENTIONS
from slutaskjut.problems import MAX_LISTED_PROBLEMS, DataError, Problem, printable
from slutaskjut.readers import POLICE_SOURCE, Mapping, Staged, load_mapping, read_rows, stage, staged_schema

ROWS = [
    incident_row(),
    incident_row(
        incident_id="i2",
        time=None,
        kind="suspected_shooting",
        dead=None,
        district="Södra Innerstaden, Möllevången",
        latitude="55.591",
        longitude="13.006",
    ),
]


class Result:
    """What staging one file gave: the frame of staged rows (our columns and `_row`) and the Staged."""

    def __init__(self, frame: pd.DataFrame, staged: Staged):
        self.frame, self.staged = frame, staged
        self.problems, self.skipped = staged.problems, staged.skipped


def staged(path: Path, dataset=INCIDENTS, mapping: Mapping | None = None) -> Result:
    """Stage one file into a staging table of an attached database, as an import does, and read it back."""
    with duckdb.connect() as con:
        con.execute("ATTACH ':memory:' AS staging")
        con.from_arrow(staged_schema(dataset).empty_table()).create("staging.staged")
        result = stage(con, "staging.staged", path, dataset, mapping)
        rows = con.table("staging.staged").sort(duckdb.ColumnExpression("_row")).to_arrow_table()
    assert set(rows["_file"].to_pylist()) <= {printable(path.name)}
    assert result.rows == rows.num_rows
    frame = pd.DataFrame({column: pd.Series(rows[column].to_pylist(), dtype=object) for column in dataset.columns})
    frame["_row"] = pd.Series(rows["_row"].to_pylist(), dtype="int64")
    return Result(frame, result)


def expected(rows: list[dict], first_row: int = 2, dataset=INCIDENTS) -> pd.DataFrame:
    """The staged frame of rows: every column of the dataset, None where a row has no cell."""
    frame = pd.DataFrame({c: pd.Series([row.get(c) for row in rows], dtype=object) for c in dataset.columns})
    frame["_row"] = pd.Series(range(first_row, first_row + len(rows)), dtype="int64")
    return frame


def records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    return frame[columns].to_dict("records")


def messages(result) -> list[str]:
    return [problem.message for problem in result.problems]


# --- the same rows in every format ---------------------------------------------------------


@pytest.mark.parametrize(
    "write",
    [
        lambda folder: write_csv(folder / "rows.csv", ROWS),
        lambda folder: write_csv(folder / "rows.txt", ROWS, encoding="utf-8-sig"),
        lambda folder: write_csv(folder / "rows.csv", ROWS, delimiter=";", encoding="cp1252"),
        lambda folder: write_csv(folder / "rows.csv.gz", ROWS),
        lambda folder: write_xlsx(folder / "rows.xlsx", ROWS),
        lambda folder: write_xlsx(folder / "rows.xlsx.gz", ROWS),
        lambda folder: write_parquet(folder / "rows.parquet", ROWS),
        lambda folder: write_parquet(folder / "rows.parquet.gz", ROWS),
    ],
    ids=["csv", "txt-bom", "csv-semicolon-cp1252", "csv-gz", "xlsx", "xlsx-gz", "parquet", "parquet-gz"],
)
def test_every_format_gives_the_same_rows(tmp_path, write):
    result = staged(write(tmp_path))
    assert result.problems == [] and result.skipped == Counter()
    assert result.staged == Staged(2, Counter(), [], 0)
    pd.testing.assert_frame_equal(result.frame, expected(ROWS))


def test_stage_appends_each_file_under_its_name(tmp_path):
    with duckdb.connect() as con:
        con.execute("ATTACH ':memory:' AS staging")
        con.from_arrow(staged_schema(INCIDENTS).empty_table()).create("staging.staged")
        assert staged_schema(INCIDENTS).names == ["_file", "_row", *INCIDENTS.columns]
        first = stage(con, "staging.staged", write_csv(tmp_path / "a.csv", ROWS), INCIDENTS)
        second = stage(con, "staging.staged", write_parquet(tmp_path / "b.parquet", ROWS[:1]), INCIDENTS)
        rows = con.table("staging.staged").select("_file", "_row", "incident_id").fetchall()
    assert (first.rows, second.rows) == (2, 1)
    assert sorted(rows) == [("a.csv", 2, "i1"), ("a.csv", 3, "i2"), ("b.parquet", 2, "i1")]


def test_read_rows_gives_a_frame_for_small_files(tmp_path):
    result = read_rows(write_police_events(tmp_path / "events.jsonl", [police_event(1), police_event(1)]), INCIDENTS)
    assert list(result.frame.columns) == [*INCIDENTS.columns, "_row"]
    assert list(result.frame["incident_id"]) == ["polisen-1"]
    assert result.skipped == ["repeated event"] and result.problems == []


def test_semicolon_windows_1252_keeps_swedish_letters_and_decimal_commas(tmp_path):
    rows = [incident_row(latitude="55,585", longitude="13,045", district="Rosengård; Herrgården")]
    path = write_csv(tmp_path / "rows.csv", rows, delimiter=";", encoding="cp1252")
    assert b"Rosengard" not in path.read_bytes() and "Rosengård".encode("cp1252") in path.read_bytes()
    frame = staged(path).frame
    assert frame.loc[0, "district"] == "Rosengård; Herrgården"  # quoted: it holds the delimiter
    assert (frame.loc[0, "latitude"], frame.loc[0, "longitude"]) == ("55,585", "13,045")


def test_cells_are_stripped_empty_cells_are_none_and_blank_rows_ignored(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text(
        " incident_id ,DATE,Kind\n  i1 , 2020-03-01 ,shooting\n\n,,\ni2,,  \n \t,\u3000, \n", encoding="utf-8"
    )
    result = staged(path)
    assert result.problems == []
    assert records(result.frame, ["incident_id", "date", "kind", "time", "_row"]) == [
        {"incident_id": "i1", "date": "2020-03-01", "kind": "shooting", "time": None, "_row": 2},
        {"incident_id": "i2", "date": None, "kind": None, "time": None, "_row": 5},
    ]
    assert result.staged.rows == 2


def test_a_row_with_cells_only_in_other_columns_is_staged_empty(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("incident_id,date,kind,note\ni1,2020-03-01,shooting,\n,,,a note\n", encoding="utf-8")
    result = staged(path)
    assert records(result.frame, ["incident_id", "_row"]) == [
        {"incident_id": "i1", "_row": 2},
        {"incident_id": None, "_row": 3},
    ]


def test_only_our_columns_are_kept(tmp_path):
    rows = [incident_row() | {"name": "Anna Andersson", "personnummer": "19900101-1234"}]
    for path in (
        write_csv(tmp_path / "r.csv", rows),
        write_xlsx(tmp_path / "r.xlsx", rows),
        write_parquet(tmp_path / "r.parquet", rows),
    ):
        frame = staged(path).frame
        assert list(frame.columns) == [*INCIDENTS.columns, "_row"]
        assert "Anna Andersson" not in frame.to_string()


def test_interventions_read_like_incidents(tmp_path):
    rows = [intervention_row(), intervention_row(contact_id="c2", group_ref=None, asked_exit_support="false")]
    result = staged(write_xlsx(tmp_path / "contacts.xlsx", rows), INTERVENTIONS)
    assert result.problems == []
    pd.testing.assert_frame_equal(result.frame, expected(rows, dataset=INTERVENTIONS))


def test_a_row_with_too_few_or_too_many_cells_is_a_problem_for_that_row(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("incident_id,date,kind\ni1,2020-03-01,shooting\ni2,2020-03-02\ni3,2020-03-03,shooting,x\n")
    result = staged(path)
    assert result.problems == [
        Problem("rows.csv", 3, "-", "has 2 cells, the header has 3"),
        Problem("rows.csv", 4, "-", "has 4 cells, the header has 3"),
    ]
    assert list(result.frame["incident_id"]) == ["i1"]


def test_rows_are_records_and_chunk_boundaries_change_nothing(tmp_path, monkeypatch):
    """A quoted cell may hold line breaks (one row, several lines); \\r\\n, \\r and \\n all end a line."""
    path = tmp_path / "rows.csv"
    path.write_bytes(
        'incident_id,date,kind,district\r\ni1,2020-03-01,shooting,"Rosengård,\r\nHerrgården"\r\n\r\n'
        "i2,2020-03-02,explosion,Fosie\ri3,2020-03-03,shooting,Husie\n".encode()
    )
    want = [
        {"incident_id": "i1", "district": "Rosengård,\r\nHerrgården", "_row": 2},
        {"incident_id": "i2", "district": "Fosie", "_row": 4},
        {"incident_id": "i3", "district": "Husie", "_row": 5},
    ]
    for chunk in (1, 2, 3, 5, 1 << 20):
        monkeypatch.setattr(readers, "_CHUNK_BYTES", chunk)
        result = staged(path)
        assert result.problems == [], chunk
        assert records(result.frame, ["incident_id", "district", "_row"]) == want, chunk


def test_excel_cells_become_text(tmp_path):
    row = {
        "incident_id": 1001,
        "date": dt.datetime(2020, 3, 1),
        "time": dt.time(21, 15),
        "kind": "shooting",
        "dead": 0,
        "injured": 2.0,
        "district": "  Rosengård ",
        "latitude": 55.585,
        "longitude": 13.045,
        "source": True,
    }
    later = row | {"incident_id": "x", "date": dt.datetime(2020, 3, 1, 21, 15), "time": None, "source": False}
    frame = staged(write_xlsx(tmp_path / "typed.xlsx", [row, later])).frame
    assert frame.drop(columns="_row").to_dict("records") == [
        {
            "incident_id": "1001",
            "date": "2020-03-01",
            "time": "21:15",
            "kind": "shooting",
            "dead": "0",
            "injured": "2",
            "district": "Rosengård",
            "latitude": "55.585",
            "longitude": "13.045",
            "source": "true",
        },
        {
            "incident_id": "x",
            "date": "2020-03-01 21:15",
            "time": None,
            "kind": "shooting",
            "dead": "0",
            "injured": "2",
            "district": "Rosengård",
            "latitude": "55.585",
            "longitude": "13.045",
            "source": "false",
        },
    ]


def test_parquet_cells_become_text(tmp_path):
    rows = [
        {"incident_id": 7, "date": dt.date(2021, 12, 24), "kind": "explosion", "injured": 1.5, "latitude": None},
        {"incident_id": 8, "date": dt.date(2022, 1, 2), "kind": "explosion", "injured": 3.0, "latitude": 55.6},
    ]
    frame = staged(write_parquet(tmp_path / "typed.parquet", rows)).frame
    assert records(frame, ["incident_id", "date", "kind", "injured", "latitude", "_row"]) == [
        {"incident_id": "7", "date": "2021-12-24", "kind": "explosion", "injured": "1.5", "latitude": None, "_row": 2},
        {"incident_id": "8", "date": "2022-01-02", "kind": "explosion", "injured": "3", "latitude": "55.6", "_row": 3},
    ]


def test_parquet_values_become_text_as_a_person_reads_them(tmp_path):
    """Integers exact (the largest unsigned one too, for the range check to refuse: never -1), whole floats
    and decimals without decimals, NaN empty, timestamps as dates at midnight, times HH:MM."""
    table = pa.table(
        {
            "incident_id": pa.array(["a", " b ", "c", "d"]),
            "date": pa.array(
                [dt.datetime(2020, 1, 1), dt.datetime(2020, 1, 1, 21, 15, 30), None, dt.datetime(2020, 1, 2)],
                pa.timestamp("ns"),
            ),
            "time": pa.array([dt.time(21, 15, 5), None, dt.time(1, 2), None]),
            "kind": pa.array([True, False, None, True]),
            "dead": pa.array([2**64 - 1, 0, 1, None], pa.uint64()),
            "injured": pa.array([-(2**63), 3, None, 7], pa.int64()),
            "district": pa.array([decimal.Decimal("1.50"), decimal.Decimal("2.00"), None, None], pa.decimal128(5, 2)),
            "latitude": pa.array([55.585, 3.0, float("nan"), 1e20]),
            "longitude": pa.array([13.25, 1.0, None, 2.5], pa.float32()),
            "source": pa.array(
                [dt.datetime(2020, 1, 1, 23, 30, tzinfo=dt.UTC), None, None, None], pa.timestamp("us", "UTC")
            ),
        }
    )
    pq.write_table(table, tmp_path / "types.parquet")
    result = staged(tmp_path / "types.parquet")
    assert result.problems == []
    assert result.frame.drop(columns="_row").to_dict("records")[:2] == [
        {
            "incident_id": "a",
            "date": "2020-01-01",
            "time": "21:15",
            "kind": "true",
            "dead": "18446744073709551615",
            "injured": "-9223372036854775808",
            "district": "1.50",
            "latitude": "55.585",
            "longitude": "13.25",
            "source": "2020-01-01 23:30",
        },
        {
            "incident_id": "b",
            "date": "2020-01-01 21:15",
            "time": None,
            "kind": "false",
            "dead": "0",
            "injured": "3",
            "district": "2",
            "latitude": "3",
            "longitude": "1",
            "source": None,
        },
    ]
    assert result.frame.loc[2, "latitude"] is None and result.frame.loc[3, "latitude"] == "100000000000000000000"


@pytest.mark.parametrize(
    ("values", "holds"),
    [
        (pa.array([b"Husie", b"Fosie"]), "binary data, not text"),
        (pa.array([["Husie"], ["Fosie"]]), "lists, not single values"),
        (pa.array([{"name": "Husie"}, {"name": "Fosie"}]), "records of several values, not single values"),
    ],
    ids=["binary", "list", "struct"],
)
def test_parquet_columns_that_are_not_single_values_are_refused(tmp_path, values, holds):
    table = pa.table({"incident_id": ["i1", "i2"], "date": ["2020-01-01"] * 2, "kind": ["shooting"] * 2})
    pq.write_table(table.append_column("district", values), tmp_path / "nested.parquet")
    result = staged(tmp_path / "nested.parquet")
    assert result.problems == [
        Problem("nested.parquet", 1, "district", f"holds {holds}: write it as a text or number column")
    ]
    assert result.frame.empty, "never stored as Python's notation, like b'Husie'"


def test_a_broken_parquet_file_is_a_problem(tmp_path):
    data = write_parquet(tmp_path / "rows.parquet", ROWS).read_bytes()
    (tmp_path / "cut.parquet").write_bytes(data[: len(data) // 2])
    assert only_problem(tmp_path / "cut.parquet").startswith("cannot be read as Parquet (")


def test_excel_rows_are_numbered_as_the_sheet_shows_them(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["incident_id", "date", "kind"])
    sheet.append(["i1", "2020-03-01", "shooting"])
    sheet["A5"], sheet["B5"], sheet["C5"] = "i2", "2020-03-02", "explosion"  # rows 3 and 4 left empty
    workbook.save(tmp_path / "gaps.xlsx")
    frame = staged(tmp_path / "gaps.xlsx").frame
    assert list(zip(frame["incident_id"], frame["_row"], strict=True)) == [("i1", 2), ("i2", 5)]


def test_excel_reads_the_first_visible_sheet(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    lookups = workbook.active
    lookups.title = "Lookups"
    lookups.append(["incident_id", "date", "kind"])
    lookups.append(["not-this", "2020-01-01", "shooting"])
    lookups.sheet_state = "hidden"
    data = workbook.create_sheet("Data")
    data.append(["incident_id", "date", "kind"])
    data.append(["i1", "2020-03-01", "shooting"])
    workbook.save(tmp_path / "hidden-first.xlsx")
    assert list(staged(tmp_path / "hidden-first.xlsx").frame["incident_id"]) == ["i1"]
    named = staged(tmp_path / "hidden-first.xlsx", mapping=Mapping(sheet="Lookups")).frame
    assert list(named["incident_id"]) == ["not-this"], "a sheet the mapping names is read even when hidden"


def test_an_excel_formula_without_a_computed_value_is_refused(tmp_path):
    """openpyxl writes formulas without their values, as some programs do: read as empty, a column would vanish."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["incident_id", "date", "kind", "dead", "note"])
    sheet.append(["i1", "2020-03-01", "shooting", "=1+1", "=A2"])
    sheet.append(["i2", "=DATE(2020,3,2)", "shooting", 0, None])
    workbook.save(tmp_path / "formulas.xlsx")
    result = staged(tmp_path / "formulas.xlsx")
    message = "is a formula without a computed value: open the file in Excel and save it"
    assert result.problems == [
        Problem("formulas.xlsx", 2, "dead", message),
        Problem("formulas.xlsx", 3, "date", message),
    ], "a formula in a column that is not ours is no problem"


def test_excel_formulas_with_computed_values_are_read(tmp_path):
    """As Excel saves them: the value beside the formula, and a formula giving "" as an empty text."""
    path = write_xlsx(tmp_path / "computed.xlsx", [incident_row(dead="0", district="x")])
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    cell_e = sheet[sheet.index('<c r="E2"') : sheet.index("</c>", sheet.index('<c r="E2"')) + 4]
    cell_g = sheet[sheet.index('<c r="G2"') : sheet.index("</c>", sheet.index('<c r="G2"')) + 4]
    sheet = sheet.replace(cell_e, '<c r="E2"><f>1+1</f><v>2</v></c>').replace(
        cell_g, '<c r="G2" t="str"><f>""</f><v></v></c>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, sheet.encode() if name == "xl/worksheets/sheet1.xml" else data)
    result = staged(path)
    assert result.problems == []
    assert records(result.frame, ["dead", "district"]) == [{"dead": "2", "district": None}]


# --- mappings -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["stad.csv", "stad.xlsx", "stad.parquet"])
def test_a_mapping_renames_columns_and_values(tmp_path, name):
    mapping_file = tmp_path / "stad.toml"
    mapping_file.write_text(
        '[columns]\nincident_id = "Ärende"\ndate = "Datum"\nkind = "Typ"\n\n'
        '[values.kind]\nSkjutning = "shooting"\n"Misstänkt skjutning" = "suspected_shooting"\n\n'
        '[values.district]\n"okänt" = ""\n',
        encoding="utf-8",
    )
    mapping, problems = load_mapping(mapping_file)
    assert problems == []
    assert mapping == Mapping(
        columns={"incident_id": "Ärende", "date": "Datum", "kind": "Typ"},
        values={
            "kind": {"Skjutning": "shooting", "Misstänkt skjutning": "suspected_shooting"},
            "district": {"okänt": ""},
        },
    )
    rows = [
        {"Ärende": "A-1", "Datum": "2021-02-03", "Typ": "Skjutning", "district": "okänt"},
        {"Ärende": "A-2", "Datum": "2021-02-04", "Typ": "Misstänkt skjutning", "district": "Fosie"},
        {"Ärende": "A-3", "Datum": "2021-02-05", "Typ": "Knivhugg", "district": None},
    ]
    writer = {".csv": write_csv, ".xlsx": write_xlsx, ".parquet": write_parquet}[Path(name).suffix]
    result = staged(writer(tmp_path / name, rows), INCIDENTS, mapping)
    assert result.problems == []
    assert records(result.frame, ["incident_id", "date", "kind", "district", "_row"]) == [
        {"incident_id": "A-1", "date": "2021-02-03", "kind": "shooting", "district": None, "_row": 2},
        {"incident_id": "A-2", "date": "2021-02-04", "kind": "suspected_shooting", "district": "Fosie", "_row": 3},
        {"incident_id": "A-3", "date": "2021-02-05", "kind": "Knivhugg", "district": None, "_row": 4},  # for the checks
    ]


def test_mapping_settings_delimiter_encoding_and_sheet(tmp_path):
    rows = [incident_row(district="Kirseberg")]
    pipes = write_csv(tmp_path / "pipes.csv", rows, delimiter="|", encoding="cp1252")
    result = staged(pipes, INCIDENTS, Mapping({}, {}, delimiter="|", encoding="windows-1252"))
    pd.testing.assert_frame_equal(result.frame, expected(rows))

    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["not", "this", "sheet"])
    sheet = workbook.create_sheet("Skjutningar")
    sheet.append(list(rows[0]))
    sheet.append(list(rows[0].values()))
    workbook.save(tmp_path / "two-sheets.xlsx")
    result = staged(tmp_path / "two-sheets.xlsx", INCIDENTS, Mapping({}, {}, sheet="Skjutningar"))
    pd.testing.assert_frame_equal(result.frame, expected(rows))
    result = staged(tmp_path / "two-sheets.xlsx", INCIDENTS, Mapping({}, {}, sheet="Blad1"))
    assert messages(result) == ["has no sheet named 'Blad1' (its sheets: 'Sheet', 'Skjutningar')"]


def test_mapping_problems_name_the_key(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        'separator = ";"\nencoding = "latin-2"\n[columns]\nincident = "Ärende"\ndate = 3\n'
        '[values.kind]\nSkjutning = true\n[values.colour]\nred = "röd"\n',
        encoding="utf-8",
    )
    mapping, problems = load_mapping(path)
    assert mapping is None
    assert [(problem.file, problem.row, problem.column) for problem in problems] == [
        ("bad.toml", 0, "separator"),
        ("bad.toml", 0, "columns.incident"),
        ("bad.toml", 0, "columns.date"),
        ("bad.toml", 0, "values.kind.Skjutning"),
        ("bad.toml", 0, "values.colour"),
        ("bad.toml", 0, "encoding"),
    ]
    assert problems[0].message.startswith("unknown setting 'separator': a mapping has columns, values")
    assert problems[1].message.startswith("'incident' is not one of our columns: incidents have incident_id, date,")
    assert problems[2].message == "must be the name of a column in the file, in quotes, not 3"
    assert problems[5].message == 'must be "utf-8" or "windows-1252", not \'latin-2\''


def test_a_mapping_that_is_not_toml_is_a_problem_with_its_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[columns]\nincident_id = "Ärende"\ndate = Datum\n', encoding="utf-8")
    mapping, problems = load_mapping(path)
    assert mapping is None
    assert [(problem.row, problem.column) for problem in problems] == [(3, "-")]
    assert problems[0].message.startswith("not a valid TOML file")
    assert load_mapping(tmp_path / "absent.toml") == (None, [Problem("absent.toml", 0, "-", "mapping file is missing")])


# --- the police's public events ------------------------------------------------------------


def test_police_events_become_incident_rows(tmp_path):
    events = [
        police_event(1),
        police_event(
            2,
            name="12 mars 17.59, Skottlossning, misstänkt, Malmö",
            type="Skottlossning, misstänkt",
            published="2023-03-12 18:20:01 +01:00",
        ),
        police_event(
            3, name="02 maj 23:10, Detonation, Malmö", type="Detonation", published="2024-05-03 0:05:00 +02:00"
        ),
        police_event(
            4,
            name="20 januari 04:02, Explosion, Malmö",
            type="Explosion",
            location_name="Skåne län",
            published="2026-01-20 6:00:00 +01:00",
        ),
    ]
    result = staged(write_police_events(tmp_path / "events.jsonl", events))
    assert result.problems == [] and result.skipped == Counter()
    assert list(result.frame.columns) == [*INCIDENTS.columns, "_row"]
    assert records(result.frame, ["incident_id", "date", "time", "kind", "_row"]) == [
        {"incident_id": "polisen-1", "date": "2023-06-07", "time": "01:49", "kind": "shooting", "_row": 1},
        {"incident_id": "polisen-2", "date": "2023-03-12", "time": "17:59", "kind": "suspected_shooting", "_row": 2},
        {"incident_id": "polisen-3", "date": "2024-05-02", "time": "23:10", "kind": "explosion", "_row": 3},
        {"incident_id": "polisen-4", "date": "2026-01-20", "time": "04:02", "kind": "explosion", "_row": 4},
    ]
    assert set(result.frame["source"]) == {POLICE_SOURCE}
    unknown = ["dead", "injured", "district", "latitude", "longitude"]  # the gps point is not the place
    assert result.frame[unknown].isna().all().all()


def test_other_types_and_towns_are_skipped_with_reasons(tmp_path):
    events = [
        police_event(1, name="01 juni 10:00, Mord/dråp, Malmö", type="Mord/dråp"),
        police_event(2, name="01 juni 11:00, Skottlossning, Lund", location_name="Lund"),
        police_event(3, name="01 juni 12:00, Skottlossning, Malmö", location_name="Skåne län"),
        police_event(4, name="01 juni 13:00, Vapenlagen, Malmö", type="Vapenlagen"),
        police_event(5, name="01 juni 14:00, Explosion, Helsingborg", type="Explosion", location_name="Skåne län"),
        police_event(6, name="01 juni 15:00, Trafikolycka, Malmö", type="Trafikolycka"),
        police_event(7, name="01 juni 16:00, Skottlossning, Lund", location_name="Lund"),
    ]
    result = staged(write_police_events(tmp_path / "events.jsonl", events))
    assert list(result.frame["incident_id"]) == ["polisen-3"]
    assert result.skipped == Counter(
        {
            "type 'Mord/dråp' is not a shooting or an explosion": 1,
            "town 'Lund' is not Malmö": 2,
            "type 'Vapenlagen' is not a shooting or an explosion": 1,
            "town 'Helsingborg' is not Malmö": 1,
            "type 'Trafikolycka' is not a shooting or an explosion": 1,
        }
    )
    assert result.staged.rows == 1


def test_the_year_comes_from_publication_and_december_events_published_in_january(tmp_path):
    events = [
        police_event(1, name="31 december 23:50, Skottlossning, Malmö", published="2024-01-01 0:10:00 +01:00"),
        police_event(2, name="01 januari 00:20, Skottlossning, Malmö", published="2024-01-01 1:10:00 +01:00"),
        police_event(3, name="07 juni, Skottlossning, Malmö", published="2023-06-08 9:00:00 +02:00"),  # no time
        police_event(4, name="Skottlossning, Malmö", published="2023-06-08 9:00:00 +02:00"),  # no day either
    ]
    frame = staged(write_police_events(tmp_path / "events.jsonl", events)).frame
    assert frame[["date", "time"]].to_dict("records") == [
        {"date": "2023-12-31", "time": "23:50"},
        {"date": "2024-01-01", "time": "00:20"},
        {"date": "2023-06-07", "time": None},
        {"date": "2023-06-08", "time": None},
    ]


def test_repeated_events_are_skipped_but_changed_ones_kept(tmp_path):
    first = police_event(10)
    changed = police_event(10, name="07 juni 01:52, Skottlossning, Malmö")
    events = [first, police_event(11), dict(first), changed]
    result = staged(write_police_events(tmp_path / "events.jsonl", events))
    assert result.skipped == Counter({"repeated event": 1})
    assert list(zip(result.frame["incident_id"], result.frame["time"], result.frame["_row"], strict=True)) == [
        ("polisen-10", "01:49", 1),
        ("polisen-11", "01:49", 2),
        ("polisen-10", "01:52", 4),  # the checks report the conflict
    ]


def test_police_events_as_a_json_array_and_gzip_compressed(tmp_path):
    events = [police_event(1, name="02 maj 23:10, Detonation, Malmö", type="Detonation"), police_event(2)]
    for path in (
        write_police_events(tmp_path / "events.json", events, lines=False),
        write_police_events(tmp_path / "events.json.gz", events, lines=False),
        write_police_events(tmp_path / "events.jsonl.gz", events),
        write_police_events(tmp_path / "events.ndjson", events),
    ):
        result = staged(path)
        assert result.problems == []
        assert list(zip(result.frame["kind"], result.frame["_row"], strict=True)) == [("explosion", 1), ("shooting", 2)]


def test_one_event_written_over_several_lines_is_read(tmp_path):
    path = tmp_path / "event.json"
    path.write_text(json.dumps(police_event(5), indent=2), encoding="utf-8")
    result = staged(path)
    assert result.problems == [] and list(result.frame["incident_id"]) == ["polisen-5"]


def test_json_lines_rows_are_line_numbers(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text("\n" + json.dumps(police_event(1)) + "\n\n" + json.dumps(police_event(2)) + "\n", encoding="utf-8")
    assert list(staged(path).frame["_row"]) == [2, 4]


def test_police_events_are_incidents_only(tmp_path):
    path = write_police_events(tmp_path / "events.jsonl", [police_event(1)])
    assert messages(staged(path, INTERVENTIONS)) == [
        "the police events format holds incidents, not interventions: "
        "deliver interventions as CSV, Excel (.xlsx) or Parquet"
    ]


def test_json_that_is_not_police_events_names_the_missing_keys(tmp_path):
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([incident_row(), incident_row(incident_id="i2")]), encoding="utf-8")
    (message,) = messages(staged(path))
    assert message.startswith("not the police events format: missing keys id, datetime, name, type")

    mixed = [police_event(1), {"id": 2, "name": "x"}, ["not", "an", "object"]]
    result = staged(write_police_events(tmp_path / "mixed.jsonl", mixed))
    assert result.problems == [
        Problem("mixed.jsonl", 2, "-", "event has no datetime, type"),
        Problem("mixed.jsonl", 3, "-", "event not a JSON object"),
    ]
    assert list(result.frame["incident_id"]) == ["polisen-1"]


def test_malformed_json_is_a_problem_with_its_line_number(tmp_path):
    lines = tmp_path / "events.jsonl"
    lines.write_text(json.dumps(police_event(1)) + '\n{"id": 2, "datetime": \n' + json.dumps(police_event(3)) + "\n")
    result = staged(lines)
    assert [(problem.row, problem.column) for problem in result.problems] == [(2, "-")]
    assert result.problems[0].message.startswith("is not valid JSON: ")
    assert "(line 2, column" in result.problems[0].message

    array = tmp_path / "events.json"
    array.write_text("[\n" + json.dumps(police_event(1)) + ",\n" + json.dumps(police_event(2))[:-1] + "\n")
    (problem,) = staged(array).problems
    assert problem.row == 4 and "(line 4, column" in problem.message


def test_json_is_read_in_bounded_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 100_000)
    long_line = tmp_path / "long.jsonl"
    long_line.write_text(json.dumps(police_event(1)) + "\n" + json.dumps(police_event(2) | {"x": "y" * 200_000}))
    assert staged(long_line).problems == [Problem("long.jsonl", 2, "-", "line 2 is longer than 100,000 bytes")]

    monkeypatch.setattr(readers, "MAX_JSON_ARRAY_BYTES", 1_000_000)
    array = write_police_events(tmp_path / "big.json", [police_event(number) for number in range(5_000)], lines=False)
    assert only_problem(array) == "is a JSON array of more than 1 MB: deliver it as JSON lines, one event a line"


# --- CSV read by DuckDB: the same rows and problems as Python's csv module ----------------------

# Cells that test how each reader splits, quotes and strips: delimiters, quotes and line breaks
# inside cells, Unicode whitespace at the ends, a BOM inside a cell.
TRICKY_CELLS = [
    "",
    " ",
    "\t",
    " padded ",
    "two words",
    "Södra Innerstaden, Möllevången",
    "semi;colon",
    'a "quote" inside',
    'ends with a quote"',
    '"',
    "line\nbreak",
    "crlf\r\nbreak",
    "\n",
    "\u3000wide\u3000",
    "nbsp\xa0",
    "\x0bvertical tab",
    "\ufeffbom",
    "tab\there",
    "NULL",
    "\\N",
]


def tricky_csv(generate: random.Random) -> tuple[bytes, Mapping | None]:
    """A CSV file of incidents with some of the things that make readers disagree, and its mapping."""
    mapping = None
    delimiter = generate.choice([",", ",", ";", "\t", "|"])
    columns = [
        "incident_id",
        "date",
        "kind",
        *generate.sample(["time", "district", "source", "note"], generate.randint(0, 4)),
    ]
    generate.shuffle(columns)
    header = [generate.choice([name, name.upper(), f" {name} "]) for name in columns]
    if generate.random() < 0.2:
        header = ["Ärende" if name == "incident_id" else name for name in columns]
        mapping = Mapping({"incident_id": "Ärende"}, {"kind": {"Skjutning": "shooting", "okänt": ""}})
    if delimiter == "|":
        mapping = Mapping(mapping.columns if mapping else {}, mapping.values if mapping else {}, delimiter="|")
    plain = {"incident_id": "i1", "date": "2020-03-01", "kind": "Skjutning", "time": "21:15", "district": "Husie"}
    tricky = generate.random() < 0.4
    rows = []
    for number in range(generate.choice([0, 1, 2, 3, 5, 8])):
        row = []
        for name in columns:
            if tricky and generate.random() < 0.2:
                row.append(generate.choice(TRICKY_CELLS))
            elif generate.random() < 0.1:
                row.append(generate.choice(["", "okänt"]))
            else:
                row.append(plain.get(name, f"{name} {number}"))
        rows.append(row)
    text = io.StringIO()
    quoting = generate.choice([csv.QUOTE_MINIMAL, csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
    ending = generate.choice(["\n", "\n", "\r\n"])
    csv.writer(text, delimiter=delimiter, quoting=quoting, lineterminator=ending).writerows([header, *rows])
    lines = text.getvalue().split(ending)[:-1]  # a record with a line break inside quotes is lines here
    for _ in range(generate.choice([0, 0, 0, 1, 2])):
        at = generate.randint(1, len(lines))
        change = generate.choice(
            [
                lambda line: [line, ""],  # a blank line
                lambda line: [line, generate.choice([" ", "\t", delimiter * (len(columns) - 1), "  " + delimiter])],
                lambda line: [line + delimiter],  # a trailing delimiter: one cell more
                lambda line: [line + delimiter + '""'],
                lambda line: [line.rpartition(delimiter)[0]],  # one cell fewer
                lambda line: [line + delimiter + "extra"],
                lambda line: [line, f'i9{delimiter}"open quote'],  # a quote never closed
                lambda line: [f'i8{delimiter} "spaced quote"' + delimiter * (len(columns) - 2)],
                lambda line: [f'i7{delimiter}"quoted"then text' + delimiter * (len(columns) - 2)],
                lambda line: [line + "\rhalf"],  # a lone carriage return
                lambda line: [line + ("\n" if ending == "\r\n" else "\r\n") + line],  # line ends of both kinds
                lambda line: [" " + line + " "],
            ]
        )
        lines[at - 1 : at] = change(lines[at - 1])
    data = ending.join(lines) + generate.choice([ending, ending, ending, "", ending * 3, ending + " "])
    if generate.random() < 0.2:
        data = "\ufeff" + data
    return data.encode("utf-8"), mapping


# Files on the edge of what the DuckDB path takes: each must be staged as the Python path stages it.
EDGE_FILES = [
    b'incident_id,date,kind\ni1,2020-03-01,shooting\ni2,2020-03-01,"shooting\n',  # a quote open at the end
    b'incident_id,date,kind\n"i1,2020-03-01,shooting\ni2,2020-03-02,shooting\n',
    b'incident_id,date,kind\ni1,2020-03-01,"shooting',
    b'incident_id,date,"kind\n"\ni1,2020-03-01,shooting\n',  # a header of two lines
    b'"incident_id","date","kind"\ni1,2020-03-01,shooting\n',  # quotes in the header only
    b'incident_id,date,kind,x"y\ni1,2020-03-01,shooting,z\n',
    b'incident_id,date,kind, "x\ni1,2020-03-01,shooting,z\n',
    b'incident_id,date,kind, "x"\ni1,2020-03-01,shooting,"z"\n',
    b'incident_id,date,kind,"x"y\ni1,2020-03-01,shooting,z\n',
    b'incident_id,date,kind,"x\ni1,2020-03-01,shooting,z"\n',
    b'incident_id,"date\n",kind\ni1,2020-03-01,shooting\ni2,2020-03-02,shooting\n',
    b'incident_id,date,kind\ni1,"2020-03-01\n",shooting\ni2,2020-03-02,shooting\n',  # a line break in quotes
    b'incident_id,date,kind\ni1,2020-03-01,"shooting\n"',  # ... in a last line without a line break
    b'incident_id,date,kind,note\ni1,2020-03-01,shooting,"x"\n,,,"\n"',
    b"incident_id,date,kind,note\ni1,2020-03-01,shooting,\n,,,\n,,,a note\ni2,2020-03-02,shooting,x\n",  # blank rows
    b"incident_id,date,kind,note\r\ni1,2020-03-01,shooting,\r\n,,,\r\n\r\n\r\n",
    b"incident_id,date,kind\n\ni1,2020-03-01,shooting\n",  # a blank line in the middle
    b"incident_id,date,kind\ni1,2020-03-01,shooting\n\n\n\n",  # blank lines at the end only
    b"incident_id,date,kind\ni1,2020-03-01,shoo\rting\n",  # a lone carriage return
    b'incident_id,date,kind\ni1,2020-03-01,"shoo\rting"\n',
    b"incident_id,date,kind\ri1,2020-03-01,shooting\ri2,2020-03-02,shooting\r",  # old Mac line ends
    b"incident_id,date,kind\r\ni1,2020-03-01,shooting\ni2,2020-03-02,shooting\r\n",  # both kinds
    b'incident_id,date,kind\r\ni1,"2020-03-01",shooting\r\ni2,"Rosen\ng\xc3\xa5rd",shooting\r\n',
    b"incident_id,date,kind\ni1,2020-03-01,shooting,\n",  # a trailing delimiter: one cell more
    b"incident_id,date,kind\ni1,2020-03-01,shooting,,\n",
    b'incident_id,date,kind\ni1,2020-03-01,shooting,""\n',
    b"incident_id,date,kind,\ni1,2020-03-01,shooting,\n",  # ... in the header too
    b"incident_id,date,kind\ni1,2020-03-01\n",  # one cell fewer
    b"incident_id,date,kind\ni1,2020-03-01,shooting",  # no line break at the end
    b"incident_id,date,kind\ni1,2020-03-01,shooting\n ",
    b"\xef\xbb\xbfincident_id,date,kind\r\ni1,2020-03-01,shooting\r\n",
    b'incident_id,date,kind\ni1, "2020-03-01",shooting\n',  # a space before a quote
    b'incident_id,date,kind\ni1,     "2020-03-01",shooting\n',
    b'incident_id,date,kind\ni1,"2020-03-01" ,shooting\n',
    b'incident_id,date,kind\ni1,2020-"03"-01,shooting\n',  # quotes inside a cell
    b'incident_id,date,kind\ni1,"2020-03-01"x,shooting\n',
    b'incident_id,date,kind\n"i1","2020-03-01","shoot""ing"\n',
    b'incident_id,date,kind\n"","",""\n"i2","",""\n',
    b"incident_id,date,kind\n i1 ,\t2020-03-01\t,\xe3\x80\x80shooting\xc2\xa0\n",  # whitespace to strip
    b"incident_id,date,kind\ni1,2020-03-01,\x1fshooting\x0b\n",
    b"incident_id,date,kind\ni1,2020-03-01,shooting \n",
    b"incident_id,date,kind\ni1,2020-03-01,shooting ",
    b'incident_id,date,kind\ni1," 2020-03-01","shooting "\n',
    b"incident_id\tdate\tkind\ni1\t 2020-03-01\tshooting\n",
    b'incident_id\tdate\tkind\ni1\t"\t2020-03-01"\tshooting\n',  # a tab inside quotes, in a file of tabs
    b"incident_id;date;kind\ni1;2020-03-01;shoot,ing\n",
    b"incident_id,date,kind\ni1,2020-03-01,\xef\xbb\xbfshooting\n",
    b"incident_id,date,kind\n#i1,2020-03-01,NULL\n",
    b"incident_id,date,kind\ni1,2020-03-01," + b"x" * 140_000 + b"\n",  # a cell past csv's field limit
    b"incident_id,date,kind\ni1,2020-03-01," + b"x" * 131_000 + b"\n",
]


def staged_both_ways(path: Path, mapping: Mapping | None, monkeypatch) -> tuple[Result, Result, bool | None]:
    """The file staged by the Python path and as stage() stages it, and whether DuckDB staged it
    (None: the file was refused before DuckDB could be asked)."""
    duckdb_path = readers._staged_by_duckdb
    with monkeypatch.context() as patched:
        patched.setattr(readers, "_staged_by_duckdb", lambda *args: False)
        by_python = staged(path, INCIDENTS, mapping)
    outcome = []
    with monkeypatch.context() as patched:
        patched.setattr(readers, "_staged_by_duckdb", lambda *args: outcome.append(duckdb_path(*args)) or outcome[0])
        by_stage = staged(path, INCIDENTS, mapping)
    return by_python, by_stage, outcome[0] if outcome else None


def assert_same(by_python: Result, by_stage: Result, shown: str) -> None:
    pd.testing.assert_frame_equal(by_stage.frame, by_python.frame, obj=shown)
    assert by_stage.staged == by_python.staged, shown


@pytest.mark.parametrize("data", EDGE_FILES, ids=range(len(EDGE_FILES)))
def test_duckdb_stages_edge_files_as_python_does(tmp_path, monkeypatch, data):
    path = tmp_path / "edge.csv"
    path.write_bytes(data)
    by_python, by_stage, _ = staged_both_ways(path, None, monkeypatch)
    assert_same(by_python, by_stage, repr(data[:300]))


def test_duckdb_stages_csv_as_python_does(tmp_path, monkeypatch):
    """Property: whatever the file, stage() stages the same rows and problems as the Python path,
    through DuckDB or, when DuckDB cannot, through the Python path."""
    taken = Counter()
    generate = random.Random(12)
    for case in range(400):
        data, mapping = tricky_csv(generate)
        path = tmp_path / f"case{case}.csv"
        path.write_bytes(data)
        by_python, by_stage, by_duckdb = staged_both_ways(path, mapping, monkeypatch)
        taken[by_duckdb] += 1
        assert_same(by_python, by_stage, f"case {case}: {data!r} {mapping}")
    assert taken[True] > 100 and taken[False] > 100, taken  # files of both kinds


def test_what_the_bytes_say_does_not_depend_on_where_chunks_end(monkeypatch):
    generate = random.Random(3)
    files = EDGE_FILES + [tricky_csv(generate)[0] for _ in range(100)]
    for data in (data for data in files if len(data) < 10_000):
        delimiter = max(",;\t", key=data.split(b"\n")[0].decode("utf-8", "replace").count)
        layouts = set()
        for chunk in (1, 2, 3, 5, 1 << 20):
            monkeypatch.setattr(readers, "_CHUNK_BYTES", chunk)
            layouts.add(readers._csv_layout(io.BytesIO(data), delimiter))
        assert len(layouts) == 1, (data[:300], layouts)


def test_a_plain_utf8_file_is_staged_by_duckdb(tmp_path, monkeypatch):
    rows = [incident_row(incident_id=f"i{number}", district="Södra Innerstaden") for number in range(1_000)]
    path = write_csv(tmp_path / "plain.csv", rows)

    def python_path(*args):
        raise AssertionError("read by the Python path")

    monkeypatch.setattr(readers, "_csv_batches", python_path)
    result = staged(path)
    assert result.staged == Staged(1_000, Counter(), [], 0)
    pd.testing.assert_frame_equal(result.frame, expected(rows))


def test_other_csv_files_are_staged_by_python(tmp_path, monkeypatch):
    """Windows-1252 (which DuckDB cannot read), gzip, or a connection inside a transaction (where a
    failed statement would abort it) or free to reorder rows: the Python path."""
    rows = [incident_row(), incident_row(incident_id="i2", district="Husie")]
    asked = []
    duckdb_path = readers._staged_by_duckdb
    monkeypatch.setattr(readers, "_staged_by_duckdb", lambda *args: asked.append(duckdb_path(*args)) or asked[-1])
    for path in (
        write_csv(tmp_path / "cp1252.csv", rows, encoding="cp1252"),
        write_csv(tmp_path / "rows.csv.gz", rows),
    ):
        pd.testing.assert_frame_equal(staged(path).frame, expected(rows))
    assert asked == []

    path = write_csv(tmp_path / "rows.csv", rows)
    for config in ({}, {"preserve_insertion_order": False}):
        with duckdb.connect(config=config) as con:
            con.from_arrow(staged_schema(INCIDENTS).empty_table()).create("staged")
            con.begin()
            assert stage(con, "staged", path, INCIDENTS) == Staged(2, Counter(), [], 0)
            con.commit()
            assert stage(con, "staged", path, INCIDENTS) == Staged(2, Counter(), [], 0)
            assert con.table("staged").count("*").fetchall() == [(4,)]
    assert asked == [False, True, False, False]


def test_names_that_duckdb_would_read_as_patterns_are_read_as_names(tmp_path):
    """DuckDB reads 'rows[1].csv' as a pattern that names rows1.csv."""
    rows = [incident_row(incident_id="the-right-file")]
    decoy = [incident_row(incident_id="a-file-the-pattern-names")]
    for write, suffix in ((write_csv, ".csv"), (write_parquet, ".parquet")):
        write(tmp_path / f"rows1{suffix}", decoy)
        for name in (f"rows[1]{suffix}", f"rows?{suffix}", f"rows*{suffix}", f"rows{{1}}{suffix}"):
            assert list(staged(write(tmp_path / name, rows)).frame["incident_id"]) == ["the-right-file"], name


# --- whole-file problems --------------------------------------------------------------------


def only_problem(path, dataset=INCIDENTS, mapping=None) -> str:
    result = staged(path, dataset, mapping)
    assert result.frame.empty and list(result.frame.columns) == [*dataset.columns, "_row"]
    (problem,) = result.problems
    assert (problem.file, problem.row, problem.column) == (path.name, 0, "-")
    assert result.staged.problems_found == 1
    return problem.message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.csv", b""),
        ("blank.csv", b"  \r\n\n"),
        ("bom.csv", b"\xef\xbb\xbf"),
        ("empty.xlsx", b""),
        ("empty.parquet", b""),
        ("empty.jsonl", b"\n\n"),
        ("empty.json", b" [ ] "),
        ("empty.csv.gz", gzip.compress(b"")),
        ("blank.csv.gz", gzip.compress(b"\n" * 3_000_000)),
    ],
)
def test_an_empty_file_is_a_problem(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    assert only_problem(path) == "file is empty"


def test_a_header_without_rows_is_a_problem(tmp_path):
    assert only_problem(write_csv(tmp_path / "header.csv", [], columns=INCIDENTS.columns)) == (
        "file has a header but no rows"
    )
    assert only_problem(write_xlsx(tmp_path / "header.xlsx", [], columns=INCIDENTS.columns)) == (
        "file has a header but no rows"
    )
    assert only_problem(write_parquet(tmp_path / "header.parquet", [], columns=INCIDENTS.columns)) == (
        "file has columns but no rows"
    )
    assert (
        only_problem(write_xlsx(tmp_path / "nothing.xlsx", [], columns=[])) == "file is empty: its sheet has no cells"
    )


def test_files_that_are_not_what_their_names_say(tmp_path):
    rows = [incident_row()]
    xlsx_bytes = write_xlsx(tmp_path / "real.xlsx", rows).read_bytes()
    parquet_bytes = write_parquet(tmp_path / "real.parquet", rows).read_bytes()
    csv_bytes = write_csv(tmp_path / "real.csv", rows).read_bytes()
    cases = {
        "excel.csv": (xlsx_bytes, "named .csv but it is an Excel workbook (or another zip archive)"),
        "parquet.csv": (parquet_bytes, "named .csv but it is a Parquet file"),
        "text.xlsx": (csv_bytes, "named .xlsx but it is text (perhaps CSV)"),
        "excel.parquet": (xlsx_bytes, "named .parquet but it is an Excel workbook (or another zip archive)"),
        "text.json": (csv_bytes, "named .json but it is text (perhaps CSV), not JSON (which starts with '[' or '{')"),
        "plain.csv.gz": (csv_bytes, "named .csv.gz but it is not gzip-compressed: it is text (perhaps CSV)"),
        "zipped.csv": (gzip.compress(csv_bytes), "named .csv but it is gzip-compressed"),
        "excel.csv.gz": (gzip.compress(xlsx_bytes), "named .csv.gz but when decompressed it is an Excel workbook"),
        "old.xlsx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "named .xlsx but it is an old Excel .xls"),
        "cut.csv.gz": (gzip.compress(csv_bytes * 100)[:200], "named .csv.gz but it cannot be decompressed ("),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        assert only_problem(path).startswith(message), name


def test_a_zip_that_is_not_a_workbook_is_a_problem(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "notes.xlsx", "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert only_problem(tmp_path / "notes.xlsx").startswith("cannot be read as an Excel workbook (")


def test_unsupported_file_types(tmp_path):
    for name in ("report.pdf", "old.xls", "no-suffix", "events.gz"):
        path = tmp_path / name
        path.write_bytes(b"%PDF-1.4")
        assert "use CSV, Excel (.xlsx), Parquet or the police events JSON" in only_problem(path)
    assert only_problem(tmp_path / "report.pdf") == (
        "unsupported file type '.pdf': use CSV, Excel (.xlsx), Parquet or the police events JSON"
    )
    assert only_problem(tmp_path / "absent.csv") == "file is missing"


def test_text_that_is_not_utf8_or_windows_1252(tmp_path):
    rows = [incident_row()]
    utf16 = only_problem(write_csv(tmp_path / "utf16.csv", rows, encoding="utf-16"))
    assert utf16.startswith("not UTF-8 or Windows-1252 text: it has NUL bytes, so it is UTF-16 text")

    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"incident_id,date,kind\ni1,2020-03-01,shooting\ni2,2020-03-02,skjutning \x81\n")
    assert only_problem(bad) == (
        "not UTF-8 or Windows-1252 text (byte 0x81 on line 3 cannot be read): save it as 'CSV UTF-8'"
    )

    cp1252 = write_csv(tmp_path / "cp1252.csv", rows, encoding="cp1252")
    forced = only_problem(cp1252, mapping=Mapping({}, {}, encoding="utf-8"))
    assert forced.startswith("not UTF-8 text, which the mapping says it is (byte 0xE5 on line 2 cannot be read)")
    forced = only_problem(bad, mapping=Mapping({}, {}, encoding="windows-1252"))
    assert forced == "not Windows-1252 text, which the mapping says it is (byte 0x81 on line 3 cannot be read)"


@pytest.mark.parametrize("chunk", [1 << 20, 7], ids=["whole", "chunks-of-7-bytes"])
def test_a_utf8_file_with_one_windows_1252_byte_is_refused_naming_its_line(tmp_path, monkeypatch, chunk):
    """Decoded as Windows-1252 it would store "RosengÃ¥rd"; the byte's line is the row to look at."""
    monkeypatch.setattr(readers, "_CHUNK_BYTES", chunk)
    lines = [f"i{number},2020-03-0{number},shooting,Fosie".encode() for number in range(1, 9)]
    lines[0] = "i1,2020-03-01,shooting,Rosengård".encode()
    lines[5] = "i6,2020-03-06,shooting,Roseng\xe5rd".encode("cp1252")
    path = tmp_path / "x.csv"
    path.write_bytes(b"\n".join([b"incident_id,date,kind,district", *lines]) + b"\n")
    result = staged(path)
    assert result.problems == [
        Problem(
            "x.csv",
            7,
            "-",
            "byte 0xE5 is not UTF-8, while the rest of the file is UTF-8 (line 2 has UTF-8 letters): "
            "save it as 'CSV UTF-8'",
        )
    ]
    assert str(result.problems[0]).startswith("x.csv, row 7, column -: byte 0xE5 is not UTF-8, while the rest")

    lines[0], lines[5] = lines[5], lines[0]  # the Windows-1252 byte first, the UTF-8 letter later
    path.write_bytes(b"\n".join([b"incident_id,date,kind,district", *lines]) + b"\n")
    assert [(problem.row, problem.message[:37]) for problem in staged(path).problems] == [
        (2, "byte 0xE5 is not UTF-8, while the res")
    ]
    assert "(line 7 has UTF-8 letters)" in staged(path).problems[0].message


@pytest.mark.parametrize("chunk", [1 << 20, 1, 2, 3, 5])
def test_letters_cut_by_a_chunk_are_read_whole(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(readers, "_CHUNK_BYTES", chunk)
    for encoding, district in (("utf-8", "Södra ✓ 😀 Rosengård"), ("utf-8-sig", "Husie ✓"), ("cp1252", "Södra € å")):
        rows = [incident_row(district=district), incident_row(incident_id="i2", district="Möllevången")]
        result = staged(write_csv(tmp_path / "letters.csv", rows, encoding=encoding))
        assert result.problems == [], (encoding, chunk)
        assert list(result.frame["district"]) == [district, "Möllevången"], (encoding, chunk)


def test_a_missing_required_column_is_a_problem_of_the_header(tmp_path):
    rows = [{key: value for key, value in incident_row().items() if key not in ("date", "time")}]
    result = staged(write_csv(tmp_path / "no-date.csv", rows))
    assert result.frame.empty
    assert [(problem.row, problem.column) for problem in result.problems] == [(1, "date")]
    assert result.problems[0].message.startswith("required column is missing (the file has 'incident_id', 'kind'")

    mapping = Mapping(columns={"date": "Datum", "incident_id": "Ärende"})
    renamed = [{"Ärende": "A-1", "Dag": "2021-02-03", "kind": "shooting"}]
    result = staged(write_xlsx(tmp_path / "stad.xlsx", renamed), INCIDENTS, mapping)
    assert result.problems == [
        Problem(
            "stad.xlsx",
            1,
            "date",
            "required column is missing: the mapping reads it from 'Datum', which the file lacks "
            "(the file has 'Ärende', 'Dag', 'kind')",
        )
    ]


def test_a_column_named_twice_is_a_problem(tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text("incident_id,date,kind,Date\ni1,2020-03-01,shooting,2020-03-02\n")
    assert staged(path).problems == [Problem("twice.csv", 1, "date", "column 'date' appears more than once (2 and 4)")]


def test_an_empty_header_row_is_a_problem(tmp_path):
    path = tmp_path / "late.csv"
    path.write_text("\nincident_id,date,kind\ni1,2020-03-01,shooting\n")
    assert staged(path).problems == [Problem("late.csv", 1, "-", "row 1 is empty: the column names must be in row 1")]


# --- bounds: what a file may hold, and how much of it is listed -------------------------------


def peak_python_memory(read) -> tuple[object, int]:
    """What `read()` gives and the most memory Python allocated while it ran, in bytes."""
    tracemalloc.start()
    try:
        result = read()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_gzip_bomb_is_refused_in_bounded_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_DECOMPRESSED_BYTES", 20_000_000)
    row = (",".join(incident_row().values()) + "\n").encode()
    path = tmp_path / "bomb.csv.gz"
    with gzip.open(path, "wb", compresslevel=1) as bomb:
        bomb.write(",".join(incident_row()).encode() + b"\n")
        block = row * (1_000_000 // len(row))
        for _ in range(50):
            bomb.write(block)
    assert path.stat().st_size < 2_000_000
    result, peak = peak_python_memory(lambda: staged(path))
    assert result.problems == [Problem("bomb.csv.gz", 0, "-", "is larger than 20 MB when decompressed")]
    assert peak < 10_000_000, f"{peak:,} bytes: the file is streamed, never read whole"


def test_a_line_longer_than_the_limit_is_refused_naming_its_row(tmp_path):
    path = tmp_path / "long.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("incident_id,date,kind\ni1,2020-03-01,shooting\n")
        handle.write("i2,2020-03-01," + "x" * 50_000_000 + "\n")
    result, peak = peak_python_memory(lambda: staged(path))
    assert result.problems == [
        Problem(
            "long.csv",
            3,
            "-",
            "is longer than 1,000,000 characters: is it a CSV file, with a line break after each row, "
            "and are its quotes closed?",
        )
    ]
    assert peak < 20_000_000, f"{peak:,} bytes for a line of 50 MB"


def test_a_record_of_many_short_lines_inside_quotes_is_bounded_too(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 10_000)
    monkeypatch.setattr(readers, "_CHUNK_BYTES", 1_000)
    path = tmp_path / "open-quote.csv"
    path.write_text('incident_id,date,kind\ni1,2020-03-01,"shooting\n' + '",a,b,c,"\n' * 20_000)
    (problem,) = staged(path).problems
    assert (problem.row, problem.message[:40]) == (2, "is longer than 10,000 characters: is it ")


def test_a_header_with_too_many_columns_is_refused_in_one_line(tmp_path, monkeypatch):
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{number}" for number in range(5_000)) + "\n" + "x," * 4_999 + "x\n")
    assert staged(wide).problems == [
        Problem("wide.csv", 1, "-", "row 1 has 5,000 columns, more than the 1,000 an extract may have")
    ]

    widest = tmp_path / "widest.csv"
    widest.write_text("c," * 2_000_000 + "c\n")
    result, peak = peak_python_memory(lambda: staged(widest))
    (problem,) = result.problems
    assert problem.row == 1 and problem.message.startswith("is longer than 1,000,000 characters")
    assert len(str(problem)) < 200 and peak < 50_000_000

    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 10_000_000)
    (problem,) = staged(widest).problems
    assert (
        str(problem)
        == "widest.csv, row 1, column -: row 1 has 2,000,001 columns, more than the 1,000 an extract may have"
    )


def test_a_missing_column_message_lists_a_bounded_number_of_names(tmp_path):
    path = tmp_path / "many.csv"
    path.write_text(",".join(f"column_{number}" for number in range(900)) + "\n" + "x," * 899 + "x\n")
    problems = staged(path).problems
    assert [problem.column for problem in problems] == ["incident_id", "date", "kind"]
    assert problems[0].message.endswith("'column_29' and 870 more)") and len(problems[0].message) < 1_000


def test_problems_are_listed_up_to_the_limit_and_all_counted(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("incident_id,date,kind\n" + "i1,2020-03-01\n" * (MAX_LISTED_PROBLEMS + 500))
    result = staged(path)
    assert len(result.problems) == MAX_LISTED_PROBLEMS and result.staged.problems_found == MAX_LISTED_PROBLEMS + 500
    assert result.problems[0] == Problem("short.csv", 2, "-", "has 2 cells, the header has 3")
    assert result.problems[-1].row == MAX_LISTED_PROBLEMS + 1, "the first ones, in file order"
    error = DataError(result.problems, result.staged.problems_found)
    assert (len(error.problems), error.found) == (1_000, 1_500) and DataError(result.problems[:2]).found == 2


# --- file names that are not plain text -----------------------------------------------------------


def test_problems_print_file_names_and_cells_safely():
    undecodable = os.fsdecode(b"\xff.csv")
    assert str(Problem(undecodable, 0, "-", "file is empty")) == "\\xff.csv, row 0, column -: file is empty"
    shown = str(Problem("evil\n\x1b[31mred.csv", 2, "kind", "unknown kind '\x1b[2J'"))
    assert shown == "evil\\n\\x1b[31mred.csv, row 2, column kind: unknown kind '\\x1b[2J'"
    assert "\n" not in shown and "\x1b" not in shown
    assert printable("Rosengård, Malmö – 12 €") == "Rosengård, Malmö – 12 €"
    assert printable("right-to-left\u202eesrever") == "right-to-left\\u202eesrever"
    str(Problem(undecodable, 0, "-", "x")).encode("utf-8")  # printable on any terminal: no surrogate left


@pytest.mark.skipif(os.name != "posix", reason="file names of bytes that are not text exist on POSIX")
def test_files_with_names_that_are_not_text_are_staged(tmp_path):
    folder = os.fsencode(tmp_path)
    for raw in (b"\xff.csv", b"new\nline.csv", b"\x1b[31mred.csv"):
        with open(folder + b"/" + raw, "wb") as handle:
            handle.write(b"incident_id,date,kind\ni1,2020-03-01,shooting\ni2,2020-03-02\n")
        result = staged(Path(os.fsdecode(folder + b"/" + raw)))
        assert list(result.frame["incident_id"]) == ["i1"]
        (problem,) = result.problems
        shown = str(problem)
        shown.encode("utf-8")
        assert "\n" not in shown and "\x1b" not in shown
        assert shown.endswith("row 3, column -: has 2 cells, the header has 3")
    os.mkdir(folder + b"/\xff")  # DuckDB takes a Parquet file's path as UTF-8 text
    for name, writer in (
        ("\udcff.parquet", write_parquet),
        ("\udcff.xlsx", write_xlsx),
        ("\udcff/a.parquet", write_parquet),
    ):
        result = staged(writer(tmp_path / name, ROWS))
        assert result.problems == [] and list(result.frame["incident_id"]) == ["i1", "i2"], name

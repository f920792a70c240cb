"""Reading extract files into text rows: formats, police events, mappings and whole-file problems."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pandas as pd
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

from slutaskjut.extract_schema import INCIDENTS, INTERVENTIONS
from slutaskjut.problems import Problem
from slutaskjut.readers import POLICE_SOURCE, Mapping, load_mapping, read_rows

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


def expected(rows: list[dict], columns: list[str] | None = None, first_row: int = 2) -> pd.DataFrame:
    columns = columns or list(rows[0])
    frame = pd.DataFrame([[row[column] for column in columns] for row in rows], columns=columns, dtype=object)
    frame["_row"] = pd.Series(range(first_row, first_row + len(rows)), dtype="int64")
    return frame


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
        lambda folder: write_parquet(folder / "rows.parquet", ROWS),
        lambda folder: write_parquet(folder / "rows.parquet.gz", ROWS),
    ],
    ids=["csv", "txt-bom", "csv-semicolon-cp1252", "csv-gz", "xlsx", "parquet", "parquet-gz"],
)
def test_every_format_gives_the_same_frame(tmp_path, write):
    result = read_rows(write(tmp_path), INCIDENTS)
    assert result.problems == [] and result.skipped == []
    pd.testing.assert_frame_equal(result.frame, expected(ROWS))


def test_semicolon_windows_1252_keeps_swedish_letters_and_decimal_commas(tmp_path):
    rows = [incident_row(latitude="55,585", longitude="13,045", district="Rosengård; Herrgården")]
    path = write_csv(tmp_path / "rows.csv", rows, delimiter=";", encoding="cp1252")
    assert b"Rosengard" not in path.read_bytes() and "Rosengård".encode("cp1252") in path.read_bytes()
    frame = read_rows(path, INCIDENTS).frame
    assert frame.loc[0, "district"] == "Rosengård; Herrgården"  # quoted: it holds the delimiter
    assert (frame.loc[0, "latitude"], frame.loc[0, "longitude"]) == ("55,585", "13,045")


def test_cells_are_stripped_empty_cells_are_none_and_blank_rows_ignored(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text(" incident_id ,DATE,Kind\n  i1 , 2020-03-01 ,shooting\n\n,,\ni2,,  \n", encoding="utf-8")
    result = read_rows(path, INCIDENTS)
    assert result.problems == []
    assert result.frame.to_dict("records") == [
        {"incident_id": "i1", "date": "2020-03-01", "kind": "shooting", "_row": 2},
        {"incident_id": "i2", "date": None, "kind": None, "_row": 5},
    ]


def test_only_our_columns_are_kept(tmp_path):
    rows = [incident_row() | {"name": "Anna Andersson", "personnummer": "19900101-1234"}]
    for path in (write_csv(tmp_path / "r.csv", rows), write_xlsx(tmp_path / "r.xlsx", rows)):
        frame = read_rows(path, INCIDENTS).frame
        assert list(frame.columns) == [*INCIDENTS.columns, "_row"]
        assert "Anna Andersson" not in frame.to_string()


def test_interventions_read_like_incidents(tmp_path):
    rows = [intervention_row(), intervention_row(contact_id="c2", group_ref=None, asked_exit_support="false")]
    result = read_rows(write_xlsx(tmp_path / "contacts.xlsx", rows), INTERVENTIONS)
    assert result.problems == []
    pd.testing.assert_frame_equal(result.frame, expected(rows))


def test_a_row_with_too_few_or_too_many_cells_is_a_problem_for_that_row(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("incident_id,date,kind\ni1,2020-03-01,shooting\ni2,2020-03-02\ni3,2020-03-03,shooting,x\n")
    result = read_rows(path, INCIDENTS)
    assert result.problems == [
        Problem("rows.csv", 3, "-", "has 2 cells, the header has 3"),
        Problem("rows.csv", 4, "-", "has 4 cells, the header has 3"),
    ]
    assert list(result.frame["incident_id"]) == ["i1"]


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
    frame = read_rows(write_xlsx(tmp_path / "typed.xlsx", [row, later]), INCIDENTS).frame
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
    frame = read_rows(write_parquet(tmp_path / "typed.parquet", rows), INCIDENTS).frame
    assert frame.to_dict("records") == [
        {"incident_id": "7", "date": "2021-12-24", "kind": "explosion", "injured": "1.5", "latitude": None, "_row": 2},
        {"incident_id": "8", "date": "2022-01-02", "kind": "explosion", "injured": "3", "latitude": "55.6", "_row": 3},
    ]


def test_excel_rows_are_numbered_as_the_sheet_shows_them(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["incident_id", "date", "kind"])
    sheet.append(["i1", "2020-03-01", "shooting"])
    sheet["A5"], sheet["B5"], sheet["C5"] = "i2", "2020-03-02", "explosion"  # rows 3 and 4 left empty
    workbook.save(tmp_path / "gaps.xlsx")
    frame = read_rows(tmp_path / "gaps.xlsx", INCIDENTS).frame
    assert list(zip(frame["incident_id"], frame["_row"], strict=True)) == [("i1", 2), ("i2", 5)]


# --- mappings -----------------------------------------------------------------------------


def test_a_mapping_renames_columns_and_values(tmp_path):
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
    result = read_rows(write_csv(tmp_path / "stad.csv", rows, delimiter=";"), INCIDENTS, mapping)
    assert result.problems == []
    assert result.frame.to_dict("records") == [
        {"incident_id": "A-1", "date": "2021-02-03", "kind": "shooting", "district": None, "_row": 2},
        {"incident_id": "A-2", "date": "2021-02-04", "kind": "suspected_shooting", "district": "Fosie", "_row": 3},
        {
            "incident_id": "A-3",
            "date": "2021-02-05",
            "kind": "Knivhugg",
            "district": None,
            "_row": 4,
        },  # for the validator
    ]


def test_mapping_settings_delimiter_encoding_and_sheet(tmp_path):
    rows = [incident_row(district="Kirseberg")]
    pipes = write_csv(tmp_path / "pipes.csv", rows, delimiter="|", encoding="cp1252")
    result = read_rows(pipes, INCIDENTS, Mapping({}, {}, delimiter="|", encoding="windows-1252"))
    pd.testing.assert_frame_equal(result.frame, expected(rows))

    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["not", "this", "sheet"])
    sheet = workbook.create_sheet("Skjutningar")
    sheet.append(list(rows[0]))
    sheet.append(list(rows[0].values()))
    workbook.save(tmp_path / "two-sheets.xlsx")
    result = read_rows(tmp_path / "two-sheets.xlsx", INCIDENTS, Mapping({}, {}, sheet="Skjutningar"))
    pd.testing.assert_frame_equal(result.frame, expected(rows))
    result = read_rows(tmp_path / "two-sheets.xlsx", INCIDENTS, Mapping({}, {}, sheet="Blad1"))
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
    result = read_rows(write_police_events(tmp_path / "events.jsonl", events), INCIDENTS)
    assert result.problems == [] and result.skipped == []
    assert list(result.frame.columns) == [*INCIDENTS.columns, "_row"]
    assert result.frame[["incident_id", "date", "time", "kind", "_row"]].to_dict("records") == [
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
    ]
    result = read_rows(write_police_events(tmp_path / "events.jsonl", events), INCIDENTS)
    assert list(result.frame["incident_id"]) == ["polisen-3"]
    assert result.skipped == [
        (1, "type 'Mord/dråp' is not a shooting or an explosion"),
        (2, "town 'Lund' is not Malmö"),
        (4, "type 'Vapenlagen' is not a shooting or an explosion"),
        (5, "town 'Helsingborg' is not Malmö"),
        (6, "type 'Trafikolycka' is not a shooting or an explosion"),
    ]


def test_the_year_comes_from_publication_and_december_events_published_in_january(tmp_path):
    events = [
        police_event(1, name="31 december 23:50, Skottlossning, Malmö", published="2024-01-01 0:10:00 +01:00"),
        police_event(2, name="01 januari 00:20, Skottlossning, Malmö", published="2024-01-01 1:10:00 +01:00"),
        police_event(3, name="07 juni, Skottlossning, Malmö", published="2023-06-08 9:00:00 +02:00"),  # no time
        police_event(4, name="Skottlossning, Malmö", published="2023-06-08 9:00:00 +02:00"),  # no day either
    ]
    frame = read_rows(write_police_events(tmp_path / "events.jsonl", events), INCIDENTS).frame
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
    result = read_rows(write_police_events(tmp_path / "events.jsonl", events), INCIDENTS)
    assert result.skipped == [(3, "repeated event")]
    assert list(zip(result.frame["incident_id"], result.frame["time"], strict=True)) == [
        ("polisen-10", "01:49"),
        ("polisen-11", "01:49"),
        ("polisen-10", "01:52"),  # the validator reports the conflict
    ]


def test_police_events_as_a_json_array_and_gzip_compressed(tmp_path):
    events = [police_event(1, name="02 maj 23:10, Detonation, Malmö", type="Detonation"), police_event(2)]
    for path in (
        write_police_events(tmp_path / "events.json", events, lines=False),
        write_police_events(tmp_path / "events.jsonl.gz", events),
        write_police_events(tmp_path / "events.ndjson", events),
    ):
        result = read_rows(path, INCIDENTS)
        assert result.problems == []
        assert list(zip(result.frame["kind"], result.frame["_row"], strict=True)) == [("explosion", 1), ("shooting", 2)]


def test_json_lines_rows_are_line_numbers(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text("\n" + json.dumps(police_event(1)) + "\n\n" + json.dumps(police_event(2)) + "\n", encoding="utf-8")
    assert list(read_rows(path, INCIDENTS).frame["_row"]) == [2, 4]


def test_police_events_are_incidents_only(tmp_path):
    path = write_police_events(tmp_path / "events.jsonl", [police_event(1)])
    assert messages(read_rows(path, INTERVENTIONS)) == [
        "the police events format holds incidents, not interventions: "
        "deliver interventions as CSV, Excel (.xlsx) or Parquet"
    ]


def test_json_that_is_not_police_events_names_the_missing_keys(tmp_path):
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([incident_row(), incident_row(incident_id="i2")]), encoding="utf-8")
    (message,) = messages(read_rows(path, INCIDENTS))
    assert message.startswith("not the police events format: missing keys id, datetime, name, type")

    mixed = [police_event(1), {"id": 2, "name": "x"}, ["not", "an", "object"]]
    result = read_rows(write_police_events(tmp_path / "mixed.jsonl", mixed), INCIDENTS)
    assert result.problems == [
        Problem("mixed.jsonl", 2, "-", "event has no datetime, type"),
        Problem("mixed.jsonl", 3, "-", "event not a JSON object"),
    ]
    assert list(result.frame["incident_id"]) == ["polisen-1"]


def test_malformed_json_is_a_problem_with_its_line_number(tmp_path):
    lines = tmp_path / "events.jsonl"
    lines.write_text(json.dumps(police_event(1)) + '\n{"id": 2, "datetime": \n' + json.dumps(police_event(3)) + "\n")
    result = read_rows(lines, INCIDENTS)
    assert [(problem.row, problem.column) for problem in result.problems] == [(2, "-")]
    assert result.problems[0].message.startswith("is not valid JSON: ")
    assert "(line 2, column" in result.problems[0].message

    array = tmp_path / "events.json"
    array.write_text("[\n" + json.dumps(police_event(1)) + ",\n" + json.dumps(police_event(2))[:-1] + "\n")
    (problem,) = read_rows(array, INCIDENTS).problems
    assert problem.row == 4 and "(line 4, column" in problem.message


# --- whole-file problems --------------------------------------------------------------------


def only_problem(path, dataset=INCIDENTS, mapping=None) -> str:
    result = read_rows(path, dataset, mapping)
    assert result.frame.empty and list(result.frame.columns) == [*dataset.columns, "_row"]
    (problem,) = result.problems
    assert (problem.file, problem.row, problem.column) == (path.name, 0, "-")
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


def test_a_missing_required_column_is_a_problem_of_the_header(tmp_path):
    rows = [{key: value for key, value in incident_row().items() if key not in ("date", "time")}]
    result = read_rows(write_csv(tmp_path / "no-date.csv", rows), INCIDENTS)
    assert result.frame.empty
    assert [(problem.row, problem.column) for problem in result.problems] == [(1, "date")]
    assert result.problems[0].message.startswith("required column is missing (the file has 'incident_id', 'kind'")

    mapping = Mapping(columns={"date": "Datum", "incident_id": "Ärende"})
    renamed = [{"Ärende": "A-1", "Dag": "2021-02-03", "kind": "shooting"}]
    result = read_rows(write_xlsx(tmp_path / "stad.xlsx", renamed), INCIDENTS, mapping)
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
    assert read_rows(path, INCIDENTS).problems == [
        Problem("twice.csv", 1, "date", "column 'date' appears more than once (2 and 4)")
    ]

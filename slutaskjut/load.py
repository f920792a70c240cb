"""Validate the published-data files in data/ and build the DuckDB database from them.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is
row 2. Every problem names the file, the row and the column, and all problems of all files
are collected before anything is written, so one run lists everything to fix.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from pathlib import Path

import pandas as pd

from slutaskjut import paths, store
from slutaskjut.extract_schema import DATASETS, EXTRACTS_FOLDER, STORED_COLUMNS
from slutaskjut.imports import built_in_files, refresh_built_in_rows
from slutaskjut.paths import IMPORTS_DIR, MODELS_DIR, STORE_DIR
from slutaskjut.problems import DataError, Problem
from slutaskjut.schema import MEASURES, TABLES, TABLES_BY_NAME, Column, Table
from slutaskjut.store import built_fingerprint

_INTEGER = re.compile(r"-?\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PARTIAL_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
# The code that decides what the built tables hold: a change to it rebuilds the database.
_BUILD_INPUTS = tuple(
    Path(__file__).with_name(name)
    for name in ("load.py", "schema.py", "store.py", "extract_schema.py", "imports.py", "readers.py")
)
_PANDAS_DTYPES = {"int": "Int64", "bool": "boolean", "text": "string", "partial_date": "string"}


class _CellError(ValueError):
    """A cell that is not what its column holds: the key of the message (data_problem.<key>) and its values."""

    def __init__(self, key: str, **values):
        super().__init__(key)
        self.key, self.values = key, values


def _checked_date(value: str, pattern: re.Pattern, key: str) -> str:
    """The value if it is a real date in the pattern ('2020', '2020-12', '2020-12-03')."""
    try:
        if pattern.fullmatch(value):
            dt.date.fromisoformat((value + "-01-01")[:10])  # rejects month 13 or day 32
            return value
    except ValueError:
        pass
    raise _CellError(key, value=value)


def _parse(value: str, column: Column) -> object:
    """The typed value of one cell; raises _CellError naming the reader's message."""
    if column.kind == "int":
        if not _INTEGER.fullmatch(value):
            raise _CellError("not_whole_number", value=value)
        if column.minimum is not None and int(value) < column.minimum:
            raise _CellError("below_minimum", value=value, minimum=column.minimum)
        return int(value)
    if column.kind == "bool":
        if value not in ("true", "false"):
            raise _CellError("not_true_or_false", value=value)
        return value == "true"
    if column.kind == "date":
        return dt.date.fromisoformat(_checked_date(value, _DATE, "not_a_date"))
    if column.kind == "partial_date":
        return _checked_date(value, _PARTIAL_DATE, "not_a_partial_date")
    if column.allowed and value not in column.allowed:
        raise _CellError("not_allowed", value=value, allowed=", ".join(column.allowed))
    return value


def read_table(path: Path, table: Table) -> tuple[pd.DataFrame, list[Problem]]:
    """Read and check one CSV file against its table, without cross-file checks."""
    name = path.name
    if not path.exists():
        return _empty_frame(table), [Problem.of(name, 0, "-", "file_missing")]
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            lines = list(csv.reader(handle))
    except UnicodeDecodeError as error:
        return _empty_frame(table), [Problem.of(name, 0, "-", "not_utf8", reason=error.reason)]
    if not lines:
        return _empty_frame(table), [Problem.of(name, 1, "-", "no_header")]

    header, problems = lines[0], []
    expected = [column.name for column in table.columns]
    problems += [Problem.of(name, 1, c, "column_missing") for c in expected if c not in header]
    problems += [Problem.of(name, 1, c, "unexpected_column") for c in header if c not in expected]
    if problems:
        return _empty_frame(table), problems

    positions = {column_name: header.index(column_name) for column_name in expected}
    records: list[dict[str, object]] = []
    for row_number, cells in enumerate(lines[1:], start=2):
        if len(cells) != len(header):
            problems.append(Problem.of(name, row_number, "-", "cell_count", cells=len(cells), header=len(header)))
            continue
        record: dict[str, object] = {}
        invalid: set[str] = set()  # cells already reported, so rules do not report them again
        for column in table.columns:
            raw = cells[positions[column.name]].strip()
            if raw == "":
                record[column.name] = None
                if column.required:
                    problems.append(Problem.of(name, row_number, column.name, "value_missing"))
                continue
            try:
                record[column.name] = _parse(raw, column)
            except _CellError as error:
                record[column.name] = None
                invalid.add(column.name)
                problems.append(Problem.of(name, row_number, column.name, error.key, **error.values))
        records.append(record | {"_row": row_number, "_invalid": invalid})

    problems += _duplicate_keys(name, records, table.key)
    for columns, flag in table.unique_where:
        flagged = [record for record in records if record.get(flag)]
        problems += _duplicate_keys(name, flagged, columns, flag)
    problems += _yearly_rules(name, table, records)
    problems += _bilingual_rules(name, table, records)
    frame = pd.DataFrame.from_records(records, columns=[*expected, "_row"])
    return _typed(frame, table), problems


def _duplicate_keys(file: str, records, key, flag: str | None = None) -> list[Problem]:
    """Rows whose key (among the rows where `flag` is true, when given) is that of an earlier row."""
    seen: dict[tuple, int] = {}
    problems = []
    for record in records:
        value = tuple(record[column] for column in key)
        if value in seen:
            where = {"found": ", ".join(map(str, value)), "row": seen[value]}
            if flag:
                where = {"flag": flag, **where}
            message = "duplicate_where" if flag else "duplicate_key"
            problems.append(Problem.of(file, record["_row"], ", ".join(key), message, **where))
        else:
            seen[value] = record["_row"]
    return problems


def _yearly_rules(file: str, table: Table, records) -> list[Problem]:
    """Rules of the yearly figures: status and count agree, every year has every measure."""
    if table.name != "malmo_yearly":
        return []
    problems = []
    headlines = {(record["year"], record["measure"]) for record in records if record["is_headline"]}
    for year in sorted({record["year"] for record in records if record["year"] is not None}):
        first_row = min(record["_row"] for record in records if record["year"] == year)
        problems += [
            Problem.of(file, first_row, "is_headline", "no_headline", year=year, measure=measure)
            for measure in MEASURES
            if (year, measure) not in headlines
        ]
    for record in records:
        if "count" in record["_invalid"]:
            continue
        status, count = record["status"], record["count"]
        if status == "not_published" and count is not None:
            problems.append(Problem.of(file, record["_row"], "count", "count_not_empty"))
        if status in ("published", "provisional") and count is None:
            problems.append(Problem.of(file, record["_row"], "count", "count_missing", status=status))
        if status == "provisional" and record["is_headline"]:
            problems.append(Problem.of(file, record["_row"], "is_headline", "provisional_headline"))
    return problems


def _bilingual_rules(file: str, table: Table, records) -> list[Problem]:
    """A text in two languages (note_sv, note_en) is given in both or in neither, so no page shows a gap."""
    names = {column.name for column in table.columns}
    pairs = [
        (name, name.removesuffix("_sv") + "_en")
        for name in sorted(names)
        if name.endswith("_sv") and name.removesuffix("_sv") + "_en" in names
    ]
    problems = []
    for record in records:
        for swedish, english in pairs:
            if (record[swedish] is None) != (record[english] is None):
                empty, given = (swedish, english) if record[swedish] is None else (english, swedish)
                problems.append(Problem.of(file, record["_row"], empty, "one_language", given=given))
    return problems


def _empty_frame(table: Table) -> pd.DataFrame:
    return _typed(pd.DataFrame(columns=[*(c.name for c in table.columns), "_row"]), table)


def _typed(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    for column in table.columns:
        if column.kind in _PANDAS_DTYPES:
            frame[column.name] = frame[column.name].astype(_PANDAS_DTYPES[column.kind])
    return frame


def read_all(data_dir: Path) -> dict[str, pd.DataFrame]:
    """Every table, validated; raises DataError listing every problem in every file."""
    frames, problems = {}, []
    for table in TABLES:
        frames[table.name], file_problems = read_table(data_dir / table.file_name, table)
        problems += file_problems
    problems += _reference_problems(frames)
    if problems:
        raise DataError(problems)
    return {name: frame.drop(columns="_row") for name, frame in frames.items()}


def _reference_problems(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    problems = []
    for table in TABLES:
        for column in table.columns:
            if column.references is None:
                continue
            target = TABLES_BY_NAME[column.references]
            known = set(frames[target.name][target.key[0]].dropna())
            frame = frames[table.name]
            for value, row in zip(frame[column.name], frame["_row"], strict=True):
                if pd.notna(value) and value not in known:
                    problems.append(
                        Problem.of(
                            table.file_name, row, column.name, "unknown_reference", name=target.key[0], value=value
                        )
                    )
    return problems


def _inputs(data_dir: Path, demo: bool) -> list[Path]:
    """Every file the database is built from: data files, built-in extracts, models, building code."""
    folder = data_dir / EXTRACTS_FOLDER
    return [
        *(data_dir / table.file_name for table in TABLES),
        *(path for name in DATASETS for path in built_in_files(folder, name, demo)),  # what the build reads
        *_BUILD_INPUTS,
        *sorted(MODELS_DIR.glob("*")),
        *sorted(IMPORTS_DIR.glob("*")),
        *sorted(STORE_DIR.glob("*")),
    ]


def fingerprint(data_dir: Path) -> str:
    """Changes whenever a data file, a built-in extract, a model, the building code or the mode
    (demo or not, paths.demo_mode) changes: a database built in the other mode is rebuilt."""
    demo = paths.demo_mode()
    digest = hashlib.sha256(b"demo mode" if demo else b"real data")
    for path in _inputs(data_dir, demo):
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()


def inputs_stamp(data_dir: Path) -> tuple:
    """Changes when any input file is written, added or removed, or the mode changes, read from the
    file system's metadata alone: a page run checks this, so it never reads the files themselves."""
    demo = paths.demo_mode()
    return (
        demo,
        *(
            (str(path), stat.st_mtime_ns, stat.st_size) if (stat := _stat(path)) else (str(path), None, None)
            for path in _inputs(data_dir, demo)
        ),
    )


def _stat(path: Path):
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def build_database(data_dir: Path, db_path: Path) -> None:
    """Validate data_dir and rebuild the database from it, keeping imported extracts.

    Extract rows a partner imported are carried over. The built-in rows are taken afresh from
    data/extracts/ (imports.refresh_built_in_rows): the events the police published, or in demo
    mode the synthetic demonstration rows, for each extract that has no imported rows.
    """
    frames = read_all(data_dir)
    with store.rewriting(db_path, keep=[*STORED_COLUMNS], fingerprint=fingerprint(data_dir)) as new:
        for name, frame in frames.items():
            new.con.from_df(frame).create(name)
        refresh_built_in_rows(new.con, data_dir / EXTRACTS_FOLDER, paths.demo_mode())


def ensure_database(data_dir: Path, db_path: Path) -> str:
    """Build the database if it is missing or older than the data; return its fingerprint."""
    current = fingerprint(data_dir)
    if built_fingerprint(db_path) != current:
        build_database(data_dir, db_path)
    return current


def stale_database_usable(db_path: Path) -> bool:
    """Whether the database a failed build left in place may still be shown: there is one, and
    outside demo mode it holds no synthetic row, so invalid data files never bring a
    demonstration database before the public."""
    if built_fingerprint(db_path) is None:
        return False
    return paths.demo_mode() or not store.holds_synthetic_rows(db_path)

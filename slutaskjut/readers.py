"""Stage one partner's extract file in DuckDB as rows of text cells with our column names.

A reader only turns a file into rows: every cell stays text (None when empty) and typing and
validation (dates, numbers, kinds, places, references) are left to `slutaskjut.imports`, as SQL
over the staged rows. It reads CSV (comma or semicolon; UTF-8, or Windows-1252 when the file has
no UTF-8 at all: a UTF-8 file with a byte that is not is refused, naming it), Excel (.xlsx),
Parquet and the Swedish police's public events (a JSON array or one JSON object a line), each
also gzip-compressed (name.csv.gz). A TOML mapping renames a partner's columns and values to ours.

`stage` streams the file into a DuckDB table in batches, so a file of millions of rows takes
little memory: CSV through Python's csv module (after a first pass over the bytes that decides
the encoding), or DuckDB's reader when the file is plain enough for both to read it alike (see
_staged_by_duckdb), Excel through openpyxl's streaming reader, Parquet inside DuckDB, police
events a line at a time. What a file may hold is bounded: a compressed file decompresses to at
most MAX_DECOMPRESSED_BYTES, a CSV record or JSON line has at most MAX_LINE_BYTES characters, a
header at most MAX_COLUMNS columns, and a JSON array at most MAX_JSON_ARRAY_BYTES; past these
the file is refused, and at most MAX_LISTED_PROBLEMS problems are kept (the rest are counted).

Rows are numbered as a person finds them: in CSV, Excel and Parquet the header is row 1 and
the first data row is row 2 (a CSV row is a record: a quoted cell may span lines; blank
records count); in JSON lines the line number; in a JSON array the element number, from 1.
Problems with the whole file have row 0 and column "-" (a byte that is not UTF-8 in a UTF-8
file has its line as row).

Cells become text as a person reads them: spreadsheet and Parquet numbers without a trailing
".0", dates ISO (YYYY-MM-DD, with " HH:MM" when not midnight), times HH:MM, booleans true and
false, every cell stripped of outer spaces. Excel reads the first visible sheet, and refuses a
formula that was never calculated (its value would silently be empty); Parquet refuses binary
and nested columns (lists, records) rather than storing them as Python's notation.

A mapping file looks like this (every part optional):

    delimiter = ";"           # CSV; default: comma, semicolon or tab, whichever the header line has most of
    encoding = "windows-1252"  # CSV; "utf-8" or "windows-1252"; default: UTF-8, else Windows-1252
    sheet = "Skjutningar"      # Excel; default: the first visible sheet

    [columns]                  # our column = their column
    incident_id = "Ärendenummer"
    date = "Datum"

    [values.kind]              # their value = our value, for one of our columns
    Skjutning = "shooting"
    "Misstänkt skjutning" = "suspected_shooting"

A value mapped to "" becomes an empty cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import functools
import gc
import gzip
import hashlib
import io
import itertools
import json
import math
import operator
import re
import shutil
import tempfile
import tomllib
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from duckdb import CaseExpression, ColumnExpression, ConstantExpression, Expression, FunctionExpression, sqltypes

from slutaskjut import fmt
from slutaskjut.extract_schema import DATASETS, Dataset
from slutaskjut.problems import MAX_LISTED_PROBLEMS, Problem, printable

ROW = "_row"
FILE = "_file"
# Larger files are refused rather than read: a small .gz can hold gigabytes of rows.
MAX_DECOMPRESSED_BYTES = 1_000_000_000
# Characters of one CSV record (a quoted cell may span lines) or one JSON line.
MAX_LINE_BYTES = 1_000_000
# Columns of a header; an extract has about ten.
MAX_COLUMNS = 1_000
# A JSON array is parsed whole, which takes about eight times its size in memory: larger
# deliveries come as JSON lines, read a line at a time.
MAX_JSON_ARRAY_BYTES = 50_000_000

_BATCH_ROWS = 8192  # rows parsed in Python before they go to DuckDB: small batches keep memory low
_CHUNK_BYTES = 1 << 20

_FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "excel",
    ".parquet": "parquet",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
}
_UNSUPPORTED = "use CSV, Excel (.xlsx), Parquet or the police events JSON"
_ZIP, _PARQUET, _GZIP, _OLE = b"PK\x03\x04", b"PAR1", b"\x1f\x8b", b"\xd0\xcf\x11\xe0"
_BOM = b"\xef\xbb\xbf"
_GLOB = re.compile(r"[*?\[\]{}]")  # DuckDB's readers take a path with these as a pattern of file names
_LEADING_BLANKS = b" \t\r\n\x0b\x0c" + _BOM

_MAPPING_SETTINGS = ("columns", "values", "delimiter", "encoding", "sheet")
_ENCODINGS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf-8-sig": "utf-8",
    "windows-1252": "windows-1252",
    "cp1252": "windows-1252",
}
# What str.strip() strips, for Arrow's trim: cells are stripped as Python strips text.
_WHITESPACE = "".join(character for character in map(chr, range(0x110000)) if character.isspace())
# A letter written in UTF-8 (two to four bytes); a Windows-1252 text practically never has one.
_UTF8_LETTER = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_NOT_WINDOWS_1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")  # the five bytes Windows-1252 leaves undefined
_NUL_BYTES = (
    "not UTF-8 or Windows-1252 text: it has NUL bytes, so it is UTF-16 text or not text at all (save it as 'CSV UTF-8')"
)

POLICE_SOURCE = "Polisen, polisen.se/aktuellt/handelser"
POLICE_KINDS = {
    "Skottlossning": "shooting",
    "Skottlossning, misstänkt": "suspected_shooting",
    "Detonation": "explosion",  # the police's name until 2024-09
    "Explosion": "explosion",  # from 2024-09
}
POLICE_TOWN = "Malmö"
_POLICE_KEYS = ("id", "datetime", "name", "type")
_MONTHS = {name: number for number, name in enumerate(fmt.MONTHS["sv"], start=1)}
# "07 juni 01:49, Skottlossning, Malmö" or "07 juni 17.59, ..."; the time may be missing.
_EVENT_WHEN = re.compile(r"\s*(\d{1,2})\s+([^\W\d_]+)(?:\s+(\d{1,2})[:.](\d{2}))?\s*,")
# "2023-06-07 3:04:40 +02:00": when the police published the event, in Swedish time.
_PUBLISHED = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\b")


@dataclass(frozen=True)
class Mapping:
    """How a partner's export maps to our columns; loaded from a TOML file."""

    columns: dict[str, str] = field(default_factory=dict)  # our column name -> their column name
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # our column -> {their value: our value}
    delimiter: str | None = None  # CSV only; None = detect comma, semicolon (or tab) from the header line
    encoding: str | None = None  # CSV only; None = UTF-8 (with or without BOM), else Windows-1252
    sheet: str | None = None  # Excel only; None = the first visible sheet


@dataclass
class Staged:
    """What staging one file did."""

    rows: int  # rows inserted; empty rows are not, though their row numbers count
    skipped: Counter[str]  # reason -> rows deliberately not imported (police events of other types or towns...)
    problems: list[Problem]  # the first MAX_LISTED_PROBLEMS, in file order
    problems_found: int  # how many there were in all


@dataclass
class RawRows:
    """One file's rows as a frame (our columns and `_row`); for tests and small files."""

    frame: pd.DataFrame
    skipped: list[str]  # the reason of each row deliberately not imported
    problems: list[Problem]


def staged_schema(dataset: Dataset) -> pa.Schema:
    """The columns `stage` fills: the file's name (as problems.printable shows it), the row number,
    then each of ours as text."""
    return pa.schema([(FILE, pa.string()), (ROW, pa.int64()), *((column, pa.string()) for column in dataset.columns)])


# --- mapping -----------------------------------------------------------------------------


def load_mapping(path: Path) -> tuple[Mapping | None, list[Problem]]:
    """The mapping in a TOML file, or None and the problems that make it unusable."""
    name = path.name

    def problem(column: str, message: str, row: int = 0) -> Problem:
        return Problem(name, row, column, message)

    if not path.is_file():
        return None, [problem("-", "mapping file is missing")]
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        return None, [problem("-", f"not UTF-8 text ({error.reason})")]
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"at line (\d+)", str(error))
        return None, [problem("-", f"not a valid TOML file ({error})", int(line.group(1)) if line else 0)]

    ours = {column for dataset in DATASETS.values() for column in dataset.columns}
    listed = "; ".join(f"{dataset.name} have {', '.join(dataset.columns)}" for dataset in DATASETS.values())
    problems: list[Problem] = []
    for key in data:
        if key not in _MAPPING_SETTINGS:
            problems.append(
                problem(key, f"unknown setting '{key}': a mapping has {', '.join(_MAPPING_SETTINGS)}"),
            )

    def our_column(key: str, where: str) -> bool:
        if key in ours:
            return True
        problems.append(problem(where, f"'{key}' is not one of our columns: {listed}"))
        return False

    columns: dict[str, str] = {}
    section = data.get("columns", {})
    if not isinstance(section, dict):
        problems.append(problem("columns", 'must be a section [columns] of our column = "their column"'))
        section = {}
    for key, value in section.items():
        where = f"columns.{key}"
        if our_column(key, where):
            if isinstance(value, str) and value.strip():
                columns[key] = value.strip()
            else:
                problems.append(problem(where, f"must be the name of a column in the file, in quotes, not {value!r}"))

    values: dict[str, dict[str, str]] = {}
    section = data.get("values", {})
    if not isinstance(section, dict):
        problems.append(problem("values", 'must be sections [values.<our column>] of "their value" = "our value"'))
        section = {}
    for key, table in section.items():
        where = f"values.{key}"
        if not our_column(key, where):
            continue
        if not isinstance(table, dict):
            problems.append(problem(where, f'must be a section [{where}] of "their value" = "our value"'))
            continue
        values[key] = {}
        for theirs, value in table.items():
            if isinstance(value, str):
                values[key][theirs.strip()] = value.strip()
            else:
                problems.append(problem(f"{where}.{theirs}", f"must be a text in quotes, not {value!r}"))

    settings: dict[str, str | None] = {}
    for key in ("delimiter", "encoding", "sheet"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(problem(key, f"must be a text in quotes, not {value!r}"))
            value = None
        settings[key] = value
    delimiter = settings["delimiter"]
    if delimiter is not None and (len(delimiter) != 1 or delimiter in '"\r\n'):
        problems.append(problem("delimiter", f'must be one character such as "," or ";", not {delimiter!r}'))
    if settings["encoding"] is not None:
        encoding = _ENCODINGS.get(settings["encoding"].strip().lower())
        if encoding is None:
            problems.append(problem("encoding", f'must be "utf-8" or "windows-1252", not {data["encoding"]!r}'))
        settings["encoding"] = encoding
    if settings["sheet"] is not None and not settings["sheet"].strip():
        problems.append(problem("sheet", "must name a sheet of the workbook"))

    if problems:
        return None, problems
    return Mapping(columns, values, settings["delimiter"], settings["encoding"], settings["sheet"]), []


# --- staging -----------------------------------------------------------------------------


class _Refused(Exception):
    """The file cannot be read on: `message` says why, at `row` (0: the whole file)."""

    def __init__(self, message: str, row: int = 0, column: str = "-"):
        super().__init__(message)
        self.message, self.row, self.column = message, row, column


class _Found:
    """Problems as found: the first MAX_LISTED_PROBLEMS listed, all of them counted."""

    def __init__(self, file: str):
        self.file = file
        self.listed: list[Problem] = []
        self.count = 0

    def add(self, row: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.listed) < MAX_LISTED_PROBLEMS:
            self.listed.append(Problem(self.file, row, column, message))


class _Target:
    """Where one file's rows go (`table` on `con`), and what is found on the way."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, table: str, path: Path, dataset: Dataset, mapping: Mapping | None
    ):
        self.con, self.table, self.dataset, self.mapping = con, table, dataset, mapping
        self.name = path.name
        self.found = _Found(path.name)
        self.skipped: Counter[str] = Counter()
        self.rows = 0

    def problem(self, row: int, column: str, message: str) -> None:
        self.found.add(row, column, message)

    def insert(self, columns: Sequence[str], batches: Iterator[pa.RecordBatch]) -> None:
        """Insert batches of `_row` and some of our columns (text; the others stay empty) in one statement.

        One statement, not one a batch: DuckDB writes a million rows in a quarter of the time. A
        refusal while the batches are made ends them (the rows before it stay staged) and is raised
        once DuckDB has them: DuckDB never sees an exception, which would abort a transaction.
        """
        schema = pa.schema([(ROW, pa.int64()), *((column, pa.string()) for column in columns)])
        given: list[int] = []
        refusals: list[_Refused] = []

        def until_refused() -> Iterator[pa.RecordBatch]:
            try:
                for batch in batches:
                    given.append(batch.num_rows)
                    yield batch
            except _Refused as refused:
                refusals.append(refused)

        reader = pa.RecordBatchReader.from_batches(schema, until_refused())
        self.con.from_arrow(reader).select(*self.projection(columns)).insert_into(self.table)
        self.rows += sum(given)
        if refusals:
            raise refusals[0]

    def add_relation(self, relation: duckdb.DuckDBPyRelation, columns: Sequence[str]) -> int:
        """Insert the rows of a relation with `_row` and some of our columns, as text; how many."""
        before = len(self.con.table(self.table))
        relation.select(*self.projection(columns)).insert_into(self.table)
        inserted = len(self.con.table(self.table)) - before
        self.rows += inserted
        return inserted

    def projection(self, present: Sequence[str]) -> list[Expression]:
        """The staged table's columns from `_row` and the columns present, with the mapping's values."""
        values = self.mapping.values if self.mapping else {}
        cells = [
            _mapped(ColumnExpression(column), values.get(column)) if column in present else _NULL
            for column in self.dataset.columns
        ]
        return [
            ConstantExpression(printable(self.name)).alias(FILE),
            ColumnExpression(ROW),
            *(cell.alias(column) for cell, column in zip(cells, self.dataset.columns, strict=True)),
        ]

    def staged(self) -> Staged:
        return Staged(self.rows, self.skipped, self.found.listed, self.found.count)


_NULL = ConstantExpression(None).cast(sqltypes.VARCHAR)


def _mapped(cell: Expression, table: dict[str, str] | None) -> Expression:
    """A cell with their values replaced by ours; a value mapped to "" becomes an empty cell."""
    if not table:
        return cell
    replacements = [
        (ConstantExpression(theirs), ConstantExpression(ours) if ours else _NULL) for theirs, ours in table.items()
    ]
    (theirs, ours), *others = replacements
    case = CaseExpression(cell == theirs, ours)
    for theirs, ours in others:
        case = case.when(cell == theirs, ours)
    return case.otherwise(cell)


def stage(
    con: duckdb.DuckDBPyConnection, table: str, path: Path, dataset: Dataset, mapping: Mapping | None = None
) -> Staged:
    """Insert the rows of one extract file into `table` (with the columns of `staged_schema`) as text.

    The rows go to DuckDB in one statement, made a batch at a time. When the result lists
    problems, the rows before a refusal may be staged: such a file must be refused. A mapping's
    columns do not apply to the police events, whose format is fixed; its values do. See the
    module docstring.
    """
    target = _Target(con, table, path, dataset, mapping)
    try:
        with _collector_paused():
            _stage(target, path)
    except _Refused as refused:
        target.problem(refused.row, refused.column, refused.message)
    return target.staged()


def read_rows(path: Path, dataset: Dataset, mapping: Mapping | None = None) -> RawRows:
    """The rows of one small file as a frame of our columns and `_row`, staged in an in-memory DuckDB."""
    with duckdb.connect() as con:
        con.from_arrow(staged_schema(dataset).empty_table()).create("staged")
        staged = stage(con, "staged", path, dataset, mapping)
        rows = con.table("staged").sort(ColumnExpression(ROW)).to_arrow_table().drop_columns([FILE])
    frame = pd.DataFrame({column: pd.Series(rows[column].to_pylist(), dtype=object) for column in dataset.columns})
    frame[ROW] = pd.Series(rows[ROW].to_pylist(), dtype="int64")
    return RawRows(frame, list(staged.skipped.elements()), staged.problems)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off: a batch of CSV records is thousands of lists (none of them
    garbage), which would start a collection every 700 of them: a fifth of the reading time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _stage(target: _Target, path: Path) -> None:
    suffixes = [suffix.lower() for suffix in path.suffixes[-2:]]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    suffix = (suffixes[-2] if len(suffixes) == 2 else "") if compressed else (suffixes[-1] if suffixes else "")
    kind = _FORMATS.get(suffix)
    if kind is None:
        if compressed and not suffix:
            raise _Refused(f"unsupported file type: name a compressed file like name.csv.gz; {_UNSUPPORTED}")
        if not suffix:
            raise _Refused(f"the name has no file type such as .csv: {_UNSUPPORTED}")
        shown = f"'{suffix}' inside gzip" if compressed else f"'{suffix}'"
        raise _Refused(f"unsupported file type {shown}: {_UNSUPPORTED}")
    if not path.is_file():
        raise _Refused("file is missing")
    if path.stat().st_size == 0:
        raise _Refused("file is empty")

    label = suffix + (".gz" if compressed else "")
    if compressed:
        with path.open("rb") as raw:
            magic = raw.read(512)
        if not magic.startswith(_GZIP):
            raise _Refused(f"named {label} but it is not gzip-compressed: it is {_what_it_is(magic)}")

    def open_bytes() -> BinaryIO:
        return io.BufferedReader(_Gunzipped(path, label), _CHUNK_BYTES) if compressed else path.open("rb")

    with open_bytes() as stream:
        head, content = _start(stream)
    if not content:
        raise _Refused("file is empty")
    wrong = _wrong_content(kind, head, content)
    if wrong:
        inside = "when decompressed " if compressed else ""
        raise _Refused(f"named {label} but {inside}it is {wrong}")

    if kind == "json":
        if target.dataset.name != "incidents":
            raise _Refused(
                f"the police events format holds incidents, not {target.dataset.name}: "
                f"deliver {target.dataset.name} as CSV, Excel (.xlsx) or Parquet"
            )
        _stage_police_events(target, open_bytes, content.startswith(b"["))
    elif kind == "csv":
        _stage_csv(target, open_bytes, None if compressed else path)
    else:
        with _local_file(path, open_bytes, compressed, suffix) as local:
            (_stage_excel if kind == "excel" else _stage_parquet)(target, local)


class _Gunzipped(io.RawIOBase):
    """A gzip file's decompressed bytes, refused past MAX_DECOMPRESSED_BYTES."""

    def __init__(self, path: Path, label: str):
        self._file = gzip.open(path, "rb")
        self._label = label
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            count = self._file.readinto(buffer)
        except (OSError, EOFError, zlib.error) as error:
            raise _Refused(f"named {self._label} but it cannot be decompressed ({error})") from None
        self._read += count
        if self._read > MAX_DECOMPRESSED_BYTES:
            raise _Refused(f"is larger than {MAX_DECOMPRESSED_BYTES // 1_000_000} MB when decompressed")
        return count

    def close(self) -> None:
        self._file.close()
        super().close()


@contextmanager
def _local_file(path: Path, open_bytes: Callable[[], BinaryIO], compressed: bool, suffix: str) -> Iterator[Path]:
    """The file, for a reader that needs a file rather than a stream (Excel, Parquet, CSV in DuckDB): a
    compressed one decompressed into a temporary folder; linked there, one whose path is not UTF-8 (which
    DuckDB needs) or has a character DuckDB reads as a pattern of names ('rows[1].csv' would read rows1.csv)."""
    if not compressed and _is_utf8(str(path)) and not _GLOB.search(str(path)):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="slutaskjut-") as folder:
        local = Path(folder) / f"extract{suffix}"
        if compressed:
            with open_bytes() as source, local.open("wb") as copy:
                shutil.copyfileobj(source, copy, _CHUNK_BYTES)
        else:
            local.symlink_to(path.absolute())
        yield local


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a byte of a file name that is not text
        return False
    return True


def _start(stream: BinaryIO) -> tuple[bytes, bytes]:
    """The first bytes of a file and its first bytes after blanks and BOM (b"" when it is all blank)."""
    head = stream.read(_CHUNK_BYTES)
    content = head.lstrip(_LEADING_BLANKS)
    while not content:
        chunk = stream.read(_CHUNK_BYTES)
        if not chunk:
            break
        content = chunk.lstrip(_LEADING_BLANKS)
    return head[:512], content[:512]


def _what_it_is(head: bytes) -> str:
    """What a file is, judged by its first bytes, for messages."""
    if head.startswith(_ZIP):
        return "an Excel workbook (or another zip archive)"
    if head.startswith(_PARQUET):
        return "a Parquet file"
    if head.startswith(_GZIP):
        return "gzip-compressed"
    if head.startswith(_OLE):
        return "an old Excel .xls workbook or a password-protected one (save it as .xlsx without a password)"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        return "UTF-16 text or binary data"
    if head.lstrip(_LEADING_BLANKS).startswith((b"[", b"{")):
        return "JSON text"
    return "text (perhaps CSV)"


def _wrong_content(kind: str, head: bytes, content: bytes) -> str | None:
    """What the file is instead, when its first bytes are not those of its format."""
    if kind == "excel" and not head.startswith(_ZIP):
        return _what_it_is(head)
    if kind == "parquet" and not head.startswith(_PARQUET):
        return _what_it_is(head)
    if kind == "json" and not content.startswith((b"[", b"{")):
        return f"{_what_it_is(head)}, not JSON (which starts with '[' or '{{')"
    if kind == "csv" and head.startswith((_ZIP, _PARQUET, _GZIP, _OLE, b"%PDF")):
        return _what_it_is(head)
    return None


def _text_array(cells: list[str]) -> pa.Array:
    """Cells as Arrow text, stripped as str.strip() strips; empty cells None."""
    stripped = pc.utf8_trim(pa.array(cells, pa.string()), _WHITESPACE)
    return pc.if_else(pc.equal(stripped, ""), pa.scalar(None, pa.string()), stripped)


def _positions(
    name: str, header: Sequence[str | None], dataset: Dataset, mapping: Mapping | None
) -> tuple[dict[str, int], list[Problem]]:
    """Where each of our columns is in the header (matched ignoring case and outer spaces)."""
    found: dict[str, list[int]] = {}
    for index, heading in enumerate(header):
        if heading is not None and heading.strip():
            found.setdefault(heading.strip().casefold(), []).append(index)
    shown = _shown_names([heading.strip() for heading in header if heading is not None and heading.strip()])
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    for column in dataset.fields:
        theirs = mapping.columns.get(column.name, column.name) if mapping else column.name
        indexes = found.get(theirs.casefold(), [])
        if len(indexes) == 1:
            positions[column.name] = indexes[0]
        elif len(indexes) > 1:
            places = " and ".join(str(index + 1) for index in indexes)
            problems.append(Problem(name, 1, column.name, f"column '{theirs}' appears more than once ({places})"))
        elif column.required:
            if mapping is not None and column.name in mapping.columns:
                message = f"required column is missing: the mapping reads it from '{theirs}', which the file lacks"
            else:
                message = "required column is missing"
            problems.append(Problem(name, 1, column.name, f"{message} (the file has {shown or 'no column names'})"))
    return positions, problems


def _shown_names(names: list[str], most: int = 30, longest: int = 60) -> str:
    """The column names for a message: 'a', 'b', and at most `most` of them, each cut at `longest`."""
    shown = ", ".join(f"'{name if len(name) <= longest else name[:longest] + '…'}'" for name in names[:most])
    return shown + (f" and {len(names) - most:,} more" if len(names) > most else "")


def _header(target: _Target, header: Sequence[str | None]) -> dict[str, int] | None:
    """Where our columns are in a table's header row; None, with the problems noted, when it is unusable."""
    if not any(heading is not None and heading.strip() for heading in header):
        raise _Refused("row 1 is empty: the column names must be in row 1", row=1)
    if len(header) > MAX_COLUMNS:
        raise _Refused(f"row 1 has {len(header):,} columns, more than the {MAX_COLUMNS:,} an extract may have", row=1)
    positions, problems = _positions(target.name, header, target.dataset, target.mapping)
    for problem in problems:
        target.problem(problem.row, problem.column, problem.message)
    return None if problems else positions


# --- CSV ---------------------------------------------------------------------------------


def _stage_csv(target: _Target, open_bytes: Callable[[], BinaryIO], path: Path | None) -> None:
    """Stage a CSV file (`path` None when it is compressed): read by DuckDB when it is plain enough
    (see _staged_by_duckdb), else by Python's csv module, which also lists the problems."""
    mapping = target.mapping
    with open_bytes() as stream:
        encoding = _csv_encoding(stream, mapping.encoding if mapping else None)
    with open_bytes() as stream, io.TextIOWrapper(stream, encoding=encoding, newline="") as text:
        lines = _CsvLines(text)
        line_iterator = iter(lines)
        first_line = next(line_iterator, "")
        delimiter = mapping.delimiter if mapping and mapping.delimiter else None
        if delimiter is None:
            delimiter = max(",;\t", key=first_line.count)  # the first of the most frequent: comma on a tie
        reader = csv.reader(itertools.chain([first_line], line_iterator), delimiter=delimiter)
        header = lines.read(reader, 1)
        positions = _header(target, header[0] if header else [])
        if positions is None:
            return
        problems_before = target.found.count
        width = len(header[0])
        in_duckdb = path is not None and encoding == "utf-8-sig"
        if not (in_duckdb and _staged_by_duckdb(target, path, open_bytes, first_line, width, delimiter, positions)):
            target.insert(list(positions), _csv_batches(target, reader, lines, positions, width))
        if not target.rows and target.found.count == problems_before:  # no row, not even one of a wrong width
            target.problem(0, "-", "file has a header but no rows")


# The fast path: DuckDB's read_csv stages a plain file in two thirds of the time of csv.reader.
# It must stage exactly what the Python path stages, so it is taken only where the two were found
# to read alike, and any doubt sends the file to the Python path, which also lists the problems:
# - UTF-8 (DuckDB has no Windows-1252) and not compressed; a delimiter of , ; tab or |;
# - a header line whose cells are unquoted, or quoted as a CSV writer quotes them: DuckDB skips
#   the first record as it reads it, and it reads  "a"b  or  a, "b"  otherwise than csv.reader
#   (in a test it then skipped the next row too);
# - no \r but in \r\n (csv.reader ends a line at a lone \r), no blank line before the last
#   row (DuckDB skips blank lines, which would shift the row numbers after one);
# - no cell that starts or ends with whitespace (no whitespace but spaces and line ends, and no
#   space beside a delimiter, quote or line end; DuckDB also drops a space before a quote):
#   stripping in DuckDB costs more than it saves;
# - the connection commits each statement (a failed one would abort the caller's transaction)
#   and preserves insertion order, which numbers the rows: `row_number() OVER ()` follows the
#   file's order (duckdb.org/docs/2.0/sql/dialect/order_preservation);
# - DuckDB reads the file in strict mode without error. It reads one column more than the header
#   has, padding short rows with NULL, and no cell is NULL (DuckDB's null is a line break, which
#   no unquoted cell holds; quoted empty cells stay text), so a row of another width has a NULL
#   last column or a value in the extra one, and fails the statement, which inserts nothing.
#   (Strict mode alone accepts "1,2," for two columns.) So does a line break inside quotes (or a
#   tab, in a file of tabs): it may start or end a cell, which would have to be stripped. A file
#   with quotes is read by the parallel reader, which fails on a quote left open at the end of
#   the file, where the serial one silently drops the row; the serial one reads a file without
#   quotes, faster when the rows must be numbered in order anyway.
_DUCKDB_DELIMITERS = ",;\t|"
_LINE_BREAK = "\n"  # DuckDB's null: no unquoted cell holds it


@dataclass(frozen=True)
class _CsvLayout:
    """What the bytes of a CSV file say about reading it with DuckDB."""

    quoted: bool  # a quote after the header
    spaced: bool  # a cell may start or end with whitespace, which would have to be stripped


def _staged_by_duckdb(
    target: _Target,
    path: Path,
    open_bytes: Callable[[], BinaryIO],
    header_line: str,
    width: int,
    delimiter: str,
    positions: dict[str, int],
) -> bool:
    """Stage the rows of a plain UTF-8 CSV file in one DuckDB statement; False, staging nothing,
    when the file is not plain enough (see above) or DuckDB fails on it. `header_line` is the
    file's first line, with its line break, `width` the number of cells of its header."""
    if delimiter not in _DUCKDB_DELIMITERS or not _written_line(delimiter).fullmatch(header_line):
        return False
    if not _ordered_autocommit(target.con):
        return False
    with open_bytes() as stream:
        layout = _csv_layout(stream, delimiter)
    if layout is None or layout.spaced:
        return False
    raw = [ColumnExpression(f"c{place}") for place in range(width + 1)]
    ours = {column: _nonempty(raw[place]).alias(column) for column, place in positions.items()}
    everything = FunctionExpression("concat", *raw)
    misfit = raw[width - 1].isnull() | raw[width].isnotnull()  # a row of another width
    if layout.quoted:  # or whitespace that only a quoted cell holds, which may start or end it (to be stripped)
        for space in "\n\t" if delimiter == "\t" else "\n":
            misfit = misfit | FunctionExpression("contains", everything, ConstantExpression(space))
    filled = functools.reduce(operator.or_, (_nonempty(raw[place]).isnotnull() for place in positions.values()))
    # A blank record counts as a row but is not staged, as in _csv_batches; a misfit reaches error().
    kept = CaseExpression(filled | misfit, ConstantExpression(True)).otherwise(_nonempty(everything).isnotnull())
    python_rows = FunctionExpression("error", ConstantExpression("a row for the Python path"))
    number = CaseExpression(misfit, python_rows.cast(sqltypes.BIGINT)).otherwise(ColumnExpression(ROW))
    record_number = FunctionExpression("row_number").over() + ConstantExpression(1)  # the header is row 1
    with _local_file(path, open_bytes, False, ".csv") as local:
        try:
            records = target.con.read_csv(
                str(local),
                header=False,
                skiprows=1,
                sep=delimiter,
                quotechar='"',
                escapechar='"',
                columns={f"c{place}": "VARCHAR" for place in range(width + 1)},
                auto_detect=False,
                strict_mode=True,
                null_padding=True,
                na_values=_LINE_BREAK,
                allow_quoted_nulls=False,
                # a longer record goes to Python, which refuses it past MAX_LINE_BYTES or a cell past the field limit
                max_line_size=min(MAX_LINE_BYTES, csv.field_size_limit()),
                parallel=layout.quoted,
            )
            numbered = records.select(record_number.alias(ROW), *raw)
            target.add_relation(numbered.filter(kept).select(number.alias(ROW), *ours.values()), list(ours))
        except duckdb.Error as error:
            if isinstance(error, _NOT_THE_FILE):
                raise
            return False
    return True


@functools.cache
def _written_line(delimiter: str) -> re.Pattern[str]:
    """A line of cells as a CSV writer writes them: each without quotes, or quoted, with its quotes doubled."""
    cell = f'(?:"(?:[^"]|"")*"|[^"{re.escape(delimiter)}\r\n]*)'
    return re.compile(f"{cell}(?:{re.escape(delimiter)}{cell})*\r?\n")


def _nonempty(text: Expression) -> Expression:
    """A cell as _text_array makes it, for a file whose cells never start or end with whitespace."""
    return FunctionExpression("nullif", text, ConstantExpression(""))


def _ordered_autocommit(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether each statement on `con` is its own transaction (two queries have two ids) and
    results keep the order of their source."""
    settings = con.values([1]).select(
        FunctionExpression("txid_current"),
        FunctionExpression("current_setting", ConstantExpression("preserve_insertion_order")),
    )
    ((first, ordered),) = settings.fetchall()
    ((second, _),) = settings.fetchall()
    return bool(ordered) and first != second


# Whitespace (as str.isspace() says) other than the space and line ends, in UTF-8.
_OTHER_ASCII_SPACES = [bytes([byte]) for byte in range(128) if chr(byte).isspace() and byte not in b" \r\n"]
_NON_ASCII_SPACES = [character.encode() for character in _WHITESPACE if not character.isascii()]
_NON_ASCII_SPACE = re.compile(b"|".join(map(re.escape, _NON_ASCII_SPACES)))
_NON_ASCII_SPACE_LEADS = sorted({space[:1] for space in _NON_ASCII_SPACES})
_NEWLINE, _RETURN, _SPACE, _QUOTE = b"\n"[0], b"\r"[0], b" "[0], b'"'[0]


def _csv_layout(stream: BinaryIO, delimiter: str) -> _CsvLayout | None:
    """How DuckDB may read a UTF-8 CSV file whose header is its first line; None when it might
    read it otherwise than csv.reader (see above). A cell may start or end with whitespace when,
    after the header, there is whitespace other than spaces and line ends, or a space beside a
    delimiter, a quote or a line end. (A line break inside quotes fails the DuckDB path: see above.)

    One pass over the bytes, a chunk at a time; each chunk is read with the last two bytes of the
    one before, so that a pair of bytes or a blank line cut by a chunk's end is seen whole.
    """
    edges = np.zeros(256, bool)
    edges[[_NEWLINE, _RETURN, _QUOTE, ord(delimiter)]] = True
    others = [space for space in _OTHER_ASCII_SPACES if space != delimiter.encode()]
    lone_return = quoted = spaced = False
    header_end: int | None = None  # where the header's line break is in the file
    first_blank: int | None = None  # where the first blank line ends
    last_content = -1  # where the last byte that is no line end is
    data = b""
    read = 0
    for chunk in iter(lambda: stream.read(_CHUNK_BYTES), b""):
        data = data[-2:] + chunk
        start = read - (len(data) - len(chunk))  # where data starts in the file
        read += len(chunk)
        if b"\r" in data and data.count(b"\r", 0, len(data) - 1) != data.count(b"\r\n"):
            lone_return = True
        content = len(data.rstrip(b"\r\n"))
        if content:
            last_content = start + content - 1
        if header_end is None:
            line_break = chunk.find(b"\n")
            if line_break < 0:
                continue
            header_end = read - len(chunk) + line_break
        skipped = max(header_end - start, 0)  # bytes of the header
        text = data[skipped:] if skipped else data
        body = np.frombuffer(text, np.uint8)
        breaks = np.flatnonzero(body == _NEWLINE)
        gaps = breaks[1:] - breaks[:-1]
        blank = (gaps == 1) | ((gaps == 2) & (body[np.maximum(breaks[1:] - 1, 0)] == _RETURN))
        if first_blank is None and blank.any():
            first_blank = start + skipped + int(breaks[1:][blank][0])
        quoted = quoted or b'"' in text
        if not spaced:
            spaces = np.flatnonzero(body[:-1] == _SPACE)
            spaced = bool(
                any(space in text for space in others)
                or (any(lead in text for lead in _NON_ASCII_SPACE_LEADS) and _NON_ASCII_SPACE.search(text))
                or edges[body[spaces + 1]].any()
                or edges[body[spaces[spaces > 0] - 1]].any()
            )
    if header_end is None or first_blank is not None and first_blank < last_content:
        return None  # no row at all, or a blank line before the last row
    if lone_return or data.endswith(b"\r"):
        return None
    return _CsvLayout(quoted, spaced or data.endswith(b" "))


def _csv_batches(
    target: _Target, reader: Iterator[list[str]], lines: _CsvLines, positions: dict[str, int], width: int
) -> Iterator[pa.RecordBatch]:
    """The records after the header, a batch at a time; each must have as many cells as the header."""
    getters = {column: itemgetter(place) for column, place in positions.items()}
    while records := lines.read(reader, _BATCH_ROWS):
        numbers = np.arange(lines.next_row - len(records), lines.next_row)
        widths = np.fromiter(map(len, records), np.intp, len(records))
        kept = widths == width
        for index in np.flatnonzero(~kept).tolist():
            if not _blank(records[index]):  # an empty row, as spreadsheets and CSV exports leave at the end
                target.problem(int(numbers[index]), "-", f"has {len(records[index])} cells, the header has {width}")
        if not kept.all():
            records, numbers = list(itertools.compress(records, kept)), numbers[kept]
        if not records:
            continue
        columns = [_text_array(list(map(getter, records))) for getter in getters.values()]
        empty = ~np.logical_or.reduce([column.is_valid().to_numpy(zero_copy_only=False) for column in columns])
        if empty.any():
            kept = np.ones(len(records), bool)
            kept[[index for index in np.flatnonzero(empty).tolist() if _blank(records[index])]] = False
            mask = pa.array(kept)
            numbers, columns = numbers[kept], [column.filter(mask) for column in columns]
        yield pa.record_batch([pa.array(numbers, pa.int64()), *columns], names=[ROW, *getters])


def _blank(cells: Sequence[str]) -> bool:
    return not "".join(cells).strip()


class _CsvLines:
    """The lines of a CSV text for csv.reader, refused when a record is longer than MAX_LINE_BYTES.

    Lines are split a chunk at a time (as csv.reader needs them: at \\n, \\r\\n or \\r, ends kept).
    csv.reader asks for a line only when its record needs one, so the records read so far tell
    which row a line belongs to, and a record that has taken whole chunks without ending is too long.
    """

    def __init__(self, text: io.TextIOBase):
        self._text = text
        self._records: list[list[str]] = []  # the batch being read
        self.next_row = 1  # the row number of the first record of the batch being read; then of the next

    def read(self, reader: Iterator[list[str]], count: int) -> list[list[str]]:
        """The next `count` records, or fewer at the end of the file."""
        self._records = records = []
        try:
            records.extend(itertools.islice(reader, count))  # extend keeps each record as it comes
        except csv.Error as error:
            raise _Refused(f"cannot be read as CSV ({error})", row=self._row()) from None
        self.next_row += len(records)
        return records

    def _row(self) -> int:
        """The row csv.reader is reading now."""
        return self.next_row + len(self._records)

    def __iter__(self) -> Iterator[str]:
        return itertools.chain.from_iterable(self._chunks())

    def _chunks(self) -> Iterator[list[str]]:
        size = min(_CHUNK_BYTES, MAX_LINE_BYTES)
        carried = ""  # the start of a line that goes on in the next chunk
        given, spanned, row = 0, 0, 0
        while True:
            # csv.reader has used every line given so far; if its record did not end, it goes on.
            spanned = spanned + given if self._row() == row else 0
            row = self._row()
            if spanned + len(carried) > MAX_LINE_BYTES:
                raise _Refused(
                    f"is longer than {MAX_LINE_BYTES:,} characters: is it a CSV file, with a line break after "
                    "each row, and are its quotes closed?",
                    row=row,
                )
            text = self._text.read(size)
            if not text:
                if carried:
                    yield [carried]
                return
            lines = io.StringIO(carried + text, newline="").readlines()
            carried = "" if lines[-1].endswith("\n") else lines.pop()  # a \r may be half of \r\n
            given = sum(map(len, lines))
            yield lines


def _csv_encoding(stream: BinaryIO, setting: str | None) -> str:
    """The codec that reads a CSV file: the mapping's; else UTF-8; else Windows-1252, for a file with
    no UTF-8 letter at all. A file that is UTF-8 but for some bytes is refused, naming the first.

    One pass over the bytes, a chunk at a time, decoding as UTF-8 up to the first byte that is not.
    """
    line = 1  # the line where `data` starts
    kept = b""  # the end of the previous chunk, read again with the next: a letter may be cut in two
    not_utf8: tuple[int, int] | None = None  # (byte, line) of the first byte that is not UTF-8
    letter_line: int | None = None  # the first line with a UTF-8 letter (two bytes or more)
    not_windows_1252: tuple[int, int] | None = None  # (byte, line) of the first byte Windows-1252 lacks

    def at(data: bytes, position: int) -> int:
        return line + data.count(b"\n", 0, position)

    for number, chunk in enumerate(iter(lambda: stream.read(_CHUNK_BYTES), b"")):
        if b"\x00" in chunk or (number == 0 and chunk.startswith((b"\xff\xfe", b"\xfe\xff"))):
            raise _Refused(_NUL_BYTES)
        data = kept + chunk
        start = 0  # where to look for letters and for bytes Windows-1252 lacks
        reading_utf8 = setting != "windows-1252" and not_utf8 is None
        if reading_utf8:
            try:
                data.decode("utf-8")
                start = len(data)
            except UnicodeDecodeError as error:
                start = error.start
                if error.reason != "unexpected end of data":  # not a letter cut by the chunk's end
                    not_utf8 = (data[start], at(data, start))
            if letter_line is None and not data[:start].isascii():
                letter_line = at(data, re.search(rb"[\x80-\xff]", data).start())
        if reading_utf8 and not_utf8 is None:
            kept = data[start:]
        else:
            if setting is None and letter_line is None and (letter := _UTF8_LETTER.search(data, start)):
                letter_line = at(data, letter.start())
            if not_windows_1252 is None and (undefined := _NOT_WINDOWS_1252.search(data, start)):
                not_windows_1252 = (data[undefined.start()], at(data, undefined.start()))
            kept = data[-3:]
        if setting == "utf-8" and not_utf8 or setting == "windows-1252" and not_windows_1252:
            break
        if setting is None and not_utf8 and letter_line:
            break
        line += data.count(b"\n", 0, len(data) - len(kept))
    else:
        if kept and setting != "windows-1252" and not_utf8 is None:  # a letter cut by the file's end
            not_utf8 = (kept[0], line)
            if not_windows_1252 is None and (undefined := _NOT_WINDOWS_1252.search(kept)):
                not_windows_1252 = (kept[undefined.start()], line)

    if setting == "utf-8":
        if not_utf8:
            raise _Refused(
                f"not UTF-8 text, which the mapping says it is ({_where(*not_utf8)}): "
                "save it as 'CSV UTF-8' or remove the encoding from the mapping"
            )
        return "utf-8-sig"
    if setting == "windows-1252":
        if not_windows_1252:
            raise _Refused(f"not Windows-1252 text, which the mapping says it is ({_where(*not_windows_1252)})")
        return "cp1252"
    if not_utf8 is None:
        return "utf-8-sig"
    if letter_line is not None:
        byte, bad_line = not_utf8
        raise _Refused(
            f"byte 0x{byte:02X} is not UTF-8, while the rest of the file is UTF-8 "
            f"(line {letter_line} has UTF-8 letters): save it as 'CSV UTF-8'",
            row=bad_line,
        )
    if not_windows_1252:
        raise _Refused(f"not UTF-8 or Windows-1252 text ({_where(*not_windows_1252)}): save it as 'CSV UTF-8'")
    return "cp1252"


def _where(byte: int, line: int) -> str:
    return f"byte 0x{byte:02X} on line {line} cannot be read"


# --- Excel --------------------------------------------------------------------------------


def _stage_excel(target: _Target, path: Path) -> None:
    import openpyxl  # only when an Excel file is read

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a zip that is not a workbook
        raise _Refused(f"cannot be read as an Excel workbook ({type(error).__name__}: {error})") from None
    try:
        sheet = _sheet(workbook, target.mapping)
        sheet.reset_dimensions()  # some writers record a wrong size; read every row there is
        rows = _sheet_rows(sheet)
        first = next(rows, None)
        if first is None:
            raise _Refused("file is empty: its sheet has no cells")
        positions = _header(target, [_cell_text(value) for value in first])
        if positions is None:
            return
        try:  # openpyxl keeps where the sheet's XML is in the zip archive as _worksheet_path
            for row, column in _formulas_without_values(path, sheet._worksheet_path, positions):
                target.problem(row, column, "is a formula without a computed value: open the file in Excel and save it")
        except (zipfile.BadZipFile, zlib.error, ElementTree.ParseError, KeyError, OSError, EOFError) as error:
            raise _Refused(f"cannot be read as an Excel workbook ({type(error).__name__}: {error})") from None
        target.insert(list(positions), _sheet_batches(rows, positions))
        if not target.rows:
            target.problem(0, "-", "file has a header but no rows")
    finally:
        workbook.close()


def _sheet(workbook, mapping: Mapping | None):
    """The sheet the mapping names, else the first visible one (a hidden sheet often holds lookups)."""
    if mapping and mapping.sheet:
        named = [sheet for sheet in workbook.worksheets if sheet.title == mapping.sheet]  # not a chart sheet
        if not named:
            sheets = ", ".join(f"'{sheet}'" for sheet in workbook.sheetnames)
            raise _Refused(f"has no sheet named '{mapping.sheet}' (its sheets: {sheets})")
        return named[0]
    if not workbook.worksheets:
        raise _Refused("file is empty: it has no sheet with cells")
    visible = [sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
    return (visible or workbook.worksheets)[0]


def _sheet_rows(sheet) -> Iterator[tuple]:
    """The sheet's rows of values from row 1, empty rows included; a broken sheet is refused."""
    try:
        yield from sheet.iter_rows(values_only=True)
    except Exception as error:  # openpyxl and the XML parser raise many kinds
        raise _Refused(f"cannot be read as an Excel workbook ({type(error).__name__}: {error})") from None


def _sheet_batches(rows: Iterator[tuple], positions: dict[str, int]) -> Iterator[pa.RecordBatch]:
    """The rows after the header, a batch at a time, their cells as text."""
    places = list(positions.values())
    numbered = enumerate(rows, start=2)
    while batch := list(itertools.islice(numbered, _BATCH_ROWS)):
        filled = [
            (number, cells)
            for number, cells in batch
            if not all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)
        ]  # empty rows, as spreadsheets leave at the end, are left out
        records = [
            [_cell_text(cells[place]) if place < len(cells) else None for place in places] for _, cells in filled
        ]
        yield _record_batch([number for number, _ in filled], list(positions), records)


def _record_batch(numbers: list[int], columns: list[str], records: list[list[str | None]]) -> pa.RecordBatch:
    """A batch of `_row` and text columns from lists of cells in the order of `columns`."""
    arrays = [pa.array(list(map(itemgetter(place), records)), pa.string()) for place in range(len(columns))]
    return pa.record_batch([pa.array(numbers, pa.int64()), *arrays], names=[ROW, *columns])


# A formula's element in a sheet's XML: <f>, <f t="shared" .../> or with a namespace prefix, <x:f>.
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_CELL_REFERENCE = re.compile(r"([A-Z]+)(\d+)")


def _formulas_without_values(path: Path, member: str, positions: dict[str, int]) -> Iterator[tuple[int, str]]:
    """(row, our column) of each formula cell in our columns that holds no computed value.

    A program that writes a workbook without calculating it (openpyxl, some exports) leaves a
    formula without its value, which openpyxl reads as an empty cell: a column would silently
    be empty. Excel saves every formula's value (a formula giving "" is saved as t="str").
    """
    from openpyxl.utils.cell import column_index_from_string

    ours = {place: column for column, place in positions.items()}
    with zipfile.ZipFile(path) as archive:
        with archive.open(member) as xml:
            if not _contains(xml, _FORMULA_TAG):
                return
        with archive.open(member) as xml:
            rows, row, place = None, 0, -1
            for event, element in ElementTree.iterparse(xml, events=("start", "end")):
                tag = element.tag.rpartition("}")[2]
                if event == "start" and tag == "sheetData":
                    rows = element
                elif event == "start" and tag == "row":
                    row = int(element.get("r") or row + 1)
                    place = -1
                elif event == "end" and tag == "c":
                    reference = _CELL_REFERENCE.fullmatch(element.get("r") or "")
                    place = column_index_from_string(reference.group(1)) - 1 if reference else place + 1
                    parts = {child.tag.rpartition("}")[2]: child for child in element}
                    value = parts.get("v")
                    computed = value is not None and (value.text or element.get("t") == "str")
                    if "f" in parts and not computed and place in ours:
                        yield row, ours[place]
                elif event == "end" and tag == "row" and rows is not None:
                    rows.clear()  # the rows read so far: memory stays that of one row


def _contains(stream: BinaryIO, pattern: re.Pattern[bytes]) -> bool:
    """Whether a stream holds the pattern (at most 16 bytes long), read a chunk at a time."""
    kept = b""
    for chunk in iter(lambda: stream.read(_CHUNK_BYTES), b""):
        if pattern.search(kept + chunk):
            return True
        kept = chunk[-16:]
    return False


def _cell_text(value: object) -> str | None:
    """A spreadsheet cell as text: dates ISO, whole numbers without '.0', booleans true/false."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.timedelta):  # an Excel duration format, used for times of day
        minutes = round(value.total_seconds() / 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}" if 0 <= minutes < 24 * 60 else str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    return str(value).strip() or None


# --- Parquet ------------------------------------------------------------------------------

# DuckDB's types that are no single value: refused, never stored as Python's notation of them.
_NOT_TEXT = {
    "blob": "binary data, not text",
    "bit": "binary data, not text",
    "list": "lists, not single values",
    "array": "lists, not single values",
    "struct": "records of several values, not single values",
    "map": "maps of several values, not single values",
    "union": "values of several kinds, not single values",
}
# Errors while staging that are not the Parquet file's: writing the staged rows, memory, the transaction.
_NOT_THE_FILE = (
    duckdb.IOException,
    duckdb.OutOfMemoryException,
    duckdb.TransactionException,
    duckdb.CatalogException,
    duckdb.InterruptException,
)
_INTEGERS = {"tinyint", "smallint", "integer", "bigint", "hugeint", "utinyint", "usmallint", "uinteger", "ubigint"}
_TIMESTAMPS = {"timestamp", "timestamp_s", "timestamp_ms", "timestamp_ns", "timestamp with time zone"}


def _stage_parquet(target: _Target, path: Path) -> None:
    """Stage a Parquet file inside DuckDB: only our columns are read, and they never pass through Python."""
    try:
        relation = target.con.read_parquet(str(path), file_row_number=True)
        header, types = relation.columns[:-1], relation.types[:-1]  # file_row_number comes last
    except duckdb.Error as error:
        raise _Refused(f"cannot be read as Parquet ({_first_line(error)})") from None
    positions, problems = _positions(target.name, header, target.dataset, target.mapping)
    for problem in problems:
        target.problem(problem.row, problem.column, problem.message)
    not_text = {
        column: _NOT_TEXT[types[place].id] for column, place in positions.items() if types[place].id in _NOT_TEXT
    }
    for column, holds in not_text.items():
        target.problem(1, column, f"holds {holds}: write it as a text or number column")
    if problems or not_text:
        return
    ours = list(positions)
    cells = [_parquet_text(header[place], types[place].id).alias(column) for column, place in positions.items()]
    rows = relation.select((ColumnExpression("file_row_number") + ConstantExpression(2)).alias(ROW), *cells)
    filled = functools.reduce(operator.or_, (ColumnExpression(column).isnotnull() for column in ours))
    try:
        inserted = target.add_relation(rows.filter(filled), ours)  # empty rows are left out, as in a sheet
    except duckdb.Error as error:  # a damaged page, which DuckDB reports in many kinds
        if isinstance(error, _NOT_THE_FILE):
            raise
        raise _Refused(f"cannot be read as Parquet ({_first_line(error)})") from None
    if not inserted:
        target.problem(0, "-", "file has columns but no rows")


def _parquet_text(name: str, kind: str) -> Expression:
    """A Parquet column as text, as _cell_text writes a spreadsheet's cell: integers exact (the
    largest unsigned ones too), whole floats and decimals without decimals, NaN empty, dates ISO,
    timestamps as dates at midnight and with HH:MM otherwise (UTC when they have a time zone),
    times HH:MM, booleans true and false, text stripped and empty as None."""
    value = ColumnExpression(name)
    text = value.cast(sqltypes.VARCHAR)
    whole = value.cast(sqltypes.HUGEINT).cast(sqltypes.VARCHAR)
    if kind in _INTEGERS or kind in ("uhugeint", "boolean", "date"):
        return text
    if kind in ("float", "double"):
        # NaN by its text: DuckDB may answer isnan() from the file's statistics, which leave NaN out.
        not_a_number = text.isin(ConstantExpression("nan"), ConstantExpression("-nan"))
        integral = (value == FunctionExpression("trunc", value)) & (
            FunctionExpression("abs", value) < ConstantExpression(1e38)  # within HUGEINT; false for NaN and inf
        )
        return CaseExpression(not_a_number, _NULL).when(integral, whole).otherwise(text)
    if kind == "decimal":
        return CaseExpression(value == FunctionExpression("trunc", value), whole).otherwise(text)
    if kind in _TIMESTAMPS:
        if kind == "timestamp with time zone":
            moment = FunctionExpression("timezone", ConstantExpression("UTC"), value)
        else:
            moment = value.cast(sqltypes.TIMESTAMP)
        midnight = moment == FunctionExpression("date_trunc", ConstantExpression("day"), moment)
        day = FunctionExpression("strftime", moment, ConstantExpression("%Y-%m-%d"))
        return CaseExpression(midnight, day).otherwise(
            FunctionExpression("strftime", moment, ConstantExpression("%Y-%m-%d %H:%M"))
        )
    if kind.startswith("time"):
        return FunctionExpression("substr", text, ConstantExpression(1), ConstantExpression(5))
    spaces = ConstantExpression(_WHITESPACE)
    # trim() with a set of characters takes ten times longer than testing the two ends first
    at_an_end = FunctionExpression("contains", spaces, FunctionExpression("left", text, ConstantExpression(1))) | (
        FunctionExpression("contains", spaces, FunctionExpression("right", text, ConstantExpression(1)))
    )
    stripped = CaseExpression(at_an_end, FunctionExpression("trim", text, spaces)).otherwise(text)
    return FunctionExpression("nullif", stripped, ConstantExpression(""))


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


# --- the police's public events ------------------------------------------------------------


def _stage_police_events(target: _Target, open_bytes: Callable[[], BinaryIO], array: bool) -> None:
    """Incident rows from polisen.se's events: shootings and explosions in Malmö, others skipped.

    Each event gives the incident's kind (from `type`), day and time (from `name`, with the year
    from `datetime`, when it was published) and the police's id. The events say nothing about the
    dead, the injured or the district, so those cells are empty. Their gps point is the centre
    of the municipality (from 2026-01-20 of the county), not the place of the incident, so it
    is never used as a location: latitude and longitude stay empty.

    A file with a line that is not JSON lists those lines only; a file with no event that has
    the police's keys is not police events at all.
    """
    syntax = _Found(target.name)
    events = _json_array(open_bytes) if array else _json_lines(open_bytes, syntax)
    first: list[object] = []  # the first event, once read
    complete: dict[str, set[bytes]] = {}  # id -> digests of the events with the police's keys
    target.insert(target.dataset.columns, _police_batches(target, events, first, complete))
    if syntax.count:  # only the lines that are not JSON: the rest may be read wrongly around them
        target.found = syntax
    elif not first:
        target.problem(0, "-", "file is empty")
    elif not complete:  # no event has the police's keys: one problem for the whole file
        target.found = _Found(target.name)
        target.problem(0, "-", _not_police_events(first[0]))


def _police_batches(
    target: _Target, events: Iterator[tuple[int, object]], first: list[object], complete: dict[str, set[bytes]]
) -> Iterator[pa.RecordBatch]:
    """The rows of the events, a batch at a time; events of other kinds or towns, and repeated ones, skipped."""
    columns = target.dataset.columns
    records: list[list[str | None]] = []
    numbers: list[int] = []
    for number, event in events:
        if not first:
            first.append(event)
        lacking = _missing_keys(event)
        if lacking:
            what = "not a JSON object" if not isinstance(event, dict) else f"has no {', '.join(lacking)}"
            target.problem(number, "-", f"event {what}")
            continue
        digests = complete.setdefault(str(event["id"]).strip(), set())
        content = json.dumps(event, sort_keys=True, ensure_ascii=False).encode()
        digest = hashlib.blake2b(content, digest_size=16).digest()  # a million events' contents in 100 MB
        if digest in digests:
            target.skipped["repeated event"] += 1
            continue
        digests.add(digest)
        row, reason, message = _police_row(event)
        if message:
            target.problem(number, "date", message)
        elif reason:
            target.skipped[reason] += 1
        else:
            records.append([row.get(column) for column in columns])
            numbers.append(number)
            if len(records) == _BATCH_ROWS:
                yield _record_batch(numbers, columns, records)
                records, numbers = [], []
    yield _record_batch(numbers, columns, records)


def _missing_keys(event: object) -> list[str]:
    if not isinstance(event, dict):
        return list(_POLICE_KEYS)
    return [key for key in _POLICE_KEYS if event.get(key) is None or str(event[key]).strip() == ""]


def _not_police_events(first: object) -> str:
    if isinstance(first, dict):
        keys = list(first)
        found = f"its first object has {', '.join(map(str, keys[:30])) or 'no keys'}"
        found += f" and {len(keys) - 30:,} more" if len(keys) > 30 else ""
    else:
        found = f"it holds {type(first).__name__} values, not objects"
    return (
        f"not the police events format: missing keys {', '.join(_missing_keys(first))} "
        f"(expected objects with {', '.join(_POLICE_KEYS)}; {found})"
    )


def _json_array(open_bytes: Callable[[], BinaryIO]) -> Iterator[tuple[int, object]]:
    """(element number, value) of each element of a JSON array, read whole: it must be small enough."""
    with open_bytes() as stream:
        data = stream.read(MAX_JSON_ARRAY_BYTES + 1)
    if len(data) > MAX_JSON_ARRAY_BYTES:
        raise _Refused(
            f"is a JSON array of more than {MAX_JSON_ARRAY_BYTES // 1_000_000} MB: "
            "deliver it as JSON lines, one event a line"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise _Refused(f"not UTF-8 text ({_where(data[error.start], line)})") from None
    try:
        values = json.loads(text)
    except json.JSONDecodeError as error:
        message = f"is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        raise _Refused(message, row=error.lineno) from None
    if not isinstance(values, list):
        raise _Refused("is not a JSON array of events")
    return enumerate(values, start=1)


def _json_lines(open_bytes: Callable[[], BinaryIO], syntax: _Found) -> Iterator[tuple[int, object]]:
    """(line number, value) of each line of JSON lines; a line that is not JSON goes to `syntax`.

    One JSON object written over several lines, rather than JSON lines, is read whole.
    """
    with open_bytes() as stream:
        for number in itertools.count(1):
            line = stream.readline(MAX_LINE_BYTES + 1)
            if not line:
                return
            if len(line) > MAX_LINE_BYTES:
                raise _Refused(f"line {number} is longer than {MAX_LINE_BYTES:,} bytes", row=number)
            try:
                text = line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                raise _Refused(f"not UTF-8 text ({_where(line[error.start], number)})") from None
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as error:
                whole = None if syntax.count else _json_object(open_bytes)
                if whole is not None:
                    yield 1, whole
                    return
                syntax.add(number, "-", f"is not valid JSON: {error.msg} (line {number}, column {error.colno})")
                continue
            yield number, value


def _json_object(open_bytes: Callable[[], BinaryIO]) -> dict | None:
    """The file as one JSON object, when it is one and small enough to read whole."""
    with open_bytes() as stream:
        data = stream.read(MAX_JSON_ARRAY_BYTES + 1)
    try:
        value = json.loads(data.decode("utf-8-sig")) if len(data) <= MAX_JSON_ARRAY_BYTES else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _police_row(event: dict) -> tuple[dict[str, str | None], str | None, str | None]:
    """(row, reason to skip, problem) for one event; reason and problem are None for a kept row."""
    event_type = str(event["type"]).strip()
    kind = POLICE_KINDS.get(event_type)
    if kind is None:
        return {}, f"type '{event_type}' is not a shooting or an explosion", None
    title = str(event["name"])
    # The town is the end of the name; `location.name` is the county from 2026-01-20.
    town = title.rsplit(",", 1)[1].strip() if "," in title else ""
    if not town:
        return {}, f"no town at the end of the name '{title}'", None
    if town.casefold() != POLICE_TOWN.casefold():
        return {}, f"town '{town}' is not {POLICE_TOWN}", None

    published = _PUBLISHED.match(str(event["datetime"]))
    try:
        published_date = dt.date(*(int(part) for part in published.groups())) if published else None
    except ValueError:
        published_date = None
    if published_date is None:
        return {}, None, f"the event's datetime '{event['datetime']}' is not a date like '2023-06-07 3:04:40 +02:00'"

    day, time = published_date, None
    when = _EVENT_WHEN.match(title)
    month = _MONTHS.get(when.group(2).casefold()) if when else None
    if when and month:
        # An event of 31 December published on 1 January happened the year before.
        year = published_date.year - 1 if month > published_date.month else published_date.year
        try:
            day = dt.date(year, month, int(when.group(1)))
        except ValueError:  # "31 juni": keep the day it was published
            day = published_date
        else:
            if when.group(3) is not None and int(when.group(3)) < 24 and int(when.group(4)) < 60:
                time = f"{int(when.group(3)):02d}:{when.group(4)}"
    row = {
        "incident_id": f"polisen-{str(event['id']).strip()}",
        "date": day.isoformat(),
        "time": time,
        "kind": kind,
        "source": POLICE_SOURCE,
    }
    return row, None, None

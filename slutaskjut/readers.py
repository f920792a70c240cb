"""Read one partner's extract file into rows of text cells with our column names.

A reader only turns a file into rows: every cell stays text (None when empty) and typing and
validation (dates, numbers, kinds, places, references) are left to `slutaskjut.imports`. It
reads CSV (comma or semicolon, UTF-8 or Windows-1252), Excel (.xlsx), Parquet and the Swedish
police's public events (a JSON array or one JSON object a line), each also gzip-compressed
(name.csv.gz). A TOML mapping renames a partner's columns and values to ours.

Rows are numbered as a person finds them: in CSV, Excel and Parquet the header is row 1 and
the first data row is row 2; in JSON lines the line number; in a JSON array the element
number, from 1. Problems with the whole file have row 0 and column "-".

A mapping file looks like this (every part optional):

    delimiter = ";"           # CSV; default: comma, semicolon or tab, whichever the header line has most of
    encoding = "windows-1252"  # CSV; "utf-8" or "windows-1252"; default: UTF-8, else Windows-1252
    sheet = "Skjutningar"      # Excel; default: the first sheet

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
import gzip
import io
import json
import math
import re
import tomllib
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from slutaskjut import fmt
from slutaskjut.extract_schema import DATASETS, Dataset
from slutaskjut.problems import Problem

ROW = "_row"
# Larger decompressed files are refused rather than read into memory.
MAX_DECOMPRESSED_BYTES = 1_000_000_000

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

_MAPPING_SETTINGS = ("columns", "values", "delimiter", "encoding", "sheet")
_ENCODINGS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf-8-sig": "utf-8",
    "windows-1252": "windows-1252",
    "cp1252": "windows-1252",
}

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
# At most this many unreadable JSON lines are listed one by one.
_MAX_LINE_PROBLEMS = 50


@dataclass(frozen=True)
class Mapping:
    """How a partner's export maps to our columns; loaded from a TOML file."""

    columns: dict[str, str] = field(default_factory=dict)  # our column name -> their column name
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # our column -> {their value: our value}
    delimiter: str | None = None  # CSV only; None = detect comma, semicolon (or tab) from the header line
    encoding: str | None = None  # CSV only; None = UTF-8 (with or without BOM), else Windows-1252
    sheet: str | None = None  # Excel only; None = first sheet


@dataclass
class RawRows:
    """One file's rows: text cells under our column names, plus `_row` where a person finds the row."""

    frame: pd.DataFrame
    skipped: list[tuple[int, str]]  # (row, reason): rows deliberately not imported
    problems: list[Problem]


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


# --- reading -----------------------------------------------------------------------------


def read_rows(path: Path, dataset: Dataset, mapping: Mapping | None = None) -> RawRows:
    """The rows of one extract file as text, under our column names; see the module docstring.

    A mapping's columns do not apply to the police events, whose format is fixed; its values do.
    """
    name = path.name

    def whole_file(message: str) -> RawRows:
        return _result(dataset, [], [], [Problem(name, 0, "-", message)])

    suffixes = [suffix.lower() for suffix in path.suffixes[-2:]]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    suffix = (suffixes[-2] if len(suffixes) == 2 else "") if compressed else (suffixes[-1] if suffixes else "")
    kind = _FORMATS.get(suffix)
    if kind is None:
        if compressed and not suffix:
            return whole_file(f"unsupported file type: name a compressed file like name.csv.gz; {_UNSUPPORTED}")
        if not suffix:
            return whole_file(f"the name has no file type such as .csv: {_UNSUPPORTED}")
        shown = f"'{suffix}' inside gzip" if compressed else f"'{suffix}'"
        return whole_file(f"unsupported file type {shown}: {_UNSUPPORTED}")
    if not path.is_file():
        return whole_file("file is missing")
    data = path.read_bytes()
    if not data:
        return whole_file("file is empty")

    label = suffix + (".gz" if compressed else "")
    if compressed:
        if not data.startswith(_GZIP):
            return whole_file(f"named {label} but it is not gzip-compressed: it is {_what_it_is(data)}")
        try:
            data = _gunzip(data)
        except (OSError, EOFError, zlib.error) as error:
            return whole_file(f"named {label} but it cannot be decompressed ({error})")
        if data is None:
            return whole_file(f"is larger than {MAX_DECOMPRESSED_BYTES // 1_000_000} MB when decompressed")
    if not data.strip() or data.strip() == b"\xef\xbb\xbf":
        return whole_file("file is empty")

    wrong = _wrong_content(kind, data)
    if wrong:
        inside = "when decompressed " if compressed else ""
        return whole_file(f"named {label} but {inside}it is {wrong}")

    if kind == "json":
        if dataset.name != "incidents":
            return whole_file(
                f"the police events format holds incidents, not {dataset.name}: "
                f"deliver {dataset.name} as CSV, Excel (.xlsx) or Parquet"
            )
        result = _read_police_events(name, data, dataset)
    elif kind == "csv":
        result = _read_csv(name, data, dataset, mapping)
    elif kind == "excel":
        result = _read_excel(name, data, dataset, mapping)
    else:
        result = _read_parquet(name, data, dataset, mapping)
    if mapping is not None and mapping.values and not result.frame.empty:
        _map_values(result.frame, mapping)
    return result


def _gunzip(data: bytes) -> bytes | None:
    """The decompressed bytes, or None when they are more than MAX_DECOMPRESSED_BYTES."""
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
        out = handle.read(MAX_DECOMPRESSED_BYTES + 1)
    return None if len(out) > MAX_DECOMPRESSED_BYTES else out


def _what_it_is(data: bytes) -> str:
    """What a file is, judged by its first bytes, for messages."""
    head = data[:512]
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
    if head.lstrip(b" \t\r\n\xef\xbb\xbf").startswith((b"[", b"{")):
        return "JSON text"
    return "text (perhaps CSV)"


def _wrong_content(kind: str, data: bytes) -> str | None:
    """What the file is instead, when its first bytes are not those of its format."""
    if kind == "excel" and not data.startswith(_ZIP):
        return _what_it_is(data)
    if kind == "parquet" and not data.startswith(_PARQUET):
        return _what_it_is(data)
    if kind == "json" and not data.lstrip(b" \t\r\n\xef\xbb\xbf").startswith((b"[", b"{")):
        return f"{_what_it_is(data)}, not JSON (which starts with '[' or '{{')"
    if kind == "csv" and data.startswith((_ZIP, _PARQUET, _GZIP, _OLE, b"%PDF")):
        return _what_it_is(data)
    return None


def _result(dataset: Dataset, columns: Sequence[str], records: list[list], problems, skipped=None) -> RawRows:
    """RawRows of records that are [our cells in `columns` order..., row]; every column when none read."""
    columns = list(columns) if records else dataset.columns
    frame = pd.DataFrame(records, columns=[*columns, ROW], dtype=object) if records else None
    if frame is None:
        frame = pd.DataFrame({column: pd.Series([], dtype=object) for column in columns})
        frame[ROW] = pd.Series([], dtype="int64")
    else:
        frame[ROW] = frame[ROW].astype("int64")
    return RawRows(frame, list(skipped or []), list(problems))


def _map_values(frame: pd.DataFrame, mapping: Mapping) -> None:
    """Replace their values by ours, in place; a value mapped to "" becomes an empty cell."""
    for column, table in mapping.values.items():
        if column in frame.columns and table:
            mapped = [
                (table[value] or None) if value is not None and value in table else value for value in frame[column]
            ]
            frame[column] = pd.Series(mapped, index=frame.index, dtype=object)  # None stays None, not NaN


# --- tables: CSV, Excel, Parquet ----------------------------------------------------------


def _positions(
    name: str, header: Sequence[str | None], dataset: Dataset, mapping: Mapping | None
) -> tuple[dict[str, int], list[Problem]]:
    """Where each of our columns is in the header (matched ignoring case and outer spaces)."""
    found: dict[str, list[int]] = {}
    for index, heading in enumerate(header):
        if heading is not None and heading.strip():
            found.setdefault(heading.strip().casefold(), []).append(index)
    shown = ", ".join(f"'{heading.strip()}'" for heading in header if heading is not None and heading.strip())
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


def _table_rows(
    name: str,
    dataset: Dataset,
    header: Sequence[str | None],
    rows: Iterable[tuple[int, Sequence]],
    mapping: Mapping | None,
    text,
    check_width: bool,
    no_rows: str = "file has a header but no rows",
) -> RawRows:
    """RawRows from a header and (row number, cells) pairs; `text` turns a cell into str or None."""
    if not any(heading is not None and str(heading).strip() for heading in header):
        return _result(dataset, [], [], [Problem(name, 1, "-", "row 1 is empty: the column names must be in row 1")])
    positions, problems = _positions(name, header, dataset, mapping)
    if problems:
        return _result(dataset, [], [], problems)
    columns = list(positions)
    places = list(positions.values())
    width = len(header)
    records: list[list] = []
    seen_rows = False
    for number, cells in rows:
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
            continue  # an empty row, as spreadsheets and CSV exports leave at the end
        seen_rows = True
        if check_width and len(cells) != width:
            problems.append(Problem(name, number, "-", f"has {len(cells)} cells, the header has {width}"))
            continue
        records.append([*(text(cells[place]) if place < len(cells) else None for place in places), number])
    if not seen_rows:
        problems.append(Problem(name, 0, "-", no_rows))
    return _result(dataset, columns, records, problems)


def _csv_text(cell: str) -> str | None:
    return cell.strip() or None


def _read_csv(name: str, data: bytes, dataset: Dataset, mapping: Mapping | None) -> RawRows:
    text, message = _decode(data, mapping.encoding if mapping else None)
    if text is None:
        return _result(dataset, [], [], [Problem(name, 0, "-", message)])
    delimiter = mapping.delimiter if mapping and mapping.delimiter else None
    if delimiter is None:
        first_line = text.lstrip("\r\n").split("\n", 1)[0]
        delimiter = max(",;\t", key=first_line.count)  # the first of the most frequent: comma on a tie
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as error:
        return _result(dataset, [], [], [Problem(name, reader.line_num, "-", f"cannot be read as CSV ({error})")])
    if not records:
        return _result(dataset, [], [], [Problem(name, 0, "-", "file is empty")])
    rows = ((number, cells) for number, cells in enumerate(records[1:], start=2))
    return _table_rows(name, dataset, records[0], rows, mapping, _csv_text, check_width=True)


def _decode(data: bytes, encoding: str | None) -> tuple[str | None, str]:
    """The text of a CSV file, or None and why it cannot be read."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        return None, (
            "not UTF-8 or Windows-1252 text: it has NUL bytes, so it is UTF-16 text or not text at all "
            "(save it as 'CSV UTF-8')"
        )
    if encoding in (None, "utf-8"):
        try:
            return data.decode("utf-8-sig"), ""
        except UnicodeDecodeError as error:
            if encoding == "utf-8":
                return None, (
                    f"not UTF-8 text, which the mapping says it is ({_where(data, error)}): "
                    "save it as 'CSV UTF-8' or remove the encoding from the mapping"
                )
    try:
        return data.decode("cp1252"), ""
    except UnicodeDecodeError as error:
        if encoding == "windows-1252":
            return None, f"not Windows-1252 text, which the mapping says it is ({_where(data, error)})"
        return None, f"not UTF-8 or Windows-1252 text ({_where(data, error)}): save it as 'CSV UTF-8'"


def _where(data: bytes, error: UnicodeDecodeError) -> str:
    line = data.count(b"\n", 0, error.start) + 1
    return f"byte 0x{data[error.start]:02X} on line {line} cannot be read"


def _cell_text(value: object) -> str | None:
    """A spreadsheet or Parquet cell as text: dates ISO, whole numbers without '.0', booleans true/false."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if pd.isna(value):
            return None
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
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    return str(value).strip() or None


def _read_excel(name: str, data: bytes, dataset: Dataset, mapping: Mapping | None) -> RawRows:
    import openpyxl  # only when an Excel file is read

    def whole_file(message: str) -> RawRows:
        return _result(dataset, [], [], [Problem(name, 0, "-", message)])

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a zip that is not a workbook
        return whole_file(f"cannot be read as an Excel workbook ({type(error).__name__}: {error})")
    try:
        sheet_name = mapping.sheet if mapping and mapping.sheet else None
        if sheet_name is not None and sheet_name not in workbook.sheetnames:
            sheets = ", ".join(f"'{sheet}'" for sheet in workbook.sheetnames)
            return whole_file(f"has no sheet named '{sheet_name}' (its sheets: {sheets})")
        sheet = workbook[sheet_name] if sheet_name else workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # some writers record a wrong size; read every row there is
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        first = next(rows, None)
        if first is None:
            return whole_file("file is empty: its sheet has no cells")
        header = [_cell_text(value) for value in first[1]]
        return _table_rows(name, dataset, header, rows, mapping, _cell_text, check_width=False)
    finally:
        workbook.close()


def _read_parquet(name: str, data: bytes, dataset: Dataset, mapping: Mapping | None) -> RawRows:
    import pyarrow.parquet as pq  # only when a Parquet file is read

    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        header = list(parquet.schema_arrow.names)
    except Exception as error:  # pyarrow raises ArrowInvalid, OSError...
        return _result(dataset, [], [], [Problem(name, 0, "-", f"cannot be read as Parquet ({error})")])
    positions, problems = _positions(name, header, dataset, mapping)
    if problems:
        return _result(dataset, [], [], problems)
    # Only our columns are read: the file's other columns never leave it.
    wanted = [header[place] for place in positions.values()]
    try:
        table = parquet.read(columns=wanted)
    except Exception as error:
        return _result(dataset, [], [], [Problem(name, 0, "-", f"cannot be read as Parquet ({error})")])
    columns = [table.column(index).to_pylist() for index in range(table.num_columns)]
    rows = ((number, list(cells)) for number, cells in enumerate(zip(*columns, strict=True), start=2))
    ours = list(positions)  # the columns read, in order, under our names
    return _table_rows(
        name, dataset, ours, rows, None, _cell_text, check_width=False, no_rows="file has columns but no rows"
    )


# --- the police's public events ------------------------------------------------------------


def _read_police_events(name: str, data: bytes, dataset: Dataset) -> RawRows:
    """Incident rows from polisen.se's events: shootings and explosions in Malmö, others skipped.

    Each event gives the incident's kind (from `type`), day and time (from `name`, with the year
    from `datetime`, when it was published) and the police's id. The events say nothing about the
    dead, the injured or the district, so those cells are empty. Their gps point is the centre
    of the municipality (from 2026-01-20 of the county), not the place of the incident, so it
    is never used as a location: latitude and longitude stay empty.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return _result(dataset, [], [], [Problem(name, 0, "-", f"not UTF-8 text ({_where(data, error)})")])
    events, problems = _json_objects(name, text)
    if problems or not events:
        return _result(dataset, [], [], problems or [Problem(name, 0, "-", "file is empty")])

    def missing(event: object) -> list[str]:
        if not isinstance(event, dict):
            return list(_POLICE_KEYS)
        return [key for key in _POLICE_KEYS if event.get(key) is None or str(event[key]).strip() == ""]

    if all(missing(event) for _, event in events):
        first = events[0][1]
        found = (
            f"its first object has {', '.join(first) or 'no keys'}"
            if isinstance(first, dict)
            else f"it holds {type(first).__name__} values, not objects"
        )
        return _result(
            dataset,
            [],
            [],
            [
                Problem(
                    name,
                    0,
                    "-",
                    f"not the police events format: missing keys {', '.join(missing(first))} "
                    f"(expected objects with {', '.join(_POLICE_KEYS)}; {found})",
                )
            ],
        )

    columns = dataset.columns
    records: list[list] = []
    skipped: list[tuple[int, str]] = []
    seen: dict[str, set[str]] = {}
    for number, event in events:
        lacking = missing(event)
        if lacking:
            what = "not a JSON object" if not isinstance(event, dict) else f"has no {', '.join(lacking)}"
            problems.append(Problem(name, number, "-", f"event {what}"))
            continue
        event_id = str(event["id"]).strip()
        content = json.dumps(event, sort_keys=True, ensure_ascii=False)
        if content in seen.setdefault(event_id, set()):
            skipped.append((number, "repeated event"))
            continue
        seen[event_id].add(content)
        row, reason, message = _police_row(event)
        if message:
            problems.append(Problem(name, number, "date", message))
        elif reason:
            skipped.append((number, reason))
        else:
            records.append([row.get(column) for column in columns] + [number])
    return _result(dataset, columns, records, problems, skipped)


def _json_objects(name: str, text: str) -> tuple[list[tuple[int, object]], list[Problem]]:
    """(row, value) of each element of a JSON array or each line of JSON lines, or the problems."""
    if text.lstrip().startswith("["):
        try:
            values = json.loads(text)
        except json.JSONDecodeError as error:
            message = f"is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
            return [], [Problem(name, error.lineno, "-", message)]
        if not isinstance(values, list):
            return [], [Problem(name, 0, "-", "is not a JSON array of events")]
        return list(enumerate(values, start=1)), []

    values: list[tuple[int, object]] = []
    problems: list[Problem] = []
    bad = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            bad += 1
            if bad <= _MAX_LINE_PROBLEMS:
                message = f"is not valid JSON: {error.msg} (line {number}, column {error.colno})"
                problems.append(Problem(name, number, "-", message))
    if problems:
        try:  # one object written over several lines rather than JSON lines
            whole = json.loads(text)
        except json.JSONDecodeError:
            whole = None
        if isinstance(whole, dict):
            return [(1, whole)], []
    if bad > _MAX_LINE_PROBLEMS:
        problems.append(Problem(name, 0, "-", f"{bad - _MAX_LINE_PROBLEMS} more lines are not valid JSON"))
    return values, problems


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

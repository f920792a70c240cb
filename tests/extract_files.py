"""Write partners' extract files for tests: the same rows as CSV, Excel, Parquet or police events.

Rows are dicts keyed by our column names (see slutaskjut/extract_schema.py) with text values,
None for an empty cell; Excel and Parquet writers also take other Python values (dates,
numbers, booleans) to test how cells become text. Every writer returns the path it wrote and
gzip-compresses the file when the path ends in .gz (rows.csv.gz). Tests write into tmp_path:
no data file is committed.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd


def incident_row(**overrides: str | None) -> dict[str, str | None]:
    """A valid incidents row; keyword arguments replace cells."""
    row = {
        "incident_id": "i1",
        "date": "2020-03-01",
        "time": "21:15",
        "kind": "shooting",
        "dead": "0",
        "injured": "1",
        "district": "Rosengård",
        "latitude": "55.585",
        "longitude": "13.045",
        "source": "test",
    }
    return row | overrides


def intervention_row(**overrides: str | None) -> dict[str, str | None]:
    """A valid interventions row; keyword arguments replace cells."""
    row = {
        "contact_id": "c1",
        "person_ref": "P-0001",
        "group_ref": "G-01",
        "date": "2020-05-04",
        "kind": "custom_notification",
        "round_id": "may_2020",
        "asked_exit_support": "true",
        "wanted_help_on_the_spot": "false",
        "helped_to_relocate": "false",
        "contacted_again": "true",
        "source": "test",
    }
    return row | overrides


def police_event(
    id: int,
    published: str = "2023-06-07 3:04:40 +02:00",
    name: str = "07 juni 01:49, Skottlossning, Malmö",
    type: str = "Skottlossning",
    location_name: str = "Malmö",
) -> dict:
    """One event as polisen.se's events API gives it; `published` is its `datetime`."""
    return {
        "id": id,
        "datetime": published,
        "name": name,
        "summary": "Test event.",
        "url": f"/aktuellt/handelser/test/{id}/",
        "type": type,
        "location": {"name": location_name, "gps": "55.604981,13.003822"},
    }


def write_csv(
    path: Path,
    rows: Sequence[dict],
    delimiter: str = ",",
    encoding: str = "utf-8",
    columns: Sequence[str] | None = None,
) -> Path:
    """CSV with a header of `columns` (default: the rows' keys); any Python codec name as encoding."""
    columns = list(columns) if columns is not None else _columns(rows)
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([["" if row.get(column) is None else row[column] for column in columns] for row in rows])
    return _write(path, text.getvalue().encode(encoding))


def write_xlsx(path: Path, rows: Sequence[dict], columns: Sequence[str] | None = None, sheet: str = "Data") -> Path:
    """An Excel workbook with one sheet: the header in row 1, a row per dict from row 2."""
    import openpyxl

    columns = list(columns) if columns is not None else _columns(rows)
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    if columns:
        worksheet.append(columns)
    for row in rows:
        worksheet.append([row.get(column) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _write(path, buffer.getvalue())


def write_parquet(path: Path, rows: Sequence[dict], columns: Sequence[str] | None = None) -> Path:
    """A Parquet file with a column per key; text columns stay text, other values keep their type."""
    columns = list(columns) if columns is not None else _columns(rows)
    frame = pd.DataFrame({column: pd.Series([row.get(column) for row in rows], dtype=object) for column in columns})
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return _write(path, buffer.getvalue())


def write_police_events(path: Path, events: Sequence[dict], lines: bool = True) -> Path:
    """Police events as JSON lines (one object a line) or, with lines=False, as one JSON array."""
    if lines:
        text = "".join(json.dumps(event, ensure_ascii=False) + "\n" for event in events)
    else:
        text = json.dumps(list(events), ensure_ascii=False, indent=1)
    return _write(path, text.encode("utf-8"))


def _columns(rows: Sequence[dict]) -> list[str]:
    """Every key of the rows, in the order first seen."""
    return list(dict.fromkeys(key for row in rows for key in row))


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path

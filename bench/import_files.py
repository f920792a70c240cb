"""Extract files for the import benchmark, and DuckDB's own read of them to compare the import with.

    uv run python bench/import_files.py write incidents 1000000 /tmp/incidents.csv   # or .parquet, .xlsx
    uv run python bench/import_files.py write incidents 1000000 /tmp/bad.csv --bad-dates
    uv run python bench/import_files.py read /tmp/incidents.csv                        # prints JSON

Rows are valid and deterministic (numpy, a fixed seed), as a partner's extract holds them: incident ids
unique, dates 2016-2025 and never after today, places inside Malmö, source "Polisen Region Syd"; contacts
with about a third as many people as contacts. A file is written from one typed Arrow table: CSV (DuckDB's
writer: ISO dates, empty cells for missing values), Parquet with typed columns (dates, integers, doubles,
booleans), and Excel with typed cells (openpyxl in write-only mode), so each format is what a real
export of that kind looks like.

`read` runs in a process of its own (bench/benchmark.py starts it), so the peak memory measured for it is
DuckDB's: it counts the rows, the non-empty cells of every column and the distinct kinds (openpyxl's
read-only iteration for .xlsx, which DuckDB does not read).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from duckdb import ColumnExpression, FunctionExpression

SEED = 20261203
FIRST_DAY = dt.date(2016, 1, 1)
LAST_DAY = min(dt.date(2025, 12, 31), dt.date.today())
SOURCE = "Polisen Region Syd"
# Inside Malmö with a margin from the municipality's bounding box (extract_schema.MALMO_BOUNDS).
LATITUDES, LONGITUDES = (55.50, 55.64), (12.90, 13.15)
DISTRICTS = ("Rosengård", "Centrum", "Fosie", "Hyllie", "Husie", "Kirseberg", "Limhamn-Bunkeflo", "Oxie")
INCIDENT_KINDS = ("shooting", "suspected_shooting", "explosion")
CONTACT_KINDS = ("call_in", "custom_notification")
FOLLOW_UPS = ("asked_exit_support", "wanted_help_on_the_spot", "helped_to_relocate", "contacted_again")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _ids(prefix: str, n: int) -> pa.Array:
    return pa.array(np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), 7)))


def _days(rng: np.random.Generator, n: int) -> np.ndarray:
    span = (LAST_DAY - FIRST_DAY).days + 1
    return np.datetime64(FIRST_DAY, "D") + rng.integers(0, span, n).astype("timedelta64[D]")


def _choice(rng: np.random.Generator, values: tuple[str, ...], n: int, missing: float = 0.0) -> pa.Array:
    """Dictionary-decoded text: one of values per row, null in about `missing` of the rows."""
    indices = pa.array(rng.integers(0, len(values), n), mask=rng.random(n) < missing)
    return pc.take(pa.array(values), indices)


def _count(rng: np.random.Generator, n: int, zero: float) -> pa.Array:
    """A small count of people (0 in about `zero` of the rows, else 1-3), empty in a tenth of the rows."""
    values = np.where(rng.random(n) < zero, 0, rng.integers(1, 4, n))
    return pa.array(values, mask=rng.random(n) < 0.1)


def incidents(n: int, bad_dates: bool = False, seed: int = SEED) -> pa.Table:
    """n valid incidents; with bad_dates every date is written DD/MM/YYYY, which an import refuses."""
    rng = np.random.default_rng(seed)
    days = pa.array(_days(rng, n))
    hours, minutes = (np.char.zfill(part.astype(str), 2) for part in divmod(rng.integers(0, 24 * 60, n), 60))
    times = np.char.add(np.char.add(hours, ":"), minutes)
    no_place = rng.random(n) < 0.05
    return pa.table(
        {
            "incident_id": _ids("I-", n),
            "date": pc.strftime(days, "%d/%m/%Y") if bad_dates else days,
            "time": pa.array(times, mask=rng.random(n) < 0.1),
            "kind": _choice(rng, INCIDENT_KINDS, n),
            "dead": _count(rng, n, zero=0.9),
            "injured": _count(rng, n, zero=0.6),
            "district": _choice(rng, DISTRICTS, n, missing=0.05),
            "latitude": pa.array(np.round(rng.uniform(*LATITUDES, n), 5), mask=no_place),
            "longitude": pa.array(np.round(rng.uniform(*LONGITUDES, n), 5), mask=no_place),
            "source": pa.array([SOURCE] * n),
        }
    )


def contacts(n: int, seed: int = SEED + 1) -> pa.Table:
    """n valid contacts with about n / 3 people in 400 groups; the round is the contact's month."""
    rng = np.random.default_rng(seed)
    days = _days(rng, n)
    people = rng.integers(1, max(n // 3, 10) + 1, n)
    months = days.astype("datetime64[M]").astype(int)  # months since 1970-01
    rounds = np.char.add(np.char.add(np.array(MONTHS)[months % 12], "_"), (1970 + months // 12).astype(str))
    table = {
        "contact_id": _ids("C-", n),
        "person_ref": pa.array(np.char.add("P-", np.char.zfill(people.astype(str), 6))),
        "group_ref": pa.array(np.char.add("G-", (people % 400).astype(str)), mask=rng.random(n) < 0.2),
        "date": pa.array(days),
        "kind": _choice(rng, CONTACT_KINDS, n),
        "round_id": pa.array(rounds),
    }
    for name in FOLLOW_UPS:
        table[name] = pa.array(rng.random(n) < 0.3, mask=rng.random(n) < 0.2)
    return pa.table(table | {"source": pa.array([SOURCE] * n)})


def write(table: pa.Table, path: Path) -> Path:
    """The table as CSV, Parquet or Excel, by the path's suffix."""
    if path.suffix == ".csv":
        with duckdb.connect() as con:
            con.from_arrow(table).write_csv(str(path))
    elif path.suffix == ".parquet":
        pq.write_table(table, path)
    elif path.suffix == ".xlsx":
        _write_xlsx(table, path)
    else:
        raise ValueError(f"no writer for {path.suffix}")
    return path


def _write_xlsx(table: pa.Table, path: Path) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.append(table.column_names)
    for batch in table.to_batches(max_chunksize=10_000):
        for row in zip(*(column.to_pylist() for column in batch.columns), strict=True):
            sheet.append(row)
    workbook.save(path)


def read(path: Path) -> dict:
    """DuckDB's read of the file (openpyxl's for .xlsx): rows, non-empty cells, distinct kinds, seconds."""
    start = time.perf_counter()
    if path.suffix == ".xlsx":
        counts = _read_xlsx(path)
    else:
        with duckdb.connect() as con:
            rel = con.read_csv(str(path), all_varchar=True) if path.suffix == ".csv" else con.read_parquet(str(path))
            cells = [FunctionExpression("count", ColumnExpression(name)) for name in rel.columns]
            aggregates = [FunctionExpression("count_star"), ColumnExpression("kind").n_unique(), *cells]
            ((rows, kinds, *filled),) = rel.aggregate(aggregates).fetchall()
        counts = {"rows": rows, "kinds": kinds, "cells": sum(filled)}
    return counts | {"seconds": time.perf_counter() - start}


def _read_xlsx(path: Path) -> dict:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        kind = next(rows).index("kind")
        count, cells, kinds = 0, 0, set()
        for row in rows:
            count += 1
            cells += sum(value is not None for value in row)
            kinds.add(row[kind])
    finally:
        workbook.close()
    return {"rows": count, "kinds": len(kinds - {None}), "cells": cells}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    writing = commands.add_parser("write", help="write an extract file (.csv, .parquet or .xlsx)")
    writing.add_argument("dataset", choices=["incidents", "interventions"])
    writing.add_argument("rows", type=int)
    writing.add_argument("path", type=Path)
    writing.add_argument("--bad-dates", action="store_true", help="incidents: every date DD/MM/YYYY (refused)")
    reading = commands.add_parser("read", help="DuckDB's read of a file; prints JSON")
    reading.add_argument("path", type=Path)
    args = parser.parse_args()
    if args.command == "write":
        table = incidents(args.rows, args.bad_dates) if args.dataset == "incidents" else contacts(args.rows)
        write(table, args.path)
    else:
        print(json.dumps(read(args.path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

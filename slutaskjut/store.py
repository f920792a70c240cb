"""Writing the DuckDB database: every table at once, into a new file swapped in atomically.

Both writers, the build from data/ and an import of extracts, read what the current
database holds, change it in memory and call `write_database`. It writes a temporary file
beside the target and renames it over the old one, so a reader (or a crash) never sees half
a write, and a failed write leaves the old database as it was. `locked` keeps two writers
from overwriting each other's changes.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from slutaskjut.extract_schema import STORED_COLUMNS
from slutaskjut.queries import models


def empty_table(name: str) -> pd.DataFrame:
    """An extract table with its columns and types and no rows."""
    return typed(pd.DataFrame(columns=list(STORED_COLUMNS[name])), name)


def typed(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """The frame with exactly the stored columns of table `name`, in order and typed."""
    columns = STORED_COLUMNS[name]
    return frame[list(columns)].astype(columns)


@contextmanager
def locked(db_path: Path) -> Iterator[None]:
    """Hold the database's write lock (a lock file beside it) for the duration."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with open(db_path.with_name(db_path.name + ".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_extract_tables(db_path: Path) -> dict[str, pd.DataFrame]:
    """The extract tables the database at db_path holds; empty ones where it has none."""
    tables = {name: empty_table(name) for name in STORED_COLUMNS}
    if not db_path.exists():
        return tables
    with duckdb.connect(str(db_path), read_only=True) as con:
        for name in STORED_COLUMNS:
            try:
                tables[name] = typed(con.table(name).df(), name)
            except duckdb.CatalogException:
                pass  # a database built before extracts existed
    return tables


def read_tables(db_path: Path, names: list[str]) -> dict[str, pa.Table]:
    """The named tables of the database at db_path, as Arrow tables (which keep every type)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        return {name: con.table(name).arrow().read_all() for name in names}


def built_fingerprint(db_path: Path) -> str | None:
    """The fingerprint the database at db_path was built from, or None if there is none."""
    if not db_path.exists():
        return None
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            return con.table("build_info").df()["fingerprint"].iloc[0]
    except duckdb.Error:
        return None


def holds_synthetic_rows(db_path: Path) -> bool:
    """True when an extract table of the database at db_path holds a synthetic demonstration row."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        present = {name for (name,) in con.execute("select table_name from information_schema.tables").fetchall()}
        return any(
            con.table(name).filter("is_synthetic").limit(1).fetchall()  # the relation API: no SQL in a string
            for name in STORED_COLUMNS
            if "is_synthetic" in STORED_COLUMNS[name] and name in present  # absent before extracts existed
        )


def stamp(db_path: Path) -> str:
    """Changes whenever the database file is replaced: a key for caches of its contents."""
    stat = db_path.stat()
    return f"{stat.st_ino}-{stat.st_mtime_ns}"


def write_database(db_path: Path, tables: dict[str, pd.DataFrame | pa.Table], data_fingerprint: str) -> None:
    """Write every table and every model to db_path in one atomic step."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{db_path.name}.", suffix=".tmp", dir=db_path.parent)
    os.close(handle)
    os.unlink(temporary)  # DuckDB wants to create the file itself
    try:
        with duckdb.connect(temporary) as con:
            for name, table in tables.items():
                (con.from_arrow(table) if isinstance(table, pa.Table) else con.from_df(table)).create(name)
            for model in models().values():
                con.sql(model.sql).create(model.name)
            build_info = pd.DataFrame({"fingerprint": [data_fingerprint], "built_at": [dt.datetime.now(dt.UTC)]})
            con.from_df(build_info).create("build_info")
        os.replace(temporary, db_path)
    finally:
        Path(temporary).unlink(missing_ok=True)
        Path(temporary + ".wal").unlink(missing_ok=True)

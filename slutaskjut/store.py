"""Writing the DuckDB database: a new file, written beside the old one and swapped in atomically.

Both writers, the build from data/ and an import of extracts, go through `rewriting`: it opens
a new database file beside the target, copies the tables the writer keeps from the current
one, lets the writer fill in the rest and, when the writer is done, checks that what reached
the disk is what was written before renaming it over the old file. A reader (or a crash)
never sees half a write, and a failed or refused write leaves the old database byte-identical.
`locked` keeps two writers from overwriting each other's changes.

The file has a schema version. A database written by an older version is read through the
migration below (tables renamed since, columns added since), and one holding a table this
version does not know is refused rather than rebuilt without it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import glob
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from slutaskjut.extract_schema import STORED_COLUMNS
from slutaskjut.paths import STORE_DIR
from slutaskjut.problems import DataError, Problem
from slutaskjut.queries import models
from slutaskjut.schema import TABLES

# The layout of the tables. 1: databases written before schema versions existed (no
# schema_version table); 2: the schema_version table. Raise it when a table is renamed or a
# stored column changes its meaning.
SCHEMA_VERSION = 2
# The tables each schema version renamed, {version: {old name: new name}}: copying from a
# database of an older version fills the new table from the old one, e.g.
# {3: {"interventions": "contacts"}}. Columns added since need no entry: they come as NULL.
RENAMED_TABLES: dict[int, dict[str, str]] = {}

# DuckDB's memory for one rewrite; beyond it, work spills to a folder beside the database.
MEMORY_LIMIT = "200MB"

# What one rewrite writes, in a folder `.<database name>.<random>.tmp` beside the database.
_NEW_FILE = "new_database.duckdb"
_NEW_CATALOG = "new_database"  # DuckDB names a file's catalog after the file
_STAGING_FILE = "staging.duckdb"
_SPILL_FOLDER = "spill"
# Tables of the database besides the extract tables, the published tables and the models.
_BOOKKEEPING = ("build_info", "schema_version")


class WriteError(Exception):
    """The new database could not be written or verified; the database in place is unchanged."""


class NewDatabase:
    """The database being written: `con`'s default catalog is the new file; the database in
    place is attached read-only as `current` (when there is one), a scratch file as `staging`."""

    def __init__(self, con: duckdb.DuckDBPyConnection, folder: Path):
        self.con = con
        self.discarded = False
        self._folder = folder

    def discard(self) -> None:
        """Write nothing: the database in place stays byte-identical, its modification time too."""
        self.discarded = True
        self.con.close()
        shutil.rmtree(self._folder, ignore_errors=True)


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


@contextmanager
def rewriting(db_path: Path, keep: Iterable[str], fingerprint: str | None) -> Iterator[NewDatabase]:
    """Write a new database for db_path: the tables in `keep` copied from the current one, the rest
    written by the body, then every model, build_info and schema_version.

    An extract table kept has exactly its stored columns (a column added since comes as NULL), and
    is created empty when the current database has none. build_info is written afresh with
    `fingerprint` unless it is kept. Leaving the body normally swaps the new file in, once its
    row counts read back from disk match what was written; `discard()` in the body writes nothing.
    A failed write (a full disk, among others: also when the body meets it, writing the new file,
    staging or spilling) raises WriteError; any other exception from the body propagates as it is.
    Either way the database in place is untouched and no temporary file is left.
    """
    keep = list(keep)
    with locked(db_path):
        _remove_leftovers(db_path)
        try:
            folder = Path(tempfile.mkdtemp(prefix=f".{db_path.name}.", suffix=".tmp", dir=db_path.parent))
        except OSError as error:
            raise _write_error(db_path, error) from error
        con = None
        try:
            try:
                con = _connect(folder, db_path)
                _copy_current(con, db_path, keep)
            except (duckdb.Error, OSError) as error:
                raise _write_error(db_path, error) from error
            new = NewDatabase(con, folder)
            try:
                yield new
            except (duckdb.Error, OSError) as error:
                if str(folder) in str(error):  # an error on one of this rewrite's own files
                    raise _write_error(db_path, error) from error
                raise
            if not new.discarded:
                _commit(con, folder / _NEW_FILE, db_path, fingerprint)
        finally:
            if con is not None:
                con.close()
            shutil.rmtree(folder, ignore_errors=True)


def write_database(db_path: Path, tables: dict[str, pd.DataFrame | pa.Table], data_fingerprint: str) -> None:
    """Write exactly these tables, and every model, to db_path in one atomic step."""
    with rewriting(db_path, keep=[], fingerprint=data_fingerprint) as new:
        for name, table in tables.items():
            (new.con.from_arrow(table) if isinstance(table, pa.Table) else new.con.from_df(table)).create(name)


def sql(name: str) -> str:
    """A statement of queries/store/ by its name."""
    return (STORE_DIR / f"{name}.sql").read_text()


def _remove_leftovers(db_path: Path) -> None:
    """Remove what a writer killed mid-write left: its folder (and the .tmp/.wal files older versions wrote).

    Called under the lock only, so no live writer's files are touched."""
    for path in db_path.parent.glob(f".{glob.escape(db_path.name)}.*.tmp*"):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _connect(folder: Path, db_path: Path) -> duckdb.DuckDBPyConnection:
    config = {"memory_limit": MEMORY_LIMIT, "temp_directory": str(folder / _SPILL_FOLDER)}
    con = duckdb.connect(str(folder / _NEW_FILE), config=config)
    try:
        if db_path.exists():
            con.execute(sql("attach_current"), {"path": str(db_path)})
        con.execute(sql("attach_staging"), {"path": str(folder / _STAGING_FILE)})
    except duckdb.Error:
        con.close()
        raise
    return con


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    """The tables of an attached database; none when it is not attached."""
    return [name for (name,) in con.execute(sql("tables"), {"catalog": catalog}).fetchall()]


def _renamed(name: str, since: int) -> str:
    """What a table called `name` in a database of schema version `since` is called now."""
    for version in range(since + 1, SCHEMA_VERSION + 1):
        name = RENAMED_TABLES.get(version, {}).get(name, name)
    return name


def _source(name: str, since: int) -> str:
    """What the table called `name` now was called in a database of schema version `since`."""
    for version in range(SCHEMA_VERSION, since, -1):
        name = {new: old for old, new in RENAMED_TABLES.get(version, {}).items()}.get(name, name)
    return name


def _copy_current(con: duckdb.DuckDBPyConnection, db_path: Path, keep: list[str]) -> None:
    """Copy the kept tables from the current database, once sure that a rewrite loses none of its rows."""
    tables = _tables(con, "current")
    version = con.table("current.schema_version").fetchall()[0][0] if "schema_version" in tables else 1
    if version > SCHEMA_VERSION:
        message = (
            f"written by a newer version of slutaskjut (schema version {version}; this one reads up to "
            f"{SCHEMA_VERSION}): update slutaskjut; the database is unchanged"
        )
        raise DataError([Problem(db_path.name, 0, "schema_version", message)])
    known = {*STORED_COLUMNS, *(table.name for table in TABLES), *models(), *_BOOKKEEPING}
    for name in tables:
        if _renamed(name, version) not in known and con.table(f"current.{name}").limit(1).fetchall():
            message = (
                f"table {name} holds rows this version of slutaskjut does not know, and rewriting the database "
                "would drop them: update slutaskjut, or move the rows; the database is unchanged"
            )
            raise DataError([Problem(db_path.name, 0, name, message)])
    for name in keep:
        source = _source(name, version)
        if name in STORED_COLUMNS:
            _stored_table(con, name, source if source in tables else None).create(name)
        elif source in tables:
            con.table(f"current.{source}").create(name)


def _stored_table(con: duckdb.DuckDBPyConnection, name: str, source: str | None) -> duckdb.DuckDBPyRelation:
    """Extract table `name` with exactly its stored columns, in order and typed, from current.<source>.

    A stored column the current table lacks (added to the schema after its rows were imported) is NULL.
    """
    empty = con.from_df(empty_table(name))
    if source is None:
        return empty
    rows = con.table(f"current.{source}")
    present = set(rows.columns)
    return rows.select(
        *(
            (duckdb.ColumnExpression(column) if column in present else duckdb.ConstantExpression(None))
            .cast(kind)
            .alias(column)
            for column, kind in zip(empty.columns, empty.types, strict=True)
        )
    )


def _row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {name: con.table(name).count("*").fetchall()[0][0] for name in _tables(con, _NEW_CATALOG)}


def _commit(con: duckdb.DuckDBPyConnection, new_file: Path, db_path: Path, fingerprint: str | None) -> None:
    """Finish the new file, check that the disk holds what was written, and swap it in."""
    try:
        for model in models().values():
            con.sql(model.sql).create(model.name)
        if "build_info" not in _tables(con, _NEW_CATALOG):
            con.execute(sql("create_build_info"), {"fingerprint": fingerprint, "built_at": dt.datetime.now(dt.UTC)})
        con.execute(sql("create_schema_version"), {"version": SCHEMA_VERSION})
        if db_path.exists():  # attached when there was one (under the lock, that has not changed)
            con.execute(sql("detach_current"))
        con.execute(sql("detach_staging"))
        # close() swallows a failed final write and leaves the rows in the .wal: checkpoint here, where it raises
        con.checkpoint()
        written = _row_counts(con)
        con.close()
        wal = new_file.with_name(new_file.name + ".wal")
        if wal.exists() and wal.stat().st_size:
            raise WriteError(
                f"could not write the database {db_path.name}: the last changes stayed in its write-ahead log "
                "(is the disk full?); the database is unchanged"
            )
        with duckdb.connect(str(new_file), read_only=True) as check:
            stored = _row_counts(check)
        if stored != written:
            differ = ", ".join(
                f"{name}: {written.get(name)} rows written, {stored.get(name)} read back"
                for name in sorted(set(written) | set(stored))
                if written.get(name) != stored.get(name)
            )
            raise WriteError(f"could not write the database {db_path.name}: {differ}; the database is unchanged")
        _fsync(new_file)
        os.replace(new_file, db_path)  # atomic: it fails, or the new database is in place
    except (duckdb.Error, OSError) as error:
        raise _write_error(db_path, error) from error
    _fsync(db_path.parent)  # the rename itself reaches the disk


def _write_error(db_path: Path, error: Exception) -> WriteError:
    return WriteError(f"could not write the database {db_path.name}: {error}; the database is unchanged")


def _fsync(path: Path) -> None:
    """Flush the file (or folder: the rename in it) to the disk."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


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
        for name in STORED_COLUMNS:
            if "is_synthetic" not in STORED_COLUMNS[name]:
                continue
            try:
                if con.table(name).filter("is_synthetic").limit(1).fetchall():  # the relation API: no SQL string
                    return True
            except duckdb.CatalogException:
                pass  # a database built before extracts existed
        return False


def stamp(db_path: Path) -> str:
    """Changes whenever the database file is replaced: a key for caches of its contents."""
    stat = db_path.stat()
    return f"{stat.st_ino}-{stat.st_mtime_ns}"

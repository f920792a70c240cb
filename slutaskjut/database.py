"""The database a page reads: built from the data files when they change, then opened read-only.

A page run reads no data file: the build is cached by the files' times and sizes (load.inputs_stamp),
so the fingerprint check and any build run once per change of the files. Invalid data files are a
message on the page, never a traceback: the page goes on with the last valid database if there is one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import streamlit as st

from slutaskjut import markdown, paths, store
from slutaskjut.i18n import t
from slutaskjut.load import ensure_database, inputs_stamp, stale_database_usable
from slutaskjut.problems import DataError


@dataclass(frozen=True)
class Database:
    """The database file a run reads, and its stamp: the key of every cache of its contents."""

    path: str
    stamp: str


@st.cache_resource(max_entries=4, show_spinner=False)
def _ensure(data_dir: str, db_path: str, stamp: str) -> None:
    ensure_database(Path(data_dir), Path(db_path))


class ReadOnlyDatabase:
    """The database file in a DuckDB instance of its own, attached read-only; each query takes a cursor.

    Not duckdb.connect(path): DuckDB keeps one instance per path in a process while any connection to it is
    open, so after an import swapped the file a new connect would go on reading the old one (seen under load,
    tests/test_serving.py). One thread: a page's queries are small, a second thread per query cost more CPU
    than it saved (bench/load.py), and the sessions already run in threads of their own.
    """

    def __init__(self, db_path: str):
        self._con = duckdb.connect(config={"threads": 1})
        self._con.execute(store.sql("attach_read_only"), {"path": db_path})
        self._use = store.sql("use_read_only")

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor that names the file's tables without its name (a cursor starts in the in-memory catalog)."""
        cursor = self._con.cursor()
        cursor.execute(self._use)
        return cursor


# Keyed by the database file's stamp: an import swaps in a new file, and the next run
# opens it (and queries it afresh) while sessions mid-run finish on the old one.
@st.cache_resource(max_entries=1, show_spinner=False)
def connection(db_path: str, db_stamp: str) -> ReadOnlyDatabase:
    return ReadOnlyDatabase(db_path)


def open_database(lang: str) -> Database:
    """The database, built first if the data files changed.

    When the files are invalid or a rebuild could not be written, the problems are shown in `lang`;
    the run goes on with the last valid database, or stops when there is none.
    """
    data_dir, db_path = paths.data_dir(), paths.database_path()
    try:
        # the stamp as one text: Streamlit hashes a tuple item by item, 1.7 ms a run for the files' 83
        _ensure(str(data_dir), str(db_path), repr(inputs_stamp(data_dir)))
    except (DataError, store.WriteError) as error:
        stale = stale_database_usable(db_path)
        _show_problems(error, lang, stale=stale)
        if not stale:
            st.stop()
    return Database(str(db_path), store.stamp(db_path))


def _show_problems(error: DataError | store.WriteError, lang: str, stale: bool) -> None:
    message = t("notice.data_error_stale" if stale else "notice.data_error", lang)
    if isinstance(error, DataError):  # each problem in the reader's language (problems.py)
        problems = [problem.text(lang) for problem in error.problems]
    else:  # a rebuild that could not be written, as the system worded it
        problems = [markdown.escape(str(error))]
    listing = "\n".join(f"- {problem}" for problem in problems)
    (st.warning if stale else st.error)(f"{message}\n\n{listing}")

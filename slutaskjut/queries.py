"""The named queries in queries/: each a .sql file with a .toml description beside it.

The description says what a row is, which tables the query reads, its parameters and caveats, and
lists the columns it returns in order (`columns`). What each column means lives in the column
catalogue (slutaskjut/columns.toml), not here; a model (queries/models/), which no page shows, still
describes its columns itself. `range_picks_rows_by` names the column (of years, or of dates by their year) by
which the years of a query's range (from_year, to_year) only choose its rows: the pages then read it once for
all years (chokepoint.py).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from slutaskjut.paths import IMPORTS_DIR, MODELS_DIR, QUERIES_DIR

if TYPE_CHECKING:  # database.py imports Streamlit; this module is also the import's and the tests'
    from slutaskjut.database import ReadOnlyDatabase

_PARAMETER = re.compile(r"\$([a-z_]+)")


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    description: dict

    @property
    def params(self) -> frozenset[str]:
        return frozenset(_PARAMETER.findall(self.sql))

    @property
    def columns(self) -> list[str]:
        """The columns the query returns, in order."""
        return list(self.description["columns"])


def _read(directory: Path) -> dict[str, Query]:
    return {
        path.stem: Query(path.stem, path.read_text(), tomllib.loads(path.with_suffix(".toml").read_text()))
        for path in sorted(directory.glob("*.sql"))
    }


@cache
def queries() -> dict[str, Query]:
    return _read(QUERIES_DIR)


@cache
def import_steps() -> dict[str, Query]:
    """The checks, typing and merge of an import (queries/imports/), run in the import's connection."""
    return _read(IMPORTS_DIR)


def models() -> dict[str, Query]:
    """Derived tables materialised when the database is built, in name order."""
    return _read(MODELS_DIR)


def run_query(con: duckdb.DuckDBPyConnection | ReadOnlyDatabase, name: str, **params) -> pd.DataFrame:
    """Run the named query with bound parameters on a cursor of its own (of a connection, or of the pages'
    ReadOnlyDatabase)."""
    query = queries()[name]
    if set(params) != query.params:
        raise TypeError(f"query {name} takes {sorted(query.params)}, got {sorted(params)}")
    cursor = con.cursor()
    try:
        return cursor.execute(query.sql, params).df()
    finally:
        cursor.close()

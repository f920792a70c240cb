"""The one place a page's queries run: cached, with counts of people suppressed (privacy.py).

Every named query a page shows goes through `protected`: its result with its [suppress] section
applied (a no-op without one), so small counts of people never reach a table, chart, sentence or
download. Only a page that passed the partner gate (frame.PartnerPage) calls `unsuppressed`, and a
query whose description says `audience = "partners"` runs only for such a page.
"""

from __future__ import annotations

import functools

import pandas as pd

from slutaskjut import privacy
from slutaskjut.database import Database, connection
from slutaskjut.queries import queries, run_query

# The results are kept as frames and each reader gets a shallow copy: pandas' copy-on-write keeps the kept frame
# as it is whatever a page does with its copy, without the pickling and unpickling of st.cache_data on every read
# (about 1 ms a read, a dozen reads a run). Kept by functools.lru_cache rather than st.cache_resource: Streamlit's
# cache took 0.25 ms a read (it hashes every argument and inspects the function's signature on each call), this
# one 0.01 ms; two sessions missing the same result at once may both run its query, which gives the same frame.
# Keyed by the database file's stamp, and by the threshold, so a change of SLUTASKJUT_MIN_COUNT never serves a
# frame suppressed with another.
Params = tuple[tuple[str, object], ...]  # a query's parameters, hashable: lists as tuples


def _frozen(params: dict) -> Params:
    return tuple(sorted((name, tuple(value) if isinstance(value, list) else value) for name, value in params.items()))


def _bound(params: Params) -> dict:
    return {name: list(value) if isinstance(value, tuple) else value for name, value in params}


@functools.lru_cache(maxsize=1000)
def _query(db_path: str, db_stamp: str, name: str, params: Params, threshold: int) -> pd.DataFrame:
    return privacy.protect(name, run_query(connection(db_path, db_stamp), name, **_bound(params)), threshold)


# Every year a query can hold: its result over all of them is the one a range's rows are chosen from.
ALL_YEARS = {"from_year": 0, "to_year": 9999}


@functools.lru_cache(maxsize=1000)
def _rows_in_range(db_path: str, db_stamp: str, name: str, params: Params, threshold: int) -> pd.DataFrame:
    """The rows of a range, chosen from the query's result over all years (range_picks_rows_by)."""
    column, years = queries()[name].description["range_picks_rows_by"], dict(params)
    every_year = _query(db_path, db_stamp, name, _frozen(_bound(params) | ALL_YEARS), threshold)
    in_range = years_of(every_year[column]).between(years["from_year"], years["to_year"])
    return every_year[in_range].reset_index(drop=True)


def years_of(values: pd.Series) -> pd.Series:
    """The years a range compares the `range_picks_rows_by` column with: its values, or the year of its dates."""
    return values.dt.year if pd.api.types.is_datetime64_any_dtype(values) else values


@functools.lru_cache(maxsize=200)
def _query_unsuppressed(db_path: str, db_stamp: str, name: str, params: Params) -> pd.DataFrame:
    return run_query(connection(db_path, db_stamp), name, **_bound(params))


_KEPT = (_query, _rows_in_range, _query_unsuppressed)


def clear() -> None:
    """Forget every kept result: bench/benchmark.py times pages with every query run again."""
    for kept in _KEPT:
        kept.cache_clear()


def for_partners(name: str) -> bool:
    """True for a query whose description says `audience = "partners"`: public pages never run it."""
    return queries()[name].description.get("audience") == "partners"


def protected(database: Database, name: str, params: dict, *, partner: bool = False) -> pd.DataFrame:
    """A named query's result, cached by its parameters, with counts of people suppressed as its TOML
    declares. A query for partners runs only for a partner page (`partner=True`).

    A query whose years only choose its rows (`range_picks_rows_by`, a column of years or dates: test_queries.py
    holds it to that) is cached once over all years, and a range is a choice of those rows: a reader's new range reads
    nothing from the database (a query takes 2-15 ms, most of it DuckDB planning it).
    """
    if for_partners(name) and not partner:
        raise PermissionError(f"query {name} is for partner pages only")
    read = _rows_in_range if "range_picks_rows_by" in queries()[name].description else _query
    return read(database.path, database.stamp, name, _frozen(params), privacy.min_count()).copy(deep=False)


def unsuppressed(database: Database, name: str, params: dict) -> pd.DataFrame:
    """A named query's result without its [suppress] section: for a page that passed the partner gate only."""
    return _query_unsuppressed(database.path, database.stamp, name, _frozen(params)).copy(deep=False)

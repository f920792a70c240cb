"""Shared fixtures: a database built from the shipped data, copies of data/ to break, pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from slutaskjut import store
from slutaskjut.extract_schema import STORED_COLUMNS
from slutaskjut.load import ensure_database, fingerprint, read_all
from slutaskjut.paths import ROOT


@pytest.fixture(scope="session", autouse=True)
def database_path(tmp_path_factory) -> Path:
    """Every test, and every page under test, uses a database built in a temporary folder."""
    path = tmp_path_factory.mktemp("db") / "slutaskjut.duckdb"
    patch = pytest.MonkeyPatch()
    patch.setenv("SLUTASKJUT_DB", str(path))
    patch.delenv("SLUTASKJUT_DATA", raising=False)
    ensure_database(ROOT / "data", path)
    yield path
    patch.undo()


@pytest.fixture(scope="session")
def con(database_path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(database_path), read_only=True)
    yield connection
    connection.close()


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of data/ that a test may break."""
    return Path(shutil.copytree(ROOT / "data", tmp_path / "data"))


def run_page(script: str | None = None, **params: str) -> AppTest:
    """Run app.py, switch to `script` (pages/x.py) if given, with URL parameters set."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for name, value in params.items():
        app.query_params[name] = value
    if script:
        app.switch_page(script)
    return app.run()


def extract_database(path: Path, **extracts: pd.DataFrame) -> Path:
    """A database at `path` with the shipped published data and exactly the given extract rows.

    `extracts` maps a stored table (incidents, interventions, imports) to rows; columns left
    out are empty. Tables not given are empty. Point SLUTASKJUT_DB at it to run pages on it.
    """
    tables = read_all(ROOT / "data") | {name: store.empty_table(name) for name in STORED_COLUMNS}
    for name, frame in extracts.items():
        tables[name] = store.typed(frame.reindex(columns=list(STORED_COLUMNS[name])), name)
    store.write_database(path, tables, fingerprint(ROOT / "data"))
    return path

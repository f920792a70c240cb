"""Where the project's files are; environment variables override the defaults."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = ROOT / "queries"
MODELS_DIR = QUERIES_DIR / "models"
# The checks, typing and merge of partners' extracts: run by an import, never by a page.
IMPORTS_DIR = QUERIES_DIR / "imports"
# The statements that write the database file (attach, detach, bookkeeping tables).
STORE_DIR = QUERIES_DIR / "store"
# The police's public events API: a JSON array of the latest events of all Sweden.
POLICE_EVENTS_URL = "https://polisen.se/api/events"
_DEMO_ON = ("1", "true", "yes")


def data_dir() -> Path:
    """The published-data files (SLUTASKJUT_DATA overrides data/)."""
    return Path(os.environ.get("SLUTASKJUT_DATA", ROOT / "data"))


def demo_mode() -> bool:
    """True when SLUTASKJUT_DEMO is 1 (or true, yes): the synthetic demonstration extracts instead of real data.

    Anything else, unset included, is the public dashboard, which never loads a synthetic row.
    """
    return os.environ.get("SLUTASKJUT_DEMO", "").strip().lower() in _DEMO_ON


def database_path() -> Path:
    """The DuckDB database built from the data (SLUTASKJUT_DB overrides the default).

    Demo mode has a database of its own, so a demonstration never rebuilds the public one.
    """
    default = ROOT / ".cache" / ("slutaskjut-demo.duckdb" if demo_mode() else "slutaskjut.duckdb")
    return Path(os.environ.get("SLUTASKJUT_DB", default))


def police_events_url() -> str:
    """Where `python -m slutaskjut refresh` fetches the police events (SLUTASKJUT_POLICE_EVENTS_URL overrides)."""
    return os.environ.get("SLUTASKJUT_POLICE_EVENTS_URL") or POLICE_EVENTS_URL

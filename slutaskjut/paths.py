"""Where the project's files are; environment variables override the defaults."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = ROOT / "queries"
MODELS_DIR = QUERIES_DIR / "models"


def data_dir() -> Path:
    """The published-data files (SLUTASKJUT_DATA overrides data/)."""
    return Path(os.environ.get("SLUTASKJUT_DATA", ROOT / "data"))


def database_path() -> Path:
    """The DuckDB database built from the data (SLUTASKJUT_DB overrides the default)."""
    return Path(os.environ.get("SLUTASKJUT_DB", ROOT / ".cache" / "slutaskjut.duckdb"))

"""Importing partners' extracts: validate, pseudonymise, merge into the database."""

from __future__ import annotations

import pandas as pd

EXTRACTS_FOLDER = "extracts"


def with_demo_extracts(extracts: dict[str, pd.DataFrame], folder) -> dict[str, pd.DataFrame]:
    return extracts

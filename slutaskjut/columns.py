"""What every column means, from columns.toml: the one home of a column's meaning.

A column's header (with its unit) in both languages, how its values read (its format, what a
missing value reads as, the flags that make a figure "minst 23" or "omkring 250"), whether it says
which row a row is, and its description for readers, shown as the header's tooltip and on the About
page's data dictionary. Queries (queries/*.sql, their .toml lists the columns in order) and data
files (schema.py) name columns; tables.py formats them from here; pages only choose which columns
a table shows and in what order. A column a query returns or a data file holds without an entry
here fails a test (tests/test_columns.py).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from slutaskjut.i18n import t
from slutaskjut.schema import LANGUAGES, TABLES

FORMATS = (
    "text",
    "integer",
    "count",
    "signed_count",
    "decimal",
    "percent",
    "signed_percent",
    "coordinate",
    "date",
    "partial_date",
    "period",
    "timestamp",
    "code",
    "flag",
    "source",
)
# Formats whose values are figures: the first of them after a table's key columns is its figure.
FIGURES = ("count", "signed_count", "decimal", "percent", "signed_percent")


@dataclass(frozen=True)
class Meaning:
    name: str
    label: dict[str, str]
    format: str
    description: dict[str, str]
    missing: str | None = None  # the key of the text a missing value reads; None: an empty cell
    lower_bound: str | None = None  # the flag column of a lower bound ("minst 23")
    approximate: str | None = None  # the flag column of an approximation ("omkring 250")
    codes: tuple[str, ...] = ()  # format code: keys of the texts of its values, {} is the value
    role: dict[str, str] | None = None  # format source: what it is the source of, beside another source
    key: bool = False  # says which row a row is (a year, a measure, a city)

    @property
    def is_figure(self) -> bool:
        return self.format in FIGURES


@cache
def catalogue() -> dict[str, Meaning]:
    """Every column by name (a bilingual pair under its name without the suffix)."""
    entries = tomllib.loads(Path(__file__).with_name("columns.toml").read_text())
    return {
        name: Meaning(name=name, **{**entry, "codes": tuple(entry.get("codes", ()))}) for name, entry in entries.items()
    }


def base_name(column: str) -> str:
    """`label_sv` and `label_en` are the column `label` in two languages."""
    for lang in LANGUAGES:
        if column.endswith(f"_{lang}"):
            return column.removesuffix(f"_{lang}")
    return column


def meaning(column: str) -> Meaning:
    """The meaning of a column, by its name or the name of one of its languages; KeyError when unknown."""
    return catalogue()[base_name(column)]


def label(column: str, lang: str) -> str:
    """The column's header in `lang`, with its unit."""
    return meaning(column).label[lang]


def description(column: str, lang: str) -> str:
    """What the column holds, in `lang`, for readers."""
    return meaning(column).description[lang]


def dictionary(lang: str) -> pd.DataFrame:
    """The data dictionary in `lang`: every data file (schema.TABLES) and its columns, each with its
    header, the kind of its values and its description; a bilingual pair is one column in both languages.
    Its columns are file, column, type and description."""
    rows = {}
    for table in TABLES:
        for column in table.columns:
            name = base_name(column.name)
            kind = "bilingual" if name != column.name else column.kind
            rows[(table.name, name)] = {
                "file": t(f"data_file.{table.name}", lang),
                "column": label(name, lang),
                "type": t(f"column_type.{kind}", lang),
                "description": description(name, lang),
            }
    return pd.DataFrame(list(rows.values()), columns=["file", "column", "type", "description"])

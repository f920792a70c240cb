"""Texts in Swedish and English, from texts.toml.

A text is Markdown written by the project; the values filled into it are not, so `t` escapes each one
(markdown.py) and a value from a URL, an extract or a data file shows as the characters it holds.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pandas as pd

from slutaskjut.markdown import Markdown, escape
from slutaskjut.schema import LANGUAGES

DEFAULT_LANGUAGE = "sv"


@cache
def texts() -> dict[str, dict[str, str]]:
    """Every text by its dotted key ('nav.trends'), each a dict of language -> text."""
    nested = tomllib.loads(Path(__file__).with_name("texts.toml").read_text())
    return {f"{section}.{key}": entry for section, entries in nested.items() for key, entry in entries.items()}


def t(key: str, lang: str, **values) -> Markdown:
    """The text `key` in `lang` with `values` filled in, each escaped (a text from `t` is filled in as it is)."""
    return Markdown(texts()[key][lang].format(**{name: escape(value) for name, value in values.items()}))


def in_language(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Keep the language's columns of bilingual pairs, named without the suffix.

    `label_sv`, `label_en` become `label` holding the text of `lang`.
    """
    kept = language_columns(frame.columns, lang)
    if list(kept) == list(frame.columns):  # most frames: nothing to copy
        return frame
    return frame[list(kept.values())].set_axis(list(kept), axis=1)


def language_columns(columns: Iterable[str], lang: str) -> dict[str, str]:
    """The columns in_language keeps, each under the name it gives it: `label` for label_sv in Swedish,
    label_en left out (the later column where two would get one name)."""
    others = tuple(f"_{other}" for other in LANGUAGES if other != lang)
    return {column.removesuffix(f"_{lang}"): column for column in columns if not column.endswith(others)}

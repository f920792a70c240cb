"""Query results as tables for people: headers in the reader's language.

`for_display` also writes every value as text in the language ("1 234", "63 %",
"ej publicerat"); `for_download` keeps numbers as numbers so a spreadsheet can compute
with them, and leaves missing values empty. Both show a figure hidden for privacy as its
marker ("färre än 3", "dold"), never as empty or 0.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from slutaskjut import fmt, privacy
from slutaskjut.extract_schema import FOLLOW_UPS
from slutaskjut.i18n import in_language, t

_TRANSLATED_CODES = {"measure", "status", "stage", "unit", "dataset"}
_DATE_COLUMNS = {"as_of", "date", "period_start", "period_end", "data_runs_to", "date_accessed"}
_PARTIAL_DATE_COLUMNS = {"published", "date_published", "source_published", "month"}
_SIGNED_PERCENT = {"change_pct", "rate_change_pct", "quoted_change_pct"}
_COUNTS = {"count", "count_base", "count_year", "previous_count", "headline_count", "other_count", "population"}
# Counts from the contact extract: missing means unknown, not unpublished.
_EXTRACT_COUNTS = {"contacts", "people", *FOLLOW_UPS, *(f"{follow_up}_unknown" for follow_up in FOLLOW_UPS)}


def _cell(column: str, value, lang: str, row: pd.Series, threshold: int) -> str:
    flag = privacy.flag_of(row, column)
    if flag:
        return privacy.marker(flag, lang, threshold)
    if column in _EXTRACT_COUNTS:
        return fmt.count(value, lang) or t("outreach_extract.unknown", lang)
    if column in _COUNTS:
        text = fmt.count(value, lang, lower_bound=bool(row.get("is_lower_bound", False)))
        return text if text is not None else t("common.not_published", lang)
    if fmt.is_missing(value):
        return ""
    if column in _TRANSLATED_CODES:
        return t(f"{column}.{value}", lang)
    if column == "change_count":
        return fmt.number(value, lang, signed=True)
    if column.endswith("_pct"):
        return fmt.percent(value, lang, decimals=1, signed=column in _SIGNED_PERCENT)
    if column.startswith("rate"):
        return fmt.number(value, lang, decimals=1)
    if column in _DATE_COLUMNS or column in _PARTIAL_DATE_COLUMNS:
        return fmt.date(value, lang)
    if isinstance(value, bool):
        return "✓" if value else ""
    return str(value)


def _headers(columns, lang: str) -> dict[str, str]:
    return {column: t(f"col.{column}", lang) for column in columns}


def for_display(frame: pd.DataFrame, columns: list[str], lang: str) -> pd.DataFrame:
    threshold = privacy.threshold_of(frame)
    frame = in_language(frame, lang)
    shown = pd.DataFrame(
        {
            column: [_cell(column, row[column], lang, row, threshold) for _, row in frame.iterrows()]
            for column in columns
        },
        index=range(len(frame)),
    )
    return shown.rename(columns=_headers(columns, lang))


def for_download(frame: pd.DataFrame, columns: list[str], lang: str) -> pd.DataFrame:
    threshold = privacy.threshold_of(frame)
    frame = in_language(frame, lang)
    flags = {c: frame[privacy.flag_column(c)] for c in columns if privacy.flag_column(c) in frame.columns}
    frame = frame[columns].copy()
    for column, flag in flags.items():  # the marker in place of a hidden figure
        frame[column] = [
            v if fmt.is_missing(f) else privacy.marker(f, lang, threshold)
            for v, f in zip(frame[column].astype(object), flag, strict=True)
        ]
    for column in columns:
        if column in flags:
            continue
        if column in _TRANSLATED_CODES:
            frame[column] = [t(f"{column}.{v}", lang) if not fmt.is_missing(v) else None for v in frame[column]]
        elif any(isinstance(v, (dt.date, pd.Timestamp)) for v in frame[column]):
            frame[column] = frame[column].map(lambda v: None if fmt.is_missing(v) else v.strftime("%Y-%m-%d"))
    return frame.rename(columns=_headers(columns, lang))

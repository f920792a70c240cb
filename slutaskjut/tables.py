"""Query results as tables for people: headers in the reader's language.

`for_display` also writes every value as text in the language ("1 234", "63 %",
"ej publicerat"); `for_download` keeps numbers as numbers so a spreadsheet can compute
with them, and leaves missing values empty. Both show a figure hidden for privacy as its
marker ("färre än 3", "dold"), never as empty or 0.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from slutaskjut import exports, fmt, privacy
from slutaskjut.extract_schema import FOLLOW_UPS
from slutaskjut.i18n import in_language, t, texts

# Codes shown as words: column -> the key of their texts ({} is the code). A code without a
# text (a source's kind, the map's shown cells) is shown as it is.
_CODES = {
    **{column: column + ".{}" for column in ("measure", "status", "stage", "unit", "dataset")},
    "kind": "incident_kind.{}",
    "extract": "extract.{}",
    "row_type": "map.row_{}",
}
_DATE_COLUMNS = {"as_of", "date", "period_start", "period_end", "data_runs_to", "date_accessed"}
_TIMESTAMP_COLUMNS = {"imported_at"}
_PARTIAL_DATE_COLUMNS = {"published", "date_published", "source_published", "month"}
_SIGNED_PERCENT = {"change_pct", "rate_change_pct", "quoted_change_pct"}
_COUNTS = {"count", "count_base", "count_year", "previous_count", "headline_count", "other_count", "population"}
_COUNTS |= {"fatal", "non_fatal", "total"}  # a US city's shooting victims (us_city_counts_by_year)
_COUNTS |= {"malmo_count", "national_count"}  # Malmö beside Sweden (malmo_share_of_sweden)
# The flag that marks a count as a lower bound ("at least 23") or an approximation ("about 250"), by count column.
_LOWER_BOUND_FLAGS = {
    "count": "is_lower_bound",
    "previous_count": "previous_is_lower_bound",
    "count_base": "is_lower_bound_base",
    "count_year": "is_lower_bound_year",
    "headline_count": "headline_is_lower_bound",
    "other_count": "other_is_lower_bound",
    "rate_per_100k": "is_lower_bound",  # the rate of a lower bound is one too
}
_APPROXIMATE_FLAGS = {"count": "is_approximate"}
# Counts from the contact extract: missing means unknown, not unpublished.
_EXTRACT_COUNTS = {"contacts", "people", *FOLLOW_UPS, *(f"{follow_up}_unknown" for follow_up in FOLLOW_UPS)}
# Counts from the incident extract: missing means unknown, and the cell is empty (trends.unknown_note).
_INCIDENT_COUNTS = {"dead", "injured", "extract_count"}
# Other counts (coverage per source, import history): never missing; an empty cell if one were.
_OTHER_COUNTS = {"days_covered", "incidents", "shootings", "suspected_shootings", "explosions"}
_OTHER_COUNTS |= {"population_for_rate"}  # empty where no population is sourced
_OTHER_COUNTS |= {"rows_read", "rows_added", "rows_replaced", "rows_unchanged", "rows_skipped"}
# What a missing count reads: the text's key, or None for an empty cell.
_MISSING_COUNT = {
    **dict.fromkeys(_COUNTS, "common.not_published"),
    **dict.fromkeys(_EXTRACT_COUNTS, "outreach_extract.unknown"),
    **dict.fromkeys(_INCIDENT_COUNTS),
    **dict.fromkeys(_OTHER_COUNTS),
}
# Differences of counts: with a sign, "+3", "−1".
_SIGNED_COUNTS = {"change_count", "difference", "other_minus_shown"}


def _code(column: str, value, lang: str) -> str:
    key = _CODES[column].format(value)
    if key not in texts():
        return str(value)
    return t(key, lang, min_count=fmt.count(privacy.min_count(), lang))


def _cell(column: str, value, lang: str, row: dict) -> str:
    if column in _MISSING_COUNT:
        missing = "" if _MISSING_COUNT[column] is None else t(_MISSING_COUNT[column], lang)
        if column in _COUNTS and not privacy.flag_of(row, column):  # a published figure, worded as published
            lower_bound = fmt.flagged(row, _LOWER_BOUND_FLAGS.get(column))
            about = fmt.flagged(row, _APPROXIMATE_FLAGS.get(column))
            return fmt.qualified(value, lang, at_least=lower_bound, about=about) or missing
        return privacy.count_text(row, column, lang, unknown=missing)
    flag = privacy.flag_of(row, column)
    if flag:
        return privacy.marker(flag, lang)
    if fmt.is_missing(value):
        return ""
    if column in _CODES:
        return _code(column, value, lang)
    if column in _SIGNED_COUNTS:
        return fmt.number(value, lang, signed=True)
    if column.endswith("_pct"):
        return fmt.percent(value, lang, decimals=1, signed=column in _SIGNED_PERCENT)
    if column.startswith("rate") or column.endswith("_per_100k") or column == "index_value":
        return fmt.qualified(value, lang, decimals=1, at_least=fmt.flagged(row, _LOWER_BOUND_FLAGS.get(column)))
    if column in _TIMESTAMP_COLUMNS:
        return fmt.timestamp(value, lang)
    if column in _DATE_COLUMNS or column in _PARTIAL_DATE_COLUMNS:
        return fmt.date(value, lang)
    if isinstance(value, bool):
        return "✓" if value else ""
    return str(value)


def _headers(columns, lang: str) -> dict[str, str]:
    return {column: t(f"col.{column}", lang) for column in columns}


def for_display(frame: pd.DataFrame, columns: list[str], lang: str) -> pd.DataFrame:
    records = in_language(frame, lang).to_dict("records")
    shown = pd.DataFrame(
        {column: [_cell(column, row[column], lang, row) for row in records] for column in columns},
        index=range(len(records)),
    )
    return shown.rename(columns=_headers(columns, lang))


def for_download(frame: pd.DataFrame, columns: list[str], lang: str) -> pd.DataFrame:
    frame = in_language(frame, lang)
    flags = {c: frame[privacy.flag_column(c)] for c in columns if privacy.flag_column(c) in frame.columns}
    frame = frame[columns].copy()
    for column, flag in flags.items():  # the marker in place of a hidden figure
        frame[column] = [
            v if fmt.is_missing(f) else privacy.marker(f, lang)
            for v, f in zip(frame[column].astype(object), flag, strict=True)
        ]
    for column in columns:
        if column in flags:
            continue
        if column in _MISSING_COUNT or column in _SIGNED_COUNTS:  # whole numbers, 3 not 3.0, with a gap
            frame[column] = pd.to_numeric(frame[column]).round().astype("Int64")
        elif column in _CODES:
            frame[column] = [None if fmt.is_missing(v) else _code(column, v, lang) for v in frame[column]]
        elif column in _TIMESTAMP_COLUMNS:  # ISO 8601 in UTC: a spreadsheet reads it, and the time stays
            frame[column] = [None if fmt.is_missing(v) else f"{fmt.utc(v):%Y-%m-%dT%H:%M:%SZ}" for v in frame[column]]
        elif any(isinstance(v, (dt.date, pd.Timestamp)) for v in frame[column]):
            frame[column] = frame[column].map(lambda v: None if fmt.is_missing(v) else v.strftime("%Y-%m-%d"))
    return frame.rename(columns=_headers(columns, lang))


def csv_bytes(frame: pd.DataFrame, columns: list[str], lang: str) -> bytes:
    """The CSV file of a table: its rows as downloaded (for_download)."""
    return exports.csv_bytes(for_download(frame, columns, lang))

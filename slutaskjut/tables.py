"""Query results as tables for people, formatted as the column catalogue (columns.toml) says.

A column's meaning lives in one place, columns.toml (read by columns.py): its header with its
unit in both languages, how its values read, what a missing value reads as, its description.
Pages choose which columns a table shows and in what order: what says which row it is first
(year, measure, city), then the figure, then the rest.

`on_screen` is the table as st.dataframe shows it: every value as text in the language ("1 234",
"63,0 %", "ej publicerat", "+3"); the sources of the row as their publisher and date ("Malmö stad,
28 januari 2021"), all in one column, never as a source id; and the column_config that pins the
columns saying which row it is and the figure after them (so they stay in view on a phone), sizes
every column to its header and its texts (a long text wraps onto more lines, never cut) and gives
each header its description as a tooltip. `for_download` keeps every chosen
column, numbers as numbers so a spreadsheet can compute with them, missing values empty and source
ids as ids (the key to the sources sheet). Both show a figure hidden for privacy as its marker
("färre än 3", "dold"), never as empty or 0.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from slutaskjut import exports, fmt, markdown, privacy
from slutaskjut.columns import Meaning, label, meaning
from slutaskjut.i18n import in_language, language_columns, t, texts

SOURCE_COLUMN = "source_id"  # the one column of the sources on screen, headed as source_id is
# The columns that say which row it is and the figure after them stay in view when a table scrolls
# sideways: on a phone of 390 px a table shows 322 px without scrolling (tests/test_browser.py measures it);
# they get at most this much of it, leaving room for the borders.
PINNED_WIDTH = 316
# The grid draws a text 8 px from each edge of its cell; a few pixels more keep a measured text whole.
_PADDING = 2 * 8 + 6
_NARROWEST = 56
# Where a text is wider than this, it wraps onto more lines rather than widen its column (headers never wrap).
_WIDEST = {"text": 320, "source": 220, "code": 200, "date": 150, "partial_date": 150, "timestamp": 200}
_WIDEST_OTHER = 140  # figures, years and flags
_MOST_LINES = 4  # a column whose texts need more lines is widened
# Rows of wrapped text: the grid wraps a cell's text only in rows taller than 64 px (4rem), and draws
# lines 1.4 times its 14 px font apart, 3 px below the row's top.
_WRAPPING_ROW = 65
_FONT_SIZE = 14
_LINE = 1.4 * _FONT_SIZE
_ROW_PADDING = 3 + 4


@dataclass(frozen=True)
class OnScreen:
    """A table as st.dataframe shows it:
    `st.dataframe(shown.frame, hide_index=True, column_config=shown.column_config, row_height=shown.row_height)`:
    rows are taller where a text wraps (None: one line)."""

    frame: pd.DataFrame
    column_config: dict[str, dict]
    row_height: int | None


def rows(frame: pd.DataFrame, columns: Iterable[str | None], lang: str | None = None) -> list[dict]:
    """The rows of `frame` as dicts of those of `columns` it has (None and absent ones are left out), each
    value as Series.tolist gives it (NA, NaN and NaT stay missing); with `lang`, the columns named as
    i18n.in_language names them ("note" holds note_sv in Swedish).

    For the small frames of a page: pandas 3 takes about a millisecond a call, whatever the rows, for
    per-row access (itertuples, to_dict("records"), iterrows) and for in_language, and some hundredths
    of one to read a column as a list, which is all this does, once for each column it needs."""
    read = language_columns(frame.columns, lang) if lang else {column: column for column in frame.columns}
    names = [name for name in dict.fromkeys(columns) if name in read]
    if not names:
        return [{} for _ in range(len(frame))]
    lists = [frame[read[name]].tolist() for name in names]
    return [dict(zip(names, values, strict=True)) for values in zip(*lists, strict=True)]


def _source_name(source: dict, lang: str) -> str:
    """A source as a table names it: its publisher and the date it was published, where known."""
    published = fmt.date(source["date_published"], lang)
    return f"{source['publisher']}, {published}" if published else str(source["publisher"])


def _code(column: Meaning, value, lang: str) -> str:
    return _code_text(column.codes, value, lang, privacy.min_count())


# A code has a few values, in row after row and run after run; typed, since True == 1 but "x.True" != "x.1".
@functools.lru_cache(maxsize=4096, typed=True)
def _code_text(codes: tuple[str, ...], value, lang: str, min_count: int) -> str:
    for pattern in codes:
        key = pattern.format(value)
        if key in texts():
            return markdown.plain(t(key, lang, min_count=fmt.count(min_count, lang)))
    return str(value)


def _period(value, lang: str) -> str:
    """'2020-05' is a month in words; '2020-Q2' a quarter."""
    year, _, quarter = str(value).partition("-Q")
    return markdown.plain(t("table.quarter", lang, quarter=quarter, year=year)) if quarter else fmt.date(value, lang)


def _value(column: Meaning, value, lang: str, row: dict) -> str:
    """A present value as it reads."""
    match column.format:
        case "integer":
            return str(int(value))
        case "count":
            lower_bound, about = fmt.flagged(row, column.lower_bound), fmt.flagged(row, column.approximate)
            return fmt.qualified(value, lang, at_least=lower_bound, about=about)
        case "signed_count":
            return fmt.number(value, lang, signed=True)
        case "decimal":
            return fmt.qualified(value, lang, decimals=1, at_least=fmt.flagged(row, column.lower_bound))
        case "percent" | "signed_percent":
            return fmt.percent(value, lang, decimals=1, signed=column.format == "signed_percent")
        case "coordinate":
            return fmt.number(value, lang, decimals=5)
        case "date" | "partial_date":
            return fmt.date(value, lang)
        case "period":
            return _period(value, lang)
        case "timestamp":
            return fmt.timestamp(value, lang)
        case "code":
            return _code(column, value, lang)
        case "flag":
            return "✓" if value else ""
    return str(value)


def _cell(column: str, about: Meaning, lang: str, row: dict) -> str:
    flag = privacy.flag_of(row, column)
    if flag:  # hidden for privacy: "fewer than 3", never the number
        return privacy.marker(flag, lang)
    if fmt.is_missing(row[column]):
        return markdown.plain(t(about.missing, lang)) if about.missing else ""
    return _value(about, row[column], lang, row)


def _sources_cell(columns: list[str], names: dict[str, str], lang: str, row: dict) -> str:
    """The sources of a row, each once: beside another, each says what it is the source of ("folkmängd: SCB")."""
    named = len(columns) > 1
    parts = {}
    for column in columns:
        source_id = row[column]
        if fmt.is_missing(source_id):
            continue
        name = names.get(source_id, source_id)
        role = meaning(column).role
        parts.setdefault(f"{role[lang]}: {name}" if named and role else name, None)
    return "; ".join(parts)


def _screen_columns(columns: list[str]) -> list[str]:
    """The columns on screen: the chosen ones, with every source column in one, where the first one is."""
    sources = [column for column in columns if meaning(column).format == "source"]
    return [
        SOURCE_COLUMN if sources and column == sources[0] else column for column in columns if column not in sources[1:]
    ]


def _columns_read(columns: list[str]) -> Iterable[str | None]:
    """The columns the cells of `columns` read: each one, its privacy flag and the flags of how its figure reads."""
    for column in columns:
        about = meaning(column)
        yield from (column, privacy.flag_column(column), about.lower_bound, about.approximate)


def _texts(frame: pd.DataFrame, columns: list[str], lang: str, sources: pd.DataFrame | None) -> dict[str, list[str]]:
    """The cells of for_display, a list of texts under each header."""
    source_rows = [] if sources is None else rows(sources, ["source_id", "publisher", "date_published"])
    names = {source["source_id"]: _source_name(source, lang) for source in source_rows}
    source_columns = [column for column in columns if meaning(column).format == "source"]
    records = rows(frame, _columns_read(columns), lang)
    cells = {}
    for column in _screen_columns(columns):
        if column == SOURCE_COLUMN and source_columns:
            cells[column] = [_sources_cell(source_columns, names, lang, row) for row in records]
        else:
            about = meaning(column)
            cells[column] = [_cell(column, about, lang, row) for row in records]
    headers = [label(column, lang) for column in cells]
    if len(set(headers)) < len(headers):
        raise ValueError(f"two columns of {list(cells)} have the same header in {lang}: {headers}")
    return dict(zip(headers, cells.values(), strict=True))


def for_display(
    frame: pd.DataFrame, columns: list[str], lang: str, sources: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The rows as text in `lang`, headed by the columns' labels; the sources (their source_id columns)
    in one column, named by `sources` (the `sources` query's rows for them)."""
    return pd.DataFrame(_texts(frame, columns, lang, sources), index=range(len(frame)))


@functools.cache
def _glyph_widths() -> tuple[dict[str, float], float]:
    widths = json.loads((Path(__file__).with_name("grid_font.json")).read_text(encoding="utf-8"))["widths"]
    return widths, max(widths.values())


@functools.lru_cache(maxsize=65536)  # the same words and cells come again on every run
def text_width(text: str) -> float:
    """Pixels `text` takes in the tables' font (grid_font.json; a character not listed counts as the widest)."""
    widths, widest = _glyph_widths()
    return sum(widths.get(character, widest) for character in text)


@functools.lru_cache(maxsize=65536)
def wrapped_lines(text: str, width: float) -> int:
    """Lines `text` takes in a cell `width` px wide, wrapped at spaces as the grid wraps it (a word wider
    than the cell goes on over more lines)."""
    room = max(width - _PADDING, 1.0)
    space = text_width(" ")
    lines, line = 1, 0.0
    for word in text.split(" "):
        word_width = text_width(word)
        if line and line + space + word_width <= room:
            line += space + word_width
            continue
        lines += 1 if line else 0
        more = max(0, math.ceil(word_width / room) - 1)
        lines += more
        line = word_width - more * room
    return lines


def row_height(lines: int) -> int | None:
    """The height of rows that show `lines` lines of text; None for one line (the grid's own height)."""
    return None if lines <= 1 else max(_WRAPPING_ROW, math.ceil(_FONT_SIZE + _LINE * (lines - 1) + _ROW_PADDING))


def _width(column: str, header: str, cells: list[str]) -> int:
    """Pixels for a column: its header whole, and its longest text or, for a longer one, the width its
    format allows (the text wraps)."""
    values = max((text_width(cell) for cell in cells), default=0) + _PADDING
    widest = _WIDEST.get(meaning(column).format, _WIDEST_OTHER)
    return math.ceil(max(_NARROWEST, text_width(header) + _PADDING, min(values, widest)))


def _lines(cells: list[str], width: int) -> int:
    room = width - _PADDING
    return max((wrapped_lines(text, width) for text in cells if text_width(text) > room), default=1)


def _pinned(columns: list[str]) -> list[str]:
    """The leading columns that say which row it is, and the figure right after them (or first of all)."""
    pinned = []
    for column in columns:
        about = meaning(column)
        if about.key:
            pinned.append(column)
            continue
        if about.is_figure:
            pinned.append(column)
        break
    return pinned


def column_config(shown: dict[str, list[str]], columns: list[str], lang: str) -> dict[str, dict]:
    """st.dataframe's column_config for a table of `for_display`, given as its texts under each header:
    widths, the pinned columns, figures to the right, and each header's description as its tooltip.
    Keyed by the headers of `shown`."""
    screen = _screen_columns(columns)
    headers = dict(zip(screen, shown, strict=True))
    widths = {column: _width(column, headers[column], shown[headers[column]]) for column in screen}
    pinned = _pinned(screen)
    keys = [column for column in pinned if meaning(column).key]
    excess = sum(widths[column] for column in pinned) - PINNED_WIDTH
    if excess > 0 and keys:  # the key columns give up width (their texts wrap), the figure keeps its own
        least = {column: max(_NARROWEST, math.ceil(text_width(headers[column]) + _PADDING)) for column in keys}
        spare = sum(widths[column] - least[column] for column in keys)
        for column in keys:
            cut = math.ceil(excess * (widths[column] - least[column]) / spare) if spare else 0
            widths[column] = max(least[column], widths[column] - cut)
    for column in screen:  # a column off the phone's view widens rather than wrap a text onto many lines
        if column in pinned:
            continue
        cells = shown[headers[column]]
        longest = max((text_width(cell) for cell in cells), default=0)
        widths[column] = max(widths[column], math.ceil(longest / _MOST_LINES + _PADDING))  # no fewer lines than that
        while _lines(cells, widths[column]) > _MOST_LINES:
            widths[column] += 20
    config = {}
    for column in screen:
        about = meaning(column)
        config[headers[column]] = {
            "label": headers[column],
            "width": widths[column],
            "help": about.description[lang],
            "pinned": column in pinned,
            "alignment": "right" if about.is_figure else "center" if about.format == "flag" else "left",
        }
    return config


def _row_height(shown: dict[str, list[str]], config: dict[str, dict]) -> int | None:
    return row_height(max((_lines(shown[header], column["width"]) for header, column in config.items()), default=1))


def on_screen(frame: pd.DataFrame, columns: list[str], lang: str, sources: pd.DataFrame | None = None) -> OnScreen:
    """The table as st.dataframe shows it (for_display) with its column_config. `sources` holds the rows
    of the `sources` query for the table's source ids (None when it has no source column)."""
    shown = _texts(frame, columns, lang, sources)
    config = column_config(shown, columns, lang)
    return OnScreen(pd.DataFrame(shown, index=range(len(frame))), config, _row_height(shown, config))


def for_download(frame: pd.DataFrame, columns: list[str], lang: str) -> pd.DataFrame:
    """The rows as a spreadsheet takes them: every chosen column, numbers as numbers, headers in `lang`."""
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
        kind = meaning(column).format
        if kind in ("integer", "count", "signed_count"):  # whole numbers, 3 not 3.0, with a gap
            frame[column] = pd.to_numeric(frame[column]).round().astype("Int64")
        elif kind == "code":
            frame[column] = [None if fmt.is_missing(v) else _code(meaning(column), v, lang) for v in frame[column]]
        elif kind == "timestamp":  # ISO 8601 in UTC: a spreadsheet reads it, and the time stays
            frame[column] = [None if fmt.is_missing(v) else f"{fmt.utc(v):%Y-%m-%dT%H:%M:%SZ}" for v in frame[column]]
        elif any(isinstance(v, (dt.date, pd.Timestamp)) for v in frame[column]):
            frame[column] = frame[column].map(lambda v: None if fmt.is_missing(v) else v.strftime("%Y-%m-%d"))
    return frame.rename(columns={column: label(column, lang) for column in columns})


def csv_bytes(frame: pd.DataFrame, columns: list[str], lang: str) -> bytes:
    """The CSV file of a table: its rows as downloaded (for_download)."""
    return exports.csv_bytes(for_download(frame, columns, lang))

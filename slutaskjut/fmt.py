"""Numbers and dates as a reader of each language expects them.

Swedish: "1 234", "18,6", "63 %", "3 december 2020". English: "1,234", "18.6", "63%",
"3 December 2020". Both use a true minus sign. A missing value is never formatted as 0:
callers get None back and say "not published" in their own words. A figure its source gives as a
lower bound or an approximation keeps that word ("minst 23", "omkring 250").
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from slutaskjut import markdown
from slutaskjut.i18n import t

NBSP = "\u00a0"
MINUS = "\u2212"
MONTHS = {
    "sv": (
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def is_missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def number(value, lang: str, decimals: int = 0, signed: bool = False) -> str | None:
    """1234.5 -> '1 234,5' (sv) or '1,234.5' (en); None when the value is missing."""
    if is_missing(value):
        return None
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0  # no "−0"
    text = f"{abs(rounded):,.{decimals}f}"
    if lang == "sv":
        text = text.replace(",", NBSP).replace(".", ",")
    if rounded < 0:
        return MINUS + text
    return ("+" + text) if signed and rounded > 0 else text


def count(value, lang: str, lower_bound: bool = False) -> str | None:
    """A count; one its source gives as a lower bound ('just over 100') reads 'minst 100' / 'at least 100'."""
    return qualified(value, lang, at_least=lower_bound)


def flagged(row, flag: str | None = "is_lower_bound") -> bool:
    """Whether a row's boolean flag is true, by default whether its figure is a lower bound ("at least 23"):
    a row without the flag, or with it empty, is not flagged. `row` is a Series, a record dict or an
    itertuples row."""
    if flag is None:
        return False
    value = row.get(flag) if isinstance(row, dict | pd.Series) else getattr(row, flag, None)
    return not is_missing(value) and bool(value)


def qualified(value, lang: str, *, at_least: bool = False, about: bool = False, decimals: int = 0) -> str | None:
    """A published figure worded as its source words it: 'minst 23' / 'at least 23' for a lower bound,
    'omkring 250' / 'about 250' for an approximation; plain text, None when the value is missing."""
    text = number(value, lang, decimals)
    key = "figure.at_least" if at_least else "figure.about" if about else None
    if text is None or key is None:
        return text
    return markdown.plain(t(key, lang, figure=text))


def percent(value, lang: str, decimals: int = 0, signed: bool = False) -> str | None:
    """63 -> '63 %' (sv) or '63%' (en)."""
    text = number(value, lang, decimals, signed)
    if text is None:
        return None
    return f"{text}{NBSP}%" if lang == "sv" else f"{text}%"


def date(value, lang: str) -> str | None:
    """A date or a partial ISO date ('2021-02', '2020') in words."""
    if is_missing(value):
        return None
    if isinstance(value, (dt.date, pd.Timestamp)):
        value = value.strftime("%Y-%m-%d")
    parts = [int(part) for part in str(value).split("-")]
    if len(parts) == 1:
        return str(parts[0])
    month = MONTHS[lang][parts[1] - 1]
    if len(parts) == 2:
        return f"{month} {parts[0]}"
    return f"{parts[2]} {month} {parts[0]}"


def utc(value) -> pd.Timestamp:
    """A moment in UTC (a naive one is taken to be in UTC already, as the database stores them)."""
    moment = pd.Timestamp(value)
    return moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")


def timestamp(value, lang: str) -> str | None:
    """A moment in words, in UTC: '21 november 2025 13:22 UTC'."""
    if is_missing(value):
        return None
    moment = utc(value)
    return f"{date(moment, lang)} {moment:%H:%M} UTC"


def date_range(first, last, lang: str) -> str | None:
    """'3 maj 2020–16 maj 2020', or one date when both are the same day; None when either is missing."""
    first, last = date(first, lang), date(last, lang)
    if first is None or last is None:
        return None
    return first if first == last else f"{first}\u2013{last}"


def year_range(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}\u2013{last}"

"""The view a URL asks for: language and year range, checked against the data.

`?lang=en&from=2017&to=2020`. An odd value never raises: it falls back to the default and
yields a notice saying what was ignored. A notice quotes the value cut to `ECHO_LENGTH` characters,
and the texts catalogue escapes it (i18n.t), so a link can put neither Markdown nor a wall of text
on the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from slutaskjut.i18n import DEFAULT_LANGUAGE, t
from slutaskjut.schema import LANGUAGES

ECHO_LENGTH = 40


@dataclass(frozen=True)
class View:
    lang: str
    year_from: int
    year_to: int

    def as_params(self) -> dict[str, str]:
        return {"lang": self.lang, "from": str(self.year_from), "to": str(self.year_to)}


@dataclass(frozen=True)
class YearBounds:
    first: int
    last: int
    default_from: int
    default_to: int


def echoed(value: str) -> str:
    """A value from the URL as a notice quotes it: at most ECHO_LENGTH characters, an ellipsis for the rest."""
    return value if len(value) <= ECHO_LENGTH else value[: ECHO_LENGTH - 1] + "…"


@dataclass(frozen=True)
class Notice:
    key: str
    values: dict

    def text(self, lang: str) -> str:
        return t(self.key, lang, **self.values)


def _year(params: Mapping[str, str], name: str, bounds: YearBounds, default: int, notices: list):
    raw = params.get(name)
    if raw is None:
        return default
    try:
        year = int(raw)
    except ValueError:
        year = None
    if year is None or not bounds.first <= year <= bounds.last:
        notices.append(
            Notice(
                "notice.bad_year",
                {"param": name, "value": echoed(raw), "first": bounds.first, "last": bounds.last, "default": default},
            )
        )
        return default
    return year


def parse_view(params: Mapping[str, str], bounds: YearBounds) -> tuple[View, list[Notice]]:
    notices: list[Notice] = []
    lang = params.get("lang", DEFAULT_LANGUAGE)
    if lang not in LANGUAGES:
        notices.append(Notice("notice.bad_lang", {"value": echoed(lang)}))
        lang = DEFAULT_LANGUAGE
    year_from = _year(params, "from", bounds, bounds.default_from, notices)
    year_to = _year(params, "to", bounds, bounds.default_to, notices)
    if year_from > year_to:
        notices.append(
            Notice(
                "notice.reversed_years",
                {"year_from": year_from, "year_to": year_to, "first": bounds.default_from, "last": bounds.default_to},
            )
        )
        year_from, year_to = bounds.default_from, bounds.default_to
    return View(lang, year_from, year_to), notices

"""Formatting, translations and URL parameters: pure functions, no Streamlit."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from slutaskjut import fmt, markdown
from slutaskjut.i18n import in_language, t, texts
from slutaskjut.view import ECHO_LENGTH, View, YearBounds, parse_view

NBSP = "\u00a0"
BOUNDS = YearBounds(first=2016, last=2024, default_from=2016, default_to=2022)


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (1234, "sv", 0, f"1{NBSP}234"),
        (1234, "en", 0, "1,234"),
        (18.58, "sv", 1, "18,6"),
        (18.58, "en", 1, "18.6"),
        (-45, "sv", 0, "\u221245"),
        (-0.04, "sv", 1, "0,0"),
        (1234567.891, "sv", 2, f"1{NBSP}234{NBSP}567,89"),
    ],
)
def test_number(value, lang, decimals, expected):
    assert fmt.number(value, lang, decimals) == expected


def test_percent_count_and_missing():
    assert fmt.percent(63, "sv") == f"63{NBSP}%"
    assert fmt.percent(63, "en") == "63%"
    assert fmt.percent(-69.23, "sv", decimals=1) == f"\u221269,2{NBSP}%"
    assert fmt.percent(12, "en", signed=True) == "+12%"
    assert fmt.count(100, "sv", lower_bound=True) == "minst 100"
    assert fmt.count(100, "en", lower_bound=True) == "at least 100"
    assert fmt.count(None, "sv") is None
    assert fmt.number(float("nan"), "en") is None


def test_dates_in_words():
    assert fmt.date("2020-12-03", "sv") == "3 december 2020"
    assert fmt.date(dt.date(2020, 12, 3), "en") == "3 December 2020"
    assert fmt.date("2021-02", "sv") == "februari 2021"
    assert fmt.date("2018", "en") == "2018"
    assert fmt.date(None, "sv") is None


def test_every_text_exists_in_both_languages_with_the_same_placeholders():
    placeholder = re.compile(r"\{(\w+)\}")
    for key, entry in texts().items():
        assert set(entry) == {"sv", "en"}, key
        assert entry["sv"].strip() and entry["en"].strip(), key
        assert set(placeholder.findall(entry["sv"])) == set(placeholder.findall(entry["en"])), key


def test_translation_fills_values():
    assert t("overview.headline", "en", year=2020, base_year=2017) == "2020 compared with 2017"


def test_in_language_keeps_the_chosen_language():
    import pandas as pd

    frame = pd.DataFrame({"id": [1], "label_sv": ["Hej"], "label_en": ["Hello"]})
    assert in_language(frame, "en").to_dict("records") == [{"id": 1, "label": "Hello"}]
    assert in_language(frame, "sv").to_dict("records") == [{"id": 1, "label": "Hej"}]


def test_url_parameters_set_the_view():
    assert parse_view({"lang": "en", "from": "2017", "to": "2020"}, BOUNDS) == (View("en", 2017, 2020), [])
    assert parse_view({}, BOUNDS) == (View("sv", 2016, 2022), [])


@pytest.mark.parametrize(
    ("params", "view", "notice"),
    [
        ({"from": "abc"}, View("sv", 2016, 2022), "notice.bad_year"),
        ({"to": "1800"}, View("sv", 2016, 2022), "notice.bad_year"),
        ({"from": "2019", "to": "2030"}, View("sv", 2019, 2022), "notice.bad_year"),
        ({"lang": "xx", "from": "2018"}, View("sv", 2018, 2022), "notice.bad_lang"),
        ({"from": "2020", "to": "2017"}, View("sv", 2016, 2022), "notice.reversed_years"),
        ({"from": "2017.5"}, View("sv", 2016, 2022), "notice.bad_year"),
    ],
)
def test_odd_url_parameters_fall_back_with_a_notice(params, view, notice):
    parsed, notices = parse_view(params, BOUNDS)
    assert parsed == view
    assert [n.key for n in notices] == [notice]
    assert notices[0].text("sv") and notices[0].text("en")


# Text from outside is only text --------------------------------------------------------------------

# What a link, an extract or a data file may hold, and the Markdown each would make unescaped.
PAYLOADS = [
    "![x](http://198.51.100.7/pixel.png)",
    "[Full unsuppressed data](http://evil.example/login)",
    "<img src=http://198.51.100.7/p.png>",
    "<a href='http://evil.example'>x</a>",
    "http://evil.example/a https://evil.example/b",
    "www.evil.example",
    "name@evil.example",
    ":material/lock: :smile: :red[red]",
    "$x^2$",
    "**bold** _it_ `code` ~~gone~~",
    "# heading",
    "- item",
    "1. item",
    "> quote",
    "---",
    "first\n\nsecond [l](http://evil.example)",
    "&lt;b&gt;",
    "[x]: http://evil.example",
    "\u202eevil\u200b",
    "back\\slash \\[not](a link)",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_an_escaped_value_reads_back_as_itself(payload):
    escaped = markdown.escape(payload)
    shown = re.sub("\n+", " ", payload).replace("\u202e", "").replace("\u200b", "")
    assert markdown.plain(escaped) == shown
    assert "\n" not in escaped, "a blank line would end the paragraph"
    assert not re.search(r"(?<!\\)[\[<`*$]", escaped.replace("\\\\", "")), "no syntax character left unescaped"
    assert not re.search(r"https?:|www\.|\w@|:\w", escaped), "nothing a link or icon is found in"


def test_escaping_leaves_figures_and_words_as_they_are():
    for text in (f"1{NBSP}234,5", "63%", "\u221263 %", "+12%", "-69 %", "3 december 2020", "2020-05", "Malmö stad"):
        assert markdown.escape(text) == text


def test_a_value_is_escaped_once_and_a_text_never():
    value = "may_2020"
    text = t("outreach_extract.funnel_title", "en", round=value, kind="custom notification", period="May 2020")
    assert "may\\_2020" in text and "may\\\\_2020" not in text
    assert markdown.escape(text) == text, "a text from the catalogue is Markdown already"
    assert markdown.join("; ", [text, value]) == f"{text}; may\\_2020"


def test_only_a_plain_web_address_becomes_a_link():
    assert markdown.link("https://malmo.se/sluta-skjut?a=1") == "<https://malmo.se/sluta-skjut?a=1>"
    for address in ("javascript:alert(1)", "http://x.example/a)b", "https://x.example/a b", "ftp://x.example"):
        assert "<" not in markdown.link(address) and markdown.plain(markdown.link(address)) == address


def test_the_catalogue_holds_no_escapes_that_plain_would_take_out():
    for key, entry in texts().items():
        for text in entry.values():
            assert markdown.plain(text) == text, key


def test_a_url_value_is_quoted_cut_and_escaped():
    raw = "![x](http://198.51.100.7/pixel.png)" + "x" * 200
    (notice,) = parse_view({"from": raw}, BOUNDS)[1]
    text = notice.text("en")
    assert "![x](http://198.51.100.7/pixel.png)"[: ECHO_LENGTH - 1] in markdown.plain(text)
    assert "x" * 50 not in text and "…" in text
    assert "](" not in text.replace("\\]", "") and "http:" not in text

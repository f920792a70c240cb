"""The press office in one click: the key figures newest first, each with a copy button and its source and date
beside it, a narrow table of them, and a citation of the dashboard with the day it was read."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import shipped
from conftest import run_page

from slutaskjut import fmt, markdown
from slutaskjut.columns import label
from slutaskjut.i18n import t
from slutaskjut.schema import MEASURES


def copy_buttons(app) -> dict[str, dict]:
    """The copy buttons by key: what each copies and its labels."""
    return {button.proto.id.rsplit("-", 1)[1]: json.loads(button.proto.json) for button in app.get("bidi_component")}


def sentence_buttons(app) -> list[dict]:
    buttons = copy_buttons(app)
    numbers = sorted(int(key.removeprefix("copy_sentence_")) for key in buttons if key.startswith("copy_sentence_"))
    return [buttons[f"copy_sentence_{number}"] for number in numbers]


@pytest.fixture(scope="module")
def press(request):
    return {lang: run_page("pages/press.py", lang=lang) for lang in ("sv", "en")}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_each_sentence_has_a_copy_button_with_exactly_its_text_and_its_source_and_date(press, lang):
    app = press[lang]
    assert not app.exception
    table = app.dataframe[0].value
    columns = ("figure", "sentence", "publisher", "source_date")
    figure, sentence, publisher, date = (label(column, lang) for column in columns)
    assert list(table.columns) == [figure, sentence, publisher, date], "four narrow columns, the figure first"
    buttons = sentence_buttons(app)
    assert [button["text"] for button in buttons] == table[sentence].tolist(), "a button per sentence, in order"
    assert {(button["label"], button["done"]) for button in buttons} == {
        (t("clipboard.copy", lang), t("clipboard.copied", lang))
    }
    shown = [markdown.plain(element.value) for element in app.markdown]
    source = markdown.plain(t("press.sentence_source", lang, topic="", source="", date="")).split(",")[0]
    captions = [markdown.plain(element.value) for element in app.caption if source in element.value]
    assert len(captions) == len(table), "a source line under each sentence, in the same order"
    for (_, sentence, publisher, date), caption in zip(table.itertuples(index=False), captions, strict=True):
        assert sentence in shown, "the sentence is on the page as it is copied"
        assert publisher.split(";")[0] in caption and caption.endswith(f", {date}"), sentence


def yearly_sentence(year: int, measure: str) -> str | None:
    count = shipped.headline(year, measure)
    return None if count is None else markdown.plain(t(f"sentence.yearly_{measure}", "sv", year=year, count=count))


def test_the_newest_figures_come_first(press):
    first, last = shipped.default_years()
    copied = [button["text"] for button in sentence_buttons(press["sv"])]
    assert copied[0] in {yearly_sentence(last, measure) for measure in MEASURES}, "a figure of the last year first"
    shootings = [yearly_sentence(year, "shootings") for year in range(last, first - 1, -1)]
    positions = [copied.index(sentence) for sentence in shootings if sentence]
    assert len(positions) > 1 and positions == sorted(positions), "the years from the newest"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_citation_names_the_dashboard_and_today(press, lang):
    today = dt.datetime.now(ZoneInfo("Europe/Stockholm")).date()
    citation = copy_buttons(press[lang])["copy_citation"]
    expected = markdown.plain(t("press.citation_no_url", lang, name=t("app.name", lang), date=fmt.date(today, lang)))
    assert citation["text"] == expected, "no address under test: the page has no browser's URL"
    assert fmt.date(today, lang) in citation["text"] and citation["label"] == markdown.plain(
        t("press.copy_citation", lang)
    )
    assert citation["text"] in [markdown.plain(element.value) for element in press[lang].markdown]


def test_the_citation_gives_the_dashboards_address(monkeypatch):
    monkeypatch.setattr(
        "streamlit.context.__class__.url", property(lambda self: "https://example.org/sluta-skjut/press")
    )
    citation = copy_buttons(run_page("pages/press.py", lang="sv"))["copy_citation"]["text"]
    assert citation.endswith(", https://example.org/sluta-skjut/"), "the dashboard's address, not the page's"
    assert citation.startswith("Källa: Sluta skjut i siffror, Malmö stad, hämtad ")

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
    """The copy components by key: what each copies and its labels (the sentences' cards: each card's)."""
    return {button.proto.id.rsplit("-", 1)[1]: json.loads(button.proto.json) for button in app.get("bidi_component")}


def sentence_cards(app) -> list[dict]:
    """The sentences' cards in the order shown, the newest first, then those one click away; each with its
    component's labels."""
    components = copy_buttons(app)
    parts = [components[key] for key in ("sentences_newest", "sentences_more") if key in components]
    return [{**card, "label": part["label"], "done": part["done"]} for part in parts for card in part["cards"]]


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
    cards = sentence_cards(app)
    assert [card["text"] for card in cards] == table[sentence].tolist(), "a card per sentence, in order"
    assert {(card["label"], card["done"]) for card in cards} == {
        (t("clipboard.copy", lang), t("clipboard.copied", lang))
    }
    source = markdown.plain(t("press.sentence_source", lang, topic="", source="", date="")).split(",")[0]
    for (_, sentence, publisher, date), card in zip(table.itertuples(index=False), cards, strict=True):
        # the card shows the text its button copies (clipboard.copy_cards), and the source line beside it
        assert source in card["note"], sentence
        assert publisher.split(";")[0] in card["note"] and card["note"].endswith(f", {date}"), sentence


def yearly_sentence(year: int, measure: str) -> str | None:
    count = shipped.headline(year, measure)
    return None if count is None else markdown.plain(t(f"sentence.yearly_{measure}", "sv", year=year, count=count))


def test_the_newest_figures_come_first(press):
    first, last = shipped.default_years()
    copied = [card["text"] for card in sentence_cards(press["sv"])]
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

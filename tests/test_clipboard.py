"""The copy button: what it copies reaches the browser as data, never as markup or script."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from slutaskjut import clipboard, markdown
from slutaskjut.i18n import t

HOSTILE = [
    "</script><script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "'; alert(1); '",
    '"}); alert(1); ({"',
    "${alert(1)}` + `",
    "Källa: Malmö stad, hämtad 2 december 2026\n\u2212 12\u00a0%",
]


def copy_app(text: str, kind: str = "button") -> AppTest:
    """A script with one copy button (`kind` "button") or a card of the text with it as its note ("cards"), the
    text from the URL (as an outside value would come)."""

    def script():
        import streamlit as st

        from slutaskjut.clipboard import copy_button, copy_cards

        text = st.query_params["text"]
        if st.query_params["kind"] == "cards":
            copy_cards([(text, text)], "Kopiera", "cards_test", done_label="Kopierat")
        else:
            copy_button(text, "Kopiera", "copy_test", done_label="Kopierat")

    app = AppTest.from_function(script)
    app.query_params["text"] = text
    app.query_params["kind"] = kind
    return app.run()


@pytest.mark.parametrize("text", HOSTILE)
def test_the_text_reaches_the_browser_as_json_data_only(text):
    app = copy_app(text)
    assert not app.exception
    (button,) = app.get("bidi_component")
    assert json.loads(button.proto.json) == {"text": text, "label": "Kopiera", "done": "Kopierat"}
    code = button.proto.html_content + button.proto.css_content + button.proto.js_content
    assert text not in code
    assert (button.proto.html_content, button.proto.js_content) == (clipboard._HTML, clipboard._JS), (
        "the same for any text"
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_the_cards_texts_reach_the_browser_as_json_data_only(text):
    app = copy_app(text, "cards")
    assert not app.exception
    (cards,) = app.get("bidi_component")
    assert json.loads(cards.proto.json) == {
        "label": "Kopiera",
        "done": "Kopierat",
        "cards": [{"text": text, "note": markdown.plain(text)}],
    }
    assert (cards.proto.html_content, cards.proto.js_content) == (clipboard._CARDS_HTML, clipboard._CARDS_JS)


def test_the_code_puts_values_in_as_text_only():
    # textContent and value only: no API that parses a string as markup or code
    code = clipboard._JS + clipboard._HTML + clipboard._CARDS_JS + clipboard._CARDS_HTML
    for parser in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function(", "srcdoc"):
        assert parser not in code
    # a card's text and note, and a button's labels, go in as text
    assert re.findall(r"\.textContent = card\.(\w+)", clipboard._CARDS_JS) == ["text", "note"]
    assert set(re.findall(r"\.textContent = (label|done);", clipboard._COPY_JS)) == {"label", "done"}


def test_catalogue_labels_are_given_as_plain_text():
    label = t("clipboard.copy_link", "sv")
    given = clipboard.payload("https://example.org/?lang=sv&from=2017", label, t("clipboard.link_copied", "sv"))
    assert given == {
        "text": "https://example.org/?lang=sv&from=2017",
        "label": markdown.plain(label),
        "done": markdown.plain(t("clipboard.link_copied", "sv")),
    }
    # a value filled into a catalogue text is escaped for Markdown (i18n.t); the button shows it as it reads
    escaped = t("notice.bad_lang", "en", value="*x*")
    assert (
        "\\*" in escaped
        and clipboard.payload("", escaped, "")["label"] == "Language '*x*' is not available; showing Swedish."
    )

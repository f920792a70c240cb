"""Text from outside shown as text: values escaped for Streamlit's Markdown, and read back as plain text.

Nearly every Streamlit element renders its text as Markdown (titles, captions, notices, metric and
widget labels, radio options, expanders), and Markdown can load a remote image (`![x](http://…)`),
show a link (`[Full data](http://…)`, or a bare `http://…`, `www.…` or address), draw an icon
(`:material/lock:`), colour, emphasis, headings and lists. A value that did not come from the texts
catalogue (a URL parameter, an imported `source` or `round_id`, a file name, an account, a field of a
data file) must show as the characters it holds. So `i18n.t` escapes every value it fills into a text,
and a page escapes any other outside text with `escape` before it reaches Markdown.

`escape` works on two levels, since Streamlit's Markdown finds some patterns before and some after
backslash escapes are resolved (both seen in chromium, tests/test_text_is_text_browser.py):
- the syntax: every character that can open Markdown syntax gets a backslash (CommonMark shows
  a backslash-escaped punctuation character as itself), line breaks become spaces (a blank line
  would end the paragraph), and a leading list, heading or quote marker is escaped;
- the text: GFM's literal autolinks (http://, https://, www., an address with @), Streamlit's
  icons (:material/name:) and emoji (:smile:) are matched in the text after escapes, so a WORD
  JOINER (U+2060, not shown, no line break) goes between their characters.
Invisible characters that could disguise a value (bidirectional overrides, zero-width characters,
controls) are dropped.

`plain` reverses `escape` for the few places that take plain text (charts, chart images, a selectbox's
options, alt texts, downloads): the catalogue's texts hold no backslashes (tests/test_text.py checks),
so every backslash before punctuation and every word joiner came from `escape`.
"""

from __future__ import annotations

import re

WORD_JOINER = "\u2060"

_LINE_BREAKS = re.compile(r"[\t\n\v\f\r\u0085\u2028\u2029]+")
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_SYNTAX = re.compile(r"([\\`*_~\[\]<$]|&(?=#?\w+;)|:(?=[\w-]))")
_LEADING_MARKER = re.compile(r"^(?:[#>]|[-+](?=\s|$)|[-=]+ *$|\d+(?=[.)](?:\s|$)))")
_FOUND_IN_TEXT = re.compile(r"(?i)(?<=http)(?=:)|(?<=https)(?=:)|(?<=www)(?=\.)|(?=@)|(?<=:)(?=[\w-])")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_WEB_ADDRESS = re.compile(r"https?://[^\s<>\[\]()\\`\"']+")


class Markdown(str):
    """Text that is safe to render as Markdown: a catalogue text with its values escaped."""


def escape(value) -> Markdown:
    """`value` as Markdown that shows exactly its characters (a Markdown text is returned as it is)."""
    if isinstance(value, Markdown):
        return value
    text = _INVISIBLE.sub("", _LINE_BREAKS.sub(" ", str(value)))
    text = _SYNTAX.sub(r"\\\1", _FOUND_IN_TEXT.sub(WORD_JOINER, text))
    marker = _LEADING_MARKER.match(text)
    if marker:  # at the start of a line "- x" and "1. x" make lists, "---" a rule
        end = marker.end()
        text = text[:end] + "\\" + text[end:] if text[:1].isdigit() else "\\" + text
    return Markdown(text)


def join(separator: str, parts) -> Markdown:
    """Parts joined as Markdown: catalogue texts as they are, anything else escaped."""
    return Markdown(escape(separator).join(escape(part) for part in parts))


def link(address) -> Markdown:
    """A web address from a data file as a link, when it plainly is one (http or https, no spaces,
    brackets or quotes); anything else as text."""
    address = str(address).strip()
    return Markdown(f"<{address}>") if _WEB_ADDRESS.fullmatch(address) else escape(address)


def plain(text) -> str:
    """What a Markdown text shows, as plain text: the escapes of `escape` taken out."""
    return _ESCAPED.sub(r"\1", str(text)).replace(WORD_JOINER, "")

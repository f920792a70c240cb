"""The page as an HTML document: its title, `<html lang>`, link-preview tags, style sheet, and Streamlit's labels.

Streamlit serves one index.html, `<html lang="en">` titled "Streamlit", for every address, and has no way
for a script to write its head. So a script sets the language and the tags in the head on every run, for
browsers, screen readers and crawlers that run scripts. A chat or social site that previews a link reads
the served HTML alone: serve.py (slutaskjut/link_preview.py) writes the same tags into it.

style.css is the one style sheet of the dashboard, sent on every run. Streamlit's own controls that it
labels in English get the page's language here too (`streamlit_labels`).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import streamlit as st

from slutaskjut import markdown
from slutaskjut.i18n import t
from slutaskjut.schema import LANGUAGES

SITE_NAME = "Sluta skjut"
# The locale of each language, as og:locale names it.
LOCALES = {"sv": "sv_SE", "en": "en_GB"}
_STYLE = Path(__file__).with_name("style.css")
# JSON in a script: <, > and & escaped cannot end the script element, whatever the values hold.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})

_HEAD = """
document.documentElement.lang = head.lang;
for (const [attribute, name, content] of head.tags) {
  let tag = document.head.querySelector(`meta[${attribute}="${name}"]`);
  if (tag === null) {
    tag = document.createElement("meta");
    tag.setAttribute(attribute, name);
    document.head.appendChild(tag);
  }
  tag.setAttribute("content", content);
}
"""


# Streamlit labels a few of its own controls in English, and draws them again at will: each label is put
# in the page's language whenever the page changes. A label is found by any of its versions (Streamlit's,
# and the catalogue's in each language), so a change of language relabels too.
_RELABEL = """
window.slutaskjutLabels = labels;
if (!window.slutaskjutRelabel) {
  window.slutaskjutRelabel = () => {
    const { attributes, texts, suffixes } = window.slutaskjutLabels;
    for (const element of document.querySelectorAll("[aria-label]")) {
      const label = element.getAttribute("aria-label");
      let relabelled = attributes[label];
      for (const [ends, by] of Object.entries(suffixes)) {
        if (relabelled === undefined && label.endsWith(ends)) {
          relabelled = label.slice(0, -ends.length) + by;
        }
      }
      if (relabelled !== undefined && relabelled !== label) element.setAttribute("aria-label", relabelled);
    }
    for (const element of document.querySelectorAll('[data-testid="stSkipToContent"]')) {
      for (const node of element.childNodes) {
        const text = texts[node.nodeValue];
        if (node.nodeType === Node.TEXT_NODE && text !== undefined && text !== node.nodeValue) node.nodeValue = text;
      }
    }
  };
  let pending = false;
  new MutationObserver(() => {
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => { pending = false; window.slutaskjutRelabel(); });
    }
  }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"] });
}
window.slutaskjutRelabel();
"""
# Streamlit's English label of each control, by the key of its text in the catalogue.
_STREAMLIT_LABELS = {
    "sidebar": "Sidebar",
    "collapse_sidebar": "Collapse sidebar",
    "expand_sidebar": "Expand sidebar",
    "open": "Open",  # a select box's list
    "close": "Close",  # a dialog
}
_STREAMLIT_TEXTS = {"skip_to_content": "Skip to main content"}
# A range slider's two handles: "Years — start", "Years — end"
_STREAMLIT_SUFFIXES = {"range_start": " — start", "range_end": " — end"}


def streamlit_labels(lang: str) -> dict[str, dict[str, str]]:
    """Every version of each of Streamlit's English labels, mapped to the catalogue's text in `lang`."""

    def versions(english: dict[str, str], shown=lambda text: text) -> dict[str, str]:
        return {
            version: shown(markdown.plain(t(f"streamlit.{key}", lang)))
            for key, streamlit in english.items()
            for version in (streamlit, *(shown(markdown.plain(t(f"streamlit.{key}", other))) for other in LANGUAGES))
        }

    return {
        "attributes": versions(_STREAMLIT_LABELS),
        "texts": versions(_STREAMLIT_TEXTS),
        "suffixes": versions(_STREAMLIT_SUFFIXES, lambda text: f" — {text}"),
    }


def script_values(**values) -> str:
    """JavaScript constants holding `values`, safe inside a <script> element."""
    return "".join(f"const {name} = {json.dumps(value).translate(_SCRIPT_SAFE)};\n" for name, value in values.items())


def run_script(body: str, **values) -> None:
    """Run `body` in the page with `values` as constants. In the sidebar, where style.css hides its element.

    Streamlit runs the script again whenever it changes. In a block of its own, so that the next run's
    constants are new ones: a script's top-level `const` would be declared once for the whole page.
    """
    st.sidebar.html(f"<script>{{\n{script_values(**values)}{body}}}</script>", unsafe_allow_javascript=True)


def head_tags(key: str, lang: str) -> list[tuple[str, str, str]]:
    """The link-preview tags of page `key` in `lang`: (attribute, its value, content)."""
    title = page_title(key, lang)
    description = markdown.plain(t(f"meta.{key}", lang))
    other = [LOCALES[language] for language in LANGUAGES if language != lang]
    return [
        ("name", "description", description),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:site_name", markdown.plain(t("app.name", lang))),
        ("property", "og:type", "website"),
        ("property", "og:locale", LOCALES[lang]),
        *(("property", "og:locale:alternate", locale) for locale in other),
    ]


def page_title(key: str, lang: str, title_key: str | None = None) -> str:
    """The title in the browser's tab: the page's name (or the text `title_key`) and the site's."""
    return f"{markdown.plain(t(title_key or f'nav.{key}', lang))} · {SITE_NAME}"


@functools.cache
def _style() -> str:
    return _STYLE.read_text()


def set_up(key: str, lang: str, title_key: str | None = None) -> None:
    """The page's title, language, link-preview tags and style, first thing in a run.

    `title_key` replaces the page's name in the title (the partner page's sign-in prompt).
    `lang` is one of LANGUAGES, never the raw URL value.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"not a language of the dashboard: {lang!r}")
    st.set_page_config(page_title=page_title(key, lang, title_key), layout="wide")
    st.html(f"<style>{_style()}</style>")
    run_script(_HEAD, head={"lang": lang, "tags": head_tags(key, lang)})
    run_script(_RELABEL, labels=streamlit_labels(lang))

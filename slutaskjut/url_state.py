"""The view in the URL, the only source of truth: read it, write it back when a widget changes, and link to it.

`?lang=en&from=2017&to=2020&scale=rate_per_100k`. Widgets are set from the URL on every run and
write it back when changed, so a copied link reproduces the view on any page. view.py parses the
language and years; a page's own choices (`choice`) are kept here the same way.
"""

from __future__ import annotations

import urllib.parse

import streamlit as st

from slutaskjut import markdown
from slutaskjut.i18n import DEFAULT_LANGUAGE, t
from slutaskjut.schema import LANGUAGES
from slutaskjut.view import Notice, View, YearBounds, echoed, parse_view


def language() -> str:
    """The URL's language, or the default for a missing or unknown one (parse_view says why, once the
    data's years are known)."""
    lang = st.query_params.get("lang", DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def read_view(bounds: YearBounds) -> tuple[View, list[Notice]]:
    """The view the URL asks for, checked against the data's years, and set in the sidebar's widgets.

    An odd value falls back to its default with a notice, and the URL is corrected to the view shown.
    """
    view, notices = parse_view(st.query_params.to_dict(), bounds)
    if notices:
        st.query_params.update(view.as_params())
    st.session_state["lang"] = view.lang
    st.session_state["years"] = (view.year_from, view.year_to)
    return view, notices


def write_view() -> None:
    """The sidebar's language and years, into the URL (a widget's on_change)."""
    year_from, year_to = st.session_state["years"]
    # update, not replace: a page's own choices (?scale=...) stay in the link
    st.query_params.update(View(st.session_state["lang"], year_from, year_to).as_params())


def write_language() -> None:
    """The sidebar's language, into the URL, on a page without years (the sign-in prompt)."""
    st.query_params["lang"] = st.session_state["lang"]


def _write_choice(key: str) -> None:
    st.query_params[key] = st.session_state[key]


def choice(key: str, options: list[str], label: str, lang: str, format_func=str, widget=st.radio) -> str:
    """A choice kept in the URL (?key=value) like the years, so a copied link keeps it.

    An unknown value in the URL falls back to the first option with a notice. A selectbox shows
    its options as plain text (a radio button renders them as Markdown).
    """
    value = st.query_params.get(key, options[0])
    if value not in options:
        st.info(t("notice.bad_choice", lang, param=key, value=echoed(value), default=options[0]))
        value = options[0]
        st.query_params[key] = value
    st.session_state[key] = value
    shown = format_func if widget is st.radio else lambda option: markdown.plain(format_func(option))
    extra = {"horizontal": True} if widget is st.radio else {}
    return widget(label, options, key=key, format_func=shown, on_change=_write_choice, args=(key,), **extra)


def address(view: View | None) -> str | None:
    """The full address of this page with its view, as the reader's browser reaches it (behind a proxy too),
    or None when no browser has said (a run without one).

    The URL's parameters as they are now (a page's choices), and the language and years of `view` whatever
    the URL says: a link without years would show other years once a year is added to the data.
    """
    page_address = st.context.url  # the browser's address of this page, without its query
    if not page_address:
        return None
    parts = urllib.parse.urlsplit(page_address)
    query = urllib.parse.urlencode(st.query_params.to_dict() | (view.as_params() if view else {}))
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))

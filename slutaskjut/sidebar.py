"""The sidebar every page shares: language, years, a link to this view, the pages, and partner sign-in.

The frame draws the navigation (client.showSidebarNavigation is off), so the labels follow the
language and every link keeps the view.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from slutaskjut import clipboard, gate, url_state
from slutaskjut.i18n import t
from slutaskjut.partners import Access
from slutaskjut.schema import LANGUAGES
from slutaskjut.view import View, YearBounds

PAGES = {
    "overview": "app.py",
    "trends": "pages/trends.py",
    "benchmarks": "pages/benchmarks.py",
    "outreach": "pages/outreach.py",
    "map": "pages/map.py",
    "press": "pages/press.py",
    "about": "pages/about.py",
}
# Shown in the navigation, and served, only to signed-in partners (page(..., partner=True)). Its name is
# public, as the sign-in button is; its sections (?section=) are drawn only for a partner.
PARTNER_PAGE = "pages/partner.py"
PARTNER_KEY = Path(PARTNER_PAGE).stem
PARTNER_SECTIONS = ["outreach", "reconciliation", "imports"]
_LANGUAGE_NAMES = {"sv": "Svenska", "en": "English"}


def script_of(key: str) -> str:
    """The script of a page by its key."""
    return PARTNER_PAGE if key == PARTNER_KEY else PAGES[key]


def sidebar(lang: str, link_params: dict, access: Access, user: dict, bounds: YearBounds | None) -> DeltaGenerator:
    """Language, years (when the page has data), the pages, and sign-in or sign-out for partners.

    Returns the place for the link to this view, under the years: the page fills it once its choices
    are in the URL (`share_link`). Partner pages are listed only to a signed-in partner; without
    sign-in configured, nothing here mentions partners.
    """
    with st.sidebar:
        st.markdown(f"### {t('app.name', lang)}")
        st.radio(
            t("sidebar.language", lang),
            LANGUAGES,
            key="lang",
            format_func=_LANGUAGE_NAMES.get,
            horizontal=True,
            on_change=url_state.write_view if bounds else url_state.write_language,
        )
        if bounds:
            st.slider(t("sidebar.years", lang), bounds.first, bounds.last, key="years", on_change=url_state.write_view)
        share = st.empty()
        st.markdown(f"**{t('sidebar.pages', lang)}**")
        for page_key, script in PAGES.items():
            st.page_link(script, label=t(f"nav.{page_key}", lang), query_params=link_params)
        if access is Access.PARTNER:
            st.page_link(PARTNER_PAGE, label=t("nav.partner", lang), query_params=link_params, icon=":material/lock:")
        if access is not Access.NO_SIGN_IN:
            st.divider()
            if access is Access.SIGNED_OUT:
                gate.sign_in_button(lang, "partner_sign_in")
            else:
                key = "partner.signed_in" if access is Access.PARTNER else "partner.signed_in_refused"
                st.caption(t(key, lang, account=gate.account(user)))
                gate.sign_out_button(lang, "partner_sign_out")
    return share


def share_link(place: DeltaGenerator, lang: str, view: View | None) -> None:
    """The "copy link to this view" button: the page's full address with its view (url_state.address).

    Left out in a run no browser asked for (st.context.url is unknown then).
    """
    address = url_state.address(view)
    if address is None:
        return
    with place:
        clipboard.copy_button(
            address, t("clipboard.copy_link", lang), "copy_link", done_label=t("clipboard.link_copied", lang)
        )

"""The frame in chromium: the head's tags, the link to this view, keyboard focus, and Streamlit's own English.

`streamlit run app.py` and Debian's chromium, as in tests/browser.py; skipped without chromium, except in CI.
"""

from __future__ import annotations

import re
import urllib.parse

import pytest
from browser import dashboard_server, new_visitor, require_chromium
from playwright.sync_api import Page, expect

from slutaskjut import markdown
from slutaskjut.i18n import t

require_chromium()

VIEW = {"lang": "sv", "from": "2017", "to": "2020", "measure": "explosions", "scale": "rate_per_100k"}


@pytest.fixture(scope="module")
def dashboard(database_path, tmp_path_factory):
    with dashboard_server(database_path, tmp_path_factory.mktemp("frame_dashboard")) as url:
        yield url


def open_page(page: Page, url: str, heading: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    expect(page.locator("[data-testid=stApp][data-test-script-state=notRunning]")).to_be_attached()


def meta(page: Page, attribute: str, name: str):
    return page.locator(f"head meta[{attribute}='{name}']")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_head_has_the_language_and_link_preview_tags_of_the_page(dashboard, browser, lang):
    with new_visitor(browser) as page:
        open_page(page, f"{dashboard}/trends?lang={lang}", t("trends.title", lang))
        description = markdown.plain(t("meta.trends", lang))
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page).to_have_title(f"{t('nav.trends', lang)} · Sluta skjut")
        expect(meta(page, "name", "description")).to_have_attribute("content", description)
        expect(meta(page, "property", "og:description")).to_have_attribute("content", description)
        expect(meta(page, "property", "og:title")).to_have_attribute(
            "content", f"{t('nav.trends', lang)} · Sluta skjut"
        )
        expect(meta(page, "property", "og:locale")).to_have_attribute("content", {"sv": "sv_SE", "en": "en_GB"}[lang])
        # another page, reached by its link in the sidebar: its own tags
        page.get_by_test_id("stSidebar").get_by_role("link", name=t("nav.about", lang)).click()
        expect(page.get_by_role("heading", level=1, name=t("about.title", lang))).to_be_visible()
        expect(meta(page, "name", "description")).to_have_attribute("content", markdown.plain(t("meta.about", lang)))
        expect(meta(page, "name", "description")).to_have_count(1)


def test_the_copy_link_button_copies_this_view_by_keyboard(dashboard, browser):
    with new_visitor(browser, permissions=["clipboard-read", "clipboard-write"]) as page:
        open_page(page, f"{dashboard}/benchmarks?{urllib.parse.urlencode(VIEW)}", t("benchmarks.title", "sv"))
        button = page.get_by_test_id("stSidebar").get_by_role("button", name=t("clipboard.copy_link", "sv"))
        button.focus()
        expect(button).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.get_by_role("button", name=t("clipboard.link_copied", "sv"))).to_be_visible()
        expect(page.get_by_role("status")).to_have_text(t("clipboard.link_copied", "sv"))
        copied = urllib.parse.urlsplit(page.evaluate("navigator.clipboard.readText()"))
        assert f"{copied.scheme}://{copied.netloc}{copied.path}" == f"{dashboard}/benchmarks"
        assert dict(urllib.parse.parse_qsl(copied.query)) == VIEW
        # the link opens the same view for someone else
        with new_visitor(browser) as other:
            open_page(other, urllib.parse.urlunsplit(copied), t("benchmarks.title", "sv"))
            expect(other.get_by_role("combobox", name=t("benchmarks.measure", "sv"))).to_have_value(
                t("measure.explosions", "sv")
            )
            expect(other.get_by_role("radio", name=t("benchmarks.scale_rate_per_100k", "sv"))).to_be_checked()


def test_keyboard_focus_is_a_ring_unlike_the_current_page_mark(dashboard, browser):
    with new_visitor(browser) as page:
        open_page(page, f"{dashboard}/trends?lang=sv", t("trends.title", "sv"))
        sidebar = page.get_by_test_id("stSidebar")
        # by name: while the sidebar is drawn, the first link in it is not always the first page's
        current = sidebar.get_by_role("link", name=t("nav.trends", "sv"), exact=True)
        other = sidebar.get_by_role("link", name=t("nav.overview", "sv"), exact=True)
        expect(current).to_have_css("outline-style", "none")
        other.focus()
        page.keyboard.press("Tab")
        page.keyboard.press("Shift+Tab")  # focus from the keyboard, as :focus-visible asks
        expect(other).to_be_focused()
        expect(other).to_have_css("outline-style", "solid")
        assert other.evaluate("e => parseFloat(getComputedStyle(e).outlineWidth)") >= 2
        expect(current).to_have_css("outline-style", "none")  # the current page has no ring


def test_streamlit_speaks_the_page_language_or_is_hidden(dashboard, browser):
    with new_visitor(browser, viewport={"width": 390, "height": 844}) as page:
        open_page(page, f"{dashboard}/trends?lang=sv&from=2017&to=2020", t("trends.title", "sv"))
        expect(page.get_by_test_id("stExpandSidebarButton")).to_have_attribute(
            "aria-label", t("streamlit.expand_sidebar", "sv")
        )
        expect(page.get_by_test_id("stSkipToContent")).to_have_text(t("streamlit.skip_to_content", "sv"))
        # the toolbars and menu Streamlit and plotly would add, in English, are not there to see or reach
        for test_id in ("stElementToolbar", "stMainMenu", "stHeaderActionElements"):
            for element in page.get_by_test_id(test_id).all():
                expect(element).to_be_hidden()
        expect(page.locator(".modebar")).to_have_count(0)
        page.get_by_test_id("stExpandSidebarButton").click()
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar).to_have_attribute("aria-label", t("streamlit.sidebar", "sv"))
        start = f"{t('sidebar.years', 'sv')} — {t('streamlit.range_start', 'sv')}"
        expect(sidebar.get_by_role("slider", name=start)).to_have_value("2017")
        # after a change of language, the labels follow
        sidebar.get_by_text("English").click()
        expect(page.get_by_role("heading", level=1, name=t("trends.title", "en"))).to_be_visible()
        expect(sidebar.get_by_role("slider", name=re.compile(r"Years — start"))).to_have_value("2017")

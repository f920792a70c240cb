"""The public pages in a real browser: `streamlit run app.py` on the shipped data, in Debian's chromium.

Every public page (frame.PAGES) is visited once in each language, in a desktop's window of 1280×900 and then,
narrowed, in a phone's of 390×844 (where Streamlit folds the sidebar away), and what the visit saw is checked by
the tests below, one thing each, so that a failing test names the page, language, width and what is wrong:
- the page shows its title, its charts drawn, its tables and, on the map, its cells, with a figure from data/;
- `<html lang>` is the page's language, and the link-preview tags (description, og:title) are there in it;
- axe-core finds no accessibility problem of any impact (everything it found goes to test-output/axe/);
- a Swedish page has no English word from a list (ENGLISH) in its text, its charts, its tables' cells, its
  accessible names and tooltips, except in the names, titles and quotations of sources as published; no page
  shows an internal id (a source or round id, a map cell's id, a file name, a snake_case name); a Swedish
  page writes no decimal point;
- the page does not scroll sideways; a table's key columns (pinned, else the first two) and, on a phone, its
  first figure are seen without scrolling the table sideways; no text is cut off, by an ellipsis or at a table
  column's edge; charts have no titles cut off, no texts over each other and no empty panel; on the trends
  page the milestones stand at their dates on a time axis; a change in a table has its sign ("+3", "−12 %");
- Streamlit's and plotly's own toolbars (in English, without the sources) are not offered;
- every page has the "copy link to this view" button, and it copies the page's address with its view;
- keyboard focus on a page link and on a button is drawn as an outline or ring, unlike the current page's mark.
A full-page screenshot of every visit goes to test-output/screenshots/<page>-<lang>-<width>.png, and the first
screen of two to test-output/screenshots/readme/ (README_PICTURES: the README's pictures, copied to docs/ after a
change of the pages' look: `cp test-output/screenshots/readme/*.png docs/`).

Then the overview, press and map pages' own promises (the latest year, the last update and the comparison;
sentences newest first with their sources, copy buttons and a citation; Malmö's border under the cells, named
by district), the year slider writing the URL and the copied link showing the view again, downloads (a chart's
image in landscape, its milestones named), and links to every page on a freshly started server.

A table's content is read from the grid Streamlit draws on a canvas, every row and column of it, and a map's
from its deck (tests/page_facts.js).

One server (the session database, built from data/ with its synthetic demonstration extracts) and one
browser serve the module, and a second server, started fresh, the links; each visitor is a browser
context of its own. axe-core comes from the npm registry in the version tests/axe/package-lock.json pins:
`npm ci --prefix tests/axe` installs it (`make test` does). Without chromium or axe-core the tests skip,
except in CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import time
import urllib.parse
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import openpyxl
import pandas as pd
import pytest
import shipped
from browser import TIMEOUT_MS, dashboard_server, new_visitor, require, require_chromium
from PIL import Image
from playwright.sync_api import Browser, Error, Locator, Page, expect

from slutaskjut import fmt, markdown, privacy
from slutaskjut.frame import PAGES
from slutaskjut.i18n import t
from slutaskjut.maps import GRID
from slutaskjut.paths import ROOT
from slutaskjut.queries import run_query
from slutaskjut.schema import LANGUAGES, MEASURES

require_chromium()

AXE = ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PAGE_FACTS = ROOT / "tests" / "page_facts.js"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
README_SCREENSHOTS = SCREENSHOTS / "readme"
AXE_REPORTS = ROOT / "test-output" / "axe"
DESKTOP, PHONE = 1280, 390
WIDTHS = (DESKTOP, PHONE)
HEIGHTS = {DESKTOP: 900, PHONE: 844}
# The README's pictures (copied to docs/): the first screen of the Swedish overview on a desktop, of the trends
# on a phone.
README_PICTURES = {
    ("overview", "sv", DESKTOP): "screenshot-desktop.png",
    ("trends", "sv", PHONE): "screenshot-phone.png",
}
VIEWPORT = {"width": DESKTOP, "height": HEIGHTS[DESKTOP]}  # of the tests of one thing
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# Rows of the tables a page shows: what a screen reader reads, the text of the canvas Streamlit draws.
TABLE_ROWS = "table => [...table.querySelectorAll('tr')].map(row => [...row.children].map(cell => cell.textContent))"
SCROLL_HEIGHT = """() => Math.max(
    ...['stMain', 'stSidebarContent'].map(id => document.querySelector(`[data-testid=${id}]`)?.scrollHeight ?? 0)
)"""


# The years a page shows without years in its link, and a figure of each kind the pages show, read from data/.
FIRST, LAST = shipped.default_years()
SPAN = f"{FIRST}-{LAST}"
YEARS = fmt.year_range(FIRST, LAST)
SHOOTINGS = {year: fmt.count(shipped.headline(year, "shootings"), "sv") for year in (FIRST, FIRST + 1, LAST)}
EXPLOSIONS_FIRST = {  # the press page's sentence, in each language
    lang: markdown.plain(
        t("sentence.yearly_explosions", lang, year=FIRST, count=fmt.count(shipped.headline(FIRST, "explosions"), lang))
    )
    for lang in LANGUAGES
}
EXPLOSIONS_UPDATED = shipped.last_updated("explosions")


@dataclass(frozen=True)
class Shows:
    """What a page shows for the default years of the shipped data (data/)."""

    charts: int = 0  # plotly charts, at least
    tables: int = 0  # tables, at least, those under the charts included
    row: dict[str, list[str]] = field(default_factory=dict)  # by language: the first cells of a row of a table
    metric: dict[str, tuple[str, str]] = field(default_factory=dict)  # by language: a metric's label and value
    map: bool = False  # the deck.gl map of the incident extract's cells


SHOWS = {
    # data/malmo_yearly.csv: the shootings of the last year; a small trend chart of each measure
    "overview": Shows(
        charts=len(MEASURES),
        metric={
            lang: (t("overview.metric_label", lang, measure=t("measure.shootings", lang), year=LAST), SHOOTINGS[LAST])
            for lang in LANGUAGES
        },
    ),
    # the yearly chart and the extract's by month; the shootings of the second year beside the first's
    "trends": Shows(
        charts=2,
        tables=4,
        row={
            lang: [str(FIRST + 1), t("measure.shootings", lang), SHOOTINGS[FIRST + 1], SHOOTINGS[FIRST]]
            for lang in LANGUAGES
        },
    ),
    # data/us_results.csv
    "benchmarks": Shows(charts=1, tables=1, row={"sv": ["Boston", "−63,0\xa0%"], "en": ["Boston", "−63.0%"]}),
    # the two published rounds and a round of the contact extract; data/outreach_figures.csv
    "outreach": Shows(
        charts=3,
        tables=5,
        row={"sv": ["Genomförda call-ins", "3", "möten"], "en": ["Call-ins held", "3", "meetings"]},
    ),
    # the cells and the districts; the busiest district of data/extracts/incidents_synthetic.csv, as the query
    # counts it (busiest_district)
    "map": Shows(tables=2, map=True),
    # the key figures, the figure first: the explosions of the first year
    "press": Shows(
        tables=1,
        row={
            lang: [fmt.count(shipped.headline(FIRST, "explosions"), lang), EXPLOSIONS_FIRST[lang]] for lang in LANGUAGES
        },
    ),
    # when each figure was last updated, and the data dictionary
    "about": Shows(
        tables=2,
        row={
            lang: [t("measure.explosions", lang), *(fmt.date(date, lang) for date in EXPLOSIONS_UPDATED)]
            for lang in LANGUAGES
        },
    ),
}


# --- What a Swedish page must not say, and what no page may show --------------------------------------------

# Common English words and phrases that are not also Swedish words (so not "in", "is", "by", "per", "data",
# "under", "status", "total", "person"), matched whole and in any case. Loanwords the Swedish texts use on
# purpose ("call-in", "custom notifications") are left out.
ENGLISH = """
    the and of to with not this that these those which who what where when there their they them our you
    are was were been has have had will would could should also only each every after before between about
    since until than into onto percent an at on for its

    year years month months week shooting shootings explosion explosions dead injured killed people police city
    cities country source sources published unpublished stated figure figures chart table page web
    release report reports study evaluation homicide homicides victims youth gun violence change
    changes fewer more less provisional part-year whole first last latest new updated accessed retrieved
    round rounds contact contacts outreach overview trends benchmarks english swedish
    download downloads search fullscreen show hide columns column copy copied link main menu skip content heading
    expand collapse sidebar gives given shows see note notes sign
""".split()
ENGLISH_PHRASES = ["press release", "web page", "not stated", "not published", "per cent", "at least", "up to"]
ENGLISH_PATTERN = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(word) for word in [*ENGLISH_PHRASES, *dict.fromkeys(ENGLISH)]) + r")(?![\w-])",
    re.IGNORECASE,
)
# Web addresses and host names: their words and slashes are the address's, not the page's text.
ADDRESS = re.compile(r"https?://\S+|\bwww\.\S+|\b[\w.-]+\.(?:se|com|org|gov|net|nu|today|no|edu)\b(?:/\S*)?")
# A Swedish time of day is written with a point: "kl. 16.08".
CLOCK = re.compile(r"\bkl\.\s*\d{1,2}\.\d{2}\b")
SNAKE_CASE = re.compile(r"(?<![\w-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w-])")
FILE_NAME = re.compile(r"(?<![\w-])[\w-]+\.(?:py|csv|toml|sql|json|duckdb|yaml|yml|js|md|txt|parquet)\b")
# A path: a word, a slash and more; flagged when it ends in a file name, has two slashes or starts in the repository.
PATH = re.compile(r"(?<![\w./:-])\.{0,2}/?[A-Za-z_][\w.-]*(?:/[\w.-]+)+")
REPOSITORY_FOLDERS = {"data", "slutaskjut", "queries", "pages", "tests", "static", "app", "docs", "bench", ".streamlit"}
DECIMAL_POINT = re.compile(r"(?<![\w.,/-])\d+\.\d+(?![\w.,/-])")


def published_names() -> tuple[list[str], dict[str, str]]:
    """Names and titles as their authors published them, in whatever language they did (longest first, so that a
    name inside a longer one goes with it): the sources' publishers and titles (data/sources.csv), the US cities,
    programmes and studies (data/us_programmes.csv, us_results.csv), and what the notes quote from the sources
    (quotations). A title of one or two words ("Shootings", a data set's) is a name only beside its publisher:
    those are returned apart, with their publishers."""
    tables = shipped.tables()
    columns = {
        "sources": ("publisher",),
        "us_programmes": ("city", "programme"),
        "us_results": ("city", "programme", "study"),
    }
    names = {
        str(value).strip()
        for table, names in columns.items()
        for column in names
        if column in tables[table].columns
        for value in tables[table][column].dropna()
    }
    names |= quotations(tables)
    short_titles = {}
    for title, publisher in tables["sources"][["title", "publisher"]].dropna().itertuples(index=False):
        if len(title.split()) >= 3:
            names.add(title.strip())
        else:
            short_titles[title.strip()] = publisher.strip()
    return sorted((name for name in names if name), key=len, reverse=True), short_titles


QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”|”([^”]+)”|«([^»]+)»')


def quotations(tables: dict[str, pd.DataFrame]) -> set[str]:
    """Words quoted from a source as it wrote them: quoted alike in a row's Swedish and English texts (notes_sv
    and notes_en, and every such pair of columns of data/)."""
    quoted = set()
    for frame in tables.values():
        for swedish_column in [column for column in frame.columns if column.endswith("_sv")]:
            english_column = swedish_column.removesuffix("_sv") + "_en"
            if english_column not in frame.columns:
                continue
            pairs = frame[[swedish_column, english_column]].fillna("").astype(str)
            for swedish, english in pairs.itertuples(index=False):
                for match in QUOTED.finditer(swedish):
                    quote = next(group for group in match.groups() if group)
                    if quote in english:
                        quoted.add(quote)
    return quoted


PUBLISHED_NAMES, SHORT_TITLES = published_names()


def internal_ids() -> dict[str, str]:
    """The ids data/ gives rows, by kind: every source id and outreach round id."""
    tables = shipped.tables()
    ids = {value: "source id" for value in tables["sources"]["source_id"]}
    ids |= {value: "round id" for value in tables["outreach_rounds"]["round_id"]}
    return ids


INTERNAL_IDS = internal_ids()
INTERNAL_ID_PATTERN = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, INTERNAL_IDS)) + r")(?![\w-])")


def without_names(text: str, block: str) -> str:
    """The text without web addresses and without the names and titles of sources as published (a short title
    only where its `block`, the paragraph or row it is in, names its publisher)."""
    text = ADDRESS.sub(" ", text)
    names = [*PUBLISHED_NAMES, *(title for title, publisher in SHORT_TITLES.items() if publisher in block)]
    for name in names:
        if name in text:
            text = text.replace(name, " ")
    return text


def context(text: str, match: re.Match) -> str:
    start, end = max(match.start() - 40, 0), match.end() + 40
    return ("…" if start else "") + text[start:end].replace("\n", " ") + ("…" if end < len(text) else "")


def findings(chunks: list[tuple[str, str, str]], find) -> list[str]:
    """What `find(text, block)` (matches) finds in the texts of a page, once each, with where and around what."""
    found = {}
    for where, text, block in chunks:
        for kind, match, searched in find(text, block):
            found.setdefault(f"{kind} {match.group()!r} in {where}: {context(searched, match)}", None)
    return list(found)


def english_words(text: str, block: str):
    searched = without_names(text, block)
    return [("English", match, searched) for match in ENGLISH_PATTERN.finditer(searched)]


def ids_and_file_names(text: str, block: str):
    searched = without_names(text, block)
    found = [(INTERNAL_IDS[match.group()], match, searched) for match in INTERNAL_ID_PATTERN.finditer(searched)]
    found += [("snake_case name", match, searched) for match in SNAKE_CASE.finditer(searched)]
    found += [("file name", match, searched) for match in FILE_NAME.finditer(searched)]
    for match in PATH.finditer(searched):
        path = match.group().strip("./")
        if "." in path.rsplit("/", 1)[-1] or path.count("/") >= 2 or path.split("/")[0] in REPOSITORY_FOLDERS:
            found.append(("path", match, searched))
    return found


def decimal_points(text: str, block: str):
    searched = CLOCK.sub(" ", without_names(text, block))
    return [("decimal point", match, searched) for match in DECIMAL_POINT.finditer(searched)]


# --- One visit to each page, in each language, at each width --------------------------------------------------


@dataclass(repr=False)
class Visit:
    """What one visit to a page saw at one width (take_visits). `missing` is what the page failed to show, or None."""

    key: str
    lang: str
    width: int
    missing: str | None
    html_lang: str
    title: str
    meta: dict[str, str]
    texts: list[tuple[str, str, str]]  # where, text, block (pageFacts.texts)
    tables: list[dict]
    sideways: dict
    truncated: list[str]
    chart_problems: list[str]
    chart_layouts: list[dict]
    toolbars: dict
    deck: dict | None
    copy_link_buttons: int
    page_url: str
    copied: str | None  # what "copy link to this view" put on the clipboard, or why nothing
    focus: dict  # the looks of the focused page link and button, and of the current page's link
    screenshot: Path
    axe: list[dict]

    def __repr__(self) -> str:  # what a failing test's report shows of it
        return f"Visit({self.key}-{self.lang}-{self.width})"


@pytest.fixture(scope="module")
def dashboard(database_path, tmp_path_factory):
    """The base URL of the dashboard the module's visitors share."""
    with dashboard_server(database_path, tmp_path_factory.mktemp("dashboard")) as url:
        yield url


@pytest.fixture(scope="module")
def fresh_dashboard(database_path, tmp_path_factory):
    """Another dashboard, for the links only: no visitor has been there before them."""
    with dashboard_server(database_path, tmp_path_factory.mktemp("fresh_dashboard")) as url:
        yield url


@pytest.fixture
def visitor(browser):
    with new_visitor(browser, viewport=VIEWPORT) as page:
        yield page


@pytest.fixture(scope="module")
def visits(dashboard, browser, con):
    """visits(key, lang, width): what the module's one visit to that page in that language saw at that width."""
    seen: dict[tuple[str, str], dict[int, Visit] | str] = {}

    def visit(key: str, lang: str, width: int) -> Visit:
        if (key, lang) not in seen:
            try:
                seen[key, lang] = take_visits(browser, dashboard, con, key, lang)
            except (AssertionError, Error) as problem:  # once: every test of the page fails with it
                seen[key, lang] = f"the visit to {key} in {lang} failed: {problem}"
        if isinstance(seen[key, lang], str):
            pytest.fail(seen[key, lang], pytrace=False)
        return seen[key, lang][width]

    return visit


def path(key: str) -> str:
    """The page's address: the main script's is /, a page's in pages/ is its file's name."""
    return "" if key == "overview" else Path(PAGES[key]).stem


def wait_for_run(page: Page) -> None:
    """Wait until Streamlit has run the page's script to the end."""
    expect(page.locator("[data-testid=stApp][data-test-script-state=notRunning]")).to_be_attached()


def open_view(page: Page, url: str, key: str, lang: str) -> None:
    """Go to `url`, a page of the dashboard, and wait until the page `key` ran, titled in `lang`."""
    page.goto(url)
    wait_for_run(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(t(f"{key}.title", lang))
    expect(page).to_have_title(f"{t(f'nav.{key}', lang)} · Sluta skjut")
    page.add_script_tag(path=PAGE_FACTS)


def chart_title(page: Page, title: str) -> Locator:
    """A chart's title with this text, however plotly breaks it into lines."""
    words = r"\s*".join(map(re.escape, title.split()))
    return page.locator(".gtitle").filter(has_text=re.compile(f"^{words}$"))


def slider_years(page: Page) -> tuple[Locator, Locator]:
    """The year slider's two thumbs, start and end: range inputs, as a keyboard reaches them."""
    thumbs = page.get_by_test_id("stSidebar").get_by_test_id("stSlider").locator("input[type=range]")
    return thumbs.nth(0), thumbs.nth(1)


def expect_years(page: Page, year_from: int, year_to: int) -> None:
    start, end = slider_years(page)
    expect(start).to_have_value(str(year_from))
    expect(end).to_have_value(str(year_to))


def open_tables(page: Page) -> None:
    """Open every expander: the tables under the charts are drawn only then.

    All at once, in the page: a click of Playwright's waits for the page to settle after the one before,
    seconds on a page with many.
    """
    page.get_by_test_id("stExpander").locator("details:not([open]) > summary").evaluate_all(
        "summaries => summaries.forEach(s => s.click())"
    )


def expect_row(page: Page, cells: list[str]) -> None:
    """Wait until a table on the page has a row whose first cells are `cells` (anywhere in it, in view or not)."""
    try:
        page.wait_for_function(
            """cells => pageFacts.tables().some(table => (table.rows ?? []).some(
                row => cells.every((cell, n) => row[n] === cell)))""",
            arg=cells,
        )
    except Error:
        shown = [table.get("rows", [])[:4] for table in page.evaluate("pageFacts.tables()")]
        raise AssertionError(f"no table shows a row starting {cells}; the tables start {shown}") from None


def expect_map_drawn(page: Page) -> None:
    """Wait until the map shows its cells: orange (red well above blue) on a grey background."""
    deck = page.get_by_test_id("stDeckGlJsonChart")
    expect(deck.locator("canvas").first).to_be_visible()
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        pixels = np.asarray(Image.open(io.BytesIO(deck.screenshot())).convert("RGB"), dtype=int)
        orange = ((pixels[..., 0] - pixels[..., 2]) > 30).mean()
        if orange > 0.01:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the map shows no cells: {orange:.1%} of it is orange")
        page.wait_for_timeout(250)


def busiest_district(con, lang: str) -> list[str]:
    """The first row of the map's district table for the default years, the figure first: as the query counts it."""
    districts = run_query(
        con, "incidents_by_district", from_year=FIRST, to_year=LAST, kind="all", min_count=privacy.min_count()
    )
    return [fmt.count(districts["count"].iloc[0], lang), districts["district"].iloc[0]]


def expect_rendered(page: Page, key: str, lang: str) -> None:
    """The page `key` shows no error, and every chart, table, metric and map it should, drawn."""
    errors = page.locator("[data-testid=stException], [data-testid=stAlertContentError]").all_inner_texts()
    if errors:  # the page has run (open_view): no waiting for them to go
        raise AssertionError(f"the page shows an error: {errors[0][:800]}")
    shows = SHOWS[key]
    charts = page.get_by_test_id("stPlotlyChart")
    tables = page.get_by_test_id("stDataFrame")
    for elements, least in ((charts, shows.charts), (tables, shows.tables)):
        if least:
            expect(elements.nth(least - 1)).to_be_attached()
        else:
            expect(elements).to_have_count(0)
    for chart in charts.all():  # drawn: an SVG with a title and data
        expect(chart.locator(".main-svg").first).to_be_visible()
        expect(chart.locator(".gtitle").first).not_to_have_text("")
        expect(chart.locator("g.trace").first).to_be_attached()
    for table in tables.all():  # drawn: its header and a first row
        expect(table.locator("tr").nth(1)).to_be_attached()
    if shows.row:
        expect_row(page, shows.row[lang])
    if shows.metric:
        label, value = shows.metric[lang]
        expect(page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")).to_have_text(
            value
        )
    if shows.map:
        expect_map_drawn(page)
    else:
        expect(page.get_by_test_id("stDeckGlJsonChart")).to_have_count(0)


def screenshot(page: Page, name: str) -> Path:
    """A PNG of the whole page. The page itself does not scroll (its main section and sidebar do), so the
    window is first made as tall as the taller of them."""
    page.set_viewport_size({"width": page.viewport_size["width"], "height": page.evaluate(SCROLL_HEIGHT)})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    file = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=file, full_page=True)
    return file


def axe_violations(page: Page, name: str) -> list[dict]:
    """What axe-core finds on the page as it is (all of it in view: see screenshot), kept in test-output/axe/."""
    page.add_script_tag(path=AXE)
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    AXE_REPORTS.mkdir(parents=True, exist_ok=True)
    (AXE_REPORTS / f"{name}.json").write_text(json.dumps(violations, indent=1, ensure_ascii=False))
    return violations


def copy_link_label(lang: str) -> str:
    return markdown.plain(t("clipboard.copy_link", lang))


def copy_link(page: Page, lang: str) -> str:
    """Click "copy link to this view" and return what it put on the clipboard."""
    page.get_by_role("button", name=copy_link_label(lang)).click()
    page.wait_for_function("async () => (await navigator.clipboard.readText()) !== ''", timeout=5_000)
    return page.evaluate("navigator.clipboard.readText()")


def tab_to_page_link_and_button(page: Page, key: str, lang: str) -> dict:
    """Press Tab from the sidebar's first control until a link to another page and a button have had the focus, and
    return how each looked then, and how the current page's link looks without it."""
    sidebar = page.get_by_test_id("stSidebar")
    if not sidebar.get_by_test_id("stPageLink-NavLink").first.is_visible():  # a phone: the sidebar is folded away
        page.get_by_test_id("stExpandSidebarButton").click()
        expect(sidebar.get_by_test_id("stPageLink-NavLink").first).to_be_visible()
        page.wait_for_timeout(500)  # the sidebar slides in
    # From the first control of the sidebar, the language: Tab goes on from the element that has the focus.
    sidebar.get_by_role("radio").first.focus()
    current_label = markdown.plain(t(f"nav.{key}", lang))
    looks = {"current": page.evaluate("label => pageFacts.currentPageLink(label)", current_label)}
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("pageFacts.focusedLooks()")
        if focused and focused["kind"] in ("page link", "button") and focused["kind"] not in looks:
            if focused["kind"] != "page link" or focused["text"] != current_label:
                looks[focused["kind"]] = focused
        if "page link" in looks and "button" in looks:
            break
    return looks


def take_visits(browser: Browser, dashboard: str, con, key: str, lang: str) -> dict[int, Visit]:
    """Visit the page `key` in `lang` as a new visitor on a desktop, then narrow the window to a phone's, and note
    what the page shows at each width.

    Narrowing the window is as good as opening the page on a phone, and saves a run of the page: Streamlit folds
    the sidebar away and it and plotly lay the page out again, pixel for pixel as on a phone's first visit.
    """
    url = f"{dashboard}/{path(key)}?lang={lang}"
    seen = {}
    with new_visitor(browser, viewport=viewport(DESKTOP), permissions=["clipboard-read", "clipboard-write"]) as page:
        open_view(page, url, key, lang)
        open_tables(page)
        for width in WIDTHS:
            page.set_viewport_size(viewport(width))
            if width != DESKTOP:
                expect(page.get_by_test_id("stExpandSidebarButton")).to_be_visible()  # the sidebar folded away
            seen[width] = observe(page, con, key, lang, width)
    return seen


def viewport(width: int) -> dict[str, int]:
    return {"width": width, "height": HEIGHTS[width]}


def observe(page: Page, con, key: str, lang: str, width: int) -> Visit:
    """What the page shows at this width, and then the screenshot, axe-core's findings and the focus."""
    name = f"{key}-{lang}-{width}"
    missing = None
    try:
        expect_rendered(page, key, lang)
        if key == "map":
            expect_row(page, busiest_district(con, lang))
    except AssertionError as problem:
        missing = str(problem)
    if (key, lang, width) in README_PICTURES:  # the first screen
        README_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=README_SCREENSHOTS / README_PICTURES[key, lang, width])
    facts = page.evaluate(
        """label => ({
            htmlLang: document.documentElement.lang, title: document.title, meta: pageFacts.metaTags(),
            texts: pageFacts.texts(label), tables: pageFacts.tables(), sideways: pageFacts.sideways(),
            truncated: pageFacts.truncated(), chartProblems: pageFacts.chartProblems(),
            chartLayouts: pageFacts.chartLayouts(), deck: pageFacts.deck(),
        })""",
        markdown.plain(t("sidebar.language", lang)),
    )
    try:  # the button's label is written in once its component has run, again after a resize
        page.wait_for_function("label => pageFacts.buttons(label).length > 0", arg=copy_link_label(lang), timeout=5_000)
    except Error:
        pass
    copy_link_buttons = len(page.evaluate("label => pageFacts.buttons(label)", copy_link_label(lang)))
    toolbars, copied, page_url = {}, None, page.url
    if width == DESKTOP:
        # Streamlit shows a table's toolbar, plotly a chart's, when the pointer is over it.
        for test_id in ("stDataFrame", "stPlotlyChart"):
            if page.get_by_test_id(test_id).count():
                page.get_by_test_id(test_id).first.hover()
        toolbars = page.evaluate("pageFacts.toolbars()")
        page.mouse.move(0, 0)
        try:
            copied = copy_link(page, lang)
        except Error as problem:
            copied = f"nothing: {problem.message.splitlines()[0]}"
    file = screenshot(page, name)
    axe = axe_violations(page, name) if AXE.exists() else []
    page.set_viewport_size(viewport(width))
    focus = tab_to_page_link_and_button(page, key, lang)
    return Visit(
        key=key,
        lang=lang,
        width=width,
        missing=missing,
        html_lang=facts["htmlLang"],
        title=facts["title"],
        meta=facts["meta"],
        texts=[tuple(chunk) for chunk in facts["texts"]],
        tables=facts["tables"],
        sideways=facts["sideways"],
        truncated=facts["truncated"],
        chart_problems=facts["chartProblems"],
        chart_layouts=facts["chartLayouts"],
        toolbars=toolbars,
        deck=facts["deck"],
        copy_link_buttons=copy_link_buttons,
        page_url=page_url,
        copied=copied,
        focus=focus,
        screenshot=file,
        axe=axe,
    )


def views(langs=LANGUAGES, widths=WIDTHS, keys=PAGES):
    """The visits a test checks, as pytest parameters named page-lang-width."""
    return [
        pytest.param(key, lang, width, id=f"{key}-{lang}-{width}") for key in keys for lang in langs for width in widths
    ]


@pytest.mark.parametrize(("key", "lang", "width"), views())
def test_page_shows_its_figures(visits, key, lang, width):
    visit = visits(key, lang, width)
    assert visit.missing is None, visit.missing
    with Image.open(visit.screenshot) as image:
        assert image.height > HEIGHTS[width]  # the whole page, not the window


@pytest.mark.parametrize(("key", "lang", "width"), views(widths=[DESKTOP]))
def test_html_lang_is_the_pages_language(visits, key, lang, width):
    assert visits(key, lang, width).html_lang == lang, "a screen reader reads the page's language"


@pytest.mark.parametrize(("key", "lang", "width"), views(widths=[DESKTOP]))
def test_link_preview_tags_in_the_pages_language(visits, key, lang, width):
    visit = visits(key, lang, width)
    assert visit.meta.get("og:title") == visit.title
    assert visit.meta.get("description") == markdown.plain(t(f"meta.{key}", lang))


@pytest.mark.parametrize(("key", "lang", "width"), views())
def test_no_accessibility_violations(visits, key, lang, width):
    require(AXE.exists(), f"{AXE.relative_to(ROOT)} is missing", "npm ci --prefix tests/axe")
    found = [
        f"{violation['id']} ({violation['impact']}): {violation['help']}: "
        + "; ".join(f"{node['target']} {node['html'][:100]}" for node in violation["nodes"][:5])
        for violation in visits(key, lang, width).axe
    ]
    assert not found, "\n".join(found)


# The language of a page's texts does not change with the window's width: checked at the desktop's.
@pytest.mark.parametrize(("key", "lang", "width"), views(langs=["sv"], widths=[DESKTOP]))
def test_no_english_on_a_swedish_page(visits, key, lang, width):
    found = findings(visits(key, lang, width).texts, english_words)
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("key", "lang", "width"), views(widths=[DESKTOP]))
def test_no_internal_ids(visits, con, key, lang, width):
    visit = visits(key, lang, width)
    found = findings(visit.texts, ids_and_file_names)
    if key == "map":
        found += [f"map cell id {cell!r} in {where}" for where, cell in map_cell_ids(visit, con)]
    assert not found, "\n".join(found)


def map_cell_ids(visit: Visit, con) -> list[tuple[str, str]]:
    """Where the map page shows the id of one of its cells ("q,r"): a table cell or a tooltip line holding it."""
    cells = run_query(
        con, "incidents_by_cell", **GRID, from_year=FIRST, to_year=LAST, kind="all", min_count=privacy.min_count()
    )
    if "cell_id" not in cells.columns:
        return []
    ids = set(cells["cell_id"].dropna().astype(str))
    return [
        (where, part)
        for where, text, _ in visit.texts
        if where.startswith(("table", "map tooltip"))
        for part in re.split(r"[\n:;()]|\s{2,}", text)
        if part.strip() in ids
    ]


@pytest.mark.parametrize(("key", "lang", "width"), views(langs=["sv"], widths=[DESKTOP]))
def test_swedish_decimal_commas(visits, key, lang, width):
    found = findings(visits(key, lang, width).texts, decimal_points)
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("key", "lang", "width"), views())
def test_page_does_not_scroll_sideways(visits, key, lang, width):
    sideways = visits(key, lang, width).sideways
    document_width, window = sideways["document"]
    assert document_width <= window, f"the page is {document_width} px wide in a window {window} px wide"
    if sideways["main"]:
        main_width, seen = sideways["main"]
        assert main_width <= seen, f"the main section is {main_width} px wide, {seen} px of it seen"


QUALIFIER = re.compile(r"^(?:minst|omkring|at least|about)\s+")
FIGURE = re.compile(r"(?:minst |omkring |at least |about )?[+−-]?\d[\d\s\xa0\u202f]*(?:[.,]\d+)?\s?%?")
YEAR = re.compile(r"\d{4}")


def first_figure_column(table: dict) -> int | None:
    """The first column holding figures (at least half its filled cells a number or per cent, not a year)."""
    for column in range(len(table["headers"])):
        cells = [row[column].strip() for row in table["rows"] if row[column].strip()]
        if not cells or all(YEAR.fullmatch(cell) for cell in cells):
            continue
        if sum(bool(FIGURE.fullmatch(cell)) for cell in cells) >= len(cells) / 2:
            return column
    return None


def unseen_columns(table: dict, columns: int) -> str | None:
    """Why the first `columns` of a table are not all seen without scrolling it sideways, or None."""
    needed = table["rowMarkerWidth"] + sum(table["widths"][:columns])
    if needed <= table["seenWidth"]:
        return None
    return (
        f"table {table['index'] + 1} {table['headers'][:6]}: its first {columns} columns "
        f"{table['headers'][:columns]} are {needed} px wide, {table['seenWidth']} px are seen "
        f"(widths {table['widths']})"
    )


@pytest.mark.parametrize(("key", "lang", "width"), views())
def test_key_table_columns_are_seen_without_scrolling(visits, key, lang, width):
    """A table's key columns, those pinned, else its first two, fit the width it is seen in."""
    tables = visits(key, lang, width).tables
    assert not [table["error"] for table in tables if "error" in table]
    unseen = [unseen_columns(table, table["frozen"] or min(2, len(table["headers"]))) for table in tables]
    assert not any(unseen), "\n".join(filter(None, unseen))


@pytest.mark.parametrize(("key", "lang", "width"), views(widths=[PHONE]))
def test_tables_show_the_figure_first(visits, key, lang, width):
    """On a phone a table's first figure is seen without scrolling it sideways."""
    problems = []
    for table in visits(key, lang, width).tables:
        figure = first_figure_column(table)
        if figure is not None and (problem := unseen_columns(table, figure + 1)):
            problems.append(f"{problem}; the first figure is {table['headers'][figure]!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("key", "lang", "width"), views(widths=[DESKTOP]))
def test_a_change_has_its_sign(visits, key, lang, width):
    """Every change in a table has its sign: "+3", "−12,0 %", a rise too (a change column as columns.toml has it)."""
    from slutaskjut.columns import catalogue

    formats: dict[str, set[str]] = {}
    for meaning in catalogue().values():
        formats.setdefault(markdown.plain(meaning.label[lang]), set()).add(meaning.format)
    signed = {label for label, kinds in formats.items() if kinds <= {"signed_count", "signed_percent"}}
    unsigned = []
    for table in visits(key, lang, width).tables:
        for column, header in enumerate(table.get("headers", [])):
            if header not in signed:
                continue
            for row in table["rows"]:
                value = row[column].strip()
                number = re.search(r"\d[\d\s\xa0]*(?:[.,]\d+)?", value)
                zero = number and float(re.sub(r"[\s\xa0]", "", number.group()).replace(",", ".")) == 0
                if number and not zero and not QUALIFIER.sub("", value).startswith(("+", "−")):
                    unsigned.append(f"table {table['index'] + 1}, {header}: {value!r}")
    assert not unsigned, "\n".join(unsigned[:20])


@pytest.mark.parametrize(("key", "lang", "width"), views())
def test_no_text_is_cut_off(visits, key, lang, width):
    truncated = visits(key, lang, width).truncated
    assert not truncated, "texts cut off with an ellipsis:\n" + "\n".join(truncated)


@pytest.mark.parametrize(("key", "lang", "width"), views())
def test_table_cells_are_not_cut_off(visits, key, lang, width):
    """A table's column is as wide as its header and its longest cell: the grid cuts a longer text off."""
    cut = [
        f"table {table['index'] + 1} {table['headers'][:4]}: {len(table['cut'])} cut, " + "; ".join(table["cut"][:6])
        for table in visits(key, lang, width).tables
        if table.get("cut")
    ]
    assert not cut, "\n".join(cut)


@pytest.mark.parametrize(("key", "lang", "width"), views())
def test_charts_are_readable(visits, key, lang, width):
    problems = visits(key, lang, width).chart_problems
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("key", "lang", "width"), views(widths=[DESKTOP]))
def test_no_streamlit_or_plotly_toolbar(visits, key, lang, width):
    """Their buttons speak English, and their downloads lack the sources: the pages have their own."""
    toolbars = visits(key, lang, width).toolbars
    assert toolbars == {"tableToolbar": [], "modebar": []}


@pytest.mark.parametrize(("key", "lang", "width"), views())
def test_copy_link_to_this_view(visits, key, lang, width):
    visit = visits(key, lang, width)
    assert visit.copy_link_buttons == 1, f"{visit.copy_link_buttons} buttons {copy_link_label(lang)!r}"
    if width == DESKTOP:  # on a phone the button is in the folded sidebar
        assert same_view(visit.copied, visit.page_url), f"copied {visit.copied!r} on {visit.page_url}"


def same_view(copied: str | None, url: str, years: tuple[int, int] = (FIRST, LAST)) -> bool:
    """Whether the copied address is the page at `url` with its view: every parameter of `url`, and besides them
    only the `years` the page shows when its URL names none."""
    if not copied:
        return False
    a, b = urllib.parse.urlsplit(copied), urllib.parse.urlsplit(url)
    if (a.scheme, a.netloc, a.path or "/") != (b.scheme, b.netloc, b.path or "/"):
        return False
    given, shown = dict(urllib.parse.parse_qsl(a.query)), dict(urllib.parse.parse_qsl(b.query))
    defaults = {"from": str(years[0]), "to": str(years[1])}
    return all(given.get(name) == value for name, value in shown.items()) and all(
        value == shown.get(name, defaults.get(name)) for name, value in given.items()
    )


def visible_focus(looks: dict) -> bool:
    """An outline at least 2 px wide, or a ring drawn as a box shadow."""
    outline = (
        looks["outlineStyle"] != "none"
        and looks["outlineWidth"] >= 2
        and "rgba(0, 0, 0, 0)" not in looks["outlineColor"]
    )
    return outline or looks["boxShadow"] != "none"


def ring(looks: dict) -> tuple:
    return looks["outlineStyle"], looks["outlineWidth"], looks["outlineColor"], looks["boxShadow"]


@pytest.mark.parametrize(("key", "lang", "width"), views())
def test_keyboard_focus_is_visible_and_unlike_the_current_page(visits, key, lang, width):
    focus = visits(key, lang, width).focus
    assert focus["current"], "no link to the current page in the sidebar"
    for kind in ("page link", "button"):
        assert kind in focus, f"Tab never reached a {kind}: {focus}"
        assert visible_focus(focus[kind]), f"the focused {kind} has no outline or ring: {focus[kind]}"
    assert ring(focus["page link"]) != ring(focus["current"]), (
        f"the focused page link looks like the current page's: {focus['page link']} / {focus['current']}"
    )


# --- The overview, press and map pages' own promises ----------------------------------------------------------


def page_text(visit: Visit) -> str:
    return "\n".join(text for where, text, _ in visit.texts if where in ("text", "chart"))


def programme_start() -> dt.date:
    milestones = shipped.tables()["milestones"].set_index("milestone_id")
    return pd.Timestamp(milestones.loc["project_start", "date"]).date()


@pytest.mark.parametrize(("key", "lang", "width"), views(keys=["overview"]))
def test_overview_says_the_latest_year_when_updated_and_what_it_compares(visits, con, key, lang, width):
    visit = visits(key, lang, width)
    text = page_text(visit)
    latest = template("overview.latest_year", lang, year=r"\d{4}").search(text) or template(
        "overview.latest_years", lang, years=".+"
    ).search(text)
    assert latest and str(LAST) in latest.group(), f"the latest year with figures, {LAST}, is not said"
    updated = run_query(con, "figures_last_published")["source_published"].iloc[0]
    assert markdown.plain(t("overview.updated", lang, date=fmt.date(updated, lang))) in text
    # the last year before the programme against the latest, and a choice of the year compared with
    base_year = programme_start().year - 1
    headlines = [t("overview.headline", lang, year=LAST, base_year=base_year)]
    headlines.append(t("overview.headline_latest", lang, base_year=base_year))
    assert any(markdown.plain(headline) in text for headline in headlines), f"none of {headlines}"
    assert markdown.plain(t("overview.base_option_default", lang, year=base_year)) in text
    sparklines = [layout["title"] for layout in visit.chart_layouts]
    for measure in MEASURES:
        title = t("overview.sparkline_title", lang, measure=t(f"measure.{measure}", lang), years=YEARS)
        assert markdown.plain(title) in sparklines, f"no small chart {title!r}: {sparklines}"


def template(key: str, lang: str, **names: str) -> re.Pattern:
    """The text `key` as a pattern: each of `names` a group matching any text."""
    text = markdown.plain(t(key, lang, **{name: f"@{name}@" for name in names}))
    pattern = re.escape(text)
    for name, group in names.items():
        pattern = pattern.replace(re.escape(f"@{name}@"), f"(?P<{name}>{group})")
    return re.compile(pattern)


@pytest.mark.parametrize(("key", "lang", "width"), views(keys=["press"]))
def test_press_sentences_newest_first_with_source_copy_buttons_and_a_citation(visits, key, lang, width):
    visit = visits(key, lang, width)
    text = page_text(visit)
    labels = [text for where, text, _ in visit.texts if where == "text"]
    # each sentence with its source and date, newest first, and a button to copy it
    sources = template("press.sentence_source", lang, topic=".+?", source=".+", date=r"[^,\n]+$")
    dated = [match["date"] for line in text.splitlines() if (match := sources.search(line))]
    copy_label = markdown.plain(t("clipboard.copy", lang))
    copy_buttons = labels.count(copy_label)
    assert len(dated) >= 3, "sentences do not show their source and date"
    assert copy_buttons >= len(dated), f"{copy_buttons} copy buttons for {len(dated)} sentences"
    # newest first: the first sentence is of the latest year with figures
    buttons = (copy_label, markdown.plain(t("clipboard.copied", lang)))
    lines = [line for line in text.splitlines() if line not in buttons]
    first = next(lines[n - 1] for n, line in enumerate(lines) if sources.search(line))
    assert max(map(int, re.findall(r"\b(?:19|20)\d{2}\b", first)), default=0) >= LAST, f"first: {first!r}"
    # the dashboard's suggested citation, to copy
    assert markdown.plain(t("press.copy_citation", lang)) in labels
    name = re.escape(markdown.plain(t("app.name", lang)))
    citation = template("press.citation_no_url", lang, name=name, date=".+")  # the address is a link of its own
    assert citation.search(text), f"no citation like {citation.pattern!r} on the page"


def coordinates(value) -> list[tuple[float, float]]:
    """The [longitude, latitude] points in a layer's datum (a polygon, its rings, a path), however nested."""
    if isinstance(value, dict):
        return [
            point for name in ("polygon", "path", "position") if name in value for point in coordinates(value[name])
        ]
    if isinstance(value, list) and len(value) == 2 and all(isinstance(number, int | float) for number in value):
        return [(value[0], value[1])]
    if isinstance(value, list):
        return [point for item in value for point in coordinates(item)]
    return []


@pytest.mark.parametrize(("key", "lang", "width"), views(keys=["map"], widths=[DESKTOP]))
def test_the_map_draws_malmos_border_under_cells_named_by_district(visits, con, key, lang, width):
    deck = visits(key, lang, width).deck
    assert deck, "no map"
    ids = [layer["id"] for layer in deck["layers"]]
    assert "cells" in ids, f"no layer of cells: {ids}"
    cells = deck["layers"][ids.index("cells")]
    # the border: a layer of lines or areas drawn before (under) the cells, around every one of them
    under = [layer for layer in deck["layers"][: ids.index("cells")] if layer["@@type"] in BORDER_LAYERS]
    assert under, f"nothing drawn under the cells: {ids}"
    border = [point for datum in under[0]["data"] for point in coordinates(datum)]
    west, east = min(x for x, _ in border), max(x for x, _ in border)
    south, north = min(y for _, y in border), max(y for _, y in border)
    centres = [np.mean(coordinates(datum), axis=0) for datum in cells["data"]]
    outside = [(x, y) for x, y in centres if not (west <= x <= east and south <= y <= north)]
    assert centres and not outside, f"cells outside the border ({west}–{east}, {south}–{north}): {outside}"
    # each cell named by the district of its incidents (one or more), or said to have none named, never by its id
    districts = run_query(con, "incidents_by_district", from_year=0, to_year=9999, kind="all", min_count=1)
    names = set(districts["district"].dropna())
    none_named = template("map.cell_no_named_district", lang, min_count=r"\S+")
    first_lines = [str(datum.get("tooltip")).splitlines()[0] for datum in cells["data"]]
    unnamed = [line for line in first_lines if not (none_named.fullmatch(line) or any(name in line for name in names))]
    assert not unnamed, f"cells not named by their district: {unnamed}"


BORDER_LAYERS = ("PolygonLayer", "PathLayer", "GeoJsonLayer", "SolidPolygonLayer")


@pytest.mark.parametrize(("key", "lang", "width"), views(keys=["trends"], widths=[DESKTOP]))
def test_milestones_stand_at_their_date_on_a_time_axis(visits, key, lang, width):
    """The yearly chart's x axis is a time axis, and each milestone of the years shown is drawn at its date."""
    chart = visits(key, lang, width).chart_layouts[0]
    assert set(chart["xTypes"]) == {"date"}, f"x axes {chart['xTypes']}: not a time axis"
    milestones = shipped.tables()["milestones"]
    dates = [pd.Timestamp(date) for date in milestones["date"] if FIRST <= pd.Timestamp(date).year <= LAST]
    drawn = {
        pd.Timestamp(x).normalize()
        for item in [*chart["shapes"], *chart["annotations"]]
        for x in (item.get("x0"), item.get("x"))
        if isinstance(x, str) and re.match(r"\d{4}-\d{2}-\d{2}", x)
    }
    missing = [date.date().isoformat() for date in dates if date.normalize() not in drawn]
    assert not missing, (
        f"milestones not drawn at their dates: {missing}; drawn at {sorted(d.date().isoformat() for d in drawn)}"
    )


# --- The view in the URL, downloads, links ------------------------------------------------------------------


def test_the_years_chosen_are_in_the_url_and_the_url_shows_them_again(dashboard, browser):
    with new_visitor(browser, viewport=VIEWPORT, permissions=["clipboard-read", "clipboard-write"]) as page:
        open_view(page, f"{dashboard}/trends?lang=en", "trends", "en")
        expect_years(page, FIRST, LAST)
        changes = page.get_by_test_id("stDataFrame").filter(has_text="Year before")
        expect(changes.locator("tr").nth(1).locator("td").first).to_have_text(str(FIRST))

        start, end = slider_years(page)
        start.focus()
        start.press("ArrowRight")
        expect(page).to_have_url(re.compile(rf"[?&]from={FIRST + 1}(&|$)"))
        wait_for_run(page)
        end.focus()
        end.press("ArrowLeft")
        expect(page).to_have_url(re.compile(rf"[?&]to={LAST - 1}(&|$)"))
        wait_for_run(page)

        title = t("trends.chart_title", "en", years=fmt.year_range(FIRST + 1, LAST - 1))
        expect(chart_title(page, title)).to_be_visible()
        expect(changes.locator("tr").nth(1).locator("td").first).to_have_text(str(FIRST + 1))
        rows = changes.evaluate(TABLE_ROWS)
        assert "lang=en" in page.url
        url = copy_link(page, "en")  # the view as a reader shares it
        assert same_view(url, page.url), f"copied {url!r} on {page.url}"

    with new_visitor(browser, viewport=VIEWPORT) as again:
        open_view(again, url, "trends", "en")
        expect_years(again, FIRST + 1, LAST - 1)
        expect(chart_title(again, title)).to_be_visible()
        shown_again = again.get_by_test_id("stDataFrame").filter(has_text="Year before")
        expect(shown_again.locator("tr").nth(1).locator("td").first).to_have_text(str(FIRST + 1))
        assert shown_again.evaluate(TABLE_ROWS) == rows


def download(page: Page, key: str, folder: Path) -> Path:
    """Click the download button with the Streamlit key `key`, wait for the file and save it in `folder`
    under the name the page gives it."""
    with page.expect_download(timeout=2 * TIMEOUT_MS) as arrived:  # a chart image is rendered on the click
        page.locator(f".st-key-{key} button").click()
    file = folder / arrived.value.suggested_filename
    arrived.value.save_as(file)
    return file


def test_a_table_downloads_as_csv(dashboard, visitor, tmp_path):
    page = visitor
    open_view(page, f"{dashboard}/trends?lang=en", "trends", "en")
    file = download(page, "download_changes_by_year", tmp_path)
    assert file.name == "changes_by_year.csv"
    rows = list(csv.DictReader(io.StringIO(file.read_text(encoding="utf-8-sig"))))
    (row,) = [row for row in rows if row["Year"] == str(FIRST + 1) and row["Measure"] == "Shootings"]
    assert (row["Count"], row["Year before"]) == (SHOOTINGS[FIRST + 1], SHOOTINGS[FIRST])


def test_a_chart_downloads_as_png_and_svg(dashboard, visitor, tmp_path):
    page = visitor
    open_view(page, f"{dashboard}/trends?lang=sv", "trends", "sv")
    png = download(page, "download_malmo_by_year_png", tmp_path)
    assert png.name == "malmo_by_year.png"
    assert png.read_bytes().startswith(PNG_MAGIC)
    with Image.open(png) as image:
        assert image.format == "PNG"
        assert image.width > image.height  # landscape, for an article

    svg = download(page, "download_malmo_by_year_svg", tmp_path)
    assert svg.name == "malmo_by_year.svg"
    root = ElementTree.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [element.text for element in root.iter() if element.text]
    assert markdown.plain(t("trends.chart_title", "sv", years=YEARS)) in " ".join(texts)
    # the milestones named in the image, not only numbered (in lines broken where the image's width ends)
    milestones = shipped.tables()["milestones"]
    shown = milestones[pd.to_datetime(milestones["date"]).dt.year.between(FIRST, LAST)]
    words = " ".join(" ".join(texts).split())
    assert all(label in words for label in shown["label_sv"]), f"milestones {list(shown['label_sv'])} not in {words!r}"


def test_the_press_pack_and_the_workbook_download_and_open(dashboard, visitor, tmp_path):
    page = visitor
    open_view(page, f"{dashboard}/press?lang=sv", "press", "sv")
    pack = download(page, "download_press_pack", tmp_path)
    assert pack.name == f"sluta-skjut-press-{SPAN}.zip"
    with zipfile.ZipFile(pack) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        for name in (
            "README.md",
            "key-figures-sv.md",
            "key-figures-en.md",
            f"sluta-skjut-{SPAN}.xlsx",
            f"tables/yearly-{SPAN}.csv",
            f"tables/sources-{SPAN}.csv",
            "charts/malmo_by_year.png",
            "charts/us_results.png",
        ):
            assert name in names
        readme = archive.read("README.md").decode()
        assert readme.startswith(f"# {t('press_pack.title', 'sv', years=YEARS)}")
        for name in names:
            if name.endswith(".png"):
                with Image.open(io.BytesIO(archive.read(name))) as image:
                    assert image.format == "PNG"

    workbook = download(page, "download_workbook", tmp_path)
    assert workbook.name == f"sluta-skjut-{SPAN}.xlsx"
    sheet = openpyxl.load_workbook(workbook)[t("table_name.yearly", "sv")]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("År", "Mått", "Antal")
    assert (FIRST + 1, "Skjutningar", shipped.headline(FIRST + 1, "shootings")) in {row[:3] for row in rows}


# What a page shows of the years 2017–2020 of a link, where its text names them.
LINKED_YEARS = {
    "overview": t("overview.headline", "en", year=2020, base_year=2017),
    "trends": t("trends.chart_title", "en", years=fmt.year_range(2017, 2020)),
    "benchmarks": t("benchmarks.chart_title", "en", base_year=2017, year=2020),
    "map": t("map.chart_title", "en", kind=t("incident_kind_lower.all", "en"), years=fmt.year_range(2017, 2020)),
}


# The overview last: the very first request to the fresh server is then for a page in pages/.
@pytest.mark.parametrize("key", sorted(PAGES, key=lambda key: key == "overview"))
def test_a_link_with_years_opens_its_page_on_a_fresh_server(fresh_dashboard, browser, key):
    with new_visitor(browser, viewport=VIEWPORT) as page:
        url = f"{fresh_dashboard}/{path(key)}?lang=en&from=2017&to=2020"
        open_view(page, url, key, "en")
        assert page.url == url
        expect_years(page, 2017, 2020)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        if key in LINKED_YEARS:
            shown = page.get_by_text(LINKED_YEARS[key], exact=True).or_(chart_title(page, LINKED_YEARS[key]))
            expect(shown.first).to_be_visible()
        # the navigation keeps the link's view
        link = page.get_by_test_id("stSidebar").get_by_role("link", name=t(f"nav.{key}", "en"), exact=True)
        expect(link).to_have_attribute("href", re.compile(r"lang=en&from=2017&to=2020$"))

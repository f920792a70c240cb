"""The public pages in a real browser: `streamlit run app.py` on the shipped data, in Debian's chromium.

- every public page (frame.PAGES), in Swedish and in English, shows its title, its charts drawn, its
  tables (those under a chart opened) and, on the map, its cells drawn, with a figure from data/;
  a full-page screenshot of each goes to test-output/screenshots/, and axe-core finds no serious or
  critical accessibility problem in it (everything axe found goes to test-output/axe/);
- the year slider, moved with the keyboard, writes the years into the URL, and that URL shows the same
  view to a new visitor;
- downloads arrive and open: a table's CSV, a chart's PNG and SVG, the press pack's ZIP and the workbook;
- a link to any page with years in it works as the first visit to a freshly started server.

One server (the session database, built from data/ with its synthetic demonstration extracts) and one
browser serve the module, and a second server, started fresh, the links; each visitor is a browser
context of its own. axe-core comes from the npm registry in the version tests/axe/package-lock.json pins:
`npm ci --prefix tests/axe` installs it (`make test` does). Without chromium or axe-core the tests skip,
except in CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import openpyxl
import pytest
import shipped
from browser import TIMEOUT_MS, dashboard_server, new_visitor, require, require_chromium
from PIL import Image
from playwright.sync_api import Error, Locator, Page, expect

from slutaskjut import fmt, markdown, privacy
from slutaskjut.frame import PAGES
from slutaskjut.i18n import t
from slutaskjut.paths import ROOT
from slutaskjut.queries import run_query
from slutaskjut.schema import LANGUAGES

require_chromium()

AXE = ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
AXE_REPORTS = ROOT / "test-output" / "axe"
VIEWPORT = {"width": 1280, "height": 900}
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
    # data/malmo_yearly.csv: the shootings of the last year
    "overview": Shows(
        metric={
            lang: (t("overview.metric_label", lang, measure=t("measure.shootings", lang), year=LAST), SHOOTINGS[LAST])
            for lang in LANGUAGES
        }
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
        row={
            "sv": ["Lägesrapport februari 2020", "Genomförda call-ins", "3", "möten"],
            "en": ["Status report February 2020", "Call-ins held", "3", "meetings"],
        },
    ),
    # the cells and the districts; the busiest district of data/extracts/incidents_synthetic.csv, as the query
    # counts it (busiest_district)
    "map": Shows(tables=2, map=True),
    # the key figures: the explosions of the first year
    "press": Shows(
        tables=1,
        row={
            "sv": [
                t("press.topic_yearly", "sv"),
                EXPLOSIONS_FIRST["sv"],
            ],
            "en": [t("press.topic_yearly", "en"), EXPLOSIONS_FIRST["sv"], EXPLOSIONS_FIRST["en"]],
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
    page.get_by_test_id("stExpander").locator("summary").evaluate_all("summaries => summaries.forEach(s => s.click())")


def expect_row(page: Page, cells: list[str]) -> None:
    """Wait until a table on the page shows a row whose first cells are `cells`."""
    try:
        page.wait_for_function(
            """cells => [...document.querySelectorAll('[data-testid=stDataFrame] tr')].some(
                row => cells.every((cell, n) => row.children[n]?.textContent === cell))""",
            arg=cells,
        )
    except Error:
        shown = [table.evaluate(TABLE_ROWS)[:4] for table in page.get_by_test_id("stDataFrame").all()]
        pytest.fail(f"no table shows a row starting {cells}; the tables start {shown}")


def expect_map_drawn(page: Page) -> None:
    """Wait until the map shows its cells: orange (red well above blue) on a grey background."""
    deck = page.get_by_test_id("stDeckGlJsonChart")
    expect(deck.locator("canvas").first).to_be_visible()
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        pixels = np.asarray(Image.open(io.BytesIO(deck.screenshot())).convert("RGB"), dtype=int)
        orange = ((pixels[..., 0] - pixels[..., 2]) > 30).mean()
        if orange > 0.05:
            return
        assert time.monotonic() < deadline, f"the map shows no cells: {orange:.1%} of it is orange"
        page.wait_for_timeout(250)


def busiest_district(con, lang: str) -> list[str]:
    """The first row of the map's district table for the default years: as the query counts it."""
    districts = run_query(
        con, "incidents_by_district", from_year=FIRST, to_year=LAST, kind="all", min_count=privacy.min_count()
    )
    return [districts["district"].iloc[0], fmt.count(districts["count"].iloc[0], lang)]


def expect_rendered(page: Page, key: str, lang: str) -> None:
    """The page `key` shows no error, and every chart, table, metric and map it should, drawn."""
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
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
    page.set_viewport_size({"width": VIEWPORT["width"], "height": page.evaluate(SCROLL_HEIGHT)})
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


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", PAGES)
def test_page_renders_and_is_accessible(dashboard, visitor, con, key, lang):
    page = visitor
    name = f"{key}-{lang}"
    open_view(page, f"{dashboard}/{path(key)}?lang={lang}", key, lang)
    open_tables(page)
    expect_rendered(page, key, lang)
    assert page.evaluate("document.documentElement.lang") == lang, "a screen reader reads the page's language"
    if key == "map":
        expect_row(page, busiest_district(con, lang))

    file = screenshot(page, name)
    assert file.read_bytes().startswith(PNG_MAGIC)
    with Image.open(file) as image:
        assert image.height > VIEWPORT["height"]  # the whole page, not the window

    require(AXE.exists(), f"{AXE.relative_to(ROOT)} is missing", "npm ci --prefix tests/axe")
    serious = [
        f"{found['id']} ({found['impact']}): {found['help']}: "
        + "; ".join(f"{node['target']} {node['html'][:100]}" for node in found["nodes"])
        for found in axe_violations(page, name)
        if found["impact"] in ("serious", "critical")
    ]
    assert not serious, "\n".join(serious)


def test_the_years_chosen_are_in_the_url_and_the_url_shows_them_again(dashboard, browser, visitor):
    page = visitor
    open_view(page, f"{dashboard}/trends?lang=en", "trends", "en")
    expect_years(page, FIRST, LAST)
    chart_title = page.get_by_test_id("stPlotlyChart").first.locator(".gtitle")
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
    expect(chart_title).to_have_text(title)
    expect(changes.locator("tr").nth(1).locator("td").first).to_have_text(str(FIRST + 1))
    rows = changes.evaluate(TABLE_ROWS)
    url = page.url
    assert "lang=en" in url

    with new_visitor(browser, viewport=VIEWPORT) as again:
        open_view(again, url, "trends", "en")
        expect_years(again, FIRST + 1, LAST - 1)
        expect(again.get_by_test_id("stPlotlyChart").first.locator(".gtitle")).to_have_text(title)
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
        assert image.width == 2000  # images.WIDTH at scale 2

    svg = download(page, "download_malmo_by_year_svg", tmp_path)
    assert svg.name == "malmo_by_year.svg"
    root = ElementTree.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {element.text for element in root.iter() if element.text}
    assert t("trends.chart_title", "sv", years=YEARS) in texts


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
            expect(page.get_by_text(LINKED_YEARS[key], exact=True).first).to_be_visible()
        # the navigation keeps the link's view
        link = page.get_by_test_id("stSidebar").get_by_role("link", name=t(f"nav.{key}", "en"), exact=True)
        expect(link).to_have_attribute("href", re.compile(r"lang=en&from=2017&to=2020$"))

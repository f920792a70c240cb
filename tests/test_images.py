"""Chart images: PNG and SVG rendered by kaleido on Debian's chromium, with title, sources and date.

These tests render (about 3 s for the browser's start, then 0.3 to 0.5 s an image);
the page tests never do: a page's image buttons hold a callable that only a click runs.
"""

from __future__ import annotations

import copy
import struct
import xml.etree.ElementTree as ET

import pandas as pd
import plotly.graph_objects as go
import pytest
import streamlit
from conftest import run_page

from slutaskjut import charts, images
from slutaskjut.i18n import t
from slutaskjut.paths import data_dir

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    return width, height


def svg_text(data: bytes) -> str:
    """Every text the SVG draws, lines joined by spaces (a wrapped line is one text element per line)."""
    root = ET.fromstring(data)
    return " ".join(" ".join(element.itertext()) for element in root.iter() if element.tag.endswith("}text"))


def record_downloads(monkeypatch) -> dict:
    """Every download button a page run offers, by key: (label, data, the other arguments).

    `data` is what a click would download: bytes, or the callable that makes them.
    """
    offered = {}
    original = streamlit.download_button

    def record(label, data, **kwargs):
        offered[kwargs["key"]] = (label, data, kwargs)
        return original(label, data, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", record)
    return offered


def test_png_has_the_requested_size_and_the_figure_is_not_changed():
    figure = go.Figure(go.Bar(x=["a", "b"], y=[3, -63]))
    before = copy.deepcopy(figure.to_dict())
    png = images.chart_image(
        figure, "png", "A title", "Source: X.", "Figures run to 1 May 2020.", width=640, height=480
    )
    assert png_size(png) == (640, 480)
    doubled = images.chart_image(figure, "png", "A title", "Source: X.", "", width=300, height=200, scale=2)
    assert png_size(doubled) == (600, 400)
    assert figure.to_dict() == before
    assert not figure.layout.annotations and figure.layout.title.text is None

    svg = images.chart_image(figure, "svg", "A title & more", "Source: X.", "Figures run to 1 May 2020.")
    text = svg_text(svg)
    assert "A title & more" in text, "a figure without a title gets the one given"
    assert "Source: X." in text and "Figures run to 1 May 2020." in text
    with pytest.raises(ValueError, match="png or svg"):
        images.chart_image(figure, "jpeg", "x", "", "")


def test_a_long_source_line_is_wrapped_and_kept_whole():
    figure = go.Figure(go.Scatter(x=[1, 2], y=[1, 2]), layout={"title": {"text": "Own title"}})
    publishers = "; ".join(f"Publisher number {n}" for n in range(30))
    noted = images.with_note(figure, "Not used", f"Sources: {publishers}.", "Figures run to 2020.", width=600)
    (note,) = noted.layout.annotations
    assert note.text.count("<br>") >= 4 and noted.layout.title.text == "Own title"
    lines = note.text.count("<br>") + 1
    assert noted.layout.height == images.HEIGHT and noted.layout.margin.b >= 17 * lines + 10, "the lines fit below"
    assert f"Sources: {publishers}." in svg_text(images.chart_image(figure, "svg", "x", f"Sources: {publishers}.", ""))


def test_an_image_is_landscape_and_names_its_milestones():
    yearly = pd.DataFrame(
        {"year": [2017, 2018, 2019], "measure": ["shootings"] * 3, "count": [65.0, 47.0, 34.0], "rate_per_100k": None}
    )
    milestones = pd.DataFrame({"date": ["2018-02-01"], "when": ["februari 2018"], "label": ["Sluta skjut startar"]})
    provisional = pd.DataFrame({"year": [], "measure": [], "count": [], "as_of": []})
    figure = charts.trend_figure(yearly, provisional, milestones, value_column="count", lang="sv", title="Skjutningar")
    png = images.chart_image(figure, "png", "x", "Källa: X.", "", scale=2)
    width, height = png_size(png)
    assert (width, height) == (2 * images.WIDTH, 2 * images.HEIGHT) and width / height == pytest.approx(16 / 9, 0.01)
    text = svg_text(images.chart_image(figure, "svg", "x", "Källa: X.", ""))
    assert t("chart.milestones", "sv", milestones="1 Sluta skjut startar (februari 2018)") in text
    assert "Källa: X." in text


@pytest.mark.parametrize(
    ("lang", "sources", "runs_to"),
    [
        (
            "sv",
            "Källor: Kriminalvården, Polisen, Malmö stad; Malmö stad; Malmö universitet; Polisen; SCB via Malmö stad.",
            "Uppgifterna avser tiden fram till 31 december 2020.",
        ),
        (
            "en",
            "Sources: Kriminalvården, Polisen, Malmö stad; Malmö stad; Malmö universitet; Polisen; SCB via Malmö stad.",
            "Figures run to 31 December 2020.",
        ),
    ],
)
def test_a_page_chart_image_carries_title_sources_and_date_in_the_language(monkeypatch, lang, sources, runs_to):
    offered = record_downloads(monkeypatch)
    app = run_page("pages/trends.py", lang=lang, **{"from": "2017", "to": "2020"})
    assert not app.exception
    label, make_svg, options = offered["download_malmo_by_year_svg"]
    assert (label, options["file_name"], options["mime"]) == (
        t("image.svg", lang),
        "malmo_by_year.svg",
        "image/svg+xml",
    )
    assert callable(make_svg), "rendered on click, not on every page run"
    text = svg_text(make_svg())
    assert t("trends.chart_title", lang, years="2017\u20132020") in text
    assert sources in text and runs_to in text  # the provisional 2020 figure is the press release's
    milestones = pd.read_csv(data_dir() / "milestones.csv", parse_dates=["date"])
    first = milestones[milestones["date"].dt.year.between(2017, 2020)].iloc[0]
    other = "en" if lang == "sv" else "sv"
    assert first[f"label_{lang}"] in text and first[f"label_{other}"] not in text, "the milestones named"
    _, make_png, options = offered["download_malmo_by_year_png"]
    assert options["file_name"] == "malmo_by_year.png" and png_size(make_png()) == (2 * images.WIDTH, 2 * images.HEIGHT)


def test_a_benchmark_image_names_the_studies_and_malmos_source(monkeypatch):
    offered = record_downloads(monkeypatch)
    run_page("pages/benchmarks.py", lang="en", **{"from": "2017", "to": "2020"})
    text = svg_text(offered["download_us_results_svg"][1]())
    assert (
        "Sources: Malmö stad; Criminology & Public Policy; Journal of Criminal Justice; "
        "Journal of Research in Crime and Delinquency; Justice Quarterly." in text
    )
    assert "The latest source was published 28 January 2021." in text, "no as_of: the latest source's date"
    assert t("benchmarks.caveat", "en") in text, "the caveat the page shows beside the chart"
    assert "Stockton: Another summary of the study gives a reduction of about 35%." in text, "and each study's own"


def test_an_extract_chart_image_says_synthetic(monkeypatch):
    offered = record_downloads(monkeypatch)
    run_page("pages/trends.py", lang="sv", grain="quarter", **{"from": "2017", "to": "2020"})
    _, make_svg, _ = offered["download_incidents_by_quarter_svg"]
    text = svg_text(make_svg())
    assert "Källa: syntetiska demonstrationsdata (Händelser), inga verkliga händelser eller personer." in text
    assert "Uppgifterna avser tiden fram till " in text


def test_no_browser_is_a_clear_message(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nowhere/chromium")
    with pytest.raises(images.NoBrowserError, match="Chart images need Debian's chromium: apt-get install chromium"):
        images.browser_path()
    monkeypatch.delenv("BROWSER_PATH")
    monkeypatch.setattr(images, "DEBIAN_CHROMIUM", "/nowhere/chromium")
    monkeypatch.setattr(images.shutil, "which", lambda name: None)
    with pytest.raises(images.NoBrowserError, match="^Chart images need Debian's chromium: apt-get install chromium$"):
        images._Renderer().render({}, {})  # a renderer not yet started looks for the browser first


def test_without_a_browser_the_pages_run_and_the_buttons_say_why(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nowhere/chromium")
    for script, key in (("pages/benchmarks.py", "download_us_results_png"), ("pages/press.py", "download_press_pack")):
        app = run_page(script, lang="en")
        assert not app.exception
        (button,) = [b for b in app.get("download_button") if b.proto.id.endswith(f"-{key}")]
        assert button.proto.help.startswith(images.NO_BROWSER) and not button.proto.disabled


def test_a_contact_chart_image_gives_the_rounds_end_not_the_extracts_last_day(monkeypatch):
    offered = record_downloads(monkeypatch)
    app = run_page("pages/outreach.py", lang="en", **{"from": "2016", "to": "2022"})
    assert not app.exception
    contact_images = {
        key: data
        for key, (_, data, _) in offered.items()
        if key.startswith("download_contacts_") and key.endswith(("_png", "_svg"))
    }
    assert len(contact_images) == 2 and all(callable(data) for data in contact_images.values())
    for make in contact_images.values():  # not rendered: the lines are the callable's arguments
        figure, _, _, source_line, date_line = make.args
        assert source_line == ("Source: synthetic demonstration data (Contacts), no real incidents or people."), (
            "the funnel is computed from the contact extract only"
        )
        assert date_line.startswith("Figures run to ") and date_line.removeprefix("Figures run to ")[:-1] in (
            figure.layout.title.text
        ), "the round's last day, which the chart's title gives"

"""Charts as figures, without Streamlit or a browser: where things sit, what they say, and that a layout
holds at a phone's width (no legend over a title, no milestone on a panel's title, no empty panel)."""

from __future__ import annotations

import pandas as pd
import pytest

from slutaskjut import charts, fmt
from slutaskjut.i18n import t
from slutaskjut.schema import MEASURES

NBSP = "\u00a0"


def yearly_frame(counts: dict[str, dict[int, float | None]], lower_bounds: set[tuple[str, int]] = frozenset()):
    """Rows as incidents_by_year gives them: a count per measure and year, None where not published."""
    rows = [
        {
            "year": year,
            "measure": measure,
            "count": count,
            "rate_per_100k": None,
            "is_lower_bound": (measure, year) in lower_bounds,
            "status": "not_published" if count is None else "published",
        }
        for measure, by_year in counts.items()
        for year, count in by_year.items()
    ]
    columns = ["year", "measure", "count", "rate_per_100k", "is_lower_bound", "status"]
    return pd.DataFrame(rows, columns=columns).astype({"count": "Float64", "rate_per_100k": "Float64"})


NO_PROVISIONAL = pd.DataFrame({"year": [], "measure": [], "count": [], "as_of": []})


def milestones_frame(*dates: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": list(dates),
            "when": [f"when {n}" for n in range(len(dates))],
            "label": [f"Milestone {n}" for n in range(len(dates))],
        }
    )


def trend(yearly, provisional=NO_PROVISIONAL, milestones=None, lang="sv"):
    milestones = milestones_frame() if milestones is None else milestones
    return charts.trend_figure(yearly, provisional, milestones, value_column="count", lang=lang, title="x")


def panel_titles(figure) -> list[str]:
    return [annotation.text for annotation in figure.layout.annotations if annotation.name == "panel_title"]


# The overview's sparklines -------------------------------------------------------------------


def test_a_sparkline_leaves_missing_years_as_gaps_and_labels_the_latest_figure():
    # 2018 not published, 2019 not in the rows at all: both gaps; 2020 a lower bound
    yearly = yearly_frame(
        {"shootings": {2016: 1234, 2017: 65, 2018: None, 2020: 23}, "dead": {2016: 7, 2017: 7, 2018: 12, 2020: 3}},
        lower_bounds={("shootings", 2020)},
    )
    figure = charts.sparkline_figure(yearly, "shootings", "sv", "Skjutningar")
    line, latest = figure.data
    assert list(line.x) == ["2016-07-01", "2017-07-01", "2018-07-01", "2019-07-01", "2020-07-01"]
    assert list(line.y) == [1234, 65, None, None, 23] and line.connectgaps is False, "a gap, never 0"
    assert line.customdata[0] == f"2016: 1{NBSP}234", "Swedish numbers in the hover label"
    assert (list(latest.x), list(latest.text)) == (["2020-07-01"], [f"minst{NBSP}23".replace(NBSP, " ")])
    assert [(shape.x0, shape.x1) for shape in figure.layout.shapes] == [
        ("2018-01-01", "2019-01-01"),
        ("2019-01-01", "2020-01-01"),
    ]
    assert list(figure.layout.xaxis.ticktext) == ["2016", "2020"] and figure.layout.height == charts.SPARKLINE_HEIGHT
    assert figure.layout.title.text == "Skjutningar" and figure.layout.separators == f",{NBSP}"


def test_a_sparkline_of_a_measure_without_figures_says_so():
    yearly = yearly_frame({"shootings": {2016: 61, 2017: 65}, "explosions": {2016: None, 2017: None}})
    figure = charts.sparkline_figure(yearly, "explosions", "en", "Explosions")
    assert not figure.data
    assert [annotation.text for annotation in figure.layout.annotations] == [t("common.not_published", "en")]


# Milestones and the time axis ----------------------------------------------------------------


def test_a_milestone_sits_at_its_date_inside_its_year():
    yearly = yearly_frame({"shootings": {2016: 61, 2017: 65, 2018: 47, 2019: 34}})
    figure = trend(yearly, milestones=milestones_frame("2018-02-01"))
    (milestone,) = [shape for shape in figure.layout.shapes if shape.type == "line"]
    assert figure.layout.xaxis.type == "date" and milestone.x0 == "2018-02-01"
    # February 2018 lies after 2018 begins (a year's bound is drawn) and before 2018's point, not on 2017's side
    assert "2018-01-01" in figure.layout.xaxis.minor.tickvals and figure.layout.xaxis.minor.showgrid
    points = dict(zip(figure.data[0].y, figure.data[0].x, strict=True))
    assert "2018-01-01" < milestone.x0 < points[47] == "2018-07-01"
    assert dict(zip(figure.layout.xaxis.tickvals, figure.layout.xaxis.ticktext, strict=True))["2018-07-01"] == "2018"


def test_milestone_numbers_stand_above_the_panel_titles_and_apart_from_each_other():
    yearly = yearly_frame({"shootings": {2016: 61, 2020: 20}, "dead": {2016: 7, 2020: 3}})
    # February and October 2018 are close: on a phone their numbers would touch, so they take a row each
    figure = trend(yearly, milestones=milestones_frame("2018-02-01", "2018-10-01", "2020-03-01"))
    numbers = [annotation for annotation in figure.layout.annotations if annotation.name == "milestone"]
    assert [number.text for number in numbers] == ["1", "2", "3"]
    top_title = next(a for a in figure.layout.annotations if a.name == "panel_title")
    assert (top_title.y, top_title.yanchor, top_title.yshift) == (1, "bottom", None)
    title_height = top_title.font.size * 1.3  # one line of the panel's title, in pixels
    for number in numbers:
        assert (number.yref, number.y, number.yanchor) == ("paper", 1, "bottom")
        assert number.yshift >= title_height, "above the top panel's title, never on it"
    assert numbers[0].yshift != numbers[1].yshift and numbers[0].yshift == numbers[2].yshift
    # the chart's title leaves room for both rows of numbers
    assert figure.layout.title.pad.b >= max(number.yshift for number in numbers) + 20


def test_a_provisional_figure_sits_at_the_date_it_runs_to_apart_from_the_full_year():
    yearly = yearly_frame({"shootings": {2019: 34, 2020: 20}})
    provisional = pd.DataFrame({"year": [2020], "measure": ["shootings"], "count": [19.0], "as_of": ["2020-12-03"]})
    figure = trend(yearly, provisional)
    full_year, diamond = figure.data[0], figure.data[1]
    assert diamond.marker.symbol == "diamond-open" and list(diamond.x) == ["2020-12-03"]
    assert "2020-12-03" not in full_year.x and "2020-07-01" in full_year.x
    assert diamond.customdata[0] == "2020 fram till 3 december 2020: 19"


# No empty panels -----------------------------------------------------------------------------


def test_a_measure_without_any_figure_draws_no_panel_and_the_image_says_so():
    yearly = yearly_frame(
        {
            "shootings": {2021: 21, 2022: 29},
            "explosions": {2021: None, 2022: None},
            "injured": {2021: None, 2022: None},
        }
    )
    figure = trend(yearly, lang="en")
    assert panel_titles(figure) == ["Shootings"]
    assert "yaxis2" not in figure.layout.to_plotly_json() and figure.layout.meta["panels"] == 1
    assert (
        t("chart.no_figures", "en", measures="explosions, injured", years="2021\u20132022")
        in (figure.layout.meta["notes"])
    )
    # a provisional figure alone still gets its panel
    provisional = pd.DataFrame({"year": [2022], "measure": ["injured"], "count": [5.0], "as_of": ["2022-06-30"]})
    assert panel_titles(trend(yearly, provisional, lang="en")) == ["Shootings", "Injured"]


def test_when_no_measure_has_a_figure_the_chart_says_so_in_words():
    yearly = yearly_frame({measure: {2021: None, 2022: None} for measure in MEASURES})
    figure = trend(yearly, lang="sv")
    assert not figure.data and not panel_titles(figure)
    (text,) = [annotation.text for annotation in figure.layout.annotations]
    assert text.replace("<br>", " ") == t(
        "chart.no_figures", "sv", measures="skjutningar, sprängningar, döda, skadade", years="2021\u20132022"
    )


def test_sweden_and_share_panels_only_for_measures_with_figures():
    sweden = pd.DataFrame(
        {
            "year": [2019, 2019, 2020],
            "measure": ["shootings", "shootings", "dead"],
            "count": [334.0, 320.0, 47.0],
            "rate_per_100k": [None, None, None],
        }
    )
    figure = charts.sweden_figure(sweden, yearly_frame({}), value_column="count", lang="en", title="x")
    assert panel_titles(figure) == ["Shootings", "Dead"]
    spread = figure.data[0]
    assert list(spread.x) == ["2019-07-01", "2019-07-01", None] and list(spread.y) == [320, 334, None]


# Phones: titles, legends, labels -------------------------------------------------------------


def us_results() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "city": ["Boston", "Cincinnati"],
            "quoted_outcome": ["fewer youth homicides", "reduction in group-member-involved homicides"],
            "quoted_change_pct": [-63.0, -41.0],
            "caveat": [None, "The 41% quoted could not be checked against the article text."],
        }
    )


def every_figure() -> dict:
    long_title = "Shootings in Malmö and people shot in US cities per 100,000 inhabitants, 2016\u20132024"
    yearly = yearly_frame({"shootings": {2016: 61, 2017: 65, 2018: 47}, "dead": {2016: 7, 2017: None, 2018: 12}})
    series = pd.DataFrame(
        {
            "city": ["Malmö", "Malmö", "Boston"],
            "year": [2016, 2017, 2016],
            "unit": ["incidents", "incidents", "victims"],
            "index_value": [100.0, 80.0, 100.0],
            "base_year": [2016, 2016, 2016],
            "programme_start_year": [2018, 2018, 1996],
        }
    )
    periods = pd.DataFrame(
        {
            "kind": ["shooting", "shooting"],
            "period": ["2020-01", "2020-02"],
            "period_start": pd.to_datetime(["2020-01-01", "2020-02-01"]),
            "period_end": pd.to_datetime(["2020-01-31", "2020-02-29"]),
            "count": [2, 0],
            "is_partial": [True, False],
        }
    )
    return {
        "trend": charts.trend_figure(
            yearly, NO_PROVISIONAL, milestones_frame("2018-02-01"), value_column="count", lang="en", title=long_title
        ),
        "benchmark": charts.benchmark_figure(
            us_results(),
            {"label": "Malmö: shootings 2017–2023 (raw change)", "change_pct": 12.6},
            lang="en",
            title=long_title,
        ),
        "city_series": charts.city_series_figure(series, value_column="index_value", lang="en", title=long_title),
        "periods": charts.period_figure(periods, lang="en", title=long_title),
    }


@pytest.mark.parametrize("name", ["trend", "benchmark", "city_series", "periods"])
def test_titles_are_wrapped_and_legends_lie_below_the_plot(name):
    figure = every_figure()[name]
    title = figure.layout.title
    assert all(len(line) <= charts.TITLE_CHARS for line in title.text.split("<br>")), "wrapped to fit a phone"
    assert "<br>" in title.text
    # the title sits above the plot and widens the top margin to hold its lines (automargin) ...
    assert (title.yref, title.y, title.yanchor, title.automargin) == ("paper", 1, "bottom", True)
    # ... and the legend lies at the figure's bottom, taking the room its rows need: never on the title
    legend = figure.layout.legend
    assert (legend.orientation, legend.yref, legend.y, legend.yanchor) == ("h", "container", 0, "bottom")
    for trace in figure.data:
        if trace.name:
            assert all(len(line) <= charts.LABEL_CHARS for line in trace.name.split("<br>")), trace.name


def test_the_us_bars_are_labelled_above_not_beside_so_the_bars_keep_the_width():
    figure = every_figure()["benchmark"]
    assert figure.layout.yaxis.visible is False
    labels = [annotation.text.replace("<br>", " ") for annotation in figure.layout.annotations]
    assert labels == [
        "Boston: fewer youth homicides (estimated effect)",
        "Cincinnati: reduction in group-member-involved homicides (estimated effect)",
        "Malmö: shootings 2017–2023 (raw change)",
    ]
    assert all(annotation.xanchor == "left" and annotation.x == 0 for annotation in figure.layout.annotations)
    assert figure.layout.meta["notes"] == [
        t("benchmarks.caveat", "en"),
        "Cincinnati: The 41% quoted could not be checked against the article text.",
    ]


def test_a_rise_shows_its_plus_sign():
    figure = every_figure()["benchmark"]
    us, malmo = figure.data
    assert list(malmo.text) == ["+13%"] and list(us.text) == ["\u221263%", "\u221241%"]
    rising = charts.benchmark_figure(us_results(), {"label": "Malmö", "change_pct": 40.4}, lang="sv", title="x")
    assert list(rising.data[1].text) == [fmt.percent(40.4, "sv", signed=True)] == [f"+40{NBSP}%"]
    ticks = dict(zip(rising.layout.xaxis.tickvals, rising.layout.xaxis.ticktext, strict=True))
    assert ticks[0] == f"0{NBSP}%" and any(value > 0 for value in ticks)
    assert all(text.startswith("+") for value, text in ticks.items() if value > 0)
    assert len(ticks) <= 6, "few labels, which fit a phone"


def test_a_long_run_of_years_labels_no_more_years_than_fit_a_phone():
    yearly = yearly_frame({"shootings": dict.fromkeys(range(2010, 2025), 10.0)})
    axis = trend(yearly).layout.xaxis
    assert len(axis.ticktext) <= 8 and axis.ticktext[-1] == "2024", "the latest year always labelled"
    assert len(axis.minor.tickvals) == 14, "every year's bound drawn all the same"


# Images --------------------------------------------------------------------------------------


def test_an_image_lays_the_panels_out_two_to_a_row_with_the_milestones_above_the_top_row():
    yearly = yearly_frame({measure: {2017: 10.0, 2018: 12.0} for measure in MEASURES})
    figure = trend(yearly, milestones=milestones_frame("2018-02-01"))
    image, below_plot = charts.landscape(figure, "x", width=1200, height=675, reserved=100)
    layout = image.layout
    assert (layout.width, layout.height) == (1200, 675) and below_plot > 0
    assert layout.xaxis.domain[0] == layout.xaxis3.domain[0] < layout.xaxis2.domain[0] == layout.xaxis4.domain[0]
    assert layout.yaxis.domain == layout.yaxis2.domain and layout.yaxis3.domain[1] < layout.yaxis.domain[0]
    assert [layout[f"xaxis{n}"].showticklabels for n in ("", 2, 3, 4)] == [False, False, True, True]
    numbers = [annotation.xref for annotation in layout.annotations if annotation.name == "milestone"]
    assert numbers == ["x", "x2"], "over both panels of the top row"
    assert tuple(figure.layout.xaxis2.domain) == (0, 1), "the figure itself is not changed"
